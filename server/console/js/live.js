// What the console knows live: the open tickets of the signed-in user's queue view and
// the team (operators and groups), kept current by the console event stream.
//
// - The queue is read whole (GET /api/v1/queue) when the stream says hello (each
//   connect and reconnect, so nothing missed stays missing) and on queue-changed (the
//   user's view or the team changed). Every other change arrives as ticket-changed
//   {number, ticket}: that one ticket is put in place or taken out, never a refetch.
// - Fetches asked for while one runs are folded into one more.
// - Listeners hear {type: 'reset'} after a full read, and {type: 'upsert' | 'remove',
//   number, ticket, before, reason} for one ticket. A remove's reason is 'closed',
//   'expired', 'hidden' (moved out of the user's view) or 'gone'.

import { api, getQueue } from './api.js';

/// The queue's order: most urgent first, then the longest waiting, then number.
const kPriorityRank = { urgent: 3, high: 2, medium: 1, low: 0 };
export function queueOrder(a, b) {
    const p = (kPriorityRank[b.priority] ?? 0) - (kPriorityRank[a.priority] ?? 0);
    if (p !== 0) return p;
    if (a.created_at !== b.created_at) return a.created_at < b.created_at ? -1 : 1;
    return a.number - b.number;
}

class Emitter {
    constructor() {
        this.listeners = new Set();
    }

    /// Adds a listener; returns the function that removes it.
    subscribe(listener) {
        this.listeners.add(listener);
        return () => this.listeners.delete(listener);
    }

    emit(change) {
        for (const listener of [...this.listeners]) {
            try {
                listener(change);
            } catch (error) {
                console.error(error);
            }
        }
    }
}

export class LiveQueue extends Emitter {
    constructor() {
        super();
        this.tickets = new Map();  // number -> ticket (as the API shows it)
        this.loaded = false;
        this.error = null;          // the last failed read's ApiError, until one succeeds
        this.receivedAt = 0;        // Date.now() of the last full read (for waiting times)
        this.fetching = false;
        this.fetchAgain = false;
        this.replay = [];           // events that arrived during a full read
    }

    get(number) {
        return this.tickets.get(Number(number));
    }

    /// Every open ticket in the view, in queue order.
    list() {
        return [...this.tickets.values()].sort(queueOrder);
    }

    /// Seconds ticket `ticket` has waited by now (its waiting_s counted on from when it
    /// arrived, so the operator's clock does not matter).
    waitingSeconds(ticket) {
        const arrived = ticket.__receivedAt ?? this.receivedAt;
        return (ticket.waiting_s ?? 0) + (Date.now() - arrived) / 1000;
    }

    /// Reads the whole queue (folded when one read is already running).
    async reload() {
        if (this.fetching) {
            this.fetchAgain = true;
            return;
        }
        this.fetching = true;
        try {
            do {
                this.fetchAgain = false;
                const answer = await getQueue();
                const now = Date.now();
                this.tickets = new Map((answer.tickets ?? []).map((ticket) => [ticket.number, { ...ticket, __receivedAt: now }]));
                this.receivedAt = now;
                this.loaded = true;
                this.error = null;
                const replay = this.replay;
                this.replay = [];
                for (const [number, ticket] of replay) this.put(number, ticket, false, true);
                this.emit({ type: 'reset' });
            } while (this.fetchAgain);
        } catch (error) {
            this.error = error;
            this.emit({ type: 'error', error });
            throw error;
        } finally {
            this.fetching = false;
            this.replay = [];
        }
    }

    /// Applies a ticket an action returned (the caller's own change).
    apply(number, ticket) {
        this.put(number, ticket, false);
    }

    /// Applies ticket-changed {number, ticket} from the event stream (someone's change,
    /// or a new ticket): listeners see fromEvent: true.
    applyFromEvent(number, ticket) {
        // During a full read the answer may or may not hold this change: it is applied
        // again after the read (events carry the whole ticket, so replaying them in order
        // ends on the newest state).
        if (this.fetching) this.replay.push([number, ticket]);
        if (this.loaded) this.put(number, ticket, true);
    }

    put(number, ticket, fromEvent, quiet = false) {
        const before = this.tickets.get(number) ?? null;
        // The user's read mark is theirs alone: GET /queue has it, a ticket-changed event
        // (the same frame for every console) does not, so the mark known so far stays.
        if (ticket && !('read_message_id' in ticket) && before && 'read_message_id' in before)
            ticket = { ...ticket, read_message_id: before.read_message_id };
        if (quiet) {
            if (ticket && ticket.status === 'open') this.tickets.set(number, { ...ticket, __receivedAt: Date.now() });
            else this.tickets.delete(number);
            return;
        }
        if (ticket && ticket.status === 'open') {
            const next = { ...ticket, __receivedAt: Date.now() };
            this.tickets.set(number, next);
            this.emit({ type: 'upsert', number, ticket: next, before, fromEvent });
            return;
        }
        if (!before) return;
        this.tickets.delete(number);
        const reason = ticket ? ticket.status : 'hidden';
        this.emit({ type: 'remove', number, ticket, before, reason, fromEvent });
    }

    /// Takes a ticket out that the user no longer sees (an action's answer said so).
    drop(number, reason = 'hidden') {
        const before = this.tickets.get(number);
        if (!before) return;
        this.tickets.delete(number);
        this.emit({ type: 'remove', number, ticket: null, before, reason });
    }
}

/// The team as GET /api/v1/team shows it to the signed-in user: active operators and
/// admins (what a ticket can be assigned to) and groups, with `member` for the user's own.
export class Team extends Emitter {
    constructor() {
        super();
        this.me = null;
        this.operators = [];
        this.groups = [];
        this.loaded = false;
    }

    async reload() {
        const answer = await api('GET', '/api/v1/team');
        this.me = answer.me;
        this.operators = answer.operators ?? [];
        this.groups = answer.groups ?? [];
        this.loaded = true;
        this.emit({ type: 'reset' });
    }

    operator(id) {
        return this.operators.find((o) => o.id === id) ?? null;
    }

    group(id) {
        return this.groups.find((g) => g.id === id) ?? null;
    }
}
