// One row of the queue table: a ticket's number (a link to its page), requester,
// priority, waiting time, operator, group, description and actions (Connect with its
// request's state, and Close). The row is made once and then updated cell by cell when
// its ticket changes, so a live change never rebuilds the table and the control in use
// keeps its focus.
//
// Everything a customer typed (email, subject, description) and every name goes in as
// text (dom.js); class names come from fixed lists only.
//
// The seed rule is shown where it bites: an option that would take the ticket out of the
// user's queue says so ("Billing — not your group, leaves your queue"), and a ticket
// without a group says who alone sees it.

import { connectOutcomeKey } from '../connect.js';
import { el, replaceChildren } from '../dom.js';
import { kPriorities, priorityView } from '../format.js';
import { formatDuration, t } from '../i18n.js';
import { routeHref } from '../router.js';

/// The table shows two lines of a description (all of it on hover): this many characters
/// fill two lines of any width, and laying out more is not free — a 16,000-character word
/// wrapped anywhere costs the browser over a second.
const kShownChars = 400;

/// The start of `text`, at most kShownChars characters (never half a surrogate pair).
function opening(text) {
    if (text.length <= kShownChars) return text;
    let end = kShownChars;
    const last = text.charCodeAt(end - 1);
    if (last >= 0xd800 && last <= 0xdbff) end -= 1;
    return `${text.slice(0, end)}…`;
}

export function viewerUrl(requestId) {
    return `/console/viewer.html?request=${encodeURIComponent(requestId)}`;
}

function option(value, label, selected) {
    const element = el('option', { text: label, attrs: { value } });
    if (selected) element.selected = true;
    return element;
}

export class QueueRow {
    /// page: the queue page (see pages/queue.js): ctx, meId, isAdmin, team helpers
    /// (operators(), groups(), isMember(id), teamVersion) and the row actions
    /// (changePriority, changeOperator, changeGroup, assignToMe, close, connect).
    constructor(ticket, page) {
        this.page = page;
        this.ticket = ticket;
        this.number = ticket.number;
        this.current = false;
        this.optionsKey = '';
        this.menusFilled = false;
        this.build();
        this.update(ticket, { force: true });
    }

    build() {
        const number = this.number;
        const page = this.page;
        this.numberId = `queue-n-${number}`;
        this.link = el('a', { className: 'ticket-link', text: t('ticket.number', { number }),
                              attrs: { href: routeHref('ticket', { id: number }), id: this.numberId } });
        this.link.addEventListener('click', () => page.remember(number));

        this.requesterCell = el('td', { className: 'requester' });
        this.prioritySelect = el('select', { className: 'priority-select',
                                             attrs: { 'aria-label': t('queue.priority.label', { number }) } },
            ...kPriorities.map((p) => option(p, priorityView(p).label, false)));
        this.prioritySelect.addEventListener('change', () => page.changePriority(this, this.prioritySelect.value));
        this.waitingCell = el('td', { className: 'waiting' });

        this.operatorSelect = el('select', { className: 'operator-select', attrs: { 'aria-label': t('queue.operator.label', { number }) } });
        this.operatorSelect.addEventListener('change', () => page.changeOperator(this, this.operatorSelect.value));
        this.assignButton = el('button', { className: 'button link assign-me', text: t('queue.assign_me'),
                                           attrs: { type: 'button', 'aria-describedby': this.numberId } });
        this.assignButton.addEventListener('click', () => page.assignToMe(this));
        this.operatorCell = el('td', { className: 'operator' }, this.operatorSelect, this.assignButton);

        this.groupSelect = el('select', { className: 'group-select', attrs: { 'aria-label': t('queue.group.label', { number }) } });
        this.groupSelect.addEventListener('change', () => page.changeGroup(this, this.groupSelect.value));
        this.seenHint = el('div', { className: 'hint seen' });
        this.groupCell = el('td', { className: 'group' }, this.groupSelect, this.seenHint);

        this.descriptionCell = el('td', { className: 'description' });
        this.connectArea = el('div', { className: 'connect-area' });
        const closeLabel = t('queue.close.label', { number });
        // The padlock is drawn by the style sheet (a mask): a hundred inline SVGs cost the
        // page a fifth of its layout time.
        this.closeButton = el('button', { className: 'button close-ticket', title: closeLabel,
                                          attrs: { type: 'button', 'aria-label': closeLabel } },
            el('span', { className: 'lock-icon', attrs: { 'aria-hidden': 'true' } }));
        this.closeButton.addEventListener('click', () => page.close(this));

        this.numberCell = el('td', { className: 'number' }, this.link);
        this.tr = el('tr', { className: 'queue-row', attrs: { 'data-ticket': number, tabindex: '-1' } },
            this.numberCell,
            this.requesterCell,
            el('td', { className: 'priority-cell' }, this.prioritySelect),
            this.waitingCell,
            this.operatorCell,
            this.groupCell,
            this.descriptionCell,
            el('td', { className: 'actions' }, el('div', { className: 'actions-inner' }, this.connectArea, this.closeButton)));
        const fill = () => this.fillMenus();
        this.tr.addEventListener('pointerenter', fill);
        this.tr.addEventListener('focusin', fill);
        this.operatorSelect.addEventListener('pointerdown', fill);
        this.groupSelect.addEventListener('pointerdown', fill);
    }

