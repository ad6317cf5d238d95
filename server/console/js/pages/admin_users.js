// Admin → Users (#/admin/users): the team's operators and admins (GET /api/v1/users) with
// their groups, email notifications, two-factor, last sign-in and state; adding a user
// (the server makes a first password, shown once here, or emails an invitation when the
// server has an SMTP relay: GET /api/v1/email says which); editing name and role, turning
// notifications on or off, resetting the password, disabling and enabling
// (PATCH /api/v1/users/{id}, POST …/reset-password). An admin cannot disable or demote
// themselves: the server refuses (code self_disable / self_demote) and the page says why.
// The team-wide two-factor requirement is set here too (GET/PUT /api/v1/settings/two-factor):
// users without two-factor then set it up at their next sign-in before anything else.

import { api, problemCode } from '../api.js';
import { el, replaceChildren, show } from '../dom.js';
import { formatDateTime, formatNumber, t } from '../i18n.js';
import { confirmDialog, toast } from '../ui.js';
import { AdminPage, mountPage, rowButton } from './admin_page.js';
import { field, formDialog, infoDialog, input, plural, secretBox, select, showFieldErrors } from './form_parts.js';

export function mount(container, ctx) {
    return mountPage(new UsersPage(container, ctx));
}

/// The sentence for a refusal the console explains itself, or null.
export function refusalText(error) {
    const code = problemCode(error);
    const fields = (error?.problem?.errors ?? []).map((e) => e.field);
    if (code === 'self_disable' || (error?.status === 400 && fields.includes('disabled'))) return t('admin.users.self_disable');
    if (code === 'self_demote' || (error?.status === 400 && fields.includes('role') && /yourself/.test(error?.problem?.detail ?? JSON.stringify(error?.problem?.errors ?? ''))))
        return t('admin.users.self_demote');
    return null;
}

class UsersPage extends AdminPage {
    constructor(container, ctx) {
        super(container, ctx, 'users');
        this.users = [];
        this.groups = new Map();
        this.email = null;
    }

    build() {
        this.emailBanner = el('div', { className: 'notice notice-info', attrs: { id: 'users-email', role: 'status', hidden: '' } });
        this.result = el('div', { attrs: { id: 'users-result', hidden: '' } });
        this.requireBox = el('input', { attrs: { type: 'checkbox', id: 'users-require-two-factor' } });
        this.requireBox.addEventListener('change', () => this.setRequired(this.requireBox.checked));
        this.requireCard = el('section', { className: 'card team-security', attrs: { 'aria-labelledby': 'team-security-title' } },
            el('h2', { text: t('admin.users.security'), attrs: { id: 'team-security-title' } }),
            el('label', { className: 'switch', attrs: { for: 'users-require-two-factor' } }, this.requireBox, el('span', { text: t('admin.users.require_two_factor') })),
            el('p', { className: 'field-hint', attrs: { id: 'users-require-hint' } }));
        this.container.append(
            this.heading({ onAdd: () => this.addUser() }),
            this.emailBanner, this.problemNotice(), this.result,
            this.tableCard(['name', 'role', 'groups', 'notify', 'two_factor', 'last_sign_in', 'state', 'actions']),
            this.requireCard);
    }

    request() {
        return Promise.all([
            api('GET', '/api/v1/users'),
            api('GET', '/api/v1/groups'),
            api('GET', '/api/v1/email').catch(() => null),
            api('GET', '/api/v1/settings/two-factor').catch(() => null),
        ]);
    }

    receive([users, groups, email, setting]) {
        this.required = setting ? Boolean(setting.required) : null;
        this.users = users.users ?? [];
        this.groups = new Map((groups.groups ?? []).map((g) => [g.id, g.name]));
        this.email = email;
        this.render();
    }

    emailConfigured() {
        return Boolean(this.email?.configured);
    }

    render() {
        this.showCount(this.users.length);
        // Without a relay nobody gets an email: say so once, above the table.
        if (!this.emailConfigured()) {
            replaceChildren(this.emailBanner, el('p', { text: t('admin.users.email_off') }), el('p', { className: 'muted', text: t('admin.users.email_off_how') }));
            show(this.emailBanner, true);
        } else if (this.email.failing > 0) {
            replaceChildren(this.emailBanner, el('p', { text: t('admin.users.email_failing', { count: formatNumber(this.email.failing), relay: this.email.relay ?? '' }) }));
            show(this.emailBanner, true);
        } else {
            show(this.emailBanner, false);
        }
        replaceChildren(this.tbody, ...this.users.map((u) => this.row(u)));
        show(this.requireCard, this.required !== null);
        this.requireBox.checked = Boolean(this.required);
        const without = this.users.filter((u) => !u.disabled && u.two_factor === false).length;
        this.requireCard.querySelector('#users-require-hint').textContent = this.required
            ? plural('admin.users.require_on_hint', without)
            : t('admin.users.require_off_hint');
    }

