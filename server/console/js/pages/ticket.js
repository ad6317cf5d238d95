// A ticket's page (#/tickets/N): everything about one ticket (GET /api/v1/tickets/{n}):
// who asked, its conversation (what they wrote, the messages and files since, and the
// reply box: conversation.js), its priority, group and operator (editable while it is open,
// through ticket_actions.js), whether the customer's app is online, its times, and its
// timeline from the audit log. Connect and Close are here too.
//
// Live: a ticket-changed event for this number, a connection-request-changed event for
// this ticket, or a reconnect (hello) reads this one ticket again; events that arrive
// together are folded into one read. A ticket that is no longer in the user's view (moved
// to a group they are not in, assigned away) leaves the page with nothing on it that the
// server would refuse: the page says it left the view and links to the queue.

import { api } from '../api.js';
import { connectOutcomeKey } from '../connect.js';
import { el, replaceChildren, show } from '../dom.js';
import { kPriorities, priorityView, statusView } from '../format.js';
import { formatDateTime, formatDuration, t } from '../i18n.js';
import { routeHref } from '../router.js';
import { serialReads } from '../serial_reads.js';
import { assignToMe, closeTicket, updateTicket } from '../ticket_actions.js';
import { Conversation } from './conversation.js';
import { renderTimeline } from './ticket_timeline.js';

/// Events that arrive within this long of each other cause one read.
const kFoldMs = 120;

export function mount(container, ctx, route) {
    const number = route.id;
    const page = new TicketPage(container, ctx, number);
    page.start();
    return {
        update() {},
        unmount: () => page.stop(),
    };
}

class TicketPage {
    constructor(container, ctx, number) {
        this.container = container;
        this.ctx = ctx;
        this.number = number;
        this.ticket = null;        // the last answer of GET /tickets/{n}
        this.receivedAt = 0;       // Date.now() when it arrived (the waiting time counts on from it)
        this.state = 'loading';    // 'loading' | 'shown' | 'missing' | 'left' | 'failed'
        this.busy = false;         // an action of this page is running
        this.stopped = false;
        // Reads never overlap: asked while one runs, one more follows it.
        this.read = serialReads(() => this.readOnce(), () => this.stopped);
        this.foldTimer = null;
        this.disposers = [];
        this.view = null;          // the elements of the shown ticket, made once
        this.conversation = new Conversation(ctx, number);
    }

    start() {
        this.ctx.setTitle(t('ticket.title', { number: this.number }));
        this.root = el('section', { className: 'ticket-page', attrs: { id: 'ticket-view', 'data-state': 'loading', 'aria-busy': 'true' } });
        this.root.append(el('p', { className: 'page-message muted', text: t('ticket.loading') }));
        this.container.append(this.root);

        this.disposers.push(this.ctx.onEvent((type, data) => this.onEvent(type, data)));
        this.disposers.push(this.ctx.team.subscribe(() => this.renderEditors()));
        const ticker = setInterval(() => this.tick(), 1000);
        this.disposers.push(() => clearInterval(ticker));
        this.read();
    }

    stop() {
        this.stopped = true;
        clearTimeout(this.foldTimer);
        for (const dispose of this.disposers) dispose();
        this.disposers = [];
        this.conversation.stop();
    }

    onEvent(type, data) {
        if (type === 'connect-tracker') {
            if (data.number === this.number) this.renderConnect();
            return;
        }
        const mine = (type === 'ticket-changed' && Number(data.number) === this.number)
            || (type === 'connection-request-changed' && Number(data.ticket_number) === this.number)
            || type === 'hello' || type === 'queue-changed';
        if (mine) this.scheduleRead();
    }

    /// Reads the ticket soon; a burst of events within kFoldMs, or while a read runs, costs
    /// one more read, not one each.
    scheduleRead() {
        if (this.foldTimer !== null) return;
        this.foldTimer = setTimeout(() => {
            this.foldTimer = null;
            this.read();
        }, kFoldMs);
    }

    async readOnce() {
        let ticket;
        try {
            ticket = await api('GET', `/api/v1/tickets/${encodeURIComponent(this.number)}`);
        } catch (error) {
            if (this.stopped) return;
            if (error.status === 404) this.showGone(this.ticket ? 'left' : 'missing');
            else if (this.state !== 'shown') this.showFailed(error);
            // A failed re-read keeps what is shown: the next event or reconnect reads again.
            return;
        }
        if (this.stopped) return;
        this.ticket = ticket;
        this.receivedAt = Date.now();
        this.render();
    }

