// The queue page (#/queue?view=&group=&priority=&q=&page=): one row per open ticket in
// the user's view (ctx.queue), most urgent first, then the longest waiting.
//
// - Filters above the table live in the URL's fragment (a reload or a shared link shows
//   the same view): all / assigned to me / unassigned, a group (or no group), a priority,
//   and a search over number, email, organization, subject and description.
// - Paged, kPageSize rows a page: a queue of thousands renders as fast as one of a
//   hundred. The whole filtered list is kept sorted; each live change (ctx.queue's
//   upsert / remove, from one ticket-changed event) is put in its place by binary search,
//   and only the rows it touches are added, updated, moved or removed — the table is
//   never rebuilt for one ticket, and the control in use keeps its focus.
// - A full render (first show, new filters or page, a full reload of the queue) is
//   measured with the Performance API: performance.getEntriesByName('queue-render').
// - Keyboard: the rows form one tab stop (roving tabindex); ↑/↓ move between them, on to
//   the next or previous page at either end; Home/End, PageUp/PageDown; Enter opens the
//   ticket; a assigns it to me, x closes it (after the confirmation), c connects; / goes
//   to the search; ? shows the list (a <dialog>). Keys typed in a field are left alone.
// - A change that would take a ticket out of the user's queue is named in its menu and
//   asked about first; a row that leaves the queue takes with it any dialog about it.

import { el, show } from '../dom.js';
import { formatNumber, locale, t } from '../i18n.js';
import { queueOrder } from '../live.js';
import { assignToMe as assignTicketToMe, closeTicket, updateTicket } from '../ticket_actions.js';
import { confirmDialog, toast } from '../ui.js';
import { filtersFromParams, insertSorted, isFiltered, kPageSize, matcher, paramsFromFilters, removeSorted,
         sameFilters } from './queue_filter.js';
import { FilterBar } from './queue_filter_bar.js';
import { keyCommand, showKeyHelp } from './queue_keys.js';
import { QueueRow } from './queue_row.js';

/// A change by this user is not highlighted when the event stream echoes it back.
const kOwnChangeMs = 3000;
const kColumns = ['number', 'requester', 'priority', 'waiting', 'operator', 'group', 'description', 'actions'];

/// The ticket last opened from the queue: its row gets the focus again on the way back.
let rememberedNumber = null;

export function mount(container, ctx, route) {
    const page = new QueuePage(container, ctx, route);
    return { update: (next) => page.update(next), unmount: () => page.unmount() };
}

/// Whether a ticket changed in a way people see (not only its device's presence): a new
/// customer reply is one.
function changedForPeople(before, after) {
    return before.priority !== after.priority || before.operator?.id !== after.operator?.id
        || before.group?.id !== after.group?.id || before.subject !== after.subject || before.description !== after.description
        || before.last_customer_message_id !== after.last_customer_message_id;
}

class QueuePage {
    constructor(container, ctx, route) {
        this.ctx = ctx;
        this.meId = ctx.user.id;
        this.isAdmin = ctx.user.role === 'admin';
        this.filters = filtersFromParams(route.params);
        this.match = matcher(this.filters, this.meId);
        this.matching = [];         // every ticket that passes the filters, in queue order
        this.slice = [];            // the numbers on the page shown, in order
        this.rows = new Map();      // number -> QueueRow, for the page shown
        this.currentNumber = null;  // the row that is the tab stop
        this.focusAfter = null;     // 'first' | 'last': the row to focus after a page turn
        this.moved = new Set();     // rows whose place changed since the last update
        this.flashes = new Set();   // rows to highlight at the next update
        this.own = new Map();       // number -> when this user last changed it
        this.dialogs = new Map();   // number -> the <dialog> open about it
        this.teamVersion = 0;
        this.disposers = [];

        ctx.setTitle(t('queue.heading'));
        this.build(container);
        this.listen();
        this.renderAll({ fresh: true });
        if (rememberedNumber !== null && this.rows.has(rememberedNumber)) this.focusRow(rememberedNumber);
        rememberedNumber = null;
    }

