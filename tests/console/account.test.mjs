// The account page, two-factor sign-in and invitations in a real browser (issue 14,
// "Operator accounts"): changing the password (the rules, a common password refused, the
// other sessions ended), notifications and the language kept on the server, the sessions
// list with "Sign out everywhere else"; the whole two-factor journey with codes computed
// here (RFC 6238): setup with the QR code drawn in the page, a wrong code, the recovery
// codes shown once, sign-in with a code, the same code refused again, a recovery code, a
// used recovery code refused, turning it off; the team-wide requirement (the forced setup
// before anything else); the invitation page with a real SMTP server (aiosmtpd). axe-core
// on every page, no English left in pt/pt_BR/it, screenshots in en, pt and it:
// console-account-<lang>-<state>.png, console-signin-<lang>-two-factor.png, console-invite-….
//
// Run by CTest (browser.account), or by hand from the build folder:
//   HELPLINE_SERVER_BIN=$PWD/server/app/helpline-server HELPLINE_QRCODE_DIR=/usr/share/javascript/qrcode-generator \
//   HELPLINE_SCREENSHOTS_DIR=$PWD/screenshots node --test-reporter=spec ../../tests/console/account.test.mjs

import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
    accessibilityViolations, addUser, call, Device, kAdminEmail, launchBrowser, openConsole, serverBinary, setMembers,
    signIn, startServer, stopAll, waitFor,
} from './support.mjs';
import { englishLeft, freshStep, nextStep, screenshot, startSmtp, totp } from './team_support.mjs';

const serverBin = serverBinary();
const kPassword = 'correct horse battery staple';
const kLanguages = [['en-GB', 'en'], ['pt-PT', 'pt'], ['pt-BR', 'pt_BR'], ['it-IT', 'it']];

/// A browser context on the sign-in page (not signed in yet).
async function signInPage(browser, url, { language = 'en-GB', hash = '' } = {}) {
    const context = await browser.newContext({ locale: language, viewport: { width: 1366, height: 800 }, acceptDownloads: true });
    const page = await context.newPage();
    page.consoleErrors = [];
    page.on('pageerror', (error) => page.consoleErrors.push(error.message));
    page.on('console', (m) => {
        if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) page.consoleErrors.push(m.text());
    });
    await page.goto(`${url}/console/${hash}`);
    return page;
}

async function typePassword(page, email, password) {
    await page.waitForSelector('#login-form', { state: 'visible' });
    await page.fill('#login-email', email);
    await page.fill('#login-password', password);
    await page.click('#login-submit');
}

