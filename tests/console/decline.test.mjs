// Why a connection request was declined, as the operator reads it (issue 15): a device
// declines with a reason — the customer cancelled the desktop's own sharing dialog
// (`desktop_dialog`), no screen-sharing program could start (`no_backend`), or the
// customer's own No (`customer`, also what a client that sends no reason means) — and the
// ticket page's Connect status, its timeline, the queue row and the viewer page each say
// which, in English, Portuguese (pt and pt_BR) and Italian, with no English left in the
// others. Real helpline-server on 127.0.0.1, Debian's chromium (playwright-core), the
// device played over HTTP. Screenshots: console-decline-<lang>-ticket.png and
// console-decline-<lang>-viewer.png.
//
// Run by CTest (tests/CMakeLists.txt: browser.decline), or by hand from the build folder:
//   HELPLINE_SERVER_BIN=$PWD/server/app/helpline-server HELPLINE_SCREENSHOTS_DIR=$PWD/screenshots \
//   node --test-reporter=spec ../../tests/console/decline.test.mjs

import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import commonStrings from '../../server/console/js/strings/common.js';
import ticketStrings from '../../server/console/js/strings/ticket.js';
import {
    accessibilityViolations, call, Device, kAdminEmail, launchBrowser, openConsole, screenshotsDir, serverBinary,
    startServer, stopAll, waitFor } from './support.mjs';
import { englishLeft } from './team_support.mjs';

const serverBin = serverBinary();

/// A sentence of the console in `language`, as i18n.js finds it (pt_BR falls back to pt).
function sentence(table, language, key) {
    const chain = { en: ['en'], pt: ['pt', 'en'], pt_BR: ['pt_BR', 'pt', 'en'], it: ['it', 'en'] }[language];
    for (const lang of chain) if (table[lang]?.[key] !== undefined) return table[lang][key];
    throw new Error(`no sentence ${key} in ${language}`);
}

/// The browser languages, and the language the console picks from each.
const kRuns = [
    { browser: 'en-GB', language: 'en' },
    { browser: 'pt-PT', language: 'pt' },
    { browser: 'pt-BR', language: 'pt_BR' },
    { browser: 'it-IT', language: 'it' },
];

