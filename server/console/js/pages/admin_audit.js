// Admin → Audit log (#/admin/audit?…): the append-only audit entries, newest first
// (GET /api/v1/audit: keyset pages, `next` is the cursor of the older page), with filters
// kept in the URL's fragment so a reload or a link shows the same entries:
//   actor=user:3 | cli | system   action=login-failed   ticket=1042
//   from=2026-11-01&to=2026-11-30  days in the browser's time zone, both included (sent as
//                                  UTC times; `to` is the midnight after the last day)
//   after=…                        the page (the API's cursor)
// Export CSV downloads every entry the filters match (GET /api/v1/audit/export).

import { api } from '../api.js';
import { el, replaceChildren, show } from '../dom.js';
import { formatDateTime, t } from '../i18n.js';
import { AdminPage, mountPage } from './admin_page.js';
import { field, input, select } from './form_parts.js';
import { localDayStart, utcTime } from './history.js';

const kLimit = 50;
const kFoldMs = 400;
const kActions = ['login', 'login-failed', 'logout', 'account-updated', 'password-changed', 'signed-out-others',
    'two-factor-enabled', 'two-factor-disabled', 'user-created', 'user-updated', 'user-password-reset', 'user-enabled',
    'user-disabled', 'password-reset', 'invitation-accepted', 'settings-changed', 'group-created', 'group-renamed',
    'group-deleted', 'group-members-set', 'organization-created', 'organization-renamed', 'organization-removed',
    'profile-published', 'device-registered', 'ticket-created', 'ticket-updated', 'ticket-closed', 'ticket-expired',
    'requested', 'accepted', 'declined', 'expired', 'cancelled', 'started', 'ended'];

export function mount(container, ctx, route) {
    return mountPage(new AuditPage(container, ctx), route);
}

/// The filters of a route, as strings.
export function auditFilters(params) {
    const get = (name) => (params.get(name) ?? '').trim();
    return { actor: get('actor'), action: get('action'), ticket: get('ticket'), from: get('from'), to: get('to'), after: get('after') };
}

/// The API's query for the filters (`paged`: with the page's limit and cursor).
export function auditQuery(filters, { paged = true } = {}) {
    const query = new URLSearchParams();
    if (filters.actor) query.set('actor', filters.actor);
    if (filters.action) query.set('action', filters.action);
    if (/^[1-9]\d{0,15}$/.test(filters.ticket)) query.set('ticket', filters.ticket);
    const from = localDayStart(filters.from);
    const to = localDayStart(filters.to, 1);
    if (from) query.set('from', utcTime(from));
    if (to) query.set('to', utcTime(to));
    if (paged) {
        query.set('limit', String(kLimit));
        if (filters.after) query.set('after', filters.after);
    }
    return query;
}

/// An entry's detail as short "name: value" pieces.
export function detailText(detail) {
    if (detail === null || detail === undefined || detail === '') return '';
    if (typeof detail !== 'object') return String(detail);
    return Object.entries(detail).map(([name, value]) => `${name}: ${typeof value === 'object' ? JSON.stringify(value) : value}`).join(' · ');
}

class AuditPage extends AdminPage {
    constructor(container, ctx) {
        super(container, ctx, 'audit', { foldMs: kFoldMs });
        this.filters = null;
        this.trail = [];
        this.users = [];
        this.answer = null;
    }

    start(route) {
        this.build();
        this.watch();
        api('GET', '/api/v1/users').then((answer) => {
            this.users = answer.users ?? [];
            this.fillActors();
            if (this.answer) this.renderRows();
        }).catch(() => {});
        this.update(route);
    }

    /// New entries belong on the newest page; older pages stay still under the reader.
    reloadsOn(type) {
        return type === 'queue-changed' && !this.filters?.after;
    }

    go(changes, { keepTrail = false } = {}) {
        const next = { ...this.filters, ...changes };
        if (!keepTrail) {
            next.after = '';
            this.trail = [];
        }
        const params = {};
        for (const [name, value] of Object.entries(next)) if (value) params[name] = value;
        this.ctx.navigate('admin', { id: 'audit', params }, { replace: true });
    }

    update(route) {
        this.filters = auditFilters(route.params);
        if (!this.filters.after) this.trail = [];
        this.showFilters();
        this.load();
    }