    /// Shows `ticket` (this row's ticket, changed); touches only the cells whose part of
    /// the ticket changed.
    update(ticket, { force = false } = {}) {
        const before = force ? null : this.ticket;
        this.ticket = ticket;
        const changed = (...fields) => before === null || fields.some((f) => f(before) !== f(ticket));
        if (changed((x) => x.requester?.email, (x) => x.requester?.organization)) this.renderRequester();
        if (changed((x) => x.priority)) this.renderPriority();
        if (changed((x) => x.subject, (x) => x.description)) this.renderDescription();
        if (changed((x) => x.device_online)) this.renderConnect();
        if (changed((x) => x.last_customer_message_id, (x) => x.read_message_id)) this.renderUnread();
        this.renderPeople(force);
        this.tick();
    }

    renderRequester() {
        const requester = this.ticket.requester ?? {};
        const email = requester.email ?? '';
        const organization = requester.organization ?? '';
        replaceChildren(this.requesterCell, el('span', {
            text: organization || email, title: email, className: organization ? 'organization' : 'email',
        }));
    }

    /// "New reply" under the number while the customer's newest message is past this
    /// user's read mark (in the cell only then, so the cell's text is the number otherwise).
    renderUnread() {
        const unread = (Number(this.ticket.last_customer_message_id) || 0) > (Number(this.ticket.read_message_id) || 0);
        this.tr.classList.toggle('unread', unread);
        if (!unread) {
            this.unreadMark?.remove();
            return;
        }
        this.unreadMark ??= el('span', { className: 'unread-mark', text: t('queue.unread'),
                                         attrs: { id: `queue-unread-${this.number}`, title: t('queue.unread.title') } });
        if (!this.unreadMark.isConnected) this.numberCell.append(this.unreadMark);
    }

    renderPriority() {
        const priority = kPriorities.includes(this.ticket.priority) ? this.ticket.priority : 'medium';
        this.prioritySelect.value = priority;
        this.prioritySelect.className = `priority-select priority-${priority}`;
        this.tr.dataset.priority = priority;
    }

    renderDescription() {
        const description = this.ticket.description ?? '';
        const subject = this.ticket.subject ?? '';
        replaceChildren(this.descriptionCell,
            subject ? el('div', { className: 'subject', text: subject, title: subject }) : null,
            el('div', { className: 'text', text: opening(description), title: description }));
    }

