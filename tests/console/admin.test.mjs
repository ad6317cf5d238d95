// The admin pages in a real browser (issue 14, "Admin pages"): an operator on an admin URL
// gets the "admins only" page (and the API's 403 admins_only); users (add with the first
// password shown once, edit, notifications, reset password, disable/enable, the refusal to
// disable or demote oneself, the notice that email is not configured, the team-wide
// two-factor requirement); groups (the id rule, create, rename, Manage operators, delete
// with open and closed tickets and the counts of the confirmation, the refusal while a
// published profile offers the group); organizations (add, rename, remove; the queue shows
// the name); branding profiles (envelopes signed by the real helpline-brand: accepted, and
// refused with the verdict per field); the audit log (filters, pages, CSV). axe-core on
// every page; no English left on them in pt, pt_BR and it; screenshots in en, pt and it:
// console-admin-<section>-<lang>-<state>.png.
//
// Run by CTest (browser.admin), or by hand from the build folder:
//   HELPLINE_SERVER_BIN=$PWD/server/app/helpline-server HELPLINE_BRAND_BIN=$PWD/branding/tool/helpline-brand \
//   HELPLINE_SOURCE_DIR=../.. HELPLINE_QRCODE_DIR=/usr/share/javascript/qrcode-generator \
//   HELPLINE_SCREENSHOTS_DIR=$PWD/screenshots node --test-reporter=spec ../../tests/console/admin.test.mjs

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
    accessibilityViolations, addUser, call, Device, kAdminEmail, launchBrowser, openConsole, serverBinary, setMembers,
    signIn, startServer, stopAll, waitFor,
} from './support.mjs';
import { englishLeft, screenshot, signProfile } from './team_support.mjs';

const serverBin = serverBinary();
const kPassword = 'correct horse battery staple';

