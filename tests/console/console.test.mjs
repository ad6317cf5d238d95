// The operator console in a real browser (Debian's chromium, headless, driven by
// playwright-core) against the real helpline-server: sign-in, the live queue, escaping,
// Connect → declined and → expired, the viewer's end-of-session paths and a real remote
// screen through the relay (helpline-cli listen + x11vnc under Xvfb). Screenshots go to
// $HELPLINE_SCREENSHOTS_DIR/console-*.png. A missing browser, noVNC, x11vnc or Xvfb fails
// the test, saying what to install; nothing is skipped.
//
// Run by CTest (tests/CMakeLists.txt: browser.console), or by hand from the build folder:
//   HELPLINE_SERVER_BIN=$PWD/server/app/helpline-server HELPLINE_CLI_BIN=$PWD/client/cli/helpline-cli \
//   HELPLINE_BRAND_BIN=$PWD/branding/tool/helpline-brand HELPLINE_SOURCE_DIR=../.. \
//   node ../../tests/console/console.test.mjs

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { missingForRemoteDesktop, RemoteDesktop, sampleMarker, showsMarker } from './remote_desktop.mjs';
import { call, Device, kAdminEmail, screenshotsDir, serverBinary, signIn, startServer, stopAll, waitFor } from './support.mjs';

const env = process.env;
const serverBin = serverBinary();
const chromiumBin = env.HELPLINE_CHROMIUM ?? '/usr/bin/chromium';
const screenshots = screenshotsDir;
const novncDir = env.HELPLINE_NOVNC_DIR ?? '/usr/share/novnc';

const missing = [];
if (!existsSync(chromiumBin))
    missing.push(`There is no browser at ${chromiumBin}: apt-get install -y chromium (scripts/test installs it).`);
if (!existsSync(path.join(novncDir, 'core', 'rfb.js')))
    missing.push(`noVNC is not in ${novncDir} (no core/rfb.js): apt-get install -y novnc (scripts/test installs it).`);
missing.push(...missingForRemoteDesktop());
if (missing.length) {
    console.error(`The console's browser test cannot run here:\n  ${missing.join('\n  ')}`);
    process.exit(1);
}

let chromium;
try {
    ({ chromium } = await import('playwright-core'));
} catch {
    console.error('playwright-core is not installed: run `npm ci` in tests/console (scripts/test does).');
    process.exit(1);
}

const kXss = '<img src=x onerror="window.__xss = (window.__xss || 0) + 1">Printer <b>on fire</b> & "smoke"';