    tick() {
        if (this.state !== 'shown' || !this.ticket) return;
        this.renderWaiting();
        if (this.ctx.tracker.get(this.number)?.phase === 'pending') this.renderConnect();
    }

    setState(state) {
        this.state = state;
        this.root.dataset.state = state;
        this.root.removeAttribute('aria-busy');
    }

    // --- states without a ticket -------------------------------------------------------

    showGone(kind) {
        this.view = null;
        this.setState(kind);
        const title = kind === 'left' ? t('ticket.left.title', { number: this.number }) : t('ticket.missing.title', { number: this.number });
        const body = kind === 'left' ? t('ticket.left.body') : t('ticket.missing.body');
        replaceChildren(this.root, el('div', { className: 'card ticket-gone', attrs: { role: kind === 'left' ? 'alert' : null } },
            el('h1', { text: title }),
            el('p', { className: 'muted', text: body }),
            el('p', {}, el('a', { className: 'button primary', text: t('ticket.back.queue'), attrs: { href: routeHref('queue'), id: 'ticket-back-queue' } }),
                ' ', el('a', { className: 'button', text: t('ticket.back.history'), attrs: { href: routeHref('history') } }))));
    }

    showFailed(error) {
        this.view = null;
        this.setState('failed');
        const retry = el('button', { className: 'button', text: t('ticket.retry'), attrs: { type: 'button' } });
        retry.addEventListener('click', () => {
            this.setState('loading');
            this.read();
        });
        replaceChildren(this.root, el('div', { className: 'card ticket-gone' },
            el('h1', { text: t('ticket.title', { number: this.number }) }),
            el('p', { className: 'error', text: error.message, attrs: { role: 'alert' } }),
            el('p', {}, retry)));
    }

    // --- the ticket ---------------------------------------------------------------------

    render() {
        if (!this.view) this.build();
        this.setState('shown');
        const ticket = this.ticket;
        const open = ticket.status === 'open';
        this.root.dataset.status = ticket.status;
        this.ctx.setTitle(t('ticket.title', { number: this.number }));

        const status = statusView(ticket.status);
        this.view.status.className = status.className;
        this.view.status.textContent = status.label;
        const priority = priorityView(ticket.priority);
        this.view.priorityBadge.className = priority.className;
        this.view.priorityBadge.textContent = priority.label;
        this.view.subject.textContent = ticket.subject || t('ticket.no_subject');
        this.view.subject.classList.toggle('muted', !ticket.subject);
        this.view.back.textContent = open ? t('ticket.back.queue') : t('ticket.back.history');
        this.view.back.setAttribute('href', open ? routeHref('queue') : routeHref('history'));

        show(this.view.closedNote, !open);
        if (!open)
            this.view.closedNote.textContent = ticket.status === 'expired' ? t('ticket.expired_note') : t('ticket.closed_note');

        this.conversation.setTicket(ticket);
        this.renderRequester();
        this.renderEditors();
        this.renderDevice();
        this.renderTimes();
        this.renderWaiting();
        this.renderConnect();
        renderTimeline(this.view.timeline, ticket.timeline ?? []);
    }