    // ----- the page's elements

    build(container) {
        this.heading = el('h1', { text: t('queue.heading'), attrs: { id: 'queue-heading', tabindex: '-1' } });
        this.countTotal = el('span', { className: 'count-total' });
        this.countMatching = el('span', { className: 'count-matching' });
        this.helpButton = el('button', { className: 'button link help-button',
                                         attrs: { type: 'button', id: 'queue-help-button', 'aria-keyshortcuts': '?' } },
            t('queue.help.button'), ' ', el('kbd', { text: '?' }));
        this.scope = el('p', { className: 'scope-hint', attrs: { id: 'queue-scope' } });

        this.filterBar = new FilterBar({ onChange: (changes) => this.setFilters(changes), onClear: () => this.clearFilters() });

        this.tbody = el('tbody', { attrs: { id: 'queue-body' } });
        this.table = el('table', { className: 'queue', attrs: { id: 'queue-table' } },
            el('caption', { className: 'visually-hidden', text: t('queue.caption') }),
            el('thead', {}, el('tr', {}, ...kColumns.map((c) => el('th', { className: `col-${c}`, text: t(`queue.column.${c}`), attrs: { scope: 'col' } })))),
            this.tbody);
        this.empty = el('div', { className: 'empty', attrs: { id: 'queue-empty', hidden: '' } },
            el('p', { className: 'empty-title', text: t('queue.empty') }), el('p', { className: 'muted', text: t('queue.empty.detail') }));
        const clearAgain = el('button', { className: 'button', text: t('queue.filter.clear'), attrs: { type: 'button' } });
        clearAgain.addEventListener('click', () => this.clearFilters());
        this.noMatch = el('div', { className: 'empty', attrs: { id: 'queue-no-match', hidden: '' } },
            el('p', { className: 'empty-title', text: t('queue.no_match') }), el('p', { className: 'muted', text: t('queue.no_match.detail') }), clearAgain);
        this.status = el('p', { className: 'page-message muted', attrs: { id: 'queue-status', hidden: '' } });

        this.prevButton = el('button', { className: 'button', text: t('queue.pager.prev'), attrs: { type: 'button', id: 'queue-prev' } });
        this.nextButton = el('button', { className: 'button', text: t('queue.pager.next'), attrs: { type: 'button', id: 'queue-next' } });
        this.pageStatus = el('span', { className: 'page-status', attrs: { id: 'queue-page-status' } });
        this.prevButton.addEventListener('click', () => this.turnPage(-1));
        this.nextButton.addEventListener('click', () => this.turnPage(1));
        this.pager = el('nav', { className: 'pager', attrs: { id: 'queue-pager', 'aria-label': t('queue.pager.label'), hidden: '' } },
            this.prevButton, this.pageStatus, this.nextButton);

        this.section = el('section', { className: 'queue-page', attrs: { id: 'queue-view', 'data-state': 'loading' } },
            el('div', { className: 'section-head' }, this.heading,
                el('p', { className: 'count', attrs: { id: 'queue-count' } }, this.countTotal, this.countMatching), this.helpButton),
            this.scope, this.filterBar.element,
            el('div', { className: 'card table-card' }, this.table, this.empty, this.noMatch, this.status),
            this.pager);
        container.append(this.section);
        this.renderFilterControls();
        this.renderScope();
    }

