// Every sentence the console shows, in one place, with named placeholders: "{seconds}".
// English only in this first version; a translation is another table of the same keys.

const en = {
    'app.name': 'Helpline',
    'app.title': 'Helpline console',
    'viewer.title': 'Remote session — Helpline',

    'login.heading': 'Sign in to the console',
    'login.email': 'Email',
    'login.password': 'Password',
    'login.submit': 'Sign in',
    'login.busy': 'Signing in…',
    'login.wrong': 'Wrong email or password.',
    'login.rate_limited': 'Too many sign-in attempts. Wait {seconds} seconds, then try again.',
    'login.missing': 'Enter your email and password.',

    'header.signed_in_as': 'Signed in as {name}',
    'header.sign_out': 'Sign out',
    'live.connecting': 'Connecting…',
    'live.connected': 'Live',
    'live.reconnecting': 'Reconnecting in {seconds} s…',

    'queue.heading': 'Assistance queue',
    'queue.count.one': '1 person waiting',
    'queue.count.many': '{count} people waiting',
    'queue.empty': 'No one is waiting',
    'queue.empty.detail': 'New requests appear here as soon as customers send them.',
    'queue.loading': 'Loading the queue…',
    'queue.column.number': 'Ticket',
    'queue.column.requester': 'Requester',
    'queue.column.priority': 'Priority',
    'queue.column.waiting': 'Waiting',
    'queue.column.operator': 'Operator',
    'queue.column.group': 'Group',
    'queue.column.description': 'Description',
    'queue.column.actions': 'Remote session',
    'queue.unassigned': 'Unassigned',
    'queue.no_group': 'No group',
    'queue.device_offline': 'Customer’s app is offline',
    'queue.ticket_number': '#{number}',

    'priority.low': 'Low',
    'priority.medium': 'Medium',
    'priority.high': 'High',
    'priority.urgent': 'Urgent',

    'duration.seconds': '{s} s',
    'duration.minutes': '{m} min {s} s',
    'duration.hours': '{h} h {m} min',
    'duration.days': '{d} d {h} h',

    'connect.button': 'Connect',
    'connect.again': 'Connect again',
    'connect.dismiss': 'Dismiss',
    'connect.sending': 'Asking…',
    'connect.waiting': 'Waiting for the customer… {seconds} s',
    'connect.waiting_no_time': 'Waiting for the customer…',
    'connect.accepted': 'Accepted — opening the viewer…',
    'connect.declined': 'Declined by the customer',
    'connect.expired': 'No answer: the request expired',
    'connect.cancelled': 'The request was cancelled',
    'connect.ended': 'The session has ended',
    'connect.open_viewer': 'Open the viewer',

    'viewer.heading': 'Remote session',
    'viewer.ticket': 'Ticket #{number}',
    'viewer.end': 'End session',
    'viewer.back': 'Back to the queue',
    'viewer.loading': 'Preparing the session…',
    'viewer.connecting': 'Connecting to the customer’s screen…',
    'viewer.connected': 'Connected. You can see and control the customer’s screen.',
    'viewer.ending': 'Ending the session…',
    'viewer.ended_by_you': 'You ended the session.',
    'viewer.ended_remote': 'The session has ended on the customer’s side.',
    'viewer.connection_lost': 'The connection to the customer’s screen was lost.',
    'viewer.no_request': 'This page needs a connection request. Open it from the queue with Connect.',
    'viewer.not_accepted.pending': 'The customer has not answered yet.',
    'viewer.not_accepted.declined': 'The customer declined the request.',
    'viewer.not_accepted.expired': 'The request expired before the customer answered.',
    'viewer.not_accepted.cancelled': 'The request was cancelled.',
    'viewer.not_accepted.ended': 'This session has already ended.',
    'viewer.no_password': 'The server did not give this page the session’s password; only the operator who asked to connect can view it.',
    'viewer.novnc_missing': 'The remote-screen viewer (noVNC) is not installed on this server, so the screen cannot be shown. Ask the administrator to install Debian’s “novnc” package or to start the server with --novnc-dir.',
    'viewer.auth_failed': 'The customer’s computer refused the session password ({reason}).',
    'viewer.unknown_reason': 'no reason given',

    'error.network': 'The server cannot be reached. Check your connection; the console keeps trying.',
    'error.signed_out': 'Your session has ended. Sign in again.',
    'error.forbidden': 'You are not allowed to do this.',
    'error.not_found': 'This ticket or request is no longer in your view.',
    'error.conflict': 'This can no longer be done: {detail}',
    'error.rate_limited': 'Too many requests. Wait {seconds} seconds, then try again.',
    'error.server': 'The server had a problem ({status}). Try again in a moment.',
    'error.other': 'The server refused this ({status}): {detail}',
};

const table = en;

/// The sentence for `key` with `{name}` placeholders filled from `params`. An unknown key
/// shows as itself, so a missing string is visible rather than blank.
export function t(key, params = {}) {
    const template = Object.prototype.hasOwnProperty.call(table, key) ? table[key] : key;
    return template.replace(/\{(\w+)\}/g, (whole, name) =>
        Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole);
}

/// Fills every element that has data-i18n="key" (its text) or data-i18n-attr="attr:key"
/// (an attribute), so the pages' own markup holds no sentences.
export function applyStrings(root) {
    for (const element of root.querySelectorAll('[data-i18n]')) element.textContent = t(element.dataset.i18n);
    for (const element of root.querySelectorAll('[data-i18n-attr]')) {
        for (const pair of element.dataset.i18nAttr.split(';')) {
            const [attribute, key] = pair.split(':');
            if (attribute && key) element.setAttribute(attribute.trim(), t(key.trim()));
        }
    }
}
