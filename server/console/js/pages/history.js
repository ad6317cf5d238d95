// The history page (#/history?…): closed and expired tickets of the user's history view
// (GET /api/v1/history; the server decides the view: an admin sees all, an operator what
// they or their groups handled), newest close first.
//
// The filters live in the URL's fragment, so a reload or a shared link shows the same rows:
//   email=ana@acme.example   the requester (type-ahead: history_requesters.js)
//   days=today|7|30|90|365   closed today (since the browser's midnight) or in the last N days
//   from=2026-11-01&to=2026-11-30   closed between these days, both included, in the
//                            browser's own days (sent as UTC times: `to` is the midnight
//                            after the last day, since the API's `to` is exclusive)
//   limit=100                rows per page
//   after=…                  the page: the API's keyset cursor (`next` of the page before)
// Older follows `next`; Newer goes back through the cursors this page came through (kept
// in memory: after a reload, the way back is to the newest). Export CSV downloads exactly
// the rows shown (GET /api/v1/history/export with the same parameters, `after` and
// `limit` included).

import { api } from '../api.js';
import { el, replaceChildren, show } from '../dom.js';
import { priorityView, statusView } from '../format.js';
import { formatDate, formatDateTime, formatDuration, formatNumber, formatTime, t } from '../i18n.js';
import { routeHref } from '../router.js';
import { EmailCombobox } from './history_requesters.js';

const kPeriods = ['', 'today', '7', '30', '90', '365', 'range'];
const kLimits = [25, 50, 100, 250, 500, 1000];
const kDefaultLimit = 100;
const kFoldMs = 300;
const kDatePattern = /^(\d{4})-(\d{2})-(\d{2})$/;

export function mount(container, ctx, route) {
    const page = new HistoryPage(container, ctx);
    page.start(route);
    return {
        update: (next) => page.update(next),
        unmount: () => page.stop(),
    };
}

/// The local midnight that starts day `text` (YYYY-MM-DD) plus `plusDays`, or null.
export function localDayStart(text, plusDays = 0) {
    const match = kDatePattern.exec(text ?? '');
    if (!match) return null;
    const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
    const check = new Date(year, month - 1, day);
    if (check.getFullYear() !== year || check.getMonth() !== month - 1 || check.getDate() !== day) return null;
    return new Date(year, month - 1, day + plusDays);
}

