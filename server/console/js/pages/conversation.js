// A ticket's conversation, on the ticket's page (js/pages/ticket.js): the request's
// description with the files that came with it, then the messages oldest first — the
// customer's and the team's told apart by place, colour and a label, internal notes marked
// "Internal note — not shown to the customer" in a style of their own — each with its
// author, its time in the console's language and its files (conversation_attachments.js);
// then the reply box (conversation_reply.js).
//
// Data: GET /api/v1/tickets/{n}/messages when the page first has the ticket, and again
// (folded, like the page's own reads) when the ticket's `messages` count,
// `last_customer_message_id` or status moved — seen in a ticket-changed event or in the
// page's own read of the ticket — and after a reconnect (hello). The page's elements are
// made once; a read adds the messages that are new and redraws only those that changed, so
// a thumbnail is not loaded again and the reply being written is never touched.
//
// Read marks: once the conversation is on screen (the tab visible), PUT
// /api/v1/tickets/{n}/read with the newest message's id, when it is newer than the mark the
// server holds; the queue's "New reply" mark goes with it (the ticket in ctx.queue gets the
// new mark at once, as an action's answer would).

import { api } from '../api.js';
import { el, replaceChildren } from '../dom.js';
import { formatDateTime, t } from '../i18n.js';
import { serialReads } from '../serial_reads.js';
import { attachmentList } from './conversation_attachments.js';
import { ReplyBox } from './conversation_reply.js';

/// Reads asked for within this long of each other are one read (as on the ticket's page).
const kFoldMs = 120;

function timeElement(iso) {
    return el('time', { text: formatDateTime(iso), attrs: { datetime: iso } });
}

export class Conversation {
    constructor(ctx, number) {
        this.ctx = ctx;
        this.number = number;
        this.requester = '';
        this.answer = null;          // the last answer of GET …/messages
        this.items = new Map();      // message id -> {key, li}
        this.changeKey = null;       // what of the ticket says the conversation moved
        this.readMark = 0;           // the newest message id marked read
        this.marking = false;
        this.retentionDays = null;   // how long closed tickets' files are kept (the answer says)
        this.started = false;
        this.stopped = false;
        // Reads never overlap: asked while one runs, one more follows it.
        this.read = serialReads(() => this.readOnce(), () => this.stopped);
        this.foldTimer = null;
        this.disposers = [];
        this.build();
    }

    build() {
        this.description = el('div', { className: 'ticket-description', attrs: { id: 'ticket-description' } });
        this.requestAuthor = el('bdi', { className: 'message-author' });
        this.requestTime = el('span', { className: 'message-time' });
        this.requestFiles = el('div', { className: 'message-files' });
        this.requestItem = el('li', { className: 'message from-customer request', attrs: { id: 'conversation-request' } },
            el('div', { className: 'message-head' },
                this.requestAuthor,
                el('span', { className: 'message-role', text: t('conversation.customer') }),
                el('span', { className: 'message-tag', text: t('conversation.request'), attrs: { id: 'ticket-description-heading' } }),
                this.requestTime),
            this.description, this.requestFiles);
        this.list = el('ol', { className: 'conversation-list', attrs: { id: 'conversation-list', 'aria-labelledby': 'conversation-heading' } },
            this.requestItem);
        this.status = el('div', { className: 'conversation-status', attrs: { id: 'conversation-status' } },
            el('p', { className: 'muted', text: t('conversation.loading') }));
        this.reply = new ReplyBox(this.number, {
            onSent: (message) => this.sent(message),
            onClosed: () => this.scheduleRead(),
        });
        this.element = el('section', { className: 'card ticket-card conversation',
                                       attrs: { id: 'conversation', 'aria-labelledby': 'conversation-heading', 'data-state': 'loading' } },
            el('h2', { text: t('conversation.heading'), attrs: { id: 'conversation-heading' } }),
            this.list, this.status, this.reply.element);
    }

