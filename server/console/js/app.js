// The console: sign-in, then the pages (queue, a ticket, history, dashboard) under one top
// bar, switched by the URL's fragment (router.js). What every page shares is made here
// once per sign-in and handed to the pages as `ctx`:
//
//   ctx.user       the signed-in user {id, email, name, role, groups}
//   ctx.queue      LiveQueue: the open tickets of the user's view, live (live.js)
//   ctx.team       Team: active operators and groups (live.js)
//   ctx.tracker    ConnectTracker: each ticket's connection request (connect.js)
//   ctx.attention  the title count and desktop notifications (ui.js)
//   ctx.onEvent(fn)   every console event (type, data); returns the unsubscribe function
//   ctx.navigate(page, {id, params}, {replace})
//   ctx.setTitle(text)  the page's own title (the count of new tickets is put before it)
//   ctx.setupRequired   "two_factor" while the team requires two-factor and the user has not
//                       set it up: only the account page is shown, nothing live runs
//   ctx.setupDone()     the account page's call once that setup is done: the console starts
//   ctx.setUser(user)   a page changed the signed-in user (name, language…)
//   ctx.chooseLanguage(code)  as the top bar's menu: shows the console in it and tells the server
//
// A page module exports mount(container, ctx, route) -> {update(route), unmount()}.

import { api, ApiError, currentUser, signIn, signOut } from './api.js';
import { ConnectTracker } from './connect.js';
import { show } from './dom.js';
import { LiveEvents } from './events.js';
import { applyStrings, kLanguageNames, kLanguages, language, setLanguage, t } from './i18n.js';
import { LiveQueue, Team } from './live.js';
import * as accountPage from './pages/account.js';
import * as adminPage from './pages/admin.js';
import * as dashboardPage from './pages/dashboard.js';
import * as historyPage from './pages/history.js';
import * as invitePage from './pages/invite.js';
import * as queuePage from './pages/queue.js';
import * as ticketPage from './pages/ticket.js';
import { navigate, parseRoute, routeHref } from './router.js';
import { SecondStep } from './sign_in_second_step.js';
import { Attention, message } from './ui.js';

const kPageModules = { queue: queuePage, ticket: ticketPage, history: historyPage, dashboard: dashboardPage,
                       admin: adminPage, account: accountPage };

const $ = (id) => document.getElementById(id);
const loginView = $('login-view');
const loginForm = $('login-form');
const loginError = $('login-error');
const loginSubmit = $('login-submit');
const pageContainer = $('page');
const liveStatus = $('live-status');
const notifyButton = $('notify-enable');
const languageSelect = $('language');
const publicPage = $('public-page');

const attention = new Attention();
let session = null;  // {ctx, events, listeners, page: {name, route, instance}} while signed in
let publicShown = null;  // the invitation page while it is shown: {token, instance}
const secondStep = new SecondStep($('second-step-view'), {
    onSignedIn: (answer) => startSession(answer.user, answer.setupRequired),
    onBack: (text) => showLogin(text),
});

function setError(element, text) {
    element.textContent = text ?? '';
    show(element, Boolean(text));
}

function renderLiveStatus() {
    const state = liveStatus.dataset.state;
    const delayMs = Number(liveStatus.dataset.delayMs ?? 0);
    liveStatus.textContent = state === 'reconnecting'
        ? t('live.reconnecting', { seconds: Math.max(1, Math.round(delayMs / 1000)) })
        : t(`live.${state}`);
}

function setLive(state, delayMs = 0) {
    liveStatus.dataset.state = state;
    liveStatus.dataset.delayMs = String(delayMs);
    renderLiveStatus();
}

function renderNotifyButton() {
    show(notifyButton, session !== null && attention.notificationsState() === 'default');
}

function fillLanguageMenu() {
    languageSelect.replaceChildren(...kLanguages.map((code) => {
        const option = document.createElement('option');
        option.value = code;
        option.textContent = kLanguageNames[code];
        option.lang = code.replace('_', '-');
        return option;
    }));
    languageSelect.value = language();
}

/// Puts every sentence of the shell in the current language, and the page's too.
function applyLanguage() {
    setLanguage(language());
    applyStrings(document);
    renderLiveStatus();
    if (session) {
        $('user-name').textContent = t('header.signed_in_as', { name: session.ctx.user.name || session.ctx.user.email });
        showPage(parseRoute(window.location.hash), { remount: true });
    } else {
        attention.setTitle(t('app.title'));
        secondStep.applyLanguage();
        if (publicShown) showPublic(parseRoute(window.location.hash), { remount: true });
    }
}

