// The viewer page: /console/viewer.html?request=ID. It reads the accepted connection
// request (its session and one-time VNC password, given only to the operator who asked),
// and connects noVNC to the relay's WebSocket GET /api/v1/relay/{session_id}/view on this
// same host (wss:// on an https page). The password is used here and nowhere else: it is
// never put in a URL or stored.

import { currentUser, endSession, getConnectionRequest } from './api.js';
import { declineKeySuffix } from './connect.js';
import { show } from './dom.js';
import { LiveEvents } from './events.js';
import { applyStrings, t } from './i18n.js';

const kNoVncModule = '/console/vendor/novnc/core/rfb.js';
const kEndedChecks = 6;
const kEndedCheckMs = 500;

const $ = (id) => document.getElementById(id);
const statusLine = $('viewer-status');
const endButton = $('end-session');

let rfb = null;
let sessionId = null;
let endedByUs = false;
let finished = false;
let events = null;

function setState(state, message) {
    document.body.dataset.state = state;
    statusLine.textContent = message;
    statusLine.className = `viewer-status ${['ended', 'error', 'novnc-missing', 'refused'].includes(state) ? 'bad' : ''}`;
}

/// The session is over, whoever ended it: say so once and stop everything.
function finish(state, message) {
    if (finished) return;
    finished = true;
    setState(state, message);
    show(endButton, false);
    events?.stop();
    if (rfb) {
        const current = rfb;
        rfb = null;
        try {
            current.disconnect();
        } catch {
            // already closed
        }
    }
}

/// The screen's connection closed, or the event stream said the session ended. The server
/// ends a session whose relay closed a moment after the WebSocket closes, so the state is
/// looked at a few times before calling it a lost connection.
async function endedRemotely() {
    for (let attempt = 0; attempt < kEndedChecks && !finished; ++attempt) {
        if (endedByUs) return finish('ended', t('viewer.ended_by_you'));
        try {
            const request = await getConnectionRequest(requestId);
            if (request.state === 'ended') return finish('ended', t('viewer.ended_remote'));
        } catch {
            // Unreachable too: the connection is what was lost.
            break;
        }
        await new Promise((resolve) => setTimeout(resolve, kEndedCheckMs));
    }
    finish('ended', endedByUs ? t('viewer.ended_by_you') : t('viewer.connection_lost'));
}

endButton.addEventListener('click', async () => {
    if (finished || !sessionId) return;
    endedByUs = true;
    endButton.disabled = true;
    setState('ending', t('viewer.ending'));
    try {
        await endSession(sessionId);
    } catch (error) {
        if (error.status !== 409) {  // 409: it had ended already
            endedByUs = false;
            endButton.disabled = false;
            return setState('error', error.message);
        }
    }
    finish('ended', t('viewer.ended_by_you'));
});

const requestId = new URLSearchParams(window.location.search).get('request');

async function start() {
    applyStrings(document);
    document.title = t('viewer.title');
    setState('loading', t('viewer.loading'));
    if (!requestId || !/^[A-Za-z0-9_-]{1,128}$/.test(requestId)) return setState('error', t('viewer.no_request'));

    let request;
    try {
        const me = await currentUser();
        if (!me) return window.location.assign('/console/');
        request = await getConnectionRequest(requestId);
    } catch (error) {
        return setState('error', error.message);
    }
    if (typeof request.ticket_number === 'number')
        $('viewer-ticket').textContent = t('viewer.ticket', { number: request.ticket_number });
    if (request.state !== 'accepted') {
        const why = request.state === 'declined' ? declineKeySuffix(request.decline_reason) : '';
        return setState(request.state === 'ended' ? 'ended' : 'refused', t(`viewer.not_accepted.${request.state}${why}`));
    }
    sessionId = request.session_id;
    show(endButton, true);

    // The other side may end the session while the screen is shown (or before noVNC even
    // connects): the console's event stream says so at once.
    events = new LiveEvents({
        onEvent: (type, data) => {
            if (type === 'connection-request-changed' && data.id === requestId && data.state === 'ended') endedRemotely();
        },
    });
    events.start();

    if (!request.vnc_password) return setState('error', t('viewer.no_password'));
    let RFB;
    try {
        ({ default: RFB } = await import(kNoVncModule));
    } catch {
        return setState('novnc-missing', t('viewer.novnc_missing'));
    }
    if (finished) return;

    const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
    const url = `${scheme}//${window.location.host}/api/v1/relay/${encodeURIComponent(sessionId)}/view`;
    setState('connecting', t('viewer.connecting'));
    const password = request.vnc_password;
    // The relay speaks the "binary" subprotocol (docs/protocol.md, Relay).
    rfb = new RFB($('screen'), url, { credentials: { password }, shared: true, wsProtocols: ['binary'] });
    rfb.scaleViewport = true;
    rfb.background = '#1b1f24';
    rfb.addEventListener('connect', () => setState('connected', t('viewer.connected')));
    rfb.addEventListener('credentialsrequired', () => rfb?.sendCredentials({ password }));
    rfb.addEventListener('securityfailure', (event) => {
        finish('error', t('viewer.auth_failed', { reason: event.detail?.reason || t('viewer.unknown_reason') }));
    });
    rfb.addEventListener('disconnect', () => {
        if (!finished) endedRemotely();
    });
}

start();