    async setRequired(required) {
        if (required) {
            const me = this.users.find((u) => u.id === this.ctx.user.id);
            const ok = await confirmDialog({
                title: t('admin.users.require.title'),
                body: me && me.two_factor === false ? `${t('admin.users.require.body')} ${t('admin.users.require.you_too')}` : t('admin.users.require.body'),
                confirmLabel: t('admin.users.require.confirm'),
            });
            if (!ok) {
                this.requireBox.checked = false;
                return;
            }
        }
        this.problem.clear();
        try {
            await api('PUT', '/api/v1/settings/two-factor', { required });
            toast(required ? t('admin.users.require.on_done') : t('admin.users.require.off_done'), { kind: 'good' });
            // An admin without two-factor is now asked for it too, at once.
            const me = this.users.find((u) => u.id === this.ctx.user.id);
            if (required && me && me.two_factor === false) return this.ctx.setupDone();
        } catch (error) {
            this.problem.set(error.message);
        }
        await this.load();
    }

    row(u) {
        const me = u.id === this.ctx.user.id;
        const nameCell = el('td', { className: 'user-cell' },
            el('bdi', { className: 'user-name', text: u.name || u.email }),
            me ? el('span', { className: 'badge', text: t('admin.users.you') }) : null,
            el('div', { className: 'muted user-email' }, el('bdi', { text: u.email })));
        const groups = (u.groups ?? []).map((id) => this.groups.get(id) ?? id);
        const notify = el('input', { attrs: { type: 'checkbox', id: `user-${u.id}-notify`, 'data-action': 'notify',
                                              'aria-label': t('admin.users.notify_label', { name: u.name || u.email }) } });
        notify.checked = Boolean(u.notify_email);
        notify.addEventListener('change', () => this.patch(u, { notify_email: notify.checked }, {
            done: notify.checked ? t('admin.users.notify_on_done', { name: u.name }) : t('admin.users.notify_off_done', { name: u.name }),
            revert: () => { notify.checked = !notify.checked; },
        }));
        const notifyCell = el('td', {}, el('label', { className: 'switch' }, notify,
            el('span', { text: u.notify_email ? t('admin.users.on') : t('admin.users.off') })),
        u.email_failing ? el('div', { className: 'badge badge-bad', text: t('admin.users.email_failing_user'), title: t('admin.users.email_failing_user_title') }) : null);
        const twoFactor = u.two_factor === undefined ? '—' : (u.two_factor ? t('admin.users.on') : t('admin.users.off'));

        const toggle = u.disabled
            ? rowButton('enable', t('admin.users.enable'), () => this.setDisabled(u, false))
            : rowButton('disable', t('admin.users.disable'), () => this.setDisabled(u, true), 'button danger-outline');
        return el('tr', { className: u.disabled ? 'disabled' : '', attrs: { 'data-user': u.id, 'data-email': u.email } },
            nameCell,
            el('td', { text: t(`role.${u.role}`) }),
            el('td', { className: 'groups' }, groups.length ? el('bdi', { text: groups.join(', ') }) : el('span', { className: 'muted', text: t('admin.users.no_groups') })),
            notifyCell,
            el('td', { attrs: { 'data-column': 'two_factor' }, text: twoFactor }),
            el('td', { className: 'nowrap', text: u.last_sign_in_at ? formatDateTime(u.last_sign_in_at) : t('admin.users.never') }),
            el('td', {}, el('span', { className: `state ${u.disabled ? 'state-off' : 'state-on'}`, text: u.disabled ? t('admin.users.disabled') : t('admin.users.active') })),
            el('td', { className: 'actions' },
                rowButton('edit', t('admin.users.edit'), () => this.edit(u)),
                rowButton('reset', t('admin.users.reset'), () => this.resetPassword(u)),
                toggle));
    }

    /// PATCH and show the answer; a refusal is explained above the table.
    async patch(u, changes, { done = null, revert = null } = {}) {
        this.problem.clear();
        try {
            await api('PATCH', `/api/v1/users/${u.id}`, changes);
            if (done) toast(done, { kind: 'good' });
            await this.load();
            return true;
        } catch (error) {
            revert?.();
            this.problem.set(refusalText(error) ?? error.message);
            this.problem.element.focus?.();
            return false;
        }
    }

    async setDisabled(u, disabled) {
        if (disabled) {
            const ok = await confirmDialog({
                title: t('admin.users.disable.title', { name: u.name || u.email }),
                body: t('admin.users.disable.body'),
                confirmLabel: t('admin.users.disable'),
                danger: true,
            });
            if (!ok) return;
        }
        await this.patch(u, { disabled }, { done: disabled ? t('admin.users.disabled_done', { name: u.name }) : t('admin.users.enabled_done', { name: u.name }) });
    }

