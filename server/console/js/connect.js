// Connect, per ticket: POST /api/v1/tickets/{n}/connect, then the request's state followed
// by GET /api/v1/connection-requests/{id} — at once whenever the event stream says the
// request changed, and every second anyway while it is pending (so a lost event costs a
// second, not the outcome). The countdown runs on the server's expires_in_s, counted from
// when the answer arrived, so the operator's clock does not matter.

import { connectTicket, getConnectionRequest } from './api.js';

const kPollMs = 1000;
/// A request still pending this long after its deadline is left alone (the server expires
/// requests within a second; this only bounds the polling if something went wrong).
const kGiveUpAfterDeadlineMs = 60_000;

export const kFinalStates = ['accepted', 'declined', 'expired', 'cancelled', 'ended'];

/// Why a declined request was declined (its `decline_reason`, docs/protocol.md "Declining"):
/// the customer's own No, the desktop's sharing dialog cancelled, or no screen-sharing
/// program could start. A fixed list, so no sentence key is ever built from the data.
export const kDeclineReasons = ['customer', 'desktop_dialog', 'no_backend'];

/// What a declined request's sentence keys end with: '' for the customer's No (and for a
/// reason this console does not know, or none, as from an older server), else
/// `.desktop_dialog` / `.no_backend` — `connect.declined…`, `viewer.not_accepted.declined…`,
/// `timeline.outcome.declined…`.
export function declineKeySuffix(reason) {
    return kDeclineReasons.includes(reason) && reason !== 'customer' ? `.${reason}` : '';
}

/// The key of the sentence for a finished request's entry: `connect.<state>`, a declined
/// one's saying why.
export function connectOutcomeKey(entry) {
    return entry.state === 'declined' ? `connect.declined${declineKeySuffix(entry.declineReason)}` : `connect.${entry.state}`;
}

export class ConnectTracker {
    /// onChange(ticketNumber) after every change of a ticket's entry; onAccepted(entry)
    /// once when a request is accepted.
    constructor({ onChange, onAccepted }) {
        this.onChange = onChange;
        this.onAccepted = onAccepted;
        this.byTicket = new Map();
    }

    /// The ticket's entry: {phase: 'sending' | 'pending' | 'done' | 'error', state, requestId,
    /// deadline (ms, Date.now() scale), message, declineReason (once declined)} — or undefined.
    get(number) {
        return this.byTicket.get(number);
    }

    /// Seconds left on a pending request's countdown, or null when not known yet.
    secondsLeft(number) {
        const entry = this.byTicket.get(number);
        if (!entry || entry.phase !== 'pending' || entry.deadline === null) return null;
        return Math.max(0, Math.ceil((entry.deadline - Date.now()) / 1000));
    }

    async connect(number) {
        const current = this.byTicket.get(number);
        if (current && (current.phase === 'sending' || current.phase === 'pending')) return;
        const entry = { number, phase: 'sending', state: null, requestId: null, deadline: null, message: '' };
        this.set(entry);
        try {
            const answer = await connectTicket(number);
            entry.requestId = answer.request_id;
            entry.phase = 'pending';
            entry.state = 'pending';
            entry.startedAt = Date.now();
            this.set(entry);
            await this.poll(entry);
        } catch (error) {
            entry.phase = 'error';
            entry.message = error.message;
            this.set(entry);
        }
    }

    dismiss(number) {
        const entry = this.byTicket.get(number);
        if (entry) clearTimeout(entry.timer);
        this.byTicket.delete(number);
        this.onChange?.(number);
    }

    /// The event stream said request `id` changed: look at it now.
    changed(id) {
        for (const entry of this.byTicket.values())
            if (entry.requestId === id && entry.phase === 'pending') {
                clearTimeout(entry.timer);
                this.poll(entry);
            }
    }

    set(entry) {
        if (this.byTicket.get(entry.number) !== entry && this.byTicket.has(entry.number))
            clearTimeout(this.byTicket.get(entry.number).timer);
        this.byTicket.set(entry.number, entry);
        this.onChange?.(entry.number);
    }

    async poll(entry) {
        if (entry.polling || this.byTicket.get(entry.number) !== entry || entry.phase !== 'pending') return;
        entry.polling = true;
        clearTimeout(entry.timer);
        try {
            const request = await getConnectionRequest(entry.requestId);
            if (this.byTicket.get(entry.number) !== entry || entry.phase !== 'pending') return;
            if (typeof request.expires_in_s === 'number') entry.deadline = Date.now() + request.expires_in_s * 1000;
            entry.state = request.state;
            entry.sessionId = request.session_id ?? null;
            entry.declineReason = request.state === 'declined' ? request.decline_reason ?? 'customer' : null;
            if (kFinalStates.includes(request.state)) {
                entry.phase = 'done';
                this.set(entry);
                if (request.state === 'accepted') this.onAccepted?.(entry);
                return;
            }
            this.set(entry);
        } catch (error) {
            if (error.status && error.status !== 429 && error.status < 500) {
                entry.phase = 'error';
                entry.message = error.message;
                this.set(entry);
                return;
            }
            // Unreachable or busy: keep following; the countdown shows the time left.
        } finally {
            entry.polling = false;
        }
        const deadline = entry.deadline ?? entry.startedAt + 10 * 60_000;
        if (Date.now() < deadline + kGiveUpAfterDeadlineMs && entry.phase === 'pending')
            entry.timer = setTimeout(() => this.poll(entry), kPollMs);
    }
}