/// Ends the session, if any: its page, its event stream and its Connect tracking stop.
function endSession() {
    if (!session) return;
    session.page?.instance?.unmount?.();
    session.events.stop();
    session.ctx.tracker.stopAll?.();
    session = null;
}

function showLogin(text = '') {
    endSession();
    hidePublic();
    secondStep.hide();
    show(pageContainer, false);
    show(loginView, true);
    document.body.dataset.view = 'login';
    renderNotifyButton();
    attention.setTitle(t('app.title'));
    setError(loginError, text);
    loginSubmit.disabled = false;
    loginSubmit.textContent = t('login.submit');
    $('login-email').focus();
}

/// Shows the invitation page (#/invite/<token>), signed in or not: it is the invited
/// person's, and needs no session.
function showPublic(route, { remount = false } = {}) {
    if (publicShown && publicShown.token === route.id && !remount) return;
    publicShown?.instance?.unmount?.();
    show(loginView, false);
    secondStep.hide();
    show(pageContainer, false);
    show(publicPage, true);
    document.body.dataset.view = 'public';
    publicPage.replaceChildren();
    const instance = invitePage.mount(publicPage, {
        setTitle: (text) => attention.setTitle(text ? `${text} — ${t('app.title')}` : t('app.title')),
        signIn: (email) => {
            window.history.replaceState(null, '', routeHref('queue'));
            hidePublic();
            showLogin();
            $('login-email').value = email ?? '';
            $('login-password').focus();
        },
    }, route);
    publicShown = { token: route.id, instance };
}

function hidePublic() {
    if (!publicShown) return;
    publicShown.instance?.unmount?.();
    publicShown = null;
    publicPage.replaceChildren();
    show(publicPage, false);
}

function startSession(user, setupRequired = null) {
    endSession();  // a second start (the required two-factor setup is done) ends the first
    hidePublic();
    secondStep.hide();
    show(loginView, false);
    show(pageContainer, true);
    document.body.dataset.view = 'console';
    document.body.dataset.setup = setupRequired ?? '';
    $('user-name').textContent = t('header.signed_in_as', { name: user.name || user.email });
    $('user-name').title = user.email;
    show($('nav-admin'), user.role === 'admin');

    const listeners = new Set();
    const queue = new LiveQueue();
    const team = new Team();
    const ctx = {
        user,
        queue,
        team,
        attention,
        tracker: null,
        onEvent: (fn) => {
            listeners.add(fn);
            return () => listeners.delete(fn);
        },
        navigate,
        setTitle: (text) => attention.setTitle(text ? `${text} — ${t('app.title')}` : t('app.title')),
        setupRequired,
        setupDone: async () => {
            const me = await currentUser();
            if (me) startSession(me, me.setup_required ?? null);
            else showLogin(t('error.signed_out'));
        },
        chooseLanguage: (code) => {
            languageSelect.value = code;
            setLanguage(code);
            applyLanguage();
            saveLanguage(code);
        },
        setUser: (changes) => {
            Object.assign(user, changes);
            $('user-name').textContent = t('header.signed_in_as', { name: user.name || user.email });
        },
    };
    ctx.tracker = new ConnectTracker({
        onChange: (number) => {
            for (const fn of [...listeners]) fn('connect-tracker', { number });
        },
        onAccepted: (entry) => window.location.assign(`/console/viewer.html?request=${encodeURIComponent(entry.requestId)}`),
    });

    const reloadQueue = () => queue.reload().catch((error) => {
        if (error instanceof ApiError && error.status === 401) showLogin(t('error.signed_out'));
    });
    const reloadTeam = () => team.reload().catch(() => {
        // The pages show what they have; the next hello or queue-changed reads it again.
    });

    // A ticket that comes into the view through the event stream (not a full read) is new
    // to this operator: the title counts it and, when allowed, a notification says so.
    queue.subscribe((change) => {
        if (change.type !== 'upsert' || change.before !== null || !change.fromEvent) return;
        const ticket = change.ticket;
        attention.newTicket(ticket, {
            title: t('notify.new.title', { number: ticket.number }),
            body: t('notify.new.body', { requester: ticket.requester?.organization || ticket.requester?.email || '',
                                         text: ticket.subject || (ticket.description ?? '').slice(0, 140) }),
            onClick: () => navigate('ticket', { id: ticket.number }),
        });
    });

    const events = new LiveEvents({
        onEvent: (type, data) => {
            if (type === 'hello' || type === 'queue-changed') {
                reloadQueue();
                reloadTeam();
            } else if (type === 'ticket-changed') {
                // A server that sends only the number: read the queue instead.
                if (Object.prototype.hasOwnProperty.call(data, 'ticket')) queue.applyFromEvent(data.number, data.ticket);
                else reloadQueue();
            } else if (type === 'connection-request-changed') {
                ctx.tracker.changed(data.id);
            }
            for (const fn of [...listeners]) fn(type, data);
        },
        onStatus: setLive,
        checkSignedIn: async () => {
            const me = await currentUser();
            if (!me) showLogin(t('error.signed_out'));
            return Boolean(me);
        },
    });
    session = { ctx, events, listeners, page: null };
    renderNotifyButton();
    // Until the required two-factor setup is done the server answers nothing else: no live
    // stream, only the account page.
    if (!setupRequired) events.start();
    else setLive('connecting');
    showPage(parseRoute(window.location.hash));
}

