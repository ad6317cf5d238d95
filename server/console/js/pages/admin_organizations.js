// Admin → Organizations (#/admin/organizations): email domain → organization name
// (GET/POST /api/v1/organizations, PATCH/DELETE …/{domain}). The queue and the history show
// a requester's organization by the domain of their email, from the next read on.

import { api } from '../api.js';
import { el } from '../dom.js';
import { t } from '../i18n.js';
import { confirmDialog, toast } from '../ui.js';
import { AdminPage, mountPage, rowButton } from './admin_page.js';
import { field, formDialog, input, showFieldErrors } from './form_parts.js';

export function mount(container, ctx) {
    return mountPage(new OrganizationsPage(container, ctx));
}

class OrganizationsPage extends AdminPage {
    constructor(container, ctx) {
        super(container, ctx, 'organizations');
        this.organizations = [];
    }

    build() {
        this.container.append(
            this.heading({ onAdd: () => this.edit(null) }),
            this.problemNotice(),
            this.tableCard(['domain', 'name', 'actions']));
    }

    request() {
        return api('GET', '/api/v1/organizations');
    }

    receive(answer) {
        this.organizations = answer.organizations ?? [];
        this.showCount(this.organizations.length);
        this.showRows(this.organizations, (o) => el('tr', { attrs: { 'data-domain': o.domain } },
            el('td', { className: 'mono' }, el('bdi', { text: o.domain })),
            el('td', {}, el('bdi', { text: o.name })),
            el('td', { className: 'actions' },
                rowButton('rename', t('admin.organizations.rename'), () => this.edit(o)),
                rowButton('remove', t('admin.organizations.remove'), () => this.remove(o), 'button danger-outline'))));
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
