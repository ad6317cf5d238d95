// A ticket's timeline (the `timeline` of GET /api/v1/tickets/{n}, oldest first), in words:
// "Bruno assigned it to Dana", "The customer declined", "Session of 12 min 04 s, ended by
// the customer". Each kind has whole sentences of its own for a person who did it (their
// name as {actor}) and for the customer, the server or the command line, so no sentence is
// stitched from pieces. Names are data: they go in as text.

import { declineKeySuffix } from '../connect.js';
import { el, replaceChildren } from '../dom.js';
import { priorityView } from '../format.js';
import { formatDateTime, formatDuration, t } from '../i18n.js';

/// The dot's class per kind: a fixed list, never built from the data.
const kKindClass = {
    created: 'kind-created', assigned: 'kind-assigned', priority: 'kind-priority', group: 'kind-group',
    connection: 'kind-connection', session: 'kind-session', closed: 'kind-closed', expired: 'kind-expired',
};
const kOutcomes = ['pending', 'accepted', 'declined', 'expired', 'cancelled', 'ended'];
const kReasons = ['customer-closed', 'viewer-closed', 'pair-timeout', 'idle-timeout', 'shutdown'];
const kActorTypes = ['customer', 'system', 'cli'];

/// Fills `list` (an <ol>) with the entries.
export function renderTimeline(list, entries) {
    if (entries.length === 0) {
        replaceChildren(list, el('li', { className: 'timeline-empty muted', text: t('timeline.empty') }));
        return;
    }
    replaceChildren(list, ...entries.map((entry) => item(entry)));
}

function item(entry) {
    const { text, details } = describe(entry);
    const meta = el('p', { className: 'timeline-meta' },
        el('time', { text: formatDateTime(entry.at), attrs: { datetime: entry.at } }));
    const actor = actorLabel(entry.actor);
    if (actor) meta.append(el('span', { className: 'timeline-actor', text: actor }));
    return el('li', { className: 'timeline-item', attrs: { 'data-kind': entry.kind } },
        el('span', { className: `timeline-dot ${kKindClass[entry.kind] ?? ''}`, attrs: { 'aria-hidden': 'true' } }),
        el('div', { className: 'timeline-body' },
            el('p', { className: 'timeline-text', text }),
            ...details.map((d) => el('p', { className: 'timeline-detail' }, el('span', { text: d.text }),
                d.at ? el('time', { text: formatDateTime(d.at), attrs: { datetime: d.at } }) : null)),
            meta));
}

/// For actors without a name (the customer, the server, the command line): who it was, shown
/// beside the time, since their sentences do not name anyone.
function actorLabel(actor) {
    if (!actor || actor.type === 'user') return '';
    return kActorTypes.includes(actor.type) ? t(`timeline.actor.${actor.type}`) : '';
}

const isUser = (actor) => actor?.type === 'user';
const name = (thing) => thing?.name ?? '';
const groupName = (group) => (group ? group.name : t('no_group'));

/// {text, details: [{text, at?}]} of one entry.
function describe(entry) {
    const actor = entry.actor ?? {};
    const byUser = isUser(actor);
    const who = { actor: name(actor) };
    switch (entry.kind) {
        case 'created': {
            const text = byUser ? t('timeline.created.user', who)
                : actor.type === 'customer' ? t('timeline.created.customer') : t('timeline.created.other');
            return { text, details: [{ text: t('timeline.created.detail', { priority: priorityView(entry.priority).label, group: groupName(entry.group) }) }] };
        }
        case 'assigned': {
            const details = entry.from && entry.operator ? [{ text: t('timeline.assigned.before', { operator: name(entry.from) }) }] : [];
            if (!entry.operator) {
                const from = { ...who, operator: name(entry.from) };
                if (byUser) return { text: entry.from ? t('timeline.unassigned.user', from) : t('timeline.unassigned.user_plain', who), details: [] };
                return { text: entry.from ? t('timeline.unassigned.other', from) : t('timeline.unassigned.other_plain'), details: [] };
            }
            if (byUser && actor.id === entry.operator.id) return { text: t('timeline.assigned.self', who), details };
            if (byUser) return { text: t('timeline.assigned.user', { ...who, operator: name(entry.operator) }), details };
            return { text: t('timeline.assigned.other', { operator: name(entry.operator) }), details };
        }
        case 'priority': {
            const params = { ...who, from: priorityView(entry.from).label, to: priorityView(entry.to).label };
            return { text: byUser ? t('timeline.priority.user', params) : t('timeline.priority.other', params), details: [] };
        }
        case 'group': {
            const params = { ...who, from: name(entry.from), to: name(entry.to) };
            const shape = !entry.from ? 'into' : !entry.to ? 'out' : 'moved';
            return { text: t(`timeline.group.${shape}.${byUser ? 'user' : 'other'}`, params), details: [] };
        }
        case 'connection': {
            const text = byUser ? t('timeline.connection.user', who) : t('timeline.connection.other');
            // A decline says why: the customer, the desktop's sharing dialog, or no screen sharing.
            const why = entry.outcome === 'declined' ? declineKeySuffix(entry.decline_reason) : '';
            const outcome = kOutcomes.includes(entry.outcome) ? t(`timeline.outcome.${entry.outcome}${why}`) : String(entry.outcome ?? '');
            // When the customer answered goes beside the outcome (its own <time>).
            const at = entry.outcome !== 'pending' ? entry.answered_at ?? null : null;
            return { text, details: [{ text: outcome, at }] };
        }
        case 'session':
            return describeSession(entry);
        case 'closed':
            return { text: byUser ? t('timeline.closed.user', who) : t('timeline.closed.other'), details: [] };
        case 'expired':
            return { text: t('timeline.expired'), details: [] };
        default:
            return { text: t('timeline.unknown', { kind: String(entry.kind ?? '') }), details: [] };
    }
}

function describeSession(entry) {
    if (!entry.ended_at) return { text: t('timeline.session.running'), details: [] };
    const duration = formatDuration(entry.duration_s ?? (Date.parse(entry.ended_at) - Date.parse(entry.at)) / 1000);
    const by = entry.ended_by;
    let text;
    if (by?.type === 'user') text = t('timeline.session.ended_by_user', { duration, name: name(by) });
    else if (by?.type === 'customer') text = t('timeline.session.ended_by_customer', { duration });
    else if (by?.type === 'system' || entry.reason) text = t('timeline.session.ended_by_server', { duration });
    else text = t('timeline.session.ended', { duration });
    const details = kReasons.includes(entry.reason) ? [{ text: t(`timeline.reason.${entry.reason}`) }] : [];
    return { text, details };
}