    listen() {
        const ctx = this.ctx;
        this.disposers.push(ctx.queue.subscribe((change) => this.onQueue(change)));
        this.disposers.push(ctx.team.subscribe(() => this.onTeam()));
        this.disposers.push(ctx.onEvent((type, data) => {
            if (type === 'connect-tracker') this.rows.get(data.number)?.renderConnect();
        }));
        const onKey = (event) => this.onKey(event);
        document.addEventListener('keydown', onKey);
        this.disposers.push(() => document.removeEventListener('keydown', onKey));
        this.tbody.addEventListener('focusin', (event) => {
            const tr = event.target.closest('tr[data-ticket]');
            if (tr) this.setCurrent(Number(tr.dataset.ticket));
        });
        this.helpButton.addEventListener('click', () => this.openHelp());
        const ticker = setInterval(() => {
            for (const row of this.rows.values()) row.tick();
        }, 1000);
        this.disposers.push(() => clearInterval(ticker));
    }

    unmount() {
        this.filterBar.cancelSearch();
        for (const dispose of this.disposers) dispose();
        this.disposers = [];
        for (const dialog of this.dialogs.values()) if (dialog.open) dialog.close();
        if (this.help?.open) this.help.close();
        for (const row of this.rows.values()) row.destroy();
    }

    // ----- the team: who a ticket can go to, and which groups are the user's

    operators() {
        if (this.ctx.team.loaded) return this.ctx.team.operators;
        return [{ id: this.meId, name: this.ctx.user.name || this.ctx.user.email, role: this.ctx.user.role }];
    }

    groups() {
        if (this.ctx.team.loaded) return this.ctx.team.groups;
        return (this.ctx.user.groups ?? []).map((id) => ({ id, name: id, member: true }));
    }

    isMember(groupId) {
        const group = this.ctx.team.loaded ? this.ctx.team.group(groupId) : null;
        return group ? Boolean(group.member) : (this.ctx.user.groups ?? []).includes(groupId);
    }

    groupName(groupId) {
        return this.groups().find((g) => g.id === groupId)?.name ?? groupId;
    }

    operatorName(id) {
        return this.operators().find((o) => o.id === id)?.name ?? String(id);
    }

    onTeam() {
        this.teamVersion += 1;
        for (const row of this.rows.values()) row.renderPeople(false);
        this.renderFilterControls();
        this.renderScope();
    }

    renderScope() {
        let text;
        if (this.isAdmin) {
            text = t('queue.scope.admin');
        } else {
            const names = this.groups().filter((g) => this.isMember(g.id)).map((g) => g.name);
            text = names.length === 0 ? t('queue.scope.no_groups')
                : t('queue.scope.operator', { groups: new Intl.ListFormat(locale(), { type: 'conjunction' }).format(names) });
        }
        this.scope.textContent = text;
    }

    // ----- filters and the URL

    update(route) {
        this.apply(filtersFromParams(route.params));
    }

    apply(next) {
        const filtersChanged = !sameFilters(this.filters, next);
        if (!filtersChanged && next.page === this.filters.page) return;
        this.filters = next;
        this.renderFilterControls();
        if (filtersChanged) this.match = matcher(next, this.meId);
        this.renderAll({ fresh: true, sameList: !filtersChanged });
    }

    /// Shows `changes` of the filters (back on page 1), through the URL.
    setFilters(changes) {
        this.filterBar.cancelSearch();
        // A search still being typed goes with the other change.
        const next = { ...this.filters, q: this.filterBar.searchText(), ...changes, page: 1 };
        if (sameFilters(next, this.filters) && this.filters.page === 1) return;
        this.ctx.navigate('queue', { params: paramsFromFilters(next) }, { replace: true });
        this.apply(next);  // in case the router did not call update (it normally has by now)
    }

    clearFilters() {
        this.filterBar.clearSearch();
        this.setFilters({ view: 'all', group: '', priority: '', q: '' });
    }

    turnPage(delta, focus = null) {
        const pages = this.pageCount();
        const page = Math.min(pages, Math.max(1, this.filters.page + delta));
        if (page === this.filters.page) return;
        this.focusAfter = focus;
        const next = { ...this.filters, page };
        this.ctx.navigate('queue', { params: paramsFromFilters(next) }, { replace: true });
        this.apply(next);
    }