    /// The ticket as the page read it (GET /api/v1/tickets/{n}): its requester, description
    /// and status; the first call starts the conversation's own reads.
    setTicket(ticket) {
        this.requester = ticket.requester?.email ?? '';
        this.requestAuthor.textContent = this.requester || t('conversation.customer');
        replaceChildren(this.requestTime, ticket.created_at ? timeElement(ticket.created_at) : null);
        this.setDescription(ticket.description);
        // A close seen by the page takes the reply box away at once (a closed ticket's page
        // holds no control); a reopening waits for the conversation's own read.
        if (!this.answer || ticket.status !== 'open')
            this.reply.setStatus(ticket.status, { reopens: this.answer?.replies_reopen === true });
        if (!this.started) {
            this.started = true;
            this.start();
        }
        this.noteChange(ticket);
    }

    start() {
        this.disposers.push(this.ctx.onEvent((type, data) => {
            if (type === 'hello') this.scheduleRead();
            else if (type === 'ticket-changed' && Number(data.number) === this.number && data.ticket) this.noteChange(data.ticket);
        }));
        const visible = () => this.markRead();
        document.addEventListener('visibilitychange', visible);
        this.disposers.push(() => document.removeEventListener('visibilitychange', visible));
        this.read();
    }

    stop() {
        this.stopped = true;
        clearTimeout(this.foldTimer);
        for (const dispose of this.disposers) dispose();
        this.disposers = [];
    }

    /// Reads the conversation again when the ticket says it moved since it was last seen.
    noteChange(ticket) {
        const key = `${ticket.messages}|${ticket.last_customer_message_id}|${ticket.status}`;
        const moved = this.changeKey !== null && key !== this.changeKey;
        this.changeKey = key;
        if (moved) this.scheduleRead();
    }

    setDescription(text) {
        const value = text ?? '';
        if (this.description.textContent !== value) this.description.textContent = value;
        this.describeScrolling();
    }

    /// A description taller than its box scrolls: it is then a region that the keyboard
    /// can reach and scroll (a short one is no extra stop for Tab).
    describeScrolling() {
        const box = this.description;
        if (box.isConnected && box.scrollHeight > box.clientHeight + 1) {
            box.setAttribute('tabindex', '0');
            box.setAttribute('role', 'region');
            box.setAttribute('aria-labelledby', 'ticket-description-heading');
        } else {
            for (const name of ['tabindex', 'role', 'aria-labelledby']) box.removeAttribute(name);
        }
    }

    scheduleRead() {
        if (this.foldTimer !== null || this.stopped) return;
        this.foldTimer = setTimeout(() => {
            this.foldTimer = null;
            this.read();
        }, kFoldMs);
    }

    async readOnce() {
        let answer;
        try {
            answer = await api('GET', `/api/v1/tickets/${encodeURIComponent(this.number)}/messages`);
        } catch (error) {
            // A failed re-read keeps what is shown (the next event reads again); a 404 is the
            // ticket leaving the view, which the page itself shows.
            if (!this.stopped && !this.answer && error.status !== 404) this.showFailed(error);
            return;
        }
        if (this.stopped) return;
        this.answer = answer;
        this.readMark = Math.max(this.readMark, Number(answer.read_message_id) || 0);
        const days = Number(answer.retention_days);
        if (Number.isInteger(days) && days > 0) this.retentionDays = days;
        this.reply.setMaxFileBytes(Number(answer.attachment_max_bytes));
        this.render();
        this.markRead();
    }

    showFailed(error) {
        this.element.dataset.state = 'failed';
        const retry = el('button', { className: 'button', text: t('conversation.retry'), attrs: { type: 'button' } });
        retry.addEventListener('click', () => {
            replaceChildren(this.status, el('p', { className: 'muted', text: t('conversation.loading') }));
            this.read();
        });
        replaceChildren(this.status,
            el('p', { className: 'error', attrs: { role: 'alert' } },
                el('span', { text: t('conversation.failed') }), ' ', el('span', { text: error.message })),
            retry);
    }