    /// The page's elements, made once; each render fills them in (so a select the operator
    /// is using is never rebuilt under them by a live update of another field).
    build() {
        const field = (id, labelKey) => {
            const value = el('dd', { attrs: { id: `ticket-${id}` } });
            return { row: el('div', { className: 'field' }, el('dt', { text: t(labelKey) }), value), value };
        };
        const v = {};
        v.back = el('a', { className: 'back-link', attrs: { href: routeHref('queue'), id: 'ticket-back' } });
        v.status = el('span', { attrs: { id: 'ticket-status' } });
        v.priorityBadge = el('span', { attrs: { id: 'ticket-priority-badge' } });
        v.subject = el('bdi', { attrs: { id: 'ticket-subject' } });
        v.closedNote = el('p', { className: 'ticket-note', attrs: { id: 'ticket-closed-note', role: 'status' } });

        v.timeline = el('ol', { className: 'timeline', attrs: { id: 'ticket-timeline' } });

        const requester = field('requester', 'ticket.requester');
        v.requester = requester.value;
        const priority = field('priority', 'ticket.priority');
        v.priority = priority.value;
        const operator = field('operator', 'ticket.operator');
        v.operator = operator.value;
        const group = field('group', 'ticket.group');
        v.group = group.value;
        const device = field('device', 'ticket.device');
        v.device = device.value;
        const times = el('dl', { className: 'ticket-times', attrs: { id: 'ticket-times' } });
        v.times = times;

        v.actions = el('div', { className: 'ticket-actions', attrs: { id: 'ticket-actions' } });
        v.connect = el('div', { className: 'ticket-connect', attrs: { id: 'ticket-connect' } });
        v.closeButton = el('button', { className: 'button danger-outline', text: t('ticket.close'), attrs: { type: 'button', id: 'ticket-close' } });
        v.closeButton.addEventListener('click', () => this.close());
        v.actions.append(v.connect, v.closeButton);

        const heading = el('div', { className: 'ticket-head' },
            v.back,
            el('div', { className: 'ticket-title' },
                el('h1', { text: t('ticket.title', { number: this.number }), attrs: { id: 'ticket-heading' } }),
                v.status, v.priorityBadge),
            el('p', { className: 'ticket-subject' }, v.subject),
            v.closedNote);

        const main = el('div', { className: 'ticket-main' },
            this.conversation.element,
            el('section', { className: 'card ticket-card' },
                el('h2', { text: t('ticket.timeline'), attrs: { id: 'ticket-timeline-heading' } }), v.timeline));

        const side = el('div', { className: 'ticket-side' },
            v.actions,
            el('section', { className: 'card ticket-card' },
                el('h2', { text: t('ticket.details'), attrs: { id: 'ticket-details-heading' } }),
                el('dl', { className: 'ticket-fields' }, requester.row, priority.row, operator.row, group.row, device.row)),
            el('section', { className: 'card ticket-card' },
                el('h2', { text: t('ticket.times'), attrs: { id: 'ticket-times-heading' } }), times));

        replaceChildren(this.root, heading, el('div', { className: 'ticket-layout' }, main, side));
        this.view = v;
    }

    renderRequester() {
        const requester = this.ticket.requester ?? {};
        const parts = [];
        if (requester.organization) parts.push(el('bdi', { className: 'organization', text: requester.organization, attrs: { id: 'ticket-organization' } }));
        parts.push(el('bdi', { className: 'email', text: requester.email ?? '', attrs: { id: 'ticket-email' } }));
        replaceChildren(this.view.requester, ...parts);
    }

    /// Priority, operator and group: selects while the ticket is open, text once it is not.
    renderEditors() {
        if (!this.view || !this.ticket) return;
        const ticket = this.ticket;
        if (ticket.status !== 'open') {
            const priority = priorityView(ticket.priority);
            replaceChildren(this.view.priority, el('span', { className: priority.className, text: priority.label }));
            replaceChildren(this.view.operator, nameOrNone(ticket.operator, 'unassigned'));
            replaceChildren(this.view.group, nameOrNone(ticket.group, 'no_group'));
            return;
        }
        this.editor('priority', kPriorities.map((p) => ({ value: p, label: t(`priority.${p}`) })), ticket.priority,
            (value) => ({ priority: value }));

        const team = this.ctx.team;
        const operators = [{ value: '', label: t('unassigned') },
            ...team.operators.map((o) => ({ value: String(o.id), label: o.name }))];
        if (ticket.operator && !operators.some((o) => o.value === String(ticket.operator.id)))
            operators.push({ value: String(ticket.operator.id), label: ticket.operator.name });
        const mineButton = ticket.operator?.id === this.ctx.user.id ? null : this.assignToMeButton();
        this.editor('operator', operators, ticket.operator ? String(ticket.operator.id) : '',
            (value) => ({ operator_id: value === '' ? null : Number(value) }), mineButton);

        // An operator sees a group's tickets only as its member: the list says which groups
        // would take the ticket out of their view before they pick one.
        const admin = this.ctx.user.role === 'admin';
        const groups = [{ value: '', label: t('no_group') },
            ...team.groups.map((g) => ({ value: g.id, label: admin || g.member ? g.name : t('ticket.group.not_member', { group: g.name }) }))];
        if (ticket.group && !groups.some((g) => g.value === ticket.group.id))
            groups.push({ value: ticket.group.id, label: ticket.group.name });
        this.editor('group', groups, ticket.group ? ticket.group.id : '', (value) => ({ group_id: value === '' ? null : value }));
    }