    build() {
        this.actor = field('audit-actor', t('admin.audit.actor'), select([['', t('admin.audit.anyone')]], ''));
        this.action = field('audit-action', t('admin.audit.action'), input({ list: 'audit-actions', autocomplete: 'off', spellcheck: 'false', placeholder: t('admin.audit.action_placeholder') }));
        this.ticket = field('audit-ticket', t('admin.audit.ticket'), input({ inputmode: 'numeric', autocomplete: 'off', placeholder: '1042' }));
        this.from = field('audit-from', t('admin.audit.from'), input({ type: 'date' }));
        this.to = field('audit-to', t('admin.audit.to'), input({ type: 'date' }), { hint: t('admin.audit.to_hint') });
        const actions = el('datalist', { attrs: { id: 'audit-actions' } }, ...kActions.map((a) => el('option', { attrs: { value: a } })));
        this.actor.control.addEventListener('change', () => this.go({ actor: this.actor.control.value }));
        this.action.control.addEventListener('change', () => this.go({ action: this.action.control.value.trim() }));
        this.ticket.control.addEventListener('change', () => this.go({ ticket: this.ticket.control.value.trim().replace(/^#/, '') }));
        this.from.control.addEventListener('change', () => this.go({ from: this.from.control.value }));
        this.to.control.addEventListener('change', () => this.go({ to: this.to.control.value }));
        const clear = el('button', { className: 'button link', text: t('admin.audit.clear'), attrs: { type: 'button', id: 'audit-clear' } });
        clear.addEventListener('click', () => this.go({ actor: '', action: '', ticket: '', from: '', to: '' }));
        const form = el('form', { className: 'card admin-filters', attrs: { id: 'audit-filters', role: 'search', 'aria-label': t('admin.audit.filters'), novalidate: '' } },
            this.actor.wrapper, this.action.wrapper, this.ticket.wrapper, this.from.wrapper, this.to.wrapper, actions,
            el('div', { className: 'form-field filter-actions' }, clear));
        form.addEventListener('submit', (event) => {
            event.preventDefault();
            this.go({ action: this.action.control.value.trim(), ticket: this.ticket.control.value.trim().replace(/^#/, '') });
        });

        this.summary = el('p', { className: 'muted', attrs: { id: 'audit-summary', 'aria-live': 'polite' } });
        this.exportLink = el('a', { className: 'button', text: t('admin.audit.export'), title: t('admin.audit.export_title'), attrs: { id: 'audit-export', download: '' } });
        this.newer = el('button', { className: 'button', text: t('admin.audit.newer'), attrs: { type: 'button', id: 'audit-newer' } });
        this.older = el('button', { className: 'button', text: t('admin.audit.older'), attrs: { type: 'button', id: 'audit-older' } });
        this.newer.addEventListener('click', () => this.go({ after: this.trail.pop() ?? '' }, { keepTrail: true }));
        this.older.addEventListener('click', () => {
            if (!this.answer?.next) return;
            this.trail.push(this.filters.after);
            this.go({ after: this.answer.next }, { keepTrail: true });
        });
        this.container.append(
            this.heading({ count: false }),
            form,
            el('div', { className: 'admin-bar' }, this.summary, this.exportLink),
            this.problemNotice(),
            this.tableCard(['at', 'actor', 'action', 'ticket', 'detail'], { className: 'admin-table audit-table' }),
            el('nav', { className: 'pager', attrs: { 'aria-label': t('admin.audit.pages') } }, this.newer, this.older));
    }

    fillActors() {
        const options = [['', t('admin.audit.anyone')],
            ...this.users.map((u) => [`user:${u.id}`, `${u.name || u.email} (${u.email})`]),
            ['cli', t('admin.audit.actor_cli')], ['system', t('admin.audit.actor_system')], ['anonymous', t('admin.audit.actor_anonymous')]];
        if (this.filters?.actor && !options.some(([value]) => value === this.filters.actor)) options.push([this.filters.actor, this.filters.actor]);
        replaceChildren(this.actor.control, ...options.map(([value, label]) => el('option', { text: label, attrs: { value } })));
        this.actor.control.value = this.filters?.actor ?? '';
    }

    showFilters() {
        const f = this.filters;
        this.fillActors();
        if (document.activeElement !== this.action.control) this.action.control.value = f.action;
        if (document.activeElement !== this.ticket.control) this.ticket.control.value = f.ticket;
        this.from.control.value = localDayStart(f.from) ? f.from : '';
        this.to.control.value = localDayStart(f.to) ? f.to : '';
        this.ticket.setError(f.ticket && !/^[1-9]\d{0,15}$/.test(f.ticket) ? t('admin.audit.error.ticket') : '');
        const from = localDayStart(f.from);
        const to = localDayStart(f.to);
        this.to.setError(from && to && from > to ? t('admin.audit.error.range') : '');
        this.exportLink.href = `/api/v1/audit/export?${auditQuery(f, { paged: false })}`;
    }

    actorLabel(actor) {
        const match = /^user:(\d+)$/.exec(actor ?? '');
        if (match) {
            const u = this.users.find((x) => x.id === Number(match[1]));
            if (u) return u.name || u.email;
        }
        if (actor === 'cli') return t('admin.audit.actor_cli');
        if (actor === 'system') return t('admin.audit.actor_system');
        if (actor === 'anonymous') return t('admin.audit.actor_anonymous');
        return actor ?? '';
    }

    load() {
        // A problem of an earlier load goes as this one starts: it is said again if it lasts.
        this.problem.clear();
        return super.load();
    }

    request() {
        return api('GET', `/api/v1/audit?${auditQuery(this.filters)}`);
    }

    receive(answer) {
        this.answer = { entries: answer.entries ?? [], next: answer.next ?? null };
        this.renderRows();
    }

    renderRows() {
        const entries = this.answer.entries;
        this.summary.textContent = entries.length === 0 ? t('admin.audit.none') : t('admin.audit.shown', { count: entries.length });
        this.showRows(entries, (e) => el('tr', { attrs: { 'data-entry': e.id, 'data-action': e.action } },
            el('td', { className: 'nowrap', text: formatDateTime(e.at) }),
            el('td', { title: e.actor }, el('bdi', { text: this.actorLabel(e.actor) })),
            el('td', { className: 'mono', text: e.action }),
            el('td', { className: 'number' }, e.ticket_number ? el('a', { text: `#${e.ticket_number}`, attrs: { href: `#/tickets/${e.ticket_number}` } }) : null),
            // The detail's names are the API's (English identifiers), not sentences of the console.
            el('td', { className: 'detail' }, el('bdi', { text: detailText(e.detail), attrs: { lang: 'en', translate: 'no' } }))));
        this.newer.disabled = !this.filters.after;
        this.older.disabled = !this.answer.next;
        show(this.newer.parentElement, Boolean(this.filters.after || this.answer.next));
    }
}