    render() {
        const answer = this.answer;
        const messages = Array.isArray(answer.messages) ? answer.messages : [];
        this.element.dataset.state = 'shown';
        this.setDescription(answer.description ?? this.description.textContent);
        const options = { retentionDays: this.retentionDays };

        // Files in no message yet: the customer's came with the request (or wait for their
        // message); the team's were uploaded for a reply not sent (yet), and are not shown.
        const withRequest = (answer.attachments ?? []).filter((a) => a.author !== 'team');
        const requestFilesKey = JSON.stringify([withRequest, options]);
        if (this.requestFiles.dataset.key !== requestFilesKey) {
            this.requestFiles.dataset.key = requestFilesKey;
            replaceChildren(this.requestFiles, attachmentList(withRequest, options));
        }

        // Messages are put in order after the request; only new or changed ones are drawn.
        let previous = this.requestItem;
        const seen = new Set();
        for (const message of messages) {
            seen.add(message.id);
            const key = JSON.stringify([message, options, this.requester]);
            let entry = this.items.get(message.id);
            if (!entry || entry.key !== key) {
                const li = this.messageItem(message, options);
                if (entry) entry.li.replaceWith(li);
                entry = { key, li };
                this.items.set(message.id, entry);
            }
            if (previous.nextElementSibling !== entry.li) previous.after(entry.li);
            previous = entry.li;
        }
        for (const [id, entry] of this.items) {
            if (seen.has(id)) continue;
            entry.li.remove();
            this.items.delete(id);
        }
        replaceChildren(this.status, messages.length === 0
            ? el('p', { className: 'muted conversation-empty', text: t('conversation.no_messages'), attrs: { id: 'conversation-empty' } }) : null);
        this.reply.setStatus(answer.status, { reopens: answer.replies_reopen === true });
    }

    messageItem(message, options) {
        const team = message.author === 'team';
        const internal = message.internal === true;
        const author = team ? message.author_name || t('conversation.team_member') : this.requester || t('conversation.customer');
        const classes = ['message', team ? 'from-team' : 'from-customer'];
        if (internal) classes.push('internal');
        const body = String(message.body ?? '');
        return el('li', { className: classes.join(' '), attrs: { id: `message-${message.id}`, 'data-message': message.id,
                                                                 'data-author': team ? 'team' : 'customer' } },
            el('div', { className: 'message-head' },
                el('bdi', { className: 'message-author', text: author }),
                el('span', { className: 'message-role', text: team ? t('conversation.team') : t('conversation.customer') }),
                el('span', { className: 'message-time' }, timeElement(message.created_at))),
            internal ? el('p', { className: 'message-internal', text: t('conversation.internal') }) : null,
            body.trim() !== '' ? el('div', { className: 'message-body', text: body }) : null,
            attachmentList(message.attachments, options));
    }

    /// Our own message, as the server stored it: shown at once (the read that the
    /// ticket-changed event causes finds it there already).
    sent(message) {
        if (!this.answer || !message) {
            this.scheduleRead();
            return;
        }
        const messages = Array.isArray(this.answer.messages) ? this.answer.messages : [];
        if (!messages.some((m) => m.id === message.id)) this.answer = { ...this.answer, messages: [...messages, message] };
        this.render();
        this.markRead();
    }

    newestId() {
        let newest = 0;
        for (const message of this.answer?.messages ?? []) newest = Math.max(newest, Number(message.id) || 0);
        return newest;
    }

    /// Marks the conversation read up to its newest message, once it is on screen.
    async markRead() {
        if (this.marking || this.stopped || !this.answer || !this.element.isConnected) return;
        if (document.visibilityState !== 'visible') return;  // visibilitychange tries again
        this.marking = true;
        try {
            for (let newest = this.newestId(); newest > this.readMark && !this.stopped; newest = this.newestId()) {
                await api('PUT', `/api/v1/tickets/${encodeURIComponent(this.number)}/read`, { message_id: newest });
                this.readMark = Math.max(this.readMark, newest);
                this.markQueue(newest);
            }
        } catch {
            // Not marked: the next read tries again.
        } finally {
            this.marking = false;
        }
    }

    /// The queue's copy of the ticket takes the new mark at once (its "New reply" goes).
    markQueue(id) {
        const queue = this.ctx.queue;
        const queued = queue?.get(this.number);
        if (!queued || (Number(queued.read_message_id) || 0) >= id) return;
        queue.apply(this.number, { ...queued, waiting_s: queue.waitingSeconds(queued), read_message_id: id });
    }
}
