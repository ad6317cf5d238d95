// Admin → Organizations (#/admin/organizations): email domain → organization name
// (GET/POST /api/v1/organizations, PATCH/DELETE …/{domain}). The queue and the history show
// a requester's organization by the domain of their email, from the next read on.

import { api } from '../api.js';
import { el, replaceChildren } from '../dom.js';
import { formatNumber, t } from '../i18n.js';
import { confirmDialog, toast } from '../ui.js';
import { field, formDialog, input, notice, showFieldErrors } from './form_parts.js';

const kFoldMs = 250;

export function mount(container, ctx) {
    const page = new OrganizationsPage(container, ctx);
    page.start();
    return { update() {}, unmount: () => page.stop() };
}

class OrganizationsPage {
    constructor(container, ctx) {
        this.container = container;
        this.ctx = ctx;
        this.disposers = [];
        this.seq = 0;
        this.timer = null;
        this.organizations = [];
    }

    start() {
        this.build();
        this.disposers.push(this.ctx.onEvent((type) => {
            if (type !== 'queue-changed' && type !== 'hello') return;
            clearTimeout(this.timer);
            this.timer = setTimeout(() => this.load(), kFoldMs);
        }));
        this.load();
    }

    stop() {
        this.seq += 1;
        clearTimeout(this.timer);
        for (const dispose of this.disposers) dispose();
    }

    build() {
        this.count = el('span', { className: 'count', attrs: { id: 'organizations-count' } });
        const add = el('button', { className: 'button primary', text: t('admin.organizations.add'), attrs: { type: 'button', id: 'organizations-add' } });
        add.addEventListener('click', () => this.edit(null));
        this.problem = notice('bad');
        this.problem.element.id = 'organizations-problem';
        this.tbody = el('tbody', { attrs: { id: 'organizations-body' } });
        this.container.append(
            el('div', { className: 'section-head admin-head' },
                el('div', {}, el('div', { className: 'title-row' }, el('h1', { text: t('admin.organizations.heading') }), this.count), el('p', { className: 'muted', text: t('admin.organizations.subtitle') })),
                el('span', { className: 'spacer' }), add),
            this.problem.element,
            el('div', { className: 'card table-card' },
                el('table', { className: 'admin-table', attrs: { id: 'organizations-table' } },
                    el('caption', { className: 'visually-hidden', text: t('admin.organizations.caption') }),
                    el('thead', {}, el('tr', {}, ...['domain', 'name', 'actions'].map((c) => el('th', { text: t(`admin.organizations.column.${c}`), attrs: { scope: 'col' } })))),
                    this.tbody)));
    }

    async load() {
        const seq = ++this.seq;
        try {
            const answer = await api('GET', '/api/v1/organizations');
            if (seq !== this.seq) return;
            this.organizations = answer.organizations ?? [];
            this.render();
        } catch (error) {
            if (seq === this.seq) this.problem.set(error.message);
        }
    }

    render() {
        this.count.textContent = t('admin.organizations.count', { count: formatNumber(this.organizations.length) });
        if (this.organizations.length === 0) {
            replaceChildren(this.tbody, el('tr', {}, el('td', { className: 'empty-cell', text: t('admin.organizations.empty'), attrs: { colspan: '3' } })));
            return;
        }
        replaceChildren(this.tbody, ...this.organizations.map((o) => {
            const rename = el('button', { className: 'button', text: t('admin.organizations.rename'), attrs: { type: 'button', 'data-action': 'rename' } });
            rename.addEventListener('click', () => this.edit(o));
            const remove = el('button', { className: 'button danger-outline', text: t('admin.organizations.remove'), attrs: { type: 'button', 'data-action': 'remove' } });
            remove.addEventListener('click', () => this.remove(o));
            return el('tr', { attrs: { 'data-domain': o.domain } },
                el('td', { className: 'mono' }, el('bdi', { text: o.domain })),
                el('td', {}, el('bdi', { text: o.name })),
                el('td', { className: 'actions' }, rename, remove));
        }));
    }

    /// Adds an organization (o null) or renames one.
    async edit(o) {
        const domain = field('organization-domain', t('admin.organizations.field.domain'),
            input({ autocomplete: 'off', maxlength: '253', spellcheck: 'false', autocapitalize: 'off', placeholder: 'acme.example' }),
            { hint: t('admin.organizations.field.domain_hint') });
        const name = field('organization-name', t('admin.organizations.field.name'), input({ autocomplete: 'off', maxlength: '100' }));
        if (o) {
            domain.control.value = o.domain;
            domain.control.readOnly = true;
            name.control.value = o.name;
        }
        let saved = null;
        const done = await formDialog({
            id: 'organization-edit',
            title: o ? t('admin.organizations.rename.title', { domain: o.domain }) : t('admin.organizations.add.title'),
            fields: o ? [name, domain] : [domain, name],
            submitLabel: o ? t('admin.organizations.rename.submit') : t('admin.organizations.add.submit'),
            onSubmit: async ({ problem }) => {
                const body = { domain: domain.control.value.trim().replace(/^@/, ''), name: name.control.value.trim() };
                const domainOk = /^[^\s@/]+\.[^\s@/]+$/.test(body.domain);
                domain.setError(domainOk ? '' : t('admin.organizations.error.domain'));
                name.setError(body.name ? '' : t('admin.organizations.error.name'));
                if (!domainOk || !body.name) throw Object.assign(new Error(''), { shown: true });
                try {
                    saved = o
                        ? await api('PATCH', `/api/v1/organizations/${encodeURIComponent(o.domain)}`, { name: body.name })
                        : await api('POST', '/api/v1/organizations', body);
                } catch (error) {
                    if (error.status === 409) domain.setError(t('admin.organizations.error.taken', { domain: body.domain }));
                    else {
                        const rest = showFieldErrors({ domain, name }, error, { domain: t('admin.organizations.error.domain') });
                        problem.set(rest.length ? rest.join(' ') : error.message);
                    }
                    throw Object.assign(error, { shown: true });
                }
            },
        });
        if (done) {
            toast(t(o ? 'admin.organizations.renamed' : 'admin.organizations.added',
                { domain: saved?.domain ?? o?.domain ?? '', name: saved?.name ?? name.control.value.trim() }), { kind: 'good' });
            await this.load();
        }
    }

    async remove(o) {
        const ok = await confirmDialog({
            title: t('admin.organizations.remove.title', { domain: o.domain }),
            body: t('admin.organizations.remove.body', { name: o.name, domain: o.domain }),
            confirmLabel: t('admin.organizations.remove'),
            danger: true,
        });
        if (!ok) return;
        try {
            await api('DELETE', `/api/v1/organizations/${encodeURIComponent(o.domain)}`);
            toast(t('admin.organizations.removed', { domain: o.domain }), { kind: 'good' });
            await this.load();
        } catch (error) {
            this.problem.set(error.message);
        }
    }
}