    /// The operator and group menus: their options say which choice would take the
    /// ticket out of the user's queue; rebuilt when the ticket's operator or group, or
    /// the team, changed.
    ///
    /// Until the pointer comes over the row or the focus into it, each menu holds only
    /// its current choice: a menu's layout costs the browser time for every option it
    /// holds (it measures them all), and a page of rows times a team of fifty would make
    /// the queue slow to show.
    renderPeople(force) {
        const page = this.page;
        const ticket = this.ticket;
        const operatorId = ticket.operator?.id ?? null;
        const groupId = ticket.group?.id ?? null;
        const key = `${page.teamVersion}|${this.menusFilled}|${operatorId}|${groupId}|${ticket.operator?.name}|${ticket.group?.name}`;
        if (!force && key === this.optionsKey) return;
        this.optionsKey = key;
        const all = this.menusFilled;

        const operators = all ? [...page.operators()] : [];
        if (ticket.operator && !operators.some((o) => o.id === operatorId)) operators.push(ticket.operator);
        this.operatorSelect.replaceChildren(
            option('', this.leaves({ operatorId: null }) ? t('queue.option.leaves', { name: t('unassigned') }) : t('unassigned'), operatorId === null),
            ...operators.map((o) => {
                let label = o.id === page.meId ? t('queue.option.me', { name: o.name }) : o.name;
                if (o.id !== operatorId && this.leaves({ operatorId: o.id })) label = t('queue.option.leaves', { name: label });
                return option(String(o.id), label, o.id === operatorId);
            }));
        if (!all && operatorId !== null) this.operatorSelect.firstElementChild.remove();
        this.operatorSelect.value = operatorId === null ? '' : String(operatorId);
        this.operatorSelect.classList.toggle('unassigned', operatorId === null);
        this.assignButton.hidden = operatorId === page.meId;

        const groups = all ? [...page.groups()] : [];
        if (ticket.group && !groups.some((g) => g.id === groupId)) groups.push({ ...ticket.group, member: page.isMember(groupId) });
        this.groupSelect.replaceChildren(
            option('', groupId !== null && this.leaves({ groupId: null }) ? t('queue.option.leaves', { name: t('no_group') }) : t('no_group'), groupId === null),
            ...groups.map((g) => {
                let label = g.name;
                if (!page.isAdmin && !page.isMember(g.id))
                    label = g.id !== groupId && this.leaves({ groupId: g.id })
                        ? t('queue.option.not_member_leaves', { name: g.name })
                        : t('queue.option.not_member', { name: g.name });
                return option(g.id, label, g.id === groupId);
            }));
        if (!all && groupId !== null) this.groupSelect.firstElementChild.remove();
        this.groupSelect.value = groupId ?? '';
        this.groupSelect.classList.toggle('no-group', groupId === null);

        this.seenHint.textContent = this.seenText();
        this.seenHint.hidden = this.seenHint.textContent === '';
    }

    /// Puts every choice in the operator and group menus (see renderPeople).
    fillMenus() {
        if (this.menusFilled) return;
        this.menusFilled = true;
        this.renderPeople(false);
    }

    /// Whether the ticket would leave the user's queue with `change` ({operatorId} or
    /// {groupId}) — the server's rule: an operator sees a ticket of one of their groups or
    /// assigned to them; an admin sees all.
    leaves(change) {
        const page = this.page;
        if (page.isAdmin) return false;
        const operatorId = 'operatorId' in change ? change.operatorId : this.ticket.operator?.id ?? null;
        const groupId = 'groupId' in change ? change.groupId : this.ticket.group?.id ?? null;
        return operatorId !== page.meId && !(groupId !== null && page.isMember(groupId));
    }

    /// The question to ask before `change` ({operatorId} or {groupId}) when it would take
    /// the ticket out of the user's queue ({title, body, confirmLabel}), or null.
    leavingQuestion(change) {
        if (!this.leaves(change)) return null;
        const page = this.page;
        const ticket = this.ticket;
        const number = this.number;
        if ('groupId' in change && change.groupId !== null) {
            const group = page.groupName(change.groupId);
            return { title: t('queue.leave.group.title', { number, group }), body: t('queue.leave.group.body', { group }),
                     confirmLabel: t('queue.leave.group.confirm') };
        }
        if ('groupId' in change) {
            return { title: t('queue.leave.no_group.title', { number }),
                     body: ticket.operator ? t('queue.leave.no_group.body', { operator: ticket.operator.name }) : t('queue.leave.no_group.body_nobody'),
                     confirmLabel: t('queue.leave.no_group.confirm') };
        }
        if (change.operatorId !== null) {
            const operator = page.operatorName(change.operatorId);
            return { title: t('queue.leave.operator.title', { number, operator }),
                     body: ticket.group ? t('queue.leave.operator.body_group', { operator, group: ticket.group.name })
                         : t('queue.leave.operator.body', { operator }),
                     confirmLabel: t('queue.leave.operator.confirm') };
        }
        return { title: t('queue.leave.unassign.title', { number }),
                 body: ticket.group ? t('queue.leave.unassign.body_group', { group: ticket.group.name }) : t('queue.leave.unassign.body'),
                 confirmLabel: t('queue.leave.unassign.confirm') };
    }