/// "2026-11-25T03:00:00Z": the API's UTC time of a Date (whole seconds).
export function utcTime(date) {
    return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/// The filters of a route: {email, days, from, to, limit, after}, as strings; `days` is
/// cleared when a date range is given (the page offers one or the other).
export function filtersOf(params) {
    const get = (name) => (params.get(name) ?? '').trim();
    const filters = { email: get('email'), days: get('days'), from: get('from'), to: get('to'), limit: get('limit'), after: get('after') };
    if (filters.from || filters.to) filters.days = '';
    return filters;
}

/// What is wrong with the filters: {field: sentence}; {} when they can be sent.
export function problemsOf(filters) {
    const problems = {};
    const days = filters.days;
    if (days && days !== 'today' && !(/^\d{1,4}$/.test(days) && Number(days) >= 1 && Number(days) <= 3650))
        problems.period = t('history.error.days');
    const from = filters.from ? localDayStart(filters.from) : null;
    const to = filters.to ? localDayStart(filters.to) : null;
    if (filters.from && !from) problems.from = t('history.error.date');
    if (filters.to && !to) problems.to = t('history.error.date');
    if (from && to && from > to) problems.to = t('history.error.range', { from: formatDate(from) });
    if (filters.limit && !(/^\d{1,4}$/.test(filters.limit) && Number(filters.limit) >= 1 && Number(filters.limit) <= 1000))
        problems.limit = t('history.error.limit');
    return problems;
}

/// The API's query for the filters (GET /history and /history/export take the same).
export function apiQuery(filters, now = new Date()) {
    const query = new URLSearchParams();
    if (filters.email) query.set('email', filters.email);
    if (filters.days === 'today') query.set('from', utcTime(new Date(now.getFullYear(), now.getMonth(), now.getDate())));
    else if (filters.days) query.set('days', filters.days);
    if (filters.from) query.set('from', utcTime(localDayStart(filters.from)));
    if (filters.to) query.set('to', utcTime(localDayStart(filters.to, 1)));
    query.set('limit', filters.limit || String(kDefaultLimit));
    if (filters.after) query.set('after', filters.after);
    return query;
}

const withoutCursor = (filters) => JSON.stringify({ ...filters, after: '' });

class HistoryPage {
    constructor(container, ctx) {
        this.container = container;
        this.ctx = ctx;
        this.filters = null;
        this.key = null;       // the filters without the cursor: a new key starts at the newest page
        this.trail = [];       // the cursors of the pages before this one ('' is the newest)
        this.seq = 0;          // the newest read; older answers are dropped
        this.foldTimer = null;
        this.disposers = [];
        this.answer = null;
        this.rangeOpen = false;  // "Between dates" picked, no day picked yet
    }

    start(route) {
        this.ctx.setTitle(t('history.heading'));
        this.build();
        this.disposers.push(this.ctx.onEvent((type, data) => this.onEvent(type, data)));
        this.update(route);
    }

    stop() {
        this.seq += 1;
        clearTimeout(this.foldTimer);
        this.email.stop();
        for (const dispose of this.disposers) dispose();
        this.disposers = [];
    }

    onEvent(type, data) {
        // A ticket closed or expired just now belongs at the top of the newest page; older
        // pages stay as they are (their rows do not move under the reader).
        const closedNow = type === 'ticket-changed' && data.ticket && data.ticket.status !== 'open';
        if ((closedNow && !this.filters?.after) || type === 'hello' || type === 'queue-changed') {
            if (this.foldTimer !== null) return;
            this.foldTimer = setTimeout(() => {
                this.foldTimer = null;
                this.load();
            }, kFoldMs);
        }
    }

    /// Writes the filters to the URL; the page follows through update().
    go(changes, { keepTrail = false } = {}) {
        const next = { ...this.filters, ...changes };
        if (!keepTrail) next.after = '';
        const params = {};
        for (const name of ['email', 'days', 'from', 'to', 'limit', 'after']) if (next[name]) params[name] = next[name];
        this.ctx.navigate('history', { params }, { replace: true });
    }

    update(route) {
        const filters = filtersOf(route.params);
        const key = withoutCursor(filters);
        if (key !== this.key) this.trail = [];
        if (!filters.after) this.trail = [];
        this.key = key;
        this.filters = filters;
        this.showFilters();
        this.load();
    }

    // --- the form ------------------------------------------------------------------------

    build() {
        const field = (id, labelKey, control, { hint = null } = {}) => {
            const error = el('p', { className: 'field-error', attrs: { id: `${id}-error`, hidden: '' } });
            const label = el('label', { text: t(labelKey), attrs: { for: id } });
            const wrapper = el('div', { className: `filter filter-${id.replace('history-', '')}` }, label, control,
                hint ? el('p', { className: 'filter-hint', text: hint, attrs: { id: `${id}-hint` } }) : null, error);
            return { wrapper, error };
        };

        this.email = new EmailCombobox({ id: 'history-email', onCommit: (email) => this.go({ email }) });

        this.period = el('select', { className: 'select', attrs: { id: 'history-period' } });
        this.period.addEventListener('change', () => {
            const value = this.period.value;
            if (value === 'range') {
                // The two days start empty (no limit) and count once picked.
                this.rangeOpen = true;
                this.go({ days: '', from: '', to: '' });
                this.fromInput.focus();
                return;
            }
            this.rangeOpen = false;
            this.go({ days: value, from: '', to: '' });
        });
        this.fromInput = el('input', { className: 'input', attrs: { id: 'history-from', type: 'date' } });
        this.toInput = el('input', { className: 'input', attrs: { id: 'history-to', type: 'date', 'aria-describedby': 'history-to-hint' } });
        for (const input of [this.fromInput, this.toInput])
            input.addEventListener('change', () => this.go({ days: '', from: this.fromInput.value, to: this.toInput.value }));
        this.limit = el('select', { className: 'select', attrs: { id: 'history-limit' } });
        this.limit.addEventListener('change', () => this.go({ limit: this.limit.value === String(kDefaultLimit) ? '' : this.limit.value }));

        const clear = el('button', { className: 'button link', text: t('history.clear'), attrs: { type: 'button', id: 'history-clear' } });
        clear.addEventListener('click', () => this.clearFilters());

        this.fields = {
            email: field('history-email', 'history.email', this.email.element),
            period: field('history-period', 'history.period', this.period),
            from: field('history-from', 'history.from', this.fromInput),
            to: field('history-to', 'history.to', this.toInput, { hint: t('history.to.hint') }),
            limit: field('history-limit', 'history.limit', this.limit),
        };
        const form = el('form', { className: 'card history-filters', attrs: { id: 'history-filters', role: 'search', 'aria-label': t('history.filters'), novalidate: '' } },
            this.fields.email.wrapper, this.fields.period.wrapper, this.fields.from.wrapper, this.fields.to.wrapper,
            this.fields.limit.wrapper, el('div', { className: 'filter filter-actions' }, clear));
        form.addEventListener('submit', (event) => event.preventDefault());

        this.summary = el('p', { className: 'history-summary', attrs: { id: 'history-summary', 'aria-live': 'polite' } });
        this.exportLink = el('a', { className: 'button', text: t('history.export'), title: t('history.export.title'),
                                    attrs: { id: 'history-export', download: '' } });
        this.problem = el('div', { className: 'history-problem', attrs: { id: 'history-problem', hidden: '' } });
        this.bar = el('div', { className: 'history-bar' }, this.summary, this.exportLink);

        this.tbody = el('tbody', { attrs: { id: 'history-body' } });
        const columns = ['number', 'requester', 'subject', 'group', 'operator', 'priority', 'created', 'closed', 'time_to_close'];
        this.table = el('table', { className: 'history', attrs: { id: 'history-table' } },
            el('caption', { className: 'visually-hidden', text: t('history.caption') }),
            el('thead', {}, el('tr', {}, ...columns.map((c) => el('th', { text: t(`history.column.${c}`), attrs: { scope: 'col', 'data-column': c } })))),
            this.tbody);
        this.empty = el('div', { className: 'empty', attrs: { id: 'history-empty', hidden: '' } });
        this.tableCard = el('div', { className: 'card table-card history-card' }, this.table, this.empty);

        this.newer = el('button', { className: 'button', text: t('history.newer'), attrs: { type: 'button', id: 'history-newer' } });
        this.older = el('button', { className: 'button', text: t('history.older'), attrs: { type: 'button', id: 'history-older' } });
        this.newer.addEventListener('click', () => {
            const previous = this.trail.pop() ?? '';
            this.go({ after: previous }, { keepTrail: true });
        });
        this.older.addEventListener('click', () => {
            if (!this.answer?.next) return;
            this.trail.push(this.filters.after);
            this.go({ after: this.answer.next }, { keepTrail: true });
        });
        this.pager = el('nav', { className: 'pager', attrs: { 'aria-label': t('history.pages') } }, this.newer, this.older);

        const subtitle = this.ctx.user.role === 'admin' ? t('history.subtitle.admin') : t('history.subtitle.operator');
        this.root = el('section', { className: 'history-page', attrs: { id: 'history-view', 'data-state': 'loading' } },
            el('div', { className: 'section-head history-head' },
                el('div', {}, el('h1', { text: t('history.heading') }), el('p', { className: 'muted history-subtitle', text: subtitle }))),
            form,
            this.bar,
            this.problem,
            this.tableCard,
            this.pager);
        this.container.append(this.root);
    }

    /// Puts the filters of the URL in the form, with a message by each field that is wrong.
    showFilters() {
        const f = this.filters;
        this.email.set(f.email);

        const periods = [...kPeriods];
        if (f.days && !periods.includes(f.days) && !problemsOf({ days: f.days }).period) periods.splice(periods.length - 1, 0, f.days);
        replaceChildren(this.period, ...periods.map((p) => el('option', { text: periodLabel(p), attrs: { value: p } })));
        if (f.days) this.rangeOpen = false;
        const range = Boolean(f.from || f.to) || this.rangeOpen;
        this.period.value = range ? 'range' : (periods.includes(f.days) ? f.days : '');
        if (document.activeElement !== this.fromInput) this.fromInput.value = localDayStart(f.from) ? f.from : '';
        if (document.activeElement !== this.toInput) this.toInput.value = localDayStart(f.to) ? f.to : '';
        show(this.fields.from.wrapper, range);
        show(this.fields.to.wrapper, range);

        const limits = kLimits.map(String);
        if (f.limit && !limits.includes(f.limit) && !problemsOf({ limit: f.limit }).limit) limits.push(f.limit);
        replaceChildren(this.limit, ...limits.sort((a, b) => a - b).map((l) => el('option', { text: formatNumber(Number(l)), attrs: { value: l } })));
        this.limit.value = f.limit && limits.includes(f.limit) ? f.limit : String(kDefaultLimit);

        this.showProblems(problemsOf(f));
    }

    /// Shows each sentence by its field (aria-invalid, aria-describedby); {} clears them.
    showProblems(problems) {
        const controls = { email: this.email.input, period: this.period, from: this.fromInput, to: this.toInput, limit: this.limit };
        for (const [name, { error }] of Object.entries(this.fields)) {
            const text = problems[name] ?? '';
            error.textContent = text;
            show(error, Boolean(text));
            error.setAttribute('role', text ? 'alert' : 'none');
            const control = controls[name];
            const described = [name === 'to' ? 'history-to-hint' : '', text ? error.id : ''].filter(Boolean).join(' ');
            if (described) control.setAttribute('aria-describedby', described);
            else control.removeAttribute('aria-describedby');
            if (text) control.setAttribute('aria-invalid', 'true');
            else control.removeAttribute('aria-invalid');
        }
    }

    // --- the rows ------------------------------------------------------------------------

    async load() {
        const seq = ++this.seq;
        const filters = this.filters;
        const problems = problemsOf(filters);
        if (Object.keys(problems).length) {
            this.answer = null;
            this.setState('invalid');
            this.summary.textContent = t('history.invalid');
            this.showRows(null);
            return;
        }
        this.tableCard.setAttribute('aria-busy', 'true');
        if (this.root.dataset.state !== 'shown' && this.root.dataset.state !== 'empty') this.summary.textContent = t('history.loading');
        const query = apiQuery(filters);
        let answer;
        try {
            answer = await api('GET', `/api/v1/history?${query}`);
        } catch (error) {
            if (seq !== this.seq) return;
            this.tableCard.removeAttribute('aria-busy');
            this.failed(error);
            return;
        }
        if (seq !== this.seq) return;
        this.tableCard.removeAttribute('aria-busy');
        this.answer = { tickets: answer?.tickets ?? [], next: answer?.next ?? null };
        this.showProblems({});
        show(this.problem, false);
        this.exportLink.setAttribute('href', `/api/v1/history/export?${query}`);
        this.showRows(this.answer);
    }

    failed(error) {
        this.answer = null;
        const fields = (error.problem?.errors ?? []).map((e) => e.field);
        if (error.status === 400 && fields.includes('after')) {
            // A cursor from another version, or edited by hand: start again at the newest.
            this.setState('failed');
            this.showRows(null);
            const restart = el('button', { className: 'button', text: t('history.restart'), attrs: { type: 'button' } });
            restart.addEventListener('click', () => this.go({ after: '' }));
            replaceChildren(this.problem, el('p', { className: 'error', text: t('history.error.cursor'), attrs: { role: 'alert' } }), restart);
            show(this.problem, true);
            this.summary.textContent = '';
            return;
        }
        const byField = {};
        for (const name of fields) {
            const mapped = { days: 'period', email: 'email', from: 'from', to: 'to', limit: 'limit' }[name];
            if (mapped) byField[mapped] = t(`history.error.server.${mapped}`);
        }
        if (error.status === 400 && Object.keys(byField).length) {
            this.showProblems(byField);
            this.setState('invalid');
            this.summary.textContent = t('history.invalid');
            this.showRows(null);
            return;
        }
        this.setState('failed');
        this.showRows(null);
        const retry = el('button', { className: 'button', text: t('history.retry'), attrs: { type: 'button' } });
        retry.addEventListener('click', () => this.load());
        replaceChildren(this.problem, el('p', { className: 'error', text: error.message, attrs: { role: 'alert' } }), retry);
        show(this.problem, true);
        this.summary.textContent = '';
    }

    clearFilters() {
        this.rangeOpen = false;
        this.go({ email: '', days: '', from: '', to: '' });
    }

    setState(state) {
        this.root.dataset.state = state;
    }

    showRows(answer) {
        const tickets = answer?.tickets ?? [];
        show(this.bar, true);
        replaceChildren(this.tbody, ...tickets.map((ticket) => row(ticket)));
        show(this.table, tickets.length > 0);
        show(this.exportLink, tickets.length > 0);
        const firstPage = !this.filters.after;
        this.newer.hidden = firstPage;
        this.newer.textContent = this.trail.length === 0 && !firstPage ? t('history.newest') : t('history.newer');
        this.older.hidden = !answer?.next;
        this.pager.hidden = this.newer.hidden && this.older.hidden;
        show(this.tableCard, Boolean(answer));
        if (!answer) {
            show(this.empty, false);
            return;
        }
        if (tickets.length === 0) {
            this.setState('empty');
            this.summary.textContent = '';
            show(this.bar, false);
            this.showEmpty();
            return;
        }
        this.setState('shown');
        show(this.empty, false);
        this.summary.textContent = this.summaryText(tickets.length, answer.next);
    }

    summaryText(count, next) {
        const limit = Number(this.filters.limit || kDefaultLimit);
        const firstPage = !this.filters.after;
        if (firstPage && !next) return count === 1 ? t('history.summary.one') : t('history.summary.all', { count: formatNumber(count) });
        // Where this page starts is known when the page came here from the newest one.
        if (firstPage || this.trail.length > 0) {
            const first = this.trail.length * limit + 1;
            return t('history.summary.range', { first: formatNumber(first), last: formatNumber(first + count - 1) });
        }
        return t('history.summary.page', { count: formatNumber(count) });
    }

    showEmpty() {
        const f = this.filters;
        const filtered = Boolean(f.email || f.days || f.from || f.to);
        const children = [el('p', { className: 'empty-title', text: filtered ? t('history.empty.filtered') : t('history.empty') }),
            el('p', { className: 'muted', text: filtered ? t('history.empty.filtered.detail') : t('history.empty.detail') })];
        if (filtered) {
            const widen = el('button', { className: 'button', text: t('history.clear'), attrs: { type: 'button', id: 'history-empty-clear' } });
            widen.addEventListener('click', () => this.clearFilters());
            children.push(el('p', {}, widen));
        }
        replaceChildren(this.empty, ...children);
        show(this.empty, true);
    }
}

function periodLabel(value) {
    if (value === '') return t('history.period.any');
    if (value === 'today' || value === 'range') return t(`history.period.${value}`);
    return t('history.period.days', { days: formatNumber(Number(value)) });
}

function row(ticket) {
    const requester = ticket.requester ?? {};
    const priority = priorityView(ticket.priority);
    const status = statusView(ticket.status);
    const seconds = ticket.time_to_close_s ?? (ticket.closed_at ? (Date.parse(ticket.closed_at) - Date.parse(ticket.created_at)) / 1000 : NaN);
    // Day and time on two lines; the whole time on hover.
    const time = (value) => (value ? el('time', { title: formatDateTime(value), attrs: { datetime: value } },
        el('span', { className: 'date', text: formatDate(value) }), ' ', el('span', { className: 'time', text: formatTime(value) })) : null);
    return el('tr', { attrs: { 'data-ticket': ticket.number } },
        el('td', { className: 'number' }, el('a', { text: t('ticket.number', { number: ticket.number }),
                                                    attrs: { href: routeHref('ticket', { id: ticket.number }) } })),
        el('td', { className: 'requester' },
            el('bdi', { className: 'email', text: requester.email ?? '' }),
            requester.organization ? el('bdi', { className: 'organization', text: requester.organization }) : null),
        el('td', { className: 'subject' }, el('bdi', { text: ticket.subject ?? '', title: ticket.subject || undefined })),
        ticket.group ? el('td', { className: 'group', text: ticket.group.name }) : el('td', { className: 'group muted', text: t('no_group') }),
        ticket.operator ? el('td', { className: 'operator', text: ticket.operator.name }) : el('td', { className: 'operator muted', text: t('unassigned') }),
        el('td', {}, el('span', { className: priority.className, text: priority.label })),
        el('td', { className: 'when' }, time(ticket.created_at)),
        el('td', { className: 'when closed' }, el('span', { className: status.className, text: status.label }), ' ', time(ticket.closed_at)),
        el('td', { className: 'duration', text: Number.isFinite(seconds) ? formatDuration(seconds) : '' }));
}