    pageCount() {
        return Math.max(1, Math.ceil(this.matching.length / kPageSize));
    }

    renderFilterControls() {
        this.filterBar.render(this.filters, this.groups());
    }

    // ----- rendering

    /// Reads the filtered list again (unless `sameList`) and brings the page up to date;
    /// `fresh` builds every row anew. Measured: 'queue-render'.
    renderAll({ fresh = false, sameList = false } = {}) {
        performance.clearMarks('queue-render-start');
        performance.clearMeasures('queue-render');
        performance.mark('queue-render-start');
        if (!sameList) this.matching = [...this.ctx.queue.tickets.values()].filter(this.match).sort(queueOrder);
        if (fresh) {
            for (const row of this.rows.values()) row.destroy();
            this.rows.clear();
            this.tbody.replaceChildren();
        }
        this.moved.clear();
        this.reconcile();
        performance.clearMeasures('queue-render-script');
        performance.measure('queue-render-script', 'queue-render-start');
        void this.tbody.offsetHeight;  // the layout is part of the render
        performance.measure('queue-render', 'queue-render-start');
    }

    /// Makes the table show the current page of this.matching, touching only rows that
    /// came, went, moved or changed.
    reconcile() {
        const queue = this.ctx.queue;
        if (!queue.loaded) {
            this.section.dataset.state = queue.error ? 'failed' : 'loading';
            this.status.textContent = queue.error ? queue.error.message : t('queue.loading');
            this.status.classList.toggle('bad', Boolean(queue.error));
            this.status.setAttribute('role', queue.error ? 'alert' : 'status');
            show(this.status, true);
            show(this.table, false);
            return;
        }
        show(this.status, false);
        const pages = this.pageCount();
        if (this.filters.page > pages) {
            this.filters = { ...this.filters, page: pages };
            this.ctx.navigate('queue', { params: paramsFromFilters(this.filters) }, { replace: true });
        }
        const start = (this.filters.page - 1) * kPageSize;
        const slice = this.matching.slice(start, start + kPageSize);
        const wanted = new Set(slice.map((ticket) => ticket.number));

        const active = document.activeElement;
        const activeRow = active && this.tbody.contains(active) ? active.closest('tr[data-ticket]') : null;
        const currentIndex = Math.max(0, this.slice.indexOf(this.currentNumber));

        for (const [number, row] of this.rows) {
            if (wanted.has(number)) continue;
            row.tr.remove();
            row.destroy();
            this.rows.delete(number);
        }
        for (const number of this.moved) this.rows.get(number)?.tr.remove();
        this.moved.clear();
        let next = this.tbody.firstElementChild;
        for (const ticket of slice) {
            let row = this.rows.get(ticket.number);
            if (!row) {
                row = new QueueRow(ticket, this);
                this.rows.set(ticket.number, row);
            } else if (row.ticket !== ticket) {
                row.update(ticket);
            }
            if (row.tr === next) next = next.nextElementSibling;
            else this.tbody.insertBefore(row.tr, next);
        }
        for (const number of this.flashes) this.rows.get(number)?.flash();
        this.flashes.clear();
        this.slice = slice.map((ticket) => ticket.number);

        // The tab stop stays on its row, or goes to the one now in its place.
        const current = this.rows.has(this.currentNumber) ? this.currentNumber
            : this.slice[Math.min(currentIndex, this.slice.length - 1)] ?? null;
        this.currentNumber = null;
        this.setCurrent(current);
        if (activeRow) {
            if (active.isConnected && document.activeElement !== active) active.focus({ preventScroll: true });
            else if (!active.isConnected) this.focusRow(current, { fallback: true });
        }
        if (this.focusAfter) {
            this.focusRow(this.focusAfter === 'last' ? this.slice.at(-1) : this.slice[0]);
            this.focusAfter = null;
        }

        this.section.dataset.state = 'ready';
        this.renderCounts();
        const total = queue.tickets.size;
        show(this.empty, total === 0);
        show(this.noMatch, total > 0 && this.matching.length === 0);
        show(this.table, this.matching.length > 0);
        this.renderPager(pages);
    }

