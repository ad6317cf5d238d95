// The admin pages (#/admin/<section>): the team's users, groups, organizations, branding
// profiles and audit log, under one heading with a tab per section. Only admins see the
// "Admin" entry of the top bar; an operator who opens one of these URLs gets a page that
// says so (and the API would answer 403 `admins_only` anyway).

import { el } from '../dom.js';
import { t } from '../i18n.js';
import { kAdminSections, routeHref } from '../router.js';
import * as audit from './admin_audit.js';
import * as groups from './admin_groups.js';
import * as organizations from './admin_organizations.js';
import * as profiles from './admin_profiles.js';
import * as users from './admin_users.js';

const kSections = { users, groups, organizations, profiles, audit };

export function mount(container, ctx, route) {
    if (ctx.user.role !== 'admin') return mountAdminsOnly(container, ctx);
    const section = kAdminSections.includes(route.id) ? route.id : 'users';
    ctx.setTitle(t(`admin.${section}.heading`));
    const tabs = el('nav', { className: 'admin-tabs', attrs: { 'aria-label': t('admin.tabs') } },
        ...kAdminSections.map((name) => el('a', {
            text: t(`admin.${name}.tab`),
            attrs: { href: routeHref('admin', { id: name }), 'data-section': name, 'aria-current': name === section ? 'page' : null },
        })));
    const body = el('div', { className: 'admin-body', attrs: { id: `admin-${section}` } });
    container.append(el('section', { className: 'admin-page', attrs: { 'data-section': section } }, tabs, body));
    const instance = kSections[section].mount(body, ctx, route);
    return {
        update: (next) => instance.update?.(next),
        unmount: () => instance.unmount?.(),
    };
}

/// What an operator sees on an admin URL: what the page is, and where to go instead.
export function mountAdminsOnly(container, ctx) {
    ctx.setTitle(t('admin.only.heading'));
    container.append(el('section', { className: 'card admins-only', attrs: { id: 'admins-only', role: 'alert' } },
        el('h1', { text: t('admin.only.heading') }),
        el('p', { text: t('admin.only.body') }),
        el('p', {}, el('a', { className: 'button primary', text: t('admin.only.back'), attrs: { href: routeHref('queue') } }))));
    return { update() {}, unmount() {} };
}