describe('the operator learns why a connection request was declined', () => {
    let work;
    let server;
    let browser;
    let device;
    const seen = new Set();  // connection-request ids the device has answered

    /// The next connection request the device hears of for ticket `number`.
    const nextRequest = (number) => waitFor(`a new connection request for ticket ${number}`, () =>
        device.events.find((e) => e.type === 'connection-request' && e.data.ticket_number === number && !seen.has(e.data.id))?.data, 10_000);

    /// Declines request `id` as a client of issue 15 does; `reason` undefined sends no body,
    /// as clients before it did.
    async function decline(id, reason) {
        seen.add(id);
        const r = await call(server.url, 'POST', `/api/v1/connection-requests/${id}/decline`,
                             { token: device.token, ...(reason === undefined ? {} : { body: { reason } }) });
        assert.equal(r.status, 204, `decline answered ${r.status}: ${r.text}`);
    }

    before(async () => {
        work = await mkdtemp(path.join(os.tmpdir(), 'helpline-decline-'));
        await mkdir(screenshotsDir, { recursive: true });
        server = await startServer({ serverBin, work });
        device = await Device.register(server.url);
        await device.listen();
        browser = await launchBrowser();
    });

    after(async () => {
        device?.close();
        await browser?.close();
        await stopAll();
        if (work) await rm(work, { recursive: true, force: true });
    });

    it('a reason the server does not know is refused, and the request stays pending', async () => {
        const number = await device.submit({ email: 'ana@acme.example', description: 'The printer is on fire' });
        const admin = await call(server.url, 'POST', '/api/v1/auth/login', { body: { email: kAdminEmail, password: server.password } });
        assert.equal(admin.status, 200, admin.text);
        const token = admin.json.token;
        const asked = await call(server.url, 'POST', `/api/v1/tickets/${number}/connect`, { token });
        assert.equal(asked.status, 201, asked.text);
        const request = await nextRequest(number);
        const refused = await call(server.url, 'POST', `/api/v1/connection-requests/${request.id}/decline`,
                                   { token: device.token, body: { reason: 'bored' } });
        assert.equal(refused.status, 400);
        assert.equal(refused.headers.get('content-type'), 'application/problem+json');
        assert.deepEqual(refused.json.errors, [{ field: 'reason', message: 'must be one of customer, desktop_dialog, no_backend' }]);
        const state = await call(server.url, 'GET', `/api/v1/connection-requests/${request.id}`, { token });
        assert.equal(state.json.state, 'pending');
        assert.equal(state.json.decline_reason, undefined);
        // The client then declines without a reason: the customer's, as from an older client.
        await decline(request.id);
        const after = await call(server.url, 'GET', `/api/v1/connection-requests/${request.id}`, { token });
        assert.equal(after.json.state, 'declined');
        assert.equal(after.json.decline_reason, 'customer');
    });

    for (const run of kRuns) {
        it(`says why in ${run.language}: the desktop's sharing dialog, no screen sharing, the customer`, async () => {
            const { language } = run;
            const common = (key) => sentence(commonStrings, language, key);
            const timeline = (key) => sentence(ticketStrings, language, key);
            const number = await device.submit({ email: 'ana@acme.example', description: `Screen sharing, ${language}` });
            const page = await openConsole(browser, server.url, kAdminEmail, server.password, { language: run.browser, hash: `#/tickets/${number}` });
            try {
                await page.waitForSelector('#ticket-view[data-state="shown"]', { timeout: 10_000 });
                const connectState = page.locator('#ticket-connect [data-connect-state]');
                const details = () => page.locator('#ticket-timeline .timeline-detail > span').allTextContents();

                // 1. The customer cancels the desktop's own "Share screen" dialog.
                await page.click('#ticket-connect-button');
                await page.locator('#ticket-connect [data-connect-state="pending"]').waitFor({ timeout: 10_000 });
                const first = await nextRequest(number);
                await decline(first.id, 'desktop_dialog');
                await page.locator('#ticket-connect [data-connect-state="declined"]').waitFor({ timeout: 10_000 });
                const dialogText = common('connect.declined.desktop_dialog');
                assert.equal(await connectState.textContent(), dialogText);
                if (language === 'en') assert.equal(dialogText, 'Declined on the desktop’s sharing dialog');
                await waitFor('the desktop dialog in the timeline', async () =>
                    (await details()).at(-1) === timeline('timeline.outcome.declined.desktop_dialog'), 10_000);
                if (language === 'en')
                    assert.equal((await details()).at(-1), 'The customer declined on their desktop’s sharing dialog');
                if (language !== 'en') assert.deepEqual(await englishLeft(page, language), []);
                await page.screenshot({ path: path.join(screenshotsDir, `console-decline-${language}-ticket-desktop-dialog.png`), fullPage: true });

                // 2. Connect again: no screen-sharing program could start.
                await page.click('#ticket-connect-button');
                await page.locator('#ticket-connect [data-connect-state="pending"]').waitFor({ timeout: 10_000 });
                const second = await nextRequest(number);
                await decline(second.id, 'no_backend');
                await waitFor('"could not start" on the ticket page', async () =>
                    (await connectState.textContent()) === common('connect.declined.no_backend'), 10_000);
                if (language === 'en')
                    assert.equal(await connectState.textContent(), 'Screen sharing could not start on the customer’s computer');
                await waitFor('"could not start" in the timeline', async () =>
                    (await details()).at(-1) === timeline('timeline.outcome.declined.no_backend'), 10_000);

                // 3. Connect again: an older client declines without a reason — the customer's No.
                await page.click('#ticket-connect-button');
                await page.locator('#ticket-connect [data-connect-state="pending"]').waitFor({ timeout: 10_000 });
                const third = await nextRequest(number);
                await decline(third.id);
                await waitFor('"declined by the customer" on the ticket page', async () =>
                    (await connectState.textContent()) === common('connect.declined'), 10_000);
                await waitFor('the customer in the timeline', async () =>
                    (await details()).at(-1) === timeline('timeline.outcome.declined'), 10_000);
                // The timeline keeps all three apart, oldest first.
                assert.deepEqual((await details()).slice(-3), [
                    timeline('timeline.outcome.declined.desktop_dialog'),
                    timeline('timeline.outcome.declined.no_backend'),
                    timeline('timeline.outcome.declined'),
                ]);
                if (language !== 'en') assert.deepEqual(await englishLeft(page, language), []);
                assert.deepEqual(await accessibilityViolations(page), []);
                await page.screenshot({ path: path.join(screenshotsDir, `console-decline-${language}-ticket.png`), fullPage: true });

                // The queue row says it too (the tracker's entry is the page's).
                await page.evaluate(() => { window.location.hash = '#/queue'; });
                const row = page.locator(`#queue-body tr[data-ticket="${number}"] [data-connect-state="declined"]`);
                await row.waitFor({ timeout: 10_000 });
                assert.equal(await row.textContent(), common('connect.declined'));

                // The viewer page of the request no screen sharing could serve says what to do.
                await page.goto(`${server.url}/console/viewer.html?request=${encodeURIComponent(second.id)}`);
                await waitFor('the viewer to refuse', async () => (await page.locator('body').getAttribute('data-state')) === 'refused', 10_000);
                const viewerText = common('viewer.not_accepted.declined.no_backend');
                assert.equal(await page.locator('#viewer-status').textContent(), viewerText);
                if (language === 'en')
                    assert.match(viewerText, /^Screen sharing could not start on the customer’s computer\. Ask the customer to check that screen sharing is installed, or help them another way\.$/);
                if (language !== 'en') assert.deepEqual(await englishLeft(page, language), []);
                await page.screenshot({ path: path.join(screenshotsDir, `console-decline-${language}-viewer.png`), fullPage: true });
                // And the one the desktop's dialog refused.
                await page.goto(`${server.url}/console/viewer.html?request=${encodeURIComponent(first.id)}`);
                await waitFor('the viewer to refuse', async () => (await page.locator('body').getAttribute('data-state')) === 'refused', 10_000);
                assert.equal(await page.locator('#viewer-status').textContent(), common('viewer.not_accepted.declined.desktop_dialog'));

                assert.deepEqual(page.consoleErrors, []);
            } finally {
                await page.context().close();
            }
        });
    }

    it('every language has the three sentences, each its own', () => {
        for (const language of ['pt', 'pt_BR', 'it']) {
            for (const [table, keys] of [
                [commonStrings, ['connect.declined.desktop_dialog', 'connect.declined.no_backend',
                                 'viewer.not_accepted.declined.desktop_dialog', 'viewer.not_accepted.declined.no_backend']],
                [ticketStrings, ['timeline.outcome.declined.desktop_dialog', 'timeline.outcome.declined.no_backend']],
            ]) {
                for (const key of keys) assert.notEqual(sentence(table, language, key), table.en[key], `${key} is English in ${language}`);
            }
        }
    });
});
