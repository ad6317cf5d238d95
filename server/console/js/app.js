// The console page: sign-in, then the live queue.

import { ApiError, currentUser, getQueue, signIn, signOut } from './api.js';
import { ConnectTracker } from './connect.js';
import { show } from './dom.js';
import { LiveEvents } from './events.js';
import { QueueView, viewerUrl } from './queue.js';
import { applyStrings, t } from './strings.js';

const $ = (id) => document.getElementById(id);

const loginView = $('login-view');
const queueView = $('queue-view');
const loginForm = $('login-form');
const loginError = $('login-error');
const loginSubmit = $('login-submit');
const queueError = $('queue-error');
const liveStatus = $('live-status');

const tracker = new ConnectTracker({
    onChange: (number) => queue.renderActions(number),
    onAccepted: (entry) => window.location.assign(viewerUrl(entry.requestId)),
});
const queue = new QueueView({
    table: $('queue-table'), tbody: $('queue-body'), empty: $('queue-empty'), count: $('queue-count'), tracker,
});

let events = null;
let ticker = null;
let refreshing = false;
let refreshAgain = false;

function setError(element, message) {
    element.textContent = message ?? '';
    show(element, Boolean(message));
}

function setLive(state, delayMs = 0) {
    liveStatus.dataset.state = state;
    liveStatus.textContent = state === 'reconnecting'
        ? t('live.reconnecting', { seconds: Math.max(1, Math.round(delayMs / 1000)) })
        : t(`live.${state}`);
}

function showLogin(message = '') {
    events?.stop();
    events = null;
    clearInterval(ticker);
    ticker = null;
    show(queueView, false);
    show(loginView, true);
    document.body.dataset.view = 'login';
    setError(loginError, message);
    loginSubmit.disabled = false;
    loginSubmit.textContent = t('login.submit');
    $('login-email').focus();
}

function showQueue(user) {
    show(loginView, false);
    show(queueView, true);
    document.body.dataset.view = 'queue';
    $('user-name').textContent = t('header.signed_in_as', { name: user.name || user.email });
    $('user-name').title = user.email;
    setError(queueError, '');
    events = new LiveEvents({
        onEvent: (type, data) => {
            if (type === 'connection-request-changed') tracker.changed(data.id);
            if (type !== 'connection-request-changed') refreshQueue();  // hello, ticket-changed, queue-changed
        },
        onStatus: setLive,
        checkSignedIn: async () => {
            const me = await currentUser();
            if (!me) showLogin(t('error.signed_out'));
            return Boolean(me);
        },
    });
    events.start();
    ticker = setInterval(() => queue.tick(), 1000);
    refreshQueue();
}

/// Fetches the queue; calls that arrive while one runs are folded into one more fetch.
async function refreshQueue() {
    if (refreshing) {
        refreshAgain = true;
        return;
    }
    refreshing = true;
    try {
        do {
            refreshAgain = false;
            const answer = await getQueue();
            queue.render(answer.tickets ?? []);
            setError(queueError, '');
            document.body.dataset.queueLoaded = 'true';
        } while (refreshAgain);
    } catch (error) {
        if (error instanceof ApiError && error.status === 401) return showLogin(t('error.signed_out'));
        setError(queueError, error.message);
    } finally {
        refreshing = false;
    }
}

loginForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const email = $('login-email').value.trim();
    const password = $('login-password').value;
    if (!email || !password) return setError(loginError, t('login.missing'));
    loginSubmit.disabled = true;
    loginSubmit.textContent = t('login.busy');
    setError(loginError, '');
    try {
        const user = await signIn(email, password);
        $('login-password').value = '';
        showQueue(user);
    } catch (error) {
        setError(loginError, error.message);
        $('login-password').select();
    } finally {
        loginSubmit.disabled = false;
        loginSubmit.textContent = t('login.submit');
    }
});

$('sign-out').addEventListener('click', async () => {
    try {
        await signOut();
    } catch {
        // Signed out on this page either way; the server's session expires on its own.
    }
    showLogin();
});

async function start() {
    applyStrings(document);
    document.title = t('app.title');
    try {
        const me = await currentUser();
        if (me) showQueue(me);
        else showLogin();
    } catch (error) {
        showLogin(error.message);
    }
}

start();