    /// A labelled select in field `name` that PATCHes `changes(value)` when changed.
    editor(name, options, value, changes, extra = null) {
        const cell = this.view[name];
        const id = `ticket-${name}-select`;
        let select = cell.querySelector('select');
        const same = select && select.dataset.options === JSON.stringify(options);
        if (!same) {
            select = el('select', { className: 'select', attrs: { id, 'aria-labelledby': `ticket-${name}-label` } },
                ...options.map((o) => el('option', { text: o.label, attrs: { value: o.value } })));
            select.dataset.options = JSON.stringify(options);
            select.addEventListener('change', () => this.change(changes(select.value)));
            // The field's <dt> names the select for assistive technologies.
            cell.previousElementSibling.id = `ticket-${name}-label`;
            replaceChildren(cell, select, extra);
        } else {
            const current = cell.querySelector('.assign-me');
            if (current && !extra) current.remove();
            else if (!current && extra) cell.append(extra);
        }
        select.value = value;
        select.disabled = this.busy;
    }

    assignToMeButton() {
        const button = el('button', { className: 'button link assign-me', text: t('ticket.assign_to_me'), attrs: { type: 'button', id: 'ticket-assign-me' } });
        button.addEventListener('click', () => this.act(() => assignToMe(this.ctx, this.number)));
        return button;
    }

    async change(changes) {
        await this.act(() => updateTicket(this.ctx, this.number, changes));
    }

    /// Runs an action of ticket_actions.js: controls are disabled meanwhile; its answer is
    /// shown at once, and the ticket is read again for the timeline. null means the ticket
    /// left the user's view (the action already said why in a notice).
    async act(action) {
        if (this.busy) return;
        this.setBusy(true);
        let answer;
        try {
            answer = await action();
        } finally {
            this.setBusy(false);
        }
        if (this.stopped) return;
        if (answer === null) {
            this.showGone('left');
            return;
        }
        if (answer) {
            this.ticket = { ...this.ticket, ...answer };
            this.receivedAt = Date.now();
            this.render();
        }
        this.scheduleRead();
    }

    async close() {
        if (this.busy) return;
        this.setBusy(true);
        let closed;
        try {
            closed = await closeTicket(this.ctx, this.number);
        } finally {
            this.setBusy(false);
        }
        if (this.stopped) return;
        if (closed) {
            this.ticket = { ...this.ticket, ...closed };
            this.render();
        }
        this.scheduleRead();
    }

    setBusy(busy) {
        this.busy = busy;
        if (!this.view) return;
        for (const control of this.root.querySelectorAll('select, .ticket-actions button, .assign-me')) control.disabled = busy;
    }

    renderDevice() {
        const ticket = this.ticket;
        const row = this.view.device.parentElement;
        show(row, ticket.status === 'open');
        const online = ticket.device_online === true;
        replaceChildren(this.view.device, el('span', { className: `presence ${online ? 'online' : 'offline'}`,
                                                       text: online ? t('ticket.device.online') : t('ticket.device.offline') }));
    }

