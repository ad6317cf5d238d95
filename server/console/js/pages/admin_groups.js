// Admin → Groups (#/admin/groups): the team's groups (GET /api/v1/groups) with their
// operators, open and history tickets and the branding profiles that offer them to
// customers, kept current as tickets arrive and close. Create (id and name: the id is
// fixed once made, since profiles and tickets name the group by it), rename, delete and
// Manage operators (PUT …/members).
//
// Deleting asks GET /api/v1/groups/{id}/deletion first, so the confirmation says what will
// happen with the real counts: the open tickets become unassigned, the closed and expired
// ones are deleted from the history. A group that a published profile still offers cannot
// be deleted (customers' apps would offer a group that no longer exists): the page names
// the profile and says what to do instead of asking.

import { api, problemCode } from '../api.js';
import { el } from '../dom.js';
import { formatNumber, t } from '../i18n.js';
import { confirmDialog, toast } from '../ui.js';
import { AdminPage, mountPage, rowButton } from './admin_page.js';
import { field, formDialog, infoDialog, input, plural, showFieldErrors } from './form_parts.js';

export const kGroupIdPattern = /^[a-z0-9-]{2,40}$/;

export function mount(container, ctx) {
    return mountPage(new GroupsPage(container, ctx));
}

/// The sentences that tell an admin why a group cannot be deleted and what to do.
export function offeredText(offeredBy) {
    const profiles = offeredBy.map((p) => (typeof p === 'string' ? p : t('admin.groups.profile_revision', { id: p.id, revision: p.revision })));
    return [plural('admin.groups.offered', profiles.length, { profiles: profiles.join(', ') }), t('admin.groups.offered_how')];
}

class GroupsPage extends AdminPage {
    constructor(container, ctx) {
        super(container, ctx, 'groups');
        this.groups = [];
        this.users = [];
    }

    build() {
        this.container.append(
            this.heading({ onAdd: () => this.create() }),
            this.problemNotice(),
            this.tableCard(['name', 'operators', 'open', 'history', 'offered_by', 'actions']));
    }

    /// The open and history counts move with every ticket submitted, closed or moved.
    reloadsOn(type) {
        return super.reloadsOn(type) || type === 'ticket-changed';
    }

    request() {
        return Promise.all([api('GET', '/api/v1/groups'), api('GET', '/api/v1/users')]);
    }

    receive([groups, users]) {
        this.groups = groups.groups ?? [];
        this.users = users.users ?? [];
        this.showCount(this.groups.length);
        this.showRows(this.groups, (g) => this.row(g));
    }

    userName(id) {
        const u = this.users.find((x) => x.id === id);
        return u ? (u.name || u.email) : `#${id}`;
    }

    row(g) {
        const members = (g.members ?? []).map((id) => this.userName(id));
        const offered = (g.offered_by ?? []).map((p) => (typeof p === 'string' ? p : p.id));
        return el('tr', { attrs: { 'data-group': g.id } },
            el('td', {}, el('bdi', { className: 'group-name', text: g.name }), el('div', { className: 'muted mono', text: g.id })),
            el('td', { className: 'groups' }, members.length ? el('bdi', { text: members.join(', ') }) : el('span', { className: 'muted', text: t('admin.groups.no_operators') })),
            el('td', { className: 'number', attrs: { 'data-column': 'open' }, text: g.open_tickets === undefined ? '—' : formatNumber(g.open_tickets) }),
            el('td', { className: 'number', attrs: { 'data-column': 'history' }, text: g.history_tickets === undefined ? '—' : formatNumber(g.history_tickets) }),
            el('td', {}, offered.length ? el('bdi', { text: offered.join(', ') }) : el('span', { className: 'muted', text: t('admin.groups.not_offered') })),
            el('td', { className: 'actions' },
                rowButton('members', t('admin.groups.members'), () => this.manageMembers(g)),
                rowButton('rename', t('admin.groups.rename'), () => this.rename(g)),
                rowButton('delete', t('admin.groups.delete'), () => this.remove(g), 'button danger-outline')));
    }

    async create() {
        const id = field('group-add-id', t('admin.groups.field.id'), input({ autocomplete: 'off', maxlength: '40', spellcheck: 'false', autocapitalize: 'off' }),
            { hint: t('admin.groups.field.id_hint') });
        const name = field('group-add-name', t('admin.groups.field.name'), input({ autocomplete: 'off', maxlength: '100' }));
        let created = null;
        await formDialog({
            id: 'group-add', title: t('admin.groups.add.title'), fields: [id, name], submitLabel: t('admin.groups.add.submit'),
            onSubmit: async ({ problem }) => {
                const body = { id: id.control.value.trim(), name: name.control.value.trim() };
                id.setError(kGroupIdPattern.test(body.id) ? '' : t('admin.groups.error.id'));
                name.setError(body.name ? '' : t('admin.groups.error.name'));
                if (!kGroupIdPattern.test(body.id) || !body.name) throw Object.assign(new Error(''), { shown: true });
                try {
                    created = await api('POST', '/api/v1/groups', body);
                } catch (error) {
                    if (error.status === 409) id.setError(t('admin.groups.error.taken', { id: body.id }));
                    else {
                        const rest = showFieldErrors({ id, name }, error, { id: t('admin.groups.error.id') });
                        problem.set(rest.length ? rest.join(' ') : error.message);
                    }
                    throw Object.assign(error, { shown: true });
                }
            },
        });
        if (created) {
            toast(t('admin.groups.created', { name: created.name ?? '' }), { kind: 'good' });
            await this.load();
        }
    }