    /// Who sees this ticket, when that is narrower than a group's members.
    seenText() {
        const page = this.page;
        const ticket = this.ticket;
        if (!ticket.group) {
            if (!ticket.operator) return t('queue.seen.only_admins');
            if (ticket.operator.id === page.meId) return t('queue.seen.only_you');
            return t('queue.seen.only_operator', { name: ticket.operator.name });
        }
        if (!page.isAdmin && !page.isMember(ticket.group.id) && ticket.operator?.id === page.meId)
            return t('queue.seen.assigned_only');
        return '';
    }

    /// Connect, or where this ticket's connection request stands (ConnectTracker).
    renderConnect() {
        const page = this.page;
        const number = this.number;
        const entry = page.ctx.tracker.get(number);
        const connectButton = (label) => {
            const button = el('button', { className: 'button primary connect', text: label,
                                          attrs: { type: 'button', 'aria-describedby': this.numberId } });
            button.addEventListener('click', () => page.connect(this));
            return button;
        };
        const dismissButton = () => {
            const button = el('button', { className: 'button link dismiss', text: t('connect.dismiss'),
                                          attrs: { type: 'button', 'aria-describedby': this.numberId } });
            button.addEventListener('click', () => page.ctx.tracker.dismiss(number));
            return button;
        };
        const status = (text, state, className, role = 'status') =>
            el('div', { className: `connect-status ${className}`, text, attrs: { 'data-connect-state': state, role } });

        if (!entry) {
            replaceChildren(this.connectArea, connectButton(t('connect.button')),
                this.ticket.device_online === false ? el('div', { className: 'hint', text: t('connect.device_offline') }) : null);
        } else if (entry.phase === 'sending') {
            replaceChildren(this.connectArea, status(t('connect.sending'), 'sending', 'waiting'));
        } else if (entry.phase === 'pending') {
            const seconds = page.ctx.tracker.secondsLeft(number);
            const text = seconds === null ? t('connect.waiting_no_time') : t('connect.waiting', { seconds });
            const shown = this.connectArea.querySelector('[data-connect-state="pending"]');
            // The countdown ticks every second: change the text, not the element, so a
            // screen reader is not told the whole status again.
            if (shown) shown.textContent = text;
            else replaceChildren(this.connectArea, status(text, 'pending', 'waiting'));
        } else if (entry.phase === 'done' && entry.state === 'accepted') {
            replaceChildren(this.connectArea, status(t('connect.accepted'), 'accepted', 'good'),
                el('a', { className: 'button link', text: t('connect.open_viewer'), attrs: { href: viewerUrl(entry.requestId) } }));
        } else if (entry.phase === 'done') {
            replaceChildren(this.connectArea, status(t(connectOutcomeKey(entry)), entry.state, 'bad'),
                connectButton(t('connect.again')), dismissButton());
        } else {
            replaceChildren(this.connectArea, status(entry.message, 'error', 'bad', 'alert'), connectButton(t('connect.again')));
        }
        this.applyTabStops();
    }

    /// Called every second: the waiting time, and the countdown of a pending request.
    tick() {
        const text = formatDuration(this.page.ctx.queue.waitingSeconds(this.ticket));
        if (this.waitingCell.textContent !== text) this.waitingCell.textContent = text;
        if (this.page.ctx.tracker.get(this.number)?.phase === 'pending') this.renderConnect();
    }

    /// The row the arrow keys are on is the queue's one tab stop (with its controls);
    /// the others are reached with the arrow keys (roving tabindex).
    setCurrent(current) {
        if (this.current === current) return;
        this.current = current;
        this.applyTabStops();
    }

    applyTabStops() {
        const value = this.current ? '0' : '-1';
        this.tr.setAttribute('tabindex', value);
        for (const control of this.tr.querySelectorAll('a, button, select')) control.setAttribute('tabindex', value);
    }

    /// A short highlight: someone else changed this ticket, or it is new.
    flash() {
        this.tr.classList.add('flash');
        clearTimeout(this.flashTimer);
        this.flashTimer = setTimeout(() => this.tr.classList.remove('flash'), 2500);
    }

    setBusy(busy) {
        if (busy) this.tr.setAttribute('aria-busy', 'true');
        else this.tr.removeAttribute('aria-busy');
    }

    destroy() {
        clearTimeout(this.flashTimer);
    }
}