    renderTimes() {
        const ticket = this.ticket;
        const rows = [];
        const add = (id, label, value, title = null) => {
            rows.push(el('div', { className: 'field' }, el('dt', { text: label }),
                el('dd', { attrs: { id: `ticket-${id}` } }, value ? el('time', { text: formatDateTime(value), title, attrs: { datetime: value } }) : null)));
        };
        add('created', t('ticket.created'), ticket.created_at);
        if (ticket.status === 'open') {
            rows.push(el('div', { className: 'field' }, el('dt', { text: t('ticket.waiting') }),
                el('dd', { className: 'tabular', attrs: { id: 'ticket-waiting' } })));
        }
        if (ticket.assigned_at) add('assigned', t('ticket.assigned'), ticket.assigned_at);
        if (ticket.status !== 'open' && ticket.closed_at) {
            add('closed', ticket.status === 'expired' ? t('ticket.expired') : t('ticket.closed'), ticket.closed_at);
            if (ticket.status === 'closed' && ticket.closed_by)
                rows.push(el('div', { className: 'field' }, el('dt', { text: t('ticket.closed_by') }),
                    el('dd', { text: ticket.closed_by.name, attrs: { id: 'ticket-closed-by' } })));
            const seconds = ticket.time_to_close_s ?? (Date.parse(ticket.closed_at) - Date.parse(ticket.created_at)) / 1000;
            if (Number.isFinite(seconds))
                rows.push(el('div', { className: 'field' }, el('dt', { text: t('ticket.time_to_close') }),
                    el('dd', { className: 'tabular', text: formatDuration(seconds), attrs: { id: 'ticket-time-to-close' } })));
        }
        replaceChildren(this.view.times, ...rows);
    }

    renderWaiting() {
        const cell = this.view?.times.querySelector('#ticket-waiting');
        if (!cell) return;
        cell.textContent = formatDuration((this.ticket.waiting_s ?? 0) + (Date.now() - this.receivedAt) / 1000);
    }

    /// Connect and Close while the ticket is open; Connect shows where its request stands
    /// (the same states as the queue's).
    renderConnect() {
        if (!this.view || !this.ticket) return;
        const open = this.ticket.status === 'open';
        show(this.view.actions, open);
        // A closed ticket's page holds no action at all, not even a hidden one.
        if (!open) {
            replaceChildren(this.view.actions);
            return;
        }
        if (this.view.actions.childElementCount === 0) this.view.actions.append(this.view.connect, this.view.closeButton);
        const tracker = this.ctx.tracker;
        const entry = tracker.get(this.number);
        const cell = this.view.connect;
        const connectButton = (label) => {
            const button = el('button', { className: 'button primary connect', text: label, attrs: { type: 'button', id: 'ticket-connect-button' } });
            button.disabled = this.busy;
            button.addEventListener('click', () => tracker.connect(this.number));
            return button;
        };
        const dismissButton = () => {
            const button = el('button', { className: 'button link dismiss', text: t('connect.dismiss'), attrs: { type: 'button' } });
            button.addEventListener('click', () => tracker.dismiss(this.number));
            return button;
        };
        const status = (text, state, className, role = 'status') =>
            el('div', { className: `connect-status ${className}`, text, attrs: { 'data-connect-state': state, role } });

        if (!entry) {
            replaceChildren(cell, connectButton(t('connect.button')),
                this.ticket.device_online === false ? el('p', { className: 'hint', text: t('connect.device_offline') }) : null);
            return;
        }
        switch (entry.phase) {
            case 'sending':
                replaceChildren(cell, status(t('connect.sending'), 'sending', 'waiting'));
                return;
            case 'pending': {
                const seconds = tracker.secondsLeft(this.number);
                const text = seconds === null ? t('connect.waiting_no_time') : t('connect.waiting', { seconds });
                const current = cell.querySelector('[data-connect-state="pending"]');
                // The countdown changes its text in place, so a screen reader is not
                // interrupted by a new status every second.
                if (current) current.textContent = text;
                else replaceChildren(cell, status(text, 'pending', 'waiting'));
                return;
            }
            case 'done':
                if (entry.state === 'accepted') {
                    replaceChildren(cell, status(t('connect.accepted'), 'accepted', 'good'),
                        el('a', { className: 'button link', text: t('connect.open_viewer'),
                                  attrs: { href: `/console/viewer.html?request=${encodeURIComponent(entry.requestId)}` } }));
                } else {
                    replaceChildren(cell, status(t(connectOutcomeKey(entry)), entry.state, 'bad'),
                        el('div', { className: 'button-row' }, connectButton(t('connect.again')), dismissButton()));
                }
                return;
            default:
                replaceChildren(cell, status(entry.message, 'error', 'bad', 'alert'),
                    el('div', { className: 'button-row' }, connectButton(t('connect.again')), dismissButton()));
        }
    }
}

function nameOrNone(thing, noneKey) {
    return thing ? el('span', { text: thing.name }) : el('span', { className: 'muted', text: t(noneKey) });
}
