// What an operator does to a ticket, from the queue or from the ticket's page: change its
// priority, operator or group (PATCH /api/v1/tickets/{n}) and close it
// (POST /api/v1/tickets/{n}/close, after a confirmation).
//
// The server's answer is applied at once (the event stream brings the same change a
// moment later, which changes nothing then). When the answer says the ticket is no longer
// in the caller's view (visible_to_you: false: it moved to a group they are not in, or
// went to another operator outside their groups), it is taken off the page with a notice
// that says why — nothing stays on screen that the server would now refuse.

import { api } from './api.js';
import { t } from './i18n.js';
import { confirmDialog, toast } from './ui.js';

/// The sentence for a ticket that left the caller's view after `changes`.
function leftViewMessage(ctx, answer, changes) {
    const number = answer.number;
    if ('group_id' in changes && answer.group)
        return t('action.left_view.group', { number, group: answer.group.name });
    if ('operator_id' in changes && answer.operator)
        return t('action.left_view.operator', { number, operator: answer.operator.name });
    return t('action.left_view', { number });
}

/// PATCH /api/v1/tickets/{number} with `changes` ({priority}, {operator_id}, {group_id});
/// resolves to the updated ticket, or null when it left the caller's view. Failures are
/// shown as a notice and resolve to undefined.
export async function updateTicket(ctx, number, changes) {
    let answer;
    try {
        answer = await api('PATCH', `/api/v1/tickets/${encodeURIComponent(number)}`, changes);
    } catch (error) {
        toast(error.message, { kind: 'bad' });
        if (error.status === 404 || error.status === 409) ctx.queue.drop(number, 'gone');
        return undefined;
    }
    const { visible_to_you: visible, ...ticket } = answer;
    if (visible === false) {
        ctx.queue.drop(number, 'hidden');
        toast(leftViewMessage(ctx, ticket, changes), { kind: 'info' });
        return null;
    }
    ctx.queue.apply(number, ticket);
    return ticket;
}

export function assignToMe(ctx, number) {
    return updateTicket(ctx, number, { operator_id: ctx.user.id });
}

/// Asks for confirmation, then closes the ticket; resolves to the closed ticket, or null
/// when the operator cancelled or the server refused (shown as a notice).
export async function closeTicket(ctx, number) {
    const ok = await confirmDialog({
        title: t('action.close.title', { number }),
        body: t('action.close.body'),
        confirmLabel: t('action.close.confirm'),
        danger: true,
    });
    if (!ok) return null;
    try {
        const closed = await api('POST', `/api/v1/tickets/${encodeURIComponent(number)}/close`);
        ctx.queue.apply(number, closed);
        toast(t('action.closed', { number }), { kind: 'good' });
        return closed;
    } catch (error) {
        toast(error.message, { kind: 'bad' });
        if (error.status === 404 || error.status === 409) ctx.queue.drop(number, 'gone');
        return null;
    }
}
