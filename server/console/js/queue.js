// The queue table: one row per open ticket (GET /api/v1/queue), waiting times that tick
// every second, and each row's Connect button or the state of its connection request.
// Everything a customer typed (email, subject, description) and every name is put in as
// text (dom.js).

import { el, replaceChildren, show } from './dom.js';
import { formatDuration, priorityView } from './format.js';
import { t } from './strings.js';

export class QueueView {
    /// tbody: the table's body; empty: the "No one is waiting" block; table: hidden when
    /// empty; count: the heading's count; tracker: the ConnectTracker.
    constructor({ table, tbody, empty, count, tracker }) {
        this.table = table;
        this.tbody = tbody;
        this.empty = empty;
        this.count = count;
        this.tracker = tracker;
        this.rows = new Map();  // ticket number -> {ticket, waitingCell, actionsCell}
        this.fetchedAt = 0;
    }

    render(tickets) {
        this.fetchedAt = Date.now();
        this.rows.clear();
        const rows = tickets.map((ticket) => this.row(ticket));
        replaceChildren(this.tbody, ...rows);
        show(this.table, tickets.length > 0);
        show(this.empty, tickets.length === 0);
        this.count.textContent =
            tickets.length === 0 ? '' : tickets.length === 1 ? t('queue.count.one') : t('queue.count.many', { count: tickets.length });
    }

    /// Called every second: waiting times and countdowns move on.
    tick() {
        for (const [number, view] of this.rows) {
            view.waitingCell.textContent = this.waitingText(view.ticket);
            if (this.tracker.get(number)?.phase === 'pending') this.renderActions(number);
        }
    }

    waitingText(ticket) {
        const elapsed = (Date.now() - this.fetchedAt) / 1000;
        return formatDuration((ticket.waiting_s ?? 0) + elapsed);
    }

    row(ticket) {
        const number = ticket.number;
        const requester = ticket.requester ?? {};
        const email = requester.email ?? '';
        const organization = requester.organization ?? '';
        const requesterCell = el('td', { className: 'requester' },
            el('span', { text: organization || email, title: organization ? email : undefined,
                         className: organization ? 'organization' : 'email' }));

        const priority = priorityView(ticket.priority);
        const priorityCell = el('td', {}, el('span', { className: priority.className, text: priority.label }));

        const waitingCell = el('td', { className: 'waiting', text: '' });
        const operatorCell = ticket.operator
            ? el('td', { className: 'operator', text: ticket.operator.name })
            : el('td', { className: 'operator muted', text: t('queue.unassigned') });
        const groupCell = ticket.group
            ? el('td', { className: 'group', text: ticket.group.name, title: ticket.group.id })
            : el('td', { className: 'group muted', text: t('queue.no_group') });

        const description = ticket.description ?? '';
        const descriptionCell = el('td', { className: 'description' },
            ticket.subject ? el('div', { className: 'subject', text: ticket.subject }) : null,
            el('div', { className: 'text', text: description, title: description }));

        const actionsCell = el('td', { className: 'actions' });
        const tr = el('tr', { attrs: { 'data-ticket': number } },
            el('td', { className: 'number', text: t('queue.ticket_number', { number }) }),
            requesterCell, priorityCell, waitingCell, operatorCell, groupCell, descriptionCell, actionsCell);

        const view = { ticket, waitingCell, actionsCell };
        this.rows.set(number, view);
        waitingCell.textContent = this.waitingText(ticket);
        this.renderActions(number);
        return tr;
    }

    /// The actions cell of ticket `number`: Connect, or where its request stands.
    renderActions(number) {
        const view = this.rows.get(number);
        if (!view) return;
        const entry = this.tracker.get(number);
        const cell = view.actionsCell;
        const connectButton = (label) => {
            const button = el('button', { className: 'button primary connect', text: label, attrs: { type: 'button' } });
            button.addEventListener('click', () => this.tracker.connect(number));
            return button;
        };
        const dismissButton = () => {
            const button = el('button', { className: 'button link dismiss', text: t('connect.dismiss'), attrs: { type: 'button' } });
            button.addEventListener('click', () => this.tracker.dismiss(number));
            return button;
        };
        const status = (text, state, className) =>
            el('div', { className: `connect-status ${className}`, text, attrs: { 'data-connect-state': state, role: 'status' } });

        if (!entry) {
            replaceChildren(cell, connectButton(t('connect.button')),
                view.ticket.device_online === false ? el('div', { className: 'hint', text: t('queue.device_offline') }) : null);
            return;
        }
        switch (entry.phase) {
            case 'sending':
                replaceChildren(cell, status(t('connect.sending'), 'sending', 'waiting'));
                return;
            case 'pending': {
                const seconds = this.tracker.secondsLeft(number);
                replaceChildren(cell, status(seconds === null ? t('connect.waiting_no_time') : t('connect.waiting', { seconds }),
                    'pending', 'waiting'));
                return;
            }
            case 'done':
                if (entry.state === 'accepted') {
                    const link = el('a', { className: 'button link', text: t('connect.open_viewer'),
                                           attrs: { href: viewerUrl(entry.requestId) } });
                    replaceChildren(cell, status(t('connect.accepted'), 'accepted', 'good'), link);
                } else {
                    replaceChildren(cell, status(t(`connect.${entry.state}`), entry.state, 'bad'),
                        connectButton(t('connect.again')), dismissButton());
                }
                return;
            default:
                replaceChildren(cell, el('div', { className: 'connect-status bad', text: entry.message, attrs: { 'data-connect-state': 'error', role: 'alert' } }),
                    connectButton(t('connect.again')));
        }
    }
}

export function viewerUrl(requestId) {
    return `/console/viewer.html?request=${encodeURIComponent(requestId)}`;
}