    async edit(u) {
        const name = field('user-edit-name', t('admin.users.field.name'), input({ autocomplete: 'off', maxlength: '100' }));
        name.control.value = u.name;
        const role = field('user-edit-role', t('admin.users.field.role'),
            select([['operator', t('role.operator')], ['admin', t('role.admin')]], u.role), { hint: t('admin.users.field.role_hint') });
        await formDialog({
            id: 'user-edit', title: t('admin.users.edit.title', { name: u.name || u.email }), fields: [name, role],
            submitLabel: t('admin.users.save'),
            onSubmit: async ({ problem }) => {
                const changes = {};
                if (name.control.value.trim() !== u.name) changes.name = name.control.value.trim();
                if (role.control.value !== u.role) changes.role = role.control.value;
                if (!changes.name && changes.name !== undefined) {
                    name.setError(t('admin.users.error.name'));
                    throw Object.assign(new Error(''), { shown: true });
                }
                if (Object.keys(changes).length === 0) return;
                try {
                    await api('PATCH', `/api/v1/users/${u.id}`, changes);
                } catch (error) {
                    const refusal = refusalText(error);
                    const rest = refusal ? [] : showFieldErrors({ name, role }, error);
                    problem.set(refusal ?? (rest.length ? rest.join(' ') : error.message));
                    throw Object.assign(error, { shown: true });
                }
                toast(t('admin.users.saved', { name: changes.name ?? u.name }), { kind: 'good' });
                if (u.id === this.ctx.user.id && changes.name) this.ctx.setUser({ name: changes.name });
                await this.load();
            },
        });
    }

    async resetPassword(u) {
        const ok = await confirmDialog({
            title: t('admin.users.reset.title', { name: u.name || u.email }),
            body: t('admin.users.reset.body'),
            confirmLabel: t('admin.users.reset'),
            danger: true,
        });
        if (!ok) return;
        this.problem.clear();
        try {
            const answer = await api('POST', `/api/v1/users/${u.id}/reset-password`);
            await infoDialog({
                id: 'user-password', title: t('admin.users.reset.done_title', { name: u.name || u.email }),
                body: [t('admin.users.password_once'), secretBox(answer.password, { id: 'user-password-value', label: t('admin.users.password_label') })],
            });
        } catch (error) {
            this.problem.set(error.message);
        }
    }

    async addUser() {
        const name = field('user-add-name', t('admin.users.field.name'), input({ autocomplete: 'off', maxlength: '100', required: '' }));
        const email = field('user-add-email', t('admin.users.field.email'), input({ type: 'email', autocomplete: 'off', maxlength: '254', required: '' }));
        const role = field('user-add-role', t('admin.users.field.role'),
            select([['operator', t('role.operator')], ['admin', t('role.admin')]], 'operator'), { hint: t('admin.users.field.role_hint') });
        let created = null;
        const invite = this.emailConfigured();
        const submitted = await formDialog({
            id: 'user-add', title: t('admin.users.add.title'),
            intro: invite ? t('admin.users.add.intro_invite') : t('admin.users.add.intro_password'),
            fields: [name, email, role], submitLabel: t('admin.users.add.submit'),
            onSubmit: async ({ problem }) => {
                const body = { name: name.control.value.trim(), email: email.control.value.trim(), role: role.control.value };
                let bad = false;
                name.setError(body.name ? '' : t('admin.users.error.name'));
                email.setError(/^[^\s@]+@[^\s@]+$/.test(body.email) ? '' : t('admin.users.error.email'));
                if (!body.name || !/^[^\s@]+@[^\s@]+$/.test(body.email)) bad = true;
                if (bad) throw Object.assign(new Error(''), { shown: true });
                try {
                    created = await api('POST', '/api/v1/users', body);
                } catch (error) {
                    if (error.status === 409) {
                        email.setError(t('admin.users.error.taken'));
                    } else {
                        const rest = showFieldErrors({ name, email, role }, error);
                        problem.set(rest.length ? rest.join(' ') : error.message);
                    }
                    throw Object.assign(error, { shown: true });
                }
            },
        });
        if (!submitted || !created) return;
        const user = created.user ?? created;
        this.showResult(user, created);
        await this.load();
    }

    /// What adding a user gave: the first password (once) or the invitation's news.
    showResult(user, created) {
        const close = el('button', { className: 'button', text: t('dialog.close'), attrs: { type: 'button', id: 'users-result-close' } });
        close.addEventListener('click', () => show(this.result, false));
        const parts = created.password
            ? [el('h2', { text: t('admin.users.created', { name: user.name || user.email }) }),
               el('p', { text: t('admin.users.password_once') }),
               secretBox(created.password, { id: 'users-result-password', label: t('admin.users.password_label') })]
            : [el('h2', { text: t('admin.users.created', { name: user.name || user.email }) }),
               el('p', { text: created.invitation_sent ? t('admin.users.invitation_sent', { email: user.email }) : t('admin.users.created_no_password') })];
        replaceChildren(this.result, el('div', { className: 'card result-card', attrs: { role: 'status' } }, ...parts, el('div', { className: 'result-buttons' }, close)));
        show(this.result, true);
        this.result.querySelector('input')?.focus();
    }
}