    async rename(g) {
        const name = field('group-rename-name', t('admin.groups.field.name'), input({ autocomplete: 'off', maxlength: '100' }));
        name.control.value = g.name;
        const done = await formDialog({
            id: 'group-rename', title: t('admin.groups.rename.title', { name: g.name }), fields: [name], submitLabel: t('admin.groups.rename.submit'),
            onSubmit: async ({ problem }) => {
                const value = name.control.value.trim();
                name.setError(value ? '' : t('admin.groups.error.name'));
                if (!value) throw Object.assign(new Error(''), { shown: true });
                try {
                    await api('PATCH', `/api/v1/groups/${encodeURIComponent(g.id)}`, { name: value });
                } catch (error) {
                    const rest = showFieldErrors({ name }, error);
                    problem.set(rest.length ? rest.join(' ') : error.message);
                    throw Object.assign(error, { shown: true });
                }
            },
        });
        if (done) {
            toast(t('admin.groups.renamed', { name: name.control.value.trim() }), { kind: 'good' });
            await this.load();
        }
    }

    async manageMembers(g) {
        const active = this.users.filter((u) => !u.disabled);
        const chosen = new Set(g.members ?? []);
        const boxes = active.map((u) => {
            const box = el('input', { attrs: { type: 'checkbox', id: `member-${u.id}`, value: u.id, 'data-email': u.email } });
            box.checked = chosen.has(u.id);
            return el('li', {}, box, el('label', { attrs: { for: `member-${u.id}` } },
                el('bdi', { text: u.name || u.email }), el('span', { className: 'muted', text: ` — ${t(`role.${u.role}`)}` })));
        });
        const list = el('ul', { className: 'member-list', attrs: { id: 'members-list' } }, ...boxes);
        const wrapper = el('fieldset', { className: 'form-field' }, el('legend', { text: t('admin.groups.members.legend', { name: g.name }) }), list);
        const done = await formDialog({
            id: 'group-members', title: t('admin.groups.members.title', { name: g.name }),
            intro: t('admin.groups.members.intro'),
            fields: [{ wrapper, control: list.querySelector('input') ?? undefined, setError() {} }],
            submitLabel: t('admin.groups.members.submit'),
            onSubmit: async () => {
                const ids = [...list.querySelectorAll('input:checked')].map((box) => Number(box.value));
                // Disabled users stay members until removed here: they are not listed, so keep them.
                const kept = (g.members ?? []).filter((id) => !active.some((u) => u.id === id));
                await api('PUT', `/api/v1/groups/${encodeURIComponent(g.id)}/members`, { user_ids: [...kept, ...ids] });
            },
        });
        if (done) {
            toast(t('admin.groups.members.saved', { name: g.name }), { kind: 'good' });
            await this.load();
        }
    }

    async remove(g) {
        this.problem.clear();
        let preview;
        try {
            preview = await api('GET', `/api/v1/groups/${encodeURIComponent(g.id)}/deletion`);
        } catch (error) {
            if (error.status !== 404 || !this.groups.some((x) => x.id === g.id)) return this.problem.set(error.message);
            // A server without the preview: the counts of the list.
            preview = { open_tickets: g.open_tickets ?? 0, history_tickets: g.history_tickets ?? 0, offered_by: g.offered_by ?? [] };
        }
        if ((preview.offered_by ?? []).length > 0) {
            await infoDialog({ id: 'group-offered', title: t('admin.groups.offered.title', { name: g.name }), body: offeredText(preview.offered_by) });
            return;
        }
        const ok = await confirmDialog({
            title: t('admin.groups.delete.title', { name: g.name }),
            body: [
                plural('admin.groups.delete.open', preview.open_tickets ?? 0),
                plural('admin.groups.delete.history', preview.history_tickets ?? 0),
                t('admin.groups.delete.members'),
            ].join(' '),
            confirmLabel: t('admin.groups.delete.confirm'),
            danger: true,
        });
        if (!ok) return;
        try {
            const answer = await api('DELETE', `/api/v1/groups/${encodeURIComponent(g.id)}`);
            const unassigned = answer?.unassigned ?? preview.open_tickets ?? 0;
            const deleted = answer?.deleted_history ?? preview.history_tickets ?? 0;
            toast(t('admin.groups.deleted', { name: g.name, unassigned: formatNumber(unassigned), deleted: formatNumber(deleted) }), { kind: 'good' });
            await this.load();
        } catch (error) {
            if (problemCode(error) === 'group_offered' || error.status === 409) {
                const offered = error.problem?.offered_by ?? error.problem?.profiles ?? [];
                await infoDialog({ id: 'group-offered', title: t('admin.groups.offered.title', { name: g.name }),
                                   body: offered.length ? offeredText(offered) : [error.problem?.detail ?? error.message, t('admin.groups.offered_how')] });
            } else {
                this.problem.set(error.message);
            }
        }
    }
}