/// Mounts the page the route names (or updates the one shown when only its parameters
/// changed).
function showPage(route, { remount = false } = {}) {
    if (!session) return;
    if (session.ctx.setupRequired && route.page !== 'account') {
        navigate('account', {}, { replace: true });
        return;
    }
    for (const link of document.querySelectorAll('#nav a, #account-link')) {
        const current = link.dataset.page === route.page || (route.page === 'ticket' && link.dataset.page === 'queue');
        if (current) link.setAttribute('aria-current', 'page');
        else link.removeAttribute('aria-current');
    }
    const shown = session.page;
    if (shown && shown.name === route.page && shown.route.id === route.id && !remount) {
        shown.route = route;
        shown.instance?.update?.(route);
        return;
    }
    shown?.instance?.unmount?.();
    session.page = null;
    pageContainer.replaceChildren();
    document.body.dataset.page = route.page ?? 'missing';
    const module = kPageModules[route.page];
    if (!module) {
        session.ctx.setTitle('');
        message(pageContainer, t('error.page_missing'), { kind: 'bad', role: 'alert' });
        return;
    }
    const instance = module.mount(pageContainer, session.ctx, route);
    session.page = { name: route.page, route, instance };
}

window.addEventListener('helpline:two-factor-setup-required', () => {
    if (session && !session.ctx.setupRequired) startSession(session.ctx.user, 'two_factor');
});

window.addEventListener('hashchange', () => {
    const route = parseRoute(window.location.hash);
    if (route.page === 'invite') return showPublic(route);
    if (publicShown) {
        // Leaving the invitation: the console as it is for this browser.
        hidePublic();
        if (session) return startSession(session.ctx.user, session.ctx.setupRequired);
        return start();
    }
    showPage(route);
});

loginForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const email = $('login-email').value.trim();
    const password = $('login-password').value;
    if (!email || !password) return setError(loginError, t('login.missing'));
    loginSubmit.disabled = true;
    loginSubmit.textContent = t('login.busy');
    setError(loginError, '');
    try {
        const answer = await signIn(email, password);
        $('login-password').value = '';
        if (answer.challenge) {
            show(loginView, false);
            secondStep.show(answer.challenge);
        } else {
            startSession(answer.user, answer.setupRequired);
        }
    } catch (error) {
        setError(loginError, error.message);
        $('login-password').select();
    } finally {
        loginSubmit.disabled = false;
        loginSubmit.textContent = t('login.submit');
    }
});

$('sign-out').addEventListener('click', async () => {
    // The live stream stops first: the server ends it when the session is revoked, and its
    // reconnect would otherwise find the user signed out and say "Your session has ended".
    session?.events.stop();
    try {
        await signOut();
    } catch {
        // Signed out on this page either way; the server's session expires on its own.
    }
    showLogin();
});

notifyButton.addEventListener('click', async () => {
    await attention.enableNotifications();
    renderNotifyButton();
});

languageSelect.addEventListener('change', () => {
    setLanguage(languageSelect.value);
    applyLanguage();
    saveLanguage(languageSelect.value);
});

/// Keeps the signed-in user's language on the server (PATCH /api/v1/account), which writes
/// their emails in it. Not signed in: the choice stays in this browser only.
function saveLanguage(code) {
    if (!session) return;
    session.ctx.user.language = code;
    api('PATCH', '/api/v1/account', { language: code }).catch(() => {
        // The console shows the language anyway; the emails keep the one the server had.
    });
}

async function start() {
    fillLanguageMenu();
    setLanguage(language());
    applyStrings(document);
    attention.setTitle(t('app.title'));
    if (!window.location.hash) window.history.replaceState(null, '', routeHref('queue'));
    const route = parseRoute(window.location.hash);
    if (route.page === 'invite') return showPublic(route);
    try {
        const me = await currentUser();
        if (me) startSession(me, me.setup_required ?? null);
        else showLogin();
    } catch (error) {
        showLogin(error.message);
    }
}

start();