    renderCounts() {
        const total = this.ctx.queue.tickets.size;
        this.countTotal.textContent = total === 0 ? ''
            : total === 1 ? t('queue.count.one') : t('queue.count.many', { count: formatNumber(total) });
        const shown = this.matching.length;
        this.countMatching.textContent = total === 0 || !isFiltered(this.filters) ? ''
            : shown === 0 ? t('queue.count.matching.none')
                : shown === 1 ? t('queue.count.matching.one') : t('queue.count.matching.many', { count: formatNumber(shown) });
    }

    renderPager(pages) {
        show(this.pager, pages > 1);
        if (pages <= 1) return;
        const page = this.filters.page;
        const from = (page - 1) * kPageSize + 1;
        this.pageStatus.textContent = t('queue.pager.status', {
            page: formatNumber(page), pages: formatNumber(pages),
            from: formatNumber(from), to: formatNumber(from + this.slice.length - 1), count: formatNumber(this.matching.length),
        });
        this.prevButton.disabled = page <= 1;
        this.nextButton.disabled = page >= pages;
    }

    // ----- live changes, one ticket at a time

    onQueue(change) {
        if (change.type === 'reset') {
            for (const number of [...this.dialogs.keys()]) if (!this.ctx.queue.get(number)) this.dropDialogs(number, 'left');
            this.renderAll();
            return;
        }
        if (change.type === 'error') {
            if (!this.ctx.queue.loaded) this.reconcile();
            return;
        }
        const { number, ticket, before } = change;
        let wasIn = false;
        if (before && this.match(before)) wasIn = removeSorted(this.matching, before, queueOrder);
        if (change.type === 'upsert') {
            const isIn = this.match(ticket);
            if (isIn) insertSorted(this.matching, ticket, queueOrder);
            if (wasIn && isIn && before.priority !== ticket.priority) this.moved.add(number);
            const byOther = change.fromEvent && !(Date.now() - (this.own.get(number) ?? 0) < kOwnChangeMs);
            if (isIn && byOther && (before === null || changedForPeople(before, ticket))) this.flashes.add(number);
        } else {
            this.dropDialogs(number, change.reason);
        }
        this.reconcile();
    }

    /// A ticket left the queue while a dialog about it was open: the dialog goes too (its
    /// action would be refused now), and a notice says why it went.
    dropDialogs(number, reason) {
        const dialog = this.dialogs.get(number);
        this.dialogs.delete(number);
        if (!dialog?.open) return;
        dialog.close();
        toast(t(reason === 'closed' || reason === 'expired' ? `queue.gone.${reason}` : 'queue.gone.left', { number }), { kind: 'info' });
    }

    /// Remembers the dialog that was just opened about ticket `number`.
    trackDialog(number) {
        const dialog = [...document.querySelectorAll('dialog[open]')].at(-1);
        if (!dialog) return;
        this.dialogs.set(number, dialog);
        dialog.addEventListener('close', () => {
            if (this.dialogs.get(number) === dialog) this.dialogs.delete(number);
        }, { once: true });
    }

    // ----- what the user does to a row

    markOwn(number) {
        this.own.set(number, Date.now());
    }

    async changePriority(row, priority) {
        await this.runUpdate(row, { priority });
    }

    async changeOperator(row, value) {
        const operatorId = value === '' ? null : Number(value);
        if (!(await this.confirmLeaving(row, { operatorId }))) return this.revert(row);
        await this.runUpdate(row, { operator_id: operatorId });
    }