describe('operator console in a browser', () => {
    let work;
    let server;
    let browser;
    let page;
    let device;
    let ticket;
    const pageErrors = [];

    const shot = async (name) => page.screenshot({ path: path.join(screenshots, `console-${name}.png`), fullPage: true });
    const row = (number) => page.locator(`#queue-body tr[data-ticket="${number}"]`);

    before(async () => {
        work = await mkdtemp(path.join(os.tmpdir(), 'helpline-console-'));
        await mkdir(screenshots, { recursive: true });
        server = await startServer({ serverBin, work, extraArgs: ['--novnc-dir', novncDir] });
        browser = await chromium.launch({ executablePath: chromiumBin, headless: true, args: ['--no-sandbox'] });
        const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
        page = await context.newPage();
        page.on('pageerror', (error) => pageErrors.push(error.message));
        page.on('console', (message) => {
            if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) pageErrors.push(message.text());
        });
    });

    after(async () => {
        device?.close();
        await browser?.close();
        await stopAll();
        if (work && !process.exitCode && !env.HELPLINE_KEEP_WORK) await rm(work, { recursive: true, force: true });
    });

    it('redirects / to the console and serves it with a strict CSP', async () => {
        const response = await page.goto(`${server.url}/`);
        assert.equal(new URL(page.url()).pathname, '/console/');
        const headers = response.headers();
        assert.match(headers['content-security-policy'], /^default-src 'self';/);
        assert.match(headers['content-security-policy'], /frame-ancestors 'none'/);
        assert.equal(headers['x-content-type-options'], 'nosniff');
        assert.equal(headers['referrer-policy'], 'no-referrer');
        await page.waitForSelector('#login-form', { state: 'visible' });
    });

    it('refuses a wrong password with a message, and signs in with the right one', async () => {
        await page.fill('#login-email', kAdminEmail);
        await page.fill('#login-password', 'not the password');
        await page.click('#login-submit');
        const error = page.locator('#login-error');
        await error.waitFor({ state: 'visible' });
        assert.equal(await error.textContent(), 'Wrong email or password.');
        assert.equal(await page.locator('#queue-view').isVisible(), false);
        await shot('login-error');

        await page.fill('#login-password', server.password);
        await page.click('#login-submit');
        await page.waitForSelector('#queue-view', { state: 'visible' });
        await page.waitForSelector('#queue-empty', { state: 'visible' });
        assert.equal(await page.locator('#queue-empty .empty-title').textContent(), 'No one is waiting');
        assert.match(await page.locator('#user-name').textContent(), /Alex Morgan/);
        await waitFor('the live status to say Live', async () => (await page.locator('#live-status').getAttribute('data-state')) === 'connected');
        await shot('empty');
    });

    it('shows a ticket from a device without a reload, everything the customer typed as text', async () => {
        await page.evaluate(() => { window.__sameDocument = true; });
        device = await Device.register(server.url);
        await device.listen();
        ticket = await device.submit({ email: 'ana@acme.example', description: kXss, subject: '<script>alert(1)</script>', group_id: 'helpdesk', priority: 'high' });
        const other = await Device.register(server.url);
        const second = await other.submit({ email: 'bob@example.org', description: 'Cannot print invoices.\nSecond line.', group_id: 'billing', priority: 'urgent' });

        await row(ticket).waitFor({ state: 'visible', timeout: 10_000 });
        await row(second).waitFor({ state: 'visible', timeout: 10_000 });
        assert.equal(await page.evaluate(() => window.__sameDocument), true, 'the page was reloaded');

        const cells = row(ticket).locator('td');
        assert.equal(await cells.nth(0).textContent(), `#${ticket}`);
        assert.equal(await row(ticket).locator('.description .text').textContent(), kXss);
        assert.equal(await row(ticket).locator('.description .subject').textContent(), '<script>alert(1)</script>');
        // The description may be cut short in the table; its whole text is on hover.
        assert.equal(await row(ticket).locator('.description .text').getAttribute('title'), kXss);
        assert.equal(await row(second).locator('.description .text').getAttribute('title'), 'Cannot print invoices.\nSecond line.');
        assert.equal(await row(ticket).locator('img, script, b').count(), 0);
        assert.equal(await page.evaluate(() => window.__xss), undefined);
        // Requester: the organization, with the email on hover; the email when there is none.
        const requester = row(ticket).locator('.requester span');
        assert.equal(await requester.textContent(), 'Acme Corp');
        assert.equal(await requester.getAttribute('title'), 'ana@acme.example');
        assert.equal(await row(second).locator('.requester span').textContent(), 'bob@example.org');
        // Priority, operator and group are menus (editable in place) showing the ticket's.
        const selected = (select) => select.evaluate((s) => s.selectedOptions[0]?.textContent ?? '');
        assert.equal(await cells.nth(2).locator('select').inputValue(), 'high');
        assert.equal(await selected(cells.nth(2).locator('select')), 'High');
        assert.equal(await cells.nth(4).locator('select').inputValue(), '');
        assert.equal(await selected(cells.nth(4).locator('select')), 'Unassigned');
        assert.equal(await cells.nth(5).locator('select').inputValue(), 'helpdesk');
        assert.equal(await selected(cells.nth(5).locator('select')), 'Help desk');
        // Once someone is assigned (over the API, as another client would), the
        // operator column names them, without a reload.
        const admin = await signIn(server.url, kAdminEmail, server.password);
        const dana = await call(server.url, 'POST', '/api/v1/users', { token: admin, body: { email: 'dana@team.example', name: 'Dana Reyes', role: 'operator', password: 'dana-password-1' } });
        assert.equal(dana.status, 201, dana.text);
        const assigned = await call(server.url, 'PATCH', `/api/v1/tickets/${second}`, { token: admin, body: { operator_id: (dana.json.user ?? dana.json).id } });
        assert.equal(assigned.status, 200, assigned.text);
        const operatorMenu = row(second).locator('td.operator select');
        await waitFor('the assigned operator to show', async () => (await selected(operatorMenu)) === 'Dana Reyes', 10_000);
        assert.equal(await operatorMenu.inputValue(), String((dana.json.user ?? dana.json).id));
        assert.doesNotMatch(await operatorMenu.getAttribute('class'), /unassigned/);  // not muted as "Unassigned"
        // Urgent first (priority, then age).
        assert.equal(await page.locator('#queue-body tr').first().getAttribute('data-ticket'), String(second));
        assert.equal(await page.locator('#queue-count').textContent(), '2 people waiting');

        // The waiting time ticks on its own.
        const waiting = cells.nth(3);
        const before = await waiting.textContent();
        assert.match(before, /^\d+ s$/);
        await waitFor('the waiting time to tick', async () => (await waiting.textContent()) !== before, 5_000);
        other.close();
        await shot('queue');
    });

    it('Connect shows the waiting countdown, then "declined" when the customer declines', async () => {
        await row(ticket).locator('button.connect').click();
        const pending = row(ticket).locator('[data-connect-state="pending"]');
        await pending.waitFor({ state: 'visible' });
        await waitFor('the countdown', async () => /Waiting for the customer… \d+ s/.test(await pending.textContent()));
        const first = await pending.textContent();
        await waitFor('the countdown to move', async () => (await pending.textContent()) !== first, 5_000);
        await shot('waiting');

        const request = await device.connectionRequest(ticket);
        assert.equal(request.operator_name, 'Alex Morgan');
        await device.decline(request.id);
        const declined = row(ticket).locator('[data-connect-state="declined"]');
        await declined.waitFor({ state: 'visible', timeout: 10_000 });
        assert.equal(await declined.textContent(), 'Declined by the customer');
        assert.equal(await row(ticket).locator('button.connect').textContent(), 'Connect again');
        await shot('declined');
    });

    describe('when nobody answers (a server whose requests expire after 2 s)', () => {
        let quick;
        let quickPage;
        let quickDevice;

        before(async () => {
            quick = await startServer({ serverBin, work: path.join(work, 'quick'), extraArgs: ['--request-timeout', '2', '--sweep-interval-ms', '200'] });
            const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
            quickPage = await context.newPage();
            quickPage.on('pageerror', (error) => pageErrors.push(error.message));
        });
        after(async () => {
            quickDevice?.close();
            await quickPage?.context().close();
        });

        it('Connect shows the countdown, then "expired", and offers to connect again', async () => {
            quickDevice = await Device.register(quick.url);
            await quickDevice.listen();
            const number = await quickDevice.submit({ email: 'ana@acme.example', description: 'Nobody is at this computer.', group_id: 'helpdesk' });
            await quickPage.goto(`${quick.url}/console/`);
            await quickPage.fill('#login-email', kAdminEmail);
            await quickPage.fill('#login-password', quick.password);
            await quickPage.click('#login-submit');
            const quickRow = quickPage.locator(`#queue-body tr[data-ticket="${number}"]`);
            await quickRow.waitFor({ state: 'visible', timeout: 10_000 });

            await quickRow.locator('button.connect').click();
            await quickRow.locator('[data-connect-state="pending"]').waitFor({ state: 'visible' });
            await quickDevice.connectionRequest(number);  // the customer was asked, and does not answer
            const expired = quickRow.locator('[data-connect-state="expired"]');
            await expired.waitFor({ state: 'visible', timeout: 10_000 });
            assert.equal(await expired.textContent(), 'No answer: the request expired');
            assert.equal(await quickRow.locator('button.connect').textContent(), 'Connect again');
            assert.equal(await quickPage.url().includes('viewer.html'), false);
            await quickPage.screenshot({ path: path.join(screenshots, 'console-expired.png'), fullPage: true });
        });
    });

    it('the viewer says when noVNC is missing, and End session ends the session', async () => {
        // The viewer's noVNC module is made unavailable for this page only.
        await page.route('**/console/vendor/novnc/**', (route) => route.fulfill({ status: 404, body: 'gone' }));
        device.events.length = 0;
        await row(ticket).locator('button.connect').click();
        const request = await device.connectionRequest(ticket);
        const accepted = await device.accept(request.id, 'test-password-1');
        await page.waitForURL(/\/console\/viewer\.html\?request=/, { timeout: 10_000 });
        await waitFor('the missing-noVNC message', async () => (await page.locator('body').getAttribute('data-state')) === 'novnc-missing');
        assert.match(await page.locator('#viewer-status').textContent(), /noVNC\) is not installed/);
        assert.equal(await page.locator('#viewer-ticket').textContent(), `Ticket #${ticket}`);
        await shot('viewer-no-novnc');

        await page.click('#end-session');
        await waitFor('the ended state', async () => (await page.locator('body').getAttribute('data-state')) === 'ended');
        assert.equal(await page.locator('#viewer-status').textContent(), 'You ended the session.');
        const state = await page.evaluate(async (id) => (await (await fetch(`/api/v1/connection-requests/${id}`)).json()).state, request.id);
        assert.equal(state, 'ended');
        assert.ok(accepted.session_id);
        await page.unroute('**/console/vendor/novnc/**');
    });

    it('the viewer says so when the customer ends the session', async () => {
        await page.goto(`${server.url}/console/`);
        await row(ticket).waitFor({ state: 'visible' });
        await page.route('**/console/vendor/novnc/**', (route) => route.fulfill({ status: 404, body: 'gone' }));
        device.events.length = 0;
        await row(ticket).locator('button.connect').click();
        const request = await device.connectionRequest(ticket);
        const accepted = await device.accept(request.id, 'test-password-2');
        await page.waitForURL(/\/console\/viewer\.html\?request=/, { timeout: 10_000 });
        await waitFor('the viewer to be ready', async () => (await page.locator('body').getAttribute('data-state')) === 'novnc-missing');
        await device.endSession(accepted.session_id);
        await waitFor('the remote end to show', async () => (await page.locator('body').getAttribute('data-state')) === 'ended');
        assert.equal(await page.locator('#viewer-status').textContent(), 'The session has ended on the customer’s side.');
        assert.equal(await page.locator('#end-session').isVisible(), false);
        await shot('viewer-ended');
        await page.unroute('**/console/vendor/novnc/**');
    });

    describe('through the relay, with helpline-cli listen and x11vnc under Xvfb', () => {
        let desktop = null;

        before(async () => {
            desktop = await RemoteDesktop.start({ work, serverUrl: server.url });
        });
        after(async () => desktop?.stop());

        /// Connect on the desktop's ticket, the customer allows, noVNC connects.
        const connectAndAllow = async () => {
            await page.goto(`${server.url}/console/`);
            await row(desktop.ticket).waitFor({ state: 'visible', timeout: 10_000 });
            await desktop.startListening();
            await row(desktop.ticket).locator('button.connect').click();
            await desktop.allow();
            await page.waitForURL(/\/console\/viewer\.html\?request=/, { timeout: 30_000 });
            const state = await waitFor('noVNC to connect', async () => {
                const current = await page.locator('body').getAttribute('data-state');
                return ['connected', 'ended', 'error', 'refused', 'novnc-missing'].includes(current) && current;
            }, 30_000);
            assert.equal(state, 'connected', `the viewer says: ${await page.locator('#viewer-status').textContent()}`);
        };

        const withDiagnostics = async (body) => {
            try {
                await body();
            } catch (error) {
                console.error(`helpline-cli listen printed:\n${desktop?.output}\nserver log: ${server.logFile}`);
                throw error;
            }
        };

        it('shows the customer\'s real screen, and End session ends it on both sides', async () => {
            await withDiagnostics(async () => {
                await connectAndAllow();
                // The canvas shows the customer's own screen: its size, its picture.
                let sample = null;
                try {
                    await waitFor('the customer\'s desktop (blue, an amber box) on the canvas',
                        async () => showsMarker(sample = await sampleMarker(page)), 20_000);
                } catch (error) {
                    throw new Error(`${error.message}; the canvas showed ${JSON.stringify(sample)}`);
                }
                await shot('viewer');

                await page.click('#end-session');
                await waitFor('the ended state', async () => (await page.locator('body').getAttribute('data-state')) === 'ended');
                assert.equal(await page.locator('#viewer-status').textContent(), 'You ended the session.');
                // The customer is told who ended it: the operator, by name.
                await desktop.waitForEnd('Alex Morgan ended the session.');
                assert.equal(desktop.listen.exitCode, 0, 'listen --once exits 0 after a session that ran');
            });
        });

        it('says so when the customer ends a relayed session', async () => {
            await withDiagnostics(async () => {
                await connectAndAllow();
                desktop.endFromCustomer();
                await waitFor('the ended state', async () => (await page.locator('body').getAttribute('data-state')) === 'ended', 20_000);
                assert.equal(await page.locator('#viewer-status').textContent(), 'The session has ended on the customer’s side.');
                assert.equal(await page.locator('#end-session').isVisible(), false);
                await desktop.waitForEnd('The session has ended.');
            });
        });
    });

    it('signs out', async () => {
        await page.goto(`${server.url}/console/`);
        await page.waitForSelector('#queue-view', { state: 'visible' });
        await page.click('#sign-out');
        await page.waitForSelector('#login-form', { state: 'visible' });
        // The server ends the live stream when the session is revoked; the page must not take
        // that for a session that ended on its own ("Your session has ended"). The stream's
        // reconnect would come within its first backoff (≤ 0.5 s): watched for 2 s.
        const watchUntil = Date.now() + 2000;
        while (Date.now() < watchUntil) {
            assert.equal(await page.locator('#login-error').isVisible(), false, 'an error after a deliberate sign-out');
            await new Promise((resolve) => setTimeout(resolve, 100));
        }
        await page.reload();
        await page.waitForSelector('#login-form', { state: 'visible' });
        const status = await page.evaluate(async () => (await fetch('/api/v1/queue')).status);
        assert.equal(status, 401);
    });

    it('raised no script error and no CSP violation', () => {
        assert.deepEqual(pageErrors, []);
    });
});