describe('the account page and two-factor sign-in', () => {
    let work;
    let server;
    let browser;
    let admin;

    before(async () => {
        work = await mkdtemp(path.join(os.tmpdir(), 'helpline-account-'));
        server = await startServer({ serverBin, work, extraArgs: ['--login-limit', '1000'] });
        admin = await signIn(server.url, kAdminEmail, server.password);
        await addUser(server.url, admin, { email: 'olga@team.example', name: 'Olga Operator', password: kPassword });
        await addUser(server.url, admin, { email: 'tom@team.example', name: 'Tom Two', password: kPassword });
        await addUser(server.url, admin, { email: 'nina@team.example', name: 'Nina New', password: kPassword });
        browser = await launchBrowser();
    });

    after(async () => {
        await browser?.close();
        await stopAll();
        if (work && !process.exitCode && !process.env.HELPLINE_KEEP_WORK) await rm(work, { recursive: true, force: true });
    });

    it('changes the password with the rules shown, and ends the other sessions', async () => {
        const other = await signIn(server.url, 'olga@team.example', kPassword);
        const page = await openConsole(browser, server.url, 'olga@team.example', kPassword, { hash: '#/account' });
        try {
            await page.waitForSelector('#account-password');
            assert.match(await page.locator('#account-password-new-hint').textContent(), /At least 12 characters/);
            await page.fill('#account-password-current', kPassword);
            await page.fill('#account-password-new', 'short one');
            await page.fill('#account-password-again', 'short one');
            await page.click('#account-password-submit');
            assert.match(await page.locator('#account-password-new-error').textContent(), /at least 12 characters/);
            // Long enough but one of the common passwords: the server refuses it.
            await page.fill('#account-password-new', 'Unbelievable');
            await page.fill('#account-password-again', 'Unbelievable');
            await page.click('#account-password-submit');
            await waitFor('the refusal of a common password', async () => /too easy to guess/.test(await page.locator('#account-password-new-error').textContent()));
            // A wrong current password.
            await page.fill('#account-password-current', 'not my password at all');
            await page.fill('#account-password-new', 'violet harbour engine 42');
            await page.fill('#account-password-again', 'violet harbour engine 42');
            await page.click('#account-password-submit');
            await waitFor('the wrong current password', async () => /not your current password/.test(await page.locator('#account-password-current-error').textContent()));
            await screenshot(page, 'console-account-en-password-errors');
            await page.fill('#account-password-current', kPassword);
            await page.click('#account-password-submit');
            await waitFor('the new password', async () => /password is changed/.test(await page.locator('#toasts').textContent()));
            assert.equal((await call(server.url, 'GET', '/api/v1/auth/me', { token: other })).status, 401, 'the other session ended');
            assert.equal((await call(server.url, 'GET', '/api/v1/auth/me')).status, 401);
            assert.ok(await signIn(server.url, 'olga@team.example', 'violet harbour engine 42'));
            // This session goes on.
            await page.reload();
            await page.waitForSelector('#account-password');
            assert.deepEqual(page.consoleErrors, []);
        } finally {
            await page.context().close();
        }
    });

    it('keeps notifications and the language on the server, lists the sessions and signs out the others', async () => {
        const other = await signIn(server.url, 'tom@team.example', kPassword);
        const page = await openConsole(browser, server.url, 'tom@team.example', kPassword, { hash: '#/account' });
        try {
            const account = async () => (await call(server.url, 'GET', '/api/v1/account', { token: other })).json;
            await page.waitForSelector('#account-sessions-table');
            assert.equal(await page.locator('#account-sessions-table tbody tr').count(), 2);
            assert.equal(await page.locator('#account-sessions-table tr[data-current="true"]').count(), 1);
            assert.match(await page.locator('#account-sessions-table tr[data-current="true"]').textContent(), /Chromium on Linux|Chrome on Linux/);
            const before = (await account()).user.notify_email;
            await page.click('#account-notify');
            await waitFor('notifications stored', async () => (await account()).user.notify_email === !before);
            await page.selectOption('#account-language', 'it');
            await waitFor('the language stored', async () => (await account()).user.language === 'it');
            await page.waitForSelector('#account-view h1:has-text("Il tuo account")');
            // The top bar's menu too.
            await page.selectOption('#language', 'pt');
            await waitFor('the language from the top bar', async () => (await account()).user.language === 'pt');
            await page.selectOption('#language', 'en');
            await waitFor('back to English', async () => (await account()).user.language === 'en');
            await page.waitForSelector('#account-sign-out-others');
            await screenshot(page, 'console-account-en');
            assert.deepEqual(await accessibilityViolations(page), []);
            await page.click('#account-sign-out-others');
            await waitFor('the others signed out', async () => (await call(server.url, 'GET', '/api/v1/auth/me', { token: other })).status === 401);
            await waitFor('one session left', async () => (await page.locator('#account-sessions-table tbody tr').count()) === 1);
            assert.match(await page.locator('#toasts').textContent(), /1 other session was signed out/);
        } finally {
            await page.context().close();
        }
    });

    it('goes through two-factor: setup with the QR code, sign-in with a code, a reused code and a recovery code', async () => {
        const page = await openConsole(browser, server.url, 'tom@team.example', kPassword, { hash: '#/account' });
        let secret;
        let recovery;
        try {
            await page.click('#two-factor-setup');
            await page.waitForSelector('#two-factor-qr svg');
            const modules = Number(await page.locator('#two-factor-qr svg').getAttribute('data-modules'));
            assert.ok(modules >= 21, `a QR code of ${modules} modules`);
            secret = await page.locator('#two-factor-secret').getAttribute('data-secret');
            assert.match(secret, /^[A-Z2-7]{16,}=*$/);
            // The QR code holds the otpauth URI the server gave (decoded by the same library's
            // own data: the page drew it from the URI, not from a server image).
            assert.equal(await page.locator('img[src*="otpauth"], img[src^="http"]').count(), 0);
            await screenshot(page, 'console-account-en-two-factor-setup');
            assert.deepEqual(await accessibilityViolations(page), []);
            await page.fill('#two-factor-code', '000000' === totp(secret) ? '111111' : '000000');
            await page.click('#two-factor-confirm');
            await waitFor('the wrong code', async () => /not right/.test(await page.locator('#two-factor-code-error').textContent()));
            await freshStep();
            await page.fill('#two-factor-code', totp(secret));
            await page.click('#two-factor-confirm');
            await page.waitForSelector('#two-factor-codes');
            recovery = await page.locator('#two-factor-codes code').allTextContents();
            assert.equal(recovery.length, 10);
            assert.equal(new Set(recovery).size, 10);
            const [download] = await Promise.all([page.waitForEvent('download'), page.click('#two-factor-download')]);
            const saved = await readFile(await download.path(), 'utf8');
            for (const code of recovery) assert.ok(saved.includes(code));
            await screenshot(page, 'console-account-en-recovery-codes');
            await page.click('#two-factor-done');
            await page.waitForSelector('#account-two-factor[data-state="on"]');
            await page.click('#sign-out');
        } finally {
            await page.context().close();
        }

        // Signing in now asks for a code.
        await nextStep();  // the code used to confirm must not be the one tried below
        await freshStep();
        const login = await signInPage(browser, server.url);
        try {
            await typePassword(login, 'tom@team.example', kPassword);
            await login.waitForSelector('#second-step-form');
            await screenshot(login, 'console-signin-en-two-factor');
            assert.deepEqual(await accessibilityViolations(login), []);
            await login.fill('#second-step-code', totp(secret, Date.now(), 5));
            await login.click('#second-step-submit');
            await waitFor('the wrong code', async () => /not right/.test(await login.locator('#second-step-error').textContent()));
            const code = totp(secret);
            await login.fill('#second-step-code', code);
            await login.click('#second-step-submit');
            await login.waitForSelector('#page:not([hidden])');
            assert.match(await login.locator('#user-name').textContent(), /Tom Two/);
            await login.click('#sign-out');

            // The same code again, in the same step: refused.
            await typePassword(login, 'tom@team.example', kPassword);
            await login.waitForSelector('#second-step-form');
            await login.fill('#second-step-code', code);
            await login.click('#second-step-submit');
            await waitFor('the reused code refused', async () => /already/.test(await login.locator('#second-step-error').textContent()));
            // A recovery code instead.
            await login.click('#second-step-toggle');
            await login.fill('#second-step-code', recovery[0]);
            await login.click('#second-step-submit');
            await login.waitForSelector('#page:not([hidden])');
            await login.click('#sign-out');
            // The same recovery code again: refused.
            await typePassword(login, 'tom@team.example', kPassword);
            await login.waitForSelector('#second-step-form');
            await login.click('#second-step-toggle');
            await login.fill('#second-step-code', recovery[0]);
            await login.click('#second-step-submit');
            await waitFor('the used recovery code refused', async () => /not right, or was already used/.test(await login.locator('#second-step-error').textContent()));
            await login.fill('#second-step-code', recovery[1]);
            await login.click('#second-step-submit');
            await login.waitForSelector('#page:not([hidden])');

            // Turning it off asks for the password.
            await login.goto(`${server.url}/console/#/account`);
            await login.click('#two-factor-off');
            await login.fill('#two-factor-password', 'wrong password here');
            await login.click('#two-factor-off-confirm');
            await waitFor('the wrong password', async () => /not your current password/.test(await login.locator('#two-factor-password-error').textContent()));
            await login.fill('#two-factor-password', kPassword);
            await login.click('#two-factor-off-confirm');
            await login.waitForSelector('#account-two-factor[data-state="off"]');
            const me = await call(server.url, 'GET', '/api/v1/users', { token: admin });
            assert.equal(me.json.users.find((u) => u.email === 'tom@team.example').two_factor, false);
            assert.deepEqual(login.consoleErrors, []);
        } finally {
            await login.context().close();
        }
    });

    it('leads a user to set up two-factor first when the team requires it', async () => {
        // The admin has two-factor first: requiring it would otherwise stop the admin's own calls.
        const setup = await call(server.url, 'POST', '/api/v1/account/two-factor/setup', { token: admin });
        assert.equal(setup.status, 200, setup.text);
        await freshStep();
        const confirmed = await call(server.url, 'POST', '/api/v1/account/two-factor/confirm', { token: admin, body: { code: totp(setup.json.secret) } });
        assert.equal(confirmed.status, 200, confirmed.text);
        const put = await call(server.url, 'PUT', '/api/v1/settings/two-factor', { token: admin, body: { required: true } });
        assert.equal(put.status, 200, put.text);
        const page = await signInPage(browser, server.url, { hash: '#/queue' });
        try {
            await typePassword(page, 'nina@team.example', kPassword);
            await page.waitForSelector('#account-setup-required');
            assert.equal(await page.locator('#nav').isVisible(), false, 'no other page is offered');
            await page.waitForSelector('#two-factor-qr svg');
            await screenshot(page, 'console-account-en-setup-required');
            assert.deepEqual(await accessibilityViolations(page), []);
            await page.goto(`${server.url}/console/#/history`);
            await page.waitForSelector('#account-setup-required');
            assert.match(page.url(), /#\/account$/);
            const token = await signIn(server.url, 'nina@team.example', kPassword);
            const refused = await call(server.url, 'GET', '/api/v1/queue', { token });
            assert.equal(refused.status, 403);
            assert.equal(refused.json.code, 'two_factor_setup_required');
            await page.waitForSelector('#two-factor-qr svg');
            const secret = await page.locator('#two-factor-secret').getAttribute('data-secret');
            await freshStep();
            await page.fill('#two-factor-code', totp(secret));
            await page.click('#two-factor-confirm');
            await page.waitForSelector('#two-factor-codes');
            await page.click('#two-factor-done');
            // The console starts: the queue, the nav, the live stream.
            await page.waitForSelector('#nav', { state: 'visible' });
            await page.goto(`${server.url}/console/#/queue`);
            await waitFor('the queue page', async () => (await page.evaluate(() => document.body.dataset.page)) === 'queue');
            await waitFor('the live status', async () => (await page.locator('#live-status').getAttribute('data-state')) === 'connected');
            assert.deepEqual(page.consoleErrors, []);
        } finally {
            await page.context().close();
            const off = await call(server.url, 'PUT', '/api/v1/settings/two-factor', { token: admin, body: { required: false } });
            assert.equal(off.status, 200, off.text);
        }
    });

    it('shows the account pages with no English left and no serious violation, in every language', async () => {
        for (const [browserLanguage, lang] of kLanguages) {
            const page = await openConsole(browser, server.url, 'olga@team.example', 'violet harbour engine 42', { language: browserLanguage, hash: '#/account' });
            try {
                await page.waitForSelector('#account-sessions-table');
                if (lang !== 'en') assert.deepEqual(await englishLeft(page, lang), [], `English left on the account page in ${lang}`);
                if (['en', 'pt', 'it'].includes(lang)) await screenshot(page, `console-account-${lang}`);
                await page.click('#two-factor-setup');
                await page.waitForSelector('#two-factor-qr svg');
                if (lang !== 'en') assert.deepEqual(await englishLeft(page, lang), [], `English left in the two-factor setup in ${lang}`);
                if (['en', 'pt', 'it'].includes(lang)) await screenshot(page, `console-account-${lang}-two-factor-setup`);
                await page.click('#two-factor-cancel');
                assert.deepEqual(page.consoleErrors, []);
            } finally {
                await page.context().close();
            }
        }
        // The sign-in's second step in each language (Tom has two-factor off now: Olga's is set up here).
        const token = await signIn(server.url, 'olga@team.example', 'violet harbour engine 42');
        const setup = await call(server.url, 'POST', '/api/v1/account/two-factor/setup', { token });
        assert.equal(setup.status, 200, setup.text);
        await freshStep();
        const confirm = await call(server.url, 'POST', '/api/v1/account/two-factor/confirm', { token, body: { code: totp(setup.json.secret) } });
        assert.equal(confirm.status, 200, confirm.text);
        for (const [browserLanguage, lang] of kLanguages) {
            const page = await signInPage(browser, server.url, { language: browserLanguage });
            try {
                await typePassword(page, 'olga@team.example', 'violet harbour engine 42');
                await page.waitForSelector('#second-step-form');
                if (lang !== 'en') assert.deepEqual(await englishLeft(page, lang), [], `English left in the second step in ${lang}`);
                await page.click('#second-step-toggle');
                if (lang !== 'en') assert.deepEqual(await englishLeft(page, lang), [], `English left in the recovery step in ${lang}`);
                if (['en', 'pt', 'it'].includes(lang)) await screenshot(page, `console-signin-${lang}-two-factor`);
            } finally {
                await page.context().close();
            }
        }
    });

    it('sets a password from an invitation email, with the rules; the link then no longer works', async () => {
        const smtp = await startSmtp(work);
        const mailed = await startServer({ serverBin, work: path.join(work, 'mailed'), extraArgs: [
            '--login-limit', '1000', '--smtp-url', `smtp://127.0.0.1:${smtp.port}`, '--smtp-from', 'helpline@team.example',
            '--public-url', 'https://support.team.example'] });
        const page = await openConsole(browser, mailed.url, kAdminEmail, mailed.password, { hash: '#/admin/users' });
        try {
            await page.waitForSelector('#users-body tr');
            assert.equal(await page.locator('#users-email').isVisible(), false, 'no "email is off" notice with a relay');
            await page.click('#users-add');
            assert.match(await page.locator('#user-add').textContent(), /email with a link/);
            await page.fill('#user-add-name', 'Ivy Invited');
            await page.fill('#user-add-email', 'ivy@team.example');
            await page.click('#user-add [data-confirm]');
            await waitFor('the invitation notice', async () => /invitation was sent to ivy@team\.example/.test(await page.locator('#users-result').textContent()));
            assert.equal(await page.locator('#users-result-password').count(), 0, 'no password shown when an invitation is sent');
        } finally {
            await page.context().close();
        }
        const message = await waitFor('the invitation email', async () => (await smtp.messages()).find((m) => /ivy@team\.example/.test(m)), 30_000);
        const body = message.replace(/=\r?\n/g, '');
        const token = /\/console\/#\/invite\/([A-Za-z0-9_-]+)/.exec(body)?.[1];
        assert.ok(token, `an invitation link in:\n${message}`);

        for (const [browserLanguage, lang] of kLanguages.filter(([, l]) => l !== 'en')) {
            const view = await signInPage(browser, mailed.url, { language: browserLanguage, hash: `#/invite/${token}` });
            try {
                await view.waitForSelector('#invite-form');
                assert.deepEqual(await englishLeft(view, lang), [], `English left on the invitation page in ${lang}`);
                if (lang !== 'pt_BR') await screenshot(view, `console-invite-${lang}`);
            } finally {
                await view.context().close();
            }
        }
        const view = await signInPage(browser, mailed.url, { hash: `#/invite/${token}` });
        try {
            await view.waitForSelector('#invite-form');
            assert.equal(await view.locator('#invite-email').textContent(), 'ivy@team.example');
            assert.match(await view.locator('#invite-password-hint').textContent(), /At least 12 characters/);
            await screenshot(view, 'console-invite-en');
            assert.deepEqual(await accessibilityViolations(view), []);
            await view.fill('#invite-password', 'too short');
            await view.fill('#invite-password-again', 'too short');
            await view.click('#invite-submit');
            assert.match(await view.locator('#invite-password-error').textContent(), /at least 12 characters/);
            await view.fill('#invite-password', 'unbelievable');
            await view.fill('#invite-password-again', 'unbelievable');
            await view.click('#invite-submit');
            await waitFor('the common password refused', async () => /too easy to guess/.test(await view.locator('#invite-password-error').textContent()));
            await view.fill('#invite-password', 'quiet lantern orchard 7');
            await view.fill('#invite-password-again', 'quiet lantern orchard 7');
            await view.click('#invite-submit');
            await view.waitForSelector('#invite-done');
            await view.click('#invite-sign-in');
            await view.waitForSelector('#login-form', { state: 'visible' });
            assert.equal(await view.locator('#login-email').inputValue(), 'ivy@team.example');
            await view.fill('#login-password', 'quiet lantern orchard 7');
            await view.click('#login-submit');
            await view.waitForSelector('#page:not([hidden])');
            assert.match(await view.locator('#user-name').textContent(), /Ivy Invited/);
            // The link works once.
            await view.goto(`${mailed.url}/console/#/invite/${token}`);
            await view.waitForSelector('#invite-gone');
            await screenshot(view, 'console-invite-en-gone');
            assert.deepEqual(view.consoleErrors, []);
        } finally {
            await view.context().close();
        }
    });

    it('marks an operator whose notification the relay refused for good, on the users page', async () => {
        const smtp = await startSmtp(path.join(work, 'refusing-relay'));
        // The relay refuses Rita's address permanently (550): the outbox gives up at once.
        await writeFile(path.join(work, 'refusing-relay', 'mail', 'control.json'), JSON.stringify({ rcpt: { 'rita@team.example': 550 } }));
        const mailed = await startServer({ serverBin, work: path.join(work, 'refused'), extraArgs: [
            '--login-limit', '1000', '--smtp-url', `smtp://127.0.0.1:${smtp.port}`, '--smtp-from', 'helpline@team.example',
            '--public-url', 'https://support.team.example'] });
        const token = await signIn(mailed.url, kAdminEmail, mailed.password);
        const rita = await addUser(mailed.url, token, { email: 'rita@team.example', name: 'Rita Refused', password: kPassword });
        const notify = await call(mailed.url, 'PATCH', `/api/v1/users/${rita.id}`, { token, body: { notify_email: true } });
        assert.equal(notify.status, 200, notify.text);
        await setMembers(mailed.url, token, 'helpdesk', [rita.id]);
        const device = await Device.register(mailed.url);
        await device.submit({ email: 'ana@acme.example', description: 'The printer is offline', group_id: 'helpdesk' });
        await waitFor('the relay\'s refusal to be recorded', async () => {
            const users = await call(mailed.url, 'GET', '/api/v1/users', { token });
            return users.json.users.find((u) => u.id === rita.id)?.email_failing === true;
        }, 30_000);
        const page = await openConsole(browser, mailed.url, kAdminEmail, mailed.password, { hash: '#/admin/users' });
        try {
            const row = page.locator('#users-body tr', { hasText: 'rita@team.example' });
            await row.waitFor();
            assert.equal(await row.locator('.badge-bad').count(), 1, 'the failing mark on her row');
            assert.equal(await page.locator('#users-body tr', { hasText: kAdminEmail }).locator('.badge-bad').count(), 0);
            await waitFor('the notice about failing notifications', async () => /refused notifications for good\. Users affected: 1,/.test(await page.locator('#users-email').textContent()));
            await screenshot(page, 'console-admin-users-en-email-failing');
        } finally {
            await page.context().close();
        }
    });

    it('says how to install qrcode-generator when the server does not have it, and shows the key', async () => {
        const bare = await startServer({ serverBin, work: path.join(work, 'bare'), extraArgs: ['--qrcode-dir', path.join(work, 'nowhere')] });
        const page = await openConsole(browser, bare.url, kAdminEmail, bare.password, { hash: '#/account' });
        try {
            await page.click('#two-factor-setup');
            await page.waitForSelector('#two-factor-qr-missing');
            assert.match(await page.locator('#two-factor-qr-missing').textContent(), /node-qrcode-generator/);
            assert.match(await page.locator('#two-factor-secret').textContent(), /^[A-Z2-7]{4}( [A-Z2-7=]{1,4})+$/);
            assert.equal((await fetch(`${bare.url}/console/vendor/qrcode-generator/qrcode.js`)).status, 404);
            assert.equal((await fetch(`${server.url}/console/vendor/qrcode-generator/qrcode.js`)).status, 200);
        } finally {
            await page.context().close();
        }
    });
});