    async changeGroup(row, value) {
        const groupId = value === '' ? null : value;
        if (!(await this.confirmLeaving(row, { groupId }))) return this.revert(row);
        await this.runUpdate(row, { group_id: groupId });
    }

    async assignToMe(row) {
        if (row.ticket.operator?.id === this.meId) return;
        this.markOwn(row.number);
        row.setBusy(true);
        const result = await assignTicketToMe(this.ctx, row.number);
        this.settle(row, result);
    }

    async runUpdate(row, changes) {
        this.markOwn(row.number);
        row.setBusy(true);
        const result = await updateTicket(this.ctx, row.number, changes);
        this.settle(row, result);
    }

    /// After an action: a refused change shows the ticket as the server has it again.
    settle(row, result) {
        row.setBusy(false);
        if (result === undefined) this.revert(row);
        this.restoreFocus();
    }

    revert(row) {
        const ticket = this.ctx.queue.get(row.number);
        if (ticket && this.rows.get(row.number) === row) row.update(ticket, { force: true });
        this.restoreFocus();
    }

    async close(row) {
        this.markOwn(row.number);
        const closing = closeTicket(this.ctx, row.number);
        this.trackDialog(row.number);
        await closing;
        this.restoreFocus();
    }

    connect(row) {
        this.ctx.tracker.connect(row.number);
    }

    remember(number) {
        rememberedNumber = number;
    }

    open(row) {
        this.remember(row.number);
        this.ctx.navigate('ticket', { id: row.number });
    }

    /// Asks before a change that takes the ticket out of the user's queue; true to go on.
    confirmLeaving(row, change) {
        const question = row.leavingQuestion(change);
        if (!question) return Promise.resolve(true);
        const answer = confirmDialog(question);
        this.trackDialog(row.number);
        return answer;
    }

    // ----- focus and keys

    setCurrent(number) {
        if (this.currentNumber !== number) this.rows.get(this.currentNumber)?.setCurrent(false);
        this.currentNumber = number;
        this.rows.get(number)?.setCurrent(true);
    }

    focusRow(number, { fallback = false } = {}) {
        const row = this.rows.get(number);
        if (!row) {
            if (fallback) this.heading.focus();
            return;
        }
        this.setCurrent(number);
        row.tr.focus();
    }

    /// Puts the focus back on the current row when an action's dialog or a removed row
    /// left it nowhere.
    restoreFocus() {
        if (!this.section.isConnected) return;
        const active = document.activeElement;
        if (active && active !== document.body) return;
        if (document.querySelector('dialog[open]')) return;
        this.focusRow(this.currentNumber, { fallback: true });
    }

    moveFocus(row, delta) {
        const index = this.slice.indexOf(row.number) + delta;
        if (index < 0) this.turnPage(-1, 'last');
        else if (index >= this.slice.length) this.turnPage(1, 'first');
        else this.focusRow(this.slice[index]);
    }

    onKey(event) {
        if (!this.section.isConnected) return;
        const asked = keyCommand(event, this.tbody);
        if (!asked) return;
        event.preventDefault();
        if (asked.command === 'help') return this.openHelp();
        if (asked.command === 'search') return this.filterBar.focusSearch();
        const row = this.rows.get(Number(asked.tr.dataset.ticket));
        if (!row) return;
        switch (asked.command) {
            case 'down': this.moveFocus(row, 1); break;
            case 'up': this.moveFocus(row, -1); break;
            case 'first': this.focusRow(this.slice[0]); break;
            case 'last': this.focusRow(this.slice.at(-1)); break;
            case 'next-page': this.turnPage(1, 'first'); break;
            case 'prev-page': this.turnPage(-1, 'first'); break;
            case 'open': this.open(row); break;
            case 'assign': this.assignToMe(row); break;
            case 'close': this.close(row); break;
            case 'connect': this.connect(row); break;
            default: break;
        }
    }

    openHelp() {
        if (this.help?.open) return;
        this.help = showKeyHelp();
    }
}