describe('the admin pages', () => {
    let work;
    let server;
    let browser;
    let admin;       // the admin's API token
    let adminId;
    let operator;    // {id, email}
    let page;        // the admin's console (en)
    let piaPassword; // the first password of the user the page adds

    before(async () => {
        work = await mkdtemp(path.join(os.tmpdir(), 'helpline-admin-'));
        // Many sign-ins from one address in a minute: the limit is raised for the test.
        server = await startServer({ serverBin, work, extraArgs: ['--login-limit', '1000'] });
        admin = await signIn(server.url, kAdminEmail, server.password);
        adminId = (await call(server.url, 'GET', '/api/v1/auth/me', { token: admin })).json.id;
        const created = await addUser(server.url, admin, { email: 'olga@team.example', name: 'Olga Operator', password: kPassword });
        operator = created.user ?? created;
        await setMembers(server.url, admin, 'helpdesk', [operator.id]);
        browser = await launchBrowser();
        page = await openConsole(browser, server.url, kAdminEmail, server.password, { hash: '#/admin/users' });
    });

    after(async () => {
        await browser?.close();
        await stopAll();
        if (work && !process.exitCode && !process.env.HELPLINE_KEEP_WORK) await rm(work, { recursive: true, force: true });
    });

    async function go(hash) {
        await page.goto(`${server.url}/console/${hash}`);
        await page.waitForSelector('#page:not([hidden])');
    }

    async function noSeriousViolations(target, what) {
        assert.deepEqual(await accessibilityViolations(target), [], `axe on ${what}`);
    }

    it('shows an operator a clear "admins only" page, and the API refuses with admins_only', async () => {
        const context = await browser.newContext({ locale: 'en-GB' });
        try {
            const opPage = await context.newPage();
            await opPage.goto(`${server.url}/console/#/admin/users`);
            await opPage.fill('#login-email', operator.email);
            await opPage.fill('#login-password', kPassword);
            await opPage.click('#login-submit');
            await opPage.waitForSelector('#admins-only');
            assert.match(await opPage.locator('#admins-only h1').textContent(), /This page is for admins/);
            assert.equal(await opPage.locator('#nav-admin').isVisible(), false, 'an operator sees no Admin entry');
            assert.equal(await opPage.locator('#users-table').count(), 0);
            await screenshot(opPage, 'console-admin-only-en');
            await noSeriousViolations(opPage, 'the admins-only page');
            const token = await signIn(server.url, operator.email, kPassword);
            for (const urlPath of ['/api/v1/users', '/api/v1/groups', '/api/v1/audit', '/api/v1/profiles']) {
                const r = await call(server.url, 'GET', urlPath, { token });
                assert.equal(r.status, 403, urlPath);
                assert.equal(r.json.code, 'admins_only', urlPath);
            }
        } finally {
            await context.close();
        }
        assert.equal(await page.locator('#nav-admin').isVisible(), true, 'an admin sees the Admin entry');
    });

    it('adds a user, showing the first password once with a copy button; the password works', async () => {
        await go('#/admin/users');
        await page.waitForSelector('#users-body tr[data-email="olga@team.example"]');
        // No SMTP relay: the page says notifications are off and why.
        assert.match(await page.locator('#users-email').textContent(), /no mail relay configured/);
        await page.click('#users-add');
        await page.waitForSelector('#user-add[open]');
        await page.click('#user-add [data-confirm]');
        assert.match(await page.locator('#user-add-name-error').textContent(), /Enter a name/);
        await page.fill('#user-add-name', 'Pia Novak');
        await page.fill('#user-add-email', 'pia@team.example');
        await page.click('#user-add [data-confirm]');
        await page.waitForSelector('#users-result:not([hidden])');
        const password = await page.locator('#users-result-password').inputValue();
        assert.ok(password.length >= 12, `a generated password: ${password}`);
        assert.equal(await page.locator('#users-result-password-copy').isVisible(), true);
        await page.waitForSelector('#users-body tr[data-email="pia@team.example"]');
        assert.ok(await signIn(server.url, 'pia@team.example', password));
        piaPassword = password;
        // A taken email is said by its field.
        await page.click('#users-add');
        await page.fill('#user-add-name', 'Pia Again');
        await page.fill('#user-add-email', 'PIA@team.example');
        await page.click('#user-add [data-confirm]');
        await waitFor('the taken-email message', async () => /already a user/.test(await page.locator('#user-add-email-error').textContent()));
        await screenshot(page, 'console-admin-users-en-add-taken', { fullPage: false });
        await page.click('#user-add button:has-text("Cancel")');
    });

    it('edits name and role, turns notifications on and off, disables and enables a user', async () => {
        await go('#/admin/users');
        const row = page.locator('#users-body tr[data-email="pia@team.example"]');
        await row.waitFor();
        await row.locator('[data-action="edit"]').click();
        await page.fill('#user-edit-name', 'Pia Novak-Ruiz');
        await page.selectOption('#user-edit-role', 'admin');
        await page.click('#user-edit [data-confirm]');
        const pia = async () => (await call(server.url, 'GET', '/api/v1/users', { token: admin })).json.users.find((u) => u.email === 'pia@team.example');
        await waitFor('the edit to be stored', async () => (await pia()).name === 'Pia Novak-Ruiz' && (await pia()).role === 'admin');
        await waitFor('the row to show it', async () => /Pia Novak-Ruiz/.test(await row.textContent()));

        const notify = row.locator('[data-action="notify"]');
        const before = (await pia()).notify_email;
        await notify.click();
        await waitFor('notifications to change', async () => (await pia()).notify_email === !before);
        await notify.click();
        await waitFor('notifications to change back', async () => (await pia()).notify_email === before);

        const piaToken = await signIn(server.url, 'pia@team.example', piaPassword);
        await row.locator('[data-action="disable"]').click();
        await page.waitForSelector('dialog.dialog[open]');
        assert.match(await page.locator('dialog.dialog[open]').textContent(), /signed out everywhere/);
        await page.click('dialog.dialog[open] [data-confirm]');
        await waitFor('Pia disabled', async () => (await pia()).disabled === true);
        assert.equal((await call(server.url, 'GET', '/api/v1/auth/me', { token: piaToken })).status, 401, 'disabling ends her sessions');
        await row.locator('[data-action="enable"]').waitFor();
        await row.locator('[data-action="enable"]').click();
        await waitFor('Pia enabled', async () => (await pia()).disabled === false);
    });

    it('resets a password: the new one is shown once and works, the old sessions end', async () => {
        await go('#/admin/users');
        const row = page.locator('#users-body tr[data-email="olga@team.example"]');
        await row.waitFor();
        const olgaToken = await signIn(server.url, operator.email, kPassword);
        await row.locator('[data-action="reset"]').click();
        await page.click('dialog.dialog[open] [data-confirm]');
        await page.waitForSelector('#user-password[open]');
        const fresh = await page.locator('#user-password-value').inputValue();
        await screenshot(page, 'console-admin-users-en-reset', { fullPage: false });
        await page.click('#user-password [data-close]');
        assert.equal((await call(server.url, 'GET', '/api/v1/auth/me', { token: olgaToken })).status, 401);
        assert.ok(await signIn(server.url, operator.email, fresh));
        // Back to the password the other tests use.
        const r = await call(server.url, 'PATCH', `/api/v1/users/${operator.id}`, { token: admin, body: { password: kPassword } });
        assert.equal(r.status, 200, r.text);
    });

    it('explains why an admin cannot disable or demote themselves', async () => {
        await go('#/admin/users');
        const me = page.locator(`#users-body tr[data-user="${adminId}"]`);
        await me.waitFor();
        await me.locator('[data-action="disable"]').click();
        await page.click('dialog.dialog[open] [data-confirm]');
        await waitFor('the refusal', async () => /cannot disable your own account/.test(await page.locator('#users-problem').textContent()));
        await me.locator('[data-action="edit"]').click();
        await page.selectOption('#user-edit-role', 'operator');
        await page.click('#user-edit [data-confirm]');
        await waitFor('the refusal to demote', async () => /cannot take away your own admin role/.test(await page.locator('#user-edit').textContent()));
        await screenshot(page, 'console-admin-users-en-self-demote', { fullPage: false });
        await page.click('#user-edit button:has-text("Cancel")');
        const self = (await call(server.url, 'GET', '/api/v1/users', { token: admin })).json.users.find((u) => u.id === adminId);
        assert.equal(self.role, 'admin');
        assert.equal(self.disabled, false);
    });

    it('creates, renames and staffs a group, with the id rule explained', async () => {
        await go('#/admin/groups');
        await page.waitForSelector('#groups-body tr[data-group="helpdesk"]');
        await page.click('#groups-add');
        assert.match(await page.locator('#group-add-id-hint').textContent(), /lowercase letters, digits and hyphens/);
        await page.fill('#group-add-id', 'First Line');
        await page.fill('#group-add-name', 'First line');
        await page.click('#group-add [data-confirm]');
        assert.match(await page.locator('#group-add-id-error').textContent(), /2 to 40 lowercase letters/);
        await page.fill('#group-add-id', 'first-line');
        await page.click('#group-add [data-confirm]');
        const row = page.locator('#groups-body tr[data-group="first-line"]');
        await row.waitFor();
        await row.locator('[data-action="rename"]').click();
        await page.fill('#group-rename-name', 'First-line support');
        await page.click('#group-rename [data-confirm]');
        await waitFor('the new name', async () => /First-line support/.test(await row.textContent()));
        await row.locator('[data-action="members"]').click();
        await page.check(`#member-${operator.id}`);
        await screenshot(page, 'console-admin-groups-en-members', { fullPage: false });
        await page.click('#group-members [data-confirm]');
        await waitFor('Olga in the group', async () => /Olga Operator/.test(await row.textContent()));
        const members = await call(server.url, 'GET', '/api/v1/groups/first-line/members', { token: admin });
        assert.deepEqual(members.json.user_ids, [operator.id]);
    });

    it('deletes a group after a confirmation with the counts of its open and closed tickets', async () => {
        const device = await Device.register(server.url);
        const open1 = await device.submit({ email: 'ana@acme.example', description: 'Printer', group_id: 'first-line' });
        const open2 = await device.submit({ email: 'bob@acme.example', description: 'Mail', group_id: 'first-line' });
        const closed = [];
        for (let i = 0; i < 3; i += 1) {
            const n = await device.submit({ email: 'carla@acme.example', description: `Old ${i}`, group_id: 'first-line' });
            assert.equal((await call(server.url, 'POST', `/api/v1/tickets/${n}/close`, { token: admin })).status, 200);
            closed.push(n);
        }
        await go('#/admin/groups');
        const row = page.locator('#groups-body tr[data-group="first-line"]');
        await waitFor('the counts in the list', async () => (await row.locator('[data-column="open"]').textContent()) === '2'
            && (await row.locator('[data-column="history"]').textContent()) === '3');
        await row.locator('[data-action="delete"]').click();
        const dialog = page.locator('dialog.dialog[open]');
        await dialog.waitFor();
        const text = await dialog.textContent();
        assert.match(text, /Its 2 open tickets lose their group/);
        assert.match(text, /Its 3 closed and expired tickets are deleted from the history/);
        await screenshot(page, 'console-admin-groups-en-delete', { fullPage: false });
        await dialog.locator('[data-confirm]').click();
        await row.waitFor({ state: 'detached' });
        for (const n of [open1, open2]) {
            const t = await call(server.url, 'GET', `/api/v1/tickets/${n}`, { token: admin });
            assert.equal(t.status, 200);
            assert.equal(t.json.group_id ?? t.json.group?.id ?? null, null, `#${n} has no group`);
        }
        for (const n of closed) assert.equal((await call(server.url, 'GET', `/api/v1/tickets/${n}`, { token: admin })).status, 404, `#${n} deleted`);
    });

    it('publishes a signed profile, refuses bad ones with the verdict per field, and will not delete a group it offers', async () => {
        await go('#/admin/profiles');
        await page.waitForSelector('#profile-drop');
        await screenshot(page, 'console-admin-profiles-en-empty');
        const good = await signProfile(work, { revision: 2, groups: ['helpdesk', 'billing'] });
        await page.setInputFiles('#profile-file', good);
        await waitFor('the profile published', async () => (await page.locator('#profile-verdict [data-verdict]').getAttribute('data-verdict')) === 'accepted');
        await page.waitForSelector('#profiles-body tr[data-profile="demo-support"]');
        assert.equal(await page.locator('#profiles-body tr[data-profile="demo-support"] [data-column="revision"]').textContent(), '2');

        // The same revision again: not higher.
        const same = await signProfile(work, { revision: 2, groups: ['helpdesk'] });
        await page.setInputFiles('#profile-file', same);
        await waitFor('the refusal', async () => (await page.locator('#profile-verdict [data-verdict]').getAttribute('data-verdict')) === 'refused');
        assert.match(await page.locator('#profile-verdict').textContent(), /revision is not higher/i);
        // A group the team does not have.
        const unknown = await signProfile(work, { revision: 3, groups: ['helpdesk', 'nightshift'] });
        await page.setInputFiles('#profile-file', unknown);
        await waitFor('the groups refusal', async () => /no group “nightshift”/.test(await page.locator('#profile-verdict').textContent()));
        await screenshot(page, 'console-admin-profiles-en-refused');
        // Tampered: the signature no longer matches (dropped on the page, as a file would be).
        const tampered = JSON.parse(await readFile(good, 'utf8'));
        tampered.signature = Buffer.from(Buffer.alloc(64, 7)).toString('base64');
        await page.evaluate((text) => {
            const transfer = new DataTransfer();
            transfer.items.add(new File([text], 'tampered.json', { type: 'application/json' }));
            document.getElementById('profile-drop').dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
        }, JSON.stringify({ ...tampered, revision: 3 }));
        await waitFor('the signature refusal', async () => /tampered\.json/.test(await page.locator('#profile-verdict').textContent()));
        assert.equal(await page.locator('#profile-verdict [data-verdict]').getAttribute('data-verdict'), 'refused');
        await noSeriousViolations(page, 'the profiles page');

        // billing is offered by demo-support: the group page says which profile and what to do.
        await go('#/admin/groups');
        const row = page.locator('#groups-body tr[data-group="billing"]');
        await row.waitFor();
        await row.locator('[data-action="delete"]').click();
        await page.waitForSelector('#group-offered[open]');
        const text = await page.locator('#group-offered').textContent();
        assert.match(text, /demo-support \(revision 2\)/);
        assert.match(text, /publish a new revision of the profile without this group/);
        await screenshot(page, 'console-admin-groups-en-offered', { fullPage: false });
        await page.click('#group-offered [data-close]');
        assert.equal((await call(server.url, 'GET', '/api/v1/groups/billing/members', { token: admin })).status, 200, 'billing still exists');
    });

    it('adds, renames and removes an organization; the queue shows the name', async () => {
        await go('#/admin/organizations');
        await page.waitForSelector('#organizations-body tr[data-domain="acme.example"]');
        await page.click('#organizations-add');
        await page.fill('#organization-domain', 'globex.example');
        await page.fill('#organization-name', 'Globex');
        await page.click('#organization-edit [data-confirm]');
        const row = page.locator('#organizations-body tr[data-domain="globex.example"]');
        await row.waitFor();
        await row.locator('[data-action="rename"]').click();
        await page.fill('#organization-name', 'Globex Corporation');
        await page.click('#organization-edit [data-confirm]');
        await waitFor('the new name', async () => /Globex Corporation/.test(await row.textContent()));
        const device = await Device.register(server.url);
        const n = await device.submit({ email: 'hank@globex.example', description: 'VPN is down', group_id: 'helpdesk' });
        const queued = await call(server.url, 'GET', '/api/v1/queue', { token: admin });
        assert.equal(queued.json.tickets.find((x) => x.number === n).requester.organization, 'Globex Corporation');
        await go('#/queue');
        await waitFor('the queue row with the organization', async () => /Globex Corporation/.test(await page.locator('#page').textContent()));
        await go('#/admin/organizations');
        await row.locator('[data-action="remove"]').click();
        await page.click('dialog.dialog[open] [data-confirm]');
        await row.waitFor({ state: 'detached' });
        assert.ok(!(await call(server.url, 'GET', '/api/v1/organizations', { token: admin })).json.organizations.some((o) => o.domain === 'globex.example'));
    });

    it('filters, pages and exports the audit log', async () => {
        // Enough changes of one kind for more than one page of that action.
        for (let i = 0; i < 55; i += 1) {
            const r = await call(server.url, 'PATCH', `/api/v1/users/${operator.id}`, { token: admin, body: { name: `Olga Operator ${i}` } });
            assert.equal(r.status, 200, r.text);
        }
        await go('#/admin/audit?action=user-updated');
        await waitFor('a full page', async () => (await page.locator('#audit-body tr[data-action="user-updated"]').count()) === 50);
        assert.equal(await page.locator('#audit-body tr:not([data-action="user-updated"])').count(), 0);
        assert.equal(await page.locator('#audit-older').isDisabled(), false);
        await page.click('#audit-older');
        await waitFor('the older page', async () => page.url().includes('after='));
        await waitFor('the rest', async () => (await page.locator('#audit-body tr[data-action="user-updated"]').count()) >= 5);
        await page.click('#audit-newer');
        await waitFor('back to the newest', async () => !page.url().includes('after=') && (await page.locator('#audit-body tr').count()) === 50);
        // Who: the admin's own changes.
        await page.selectOption('#audit-actor', `user:${adminId}`);
        await waitFor('the actor in the URL', async () => page.url().includes(`actor=user%3A${adminId}`));
        await page.fill('#audit-action', 'group-deleted');
        await page.dispatchEvent('#audit-action', 'change');
        await waitFor('the admin\'s group deletion', async () => (await page.locator('#audit-body tr').count()) === 1
            && (await page.locator('#audit-body tr[data-action="group-deleted"]').count()) === 1);
        assert.match(await page.locator('#audit-body tr').textContent(), /first-line/);
        await screenshot(page, 'console-admin-audit-en-filtered');
        const href = await page.locator('#audit-export').getAttribute('href');
        assert.match(href, /^\/api\/v1\/audit\/export\?actor=user%3A\d+/);
        const [download] = await Promise.all([page.waitForEvent('download'), page.click('#audit-export')]);
        const csv = await readFile(await download.path(), 'utf8');
        assert.match(csv.split('\n')[0], /action/);
        const rows = csv.trim().split('\n');
        assert.equal(rows.length, 2, `the header and the one entry the filters select:\n${csv}`);
        assert.match(rows[1], /group-deleted/);
        await noSeriousViolations(page, 'the audit page');
    });

    it('has no serious accessibility violation and no English left, and is screenshotted in en, pt and it', async () => {
        for (const [browserLanguage, lang] of [['en-GB', 'en'], ['pt-PT', 'pt'], ['pt-BR', 'pt_BR'], ['it-IT', 'it']]) {
            const p = await openConsole(browser, server.url, kAdminEmail, server.password, { language: browserLanguage, hash: '#/admin/users' });
            try {
                for (const section of ['users', 'groups', 'organizations', 'profiles', 'audit']) {
                    await p.goto(`${server.url}/console/#/admin/${section}`);
                    await p.waitForSelector(`#admin-${section} table tbody tr`);
                    await p.waitForFunction(() => !document.querySelector('.admin-body .count:empty'));
                    if (lang !== 'en') assert.deepEqual(await englishLeft(p, lang), [], `English left on ${section} in ${lang}`);
                    if (lang === 'en') await noSeriousViolations(p, `the ${section} page`);
                    if (['en', 'pt', 'it'].includes(lang)) await screenshot(p, `console-admin-${section}-${lang}`);
                }
                // The dialogs of the users page, in the language.
                await p.goto(`${server.url}/console/#/admin/users`);
                await p.waitForSelector('#users-add');
                await p.click('#users-add');
                await p.waitForSelector('#user-add[open]');
                if (lang !== 'en') assert.deepEqual(await englishLeft(p, lang), [], `English left in the add-user dialog in ${lang}`);
                if (lang === 'en') await noSeriousViolations(p, 'the add-user dialog');
                if (['en', 'pt', 'it'].includes(lang)) await screenshot(p, `console-admin-users-${lang}-add`, { fullPage: false });
                assert.deepEqual(p.consoleErrors, [], 'no script error or CSP violation');
            } finally {
                await p.context().close();
            }
        }
    });
});
