// Every page of the console in every language (issue 12, "Languages"): the sign-in page,
// the queue with its help and close dialogs, an open and a closed ticket's page, history
// (with rows, and empty), the dashboard, an unknown page, and the viewer — in Portuguese,
// Brazilian Portuguese and Italian, chosen from the browser's languages. On each, every
// visible text, title, label and placeholder is compared with the English sentences of
// js/strings/: one that is still the English one fails the test (unless the language says
// it the same way, as "Email"; customers' text and people's names are not sentences of the
// console, so they never match). The language menu switches and is remembered. Screenshots
// of every page in en, pt and it: console-page-<lang>-<page>.png.
//
// Run by CTest (tests/CMakeLists.txt: browser.languages), or by hand from the build folder:
//   HELPLINE_SERVER_BIN=$PWD/server/app/helpline-server HELPLINE_SCREENSHOTS_DIR=$PWD/screenshots \
//   node --test-reporter=spec ../../tests/console/languages.test.mjs

import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { call, Device, kAdminEmail, launchBrowser, signIn, startServer, stopAll, waitFor, screenshotsDir, serverBinary } from './support.mjs';

const env = process.env;
const serverBin = serverBinary();
const screenshots = screenshotsDir;

/// The browser languages each run starts with, and what the console must pick from them.
const kRuns = [
    { browser: 'pt-PT', language: 'pt', htmlLang: 'pt-PT' },
    { browser: 'pt-BR', language: 'pt_BR', htmlLang: 'pt-BR' },
    { browser: 'it-IT', language: 'it', htmlLang: 'it-IT' },
];

/// Visible text of the page as separate pieces: text nodes of rendered elements, and the
/// attributes people read (title, aria-label, placeholder, alt), plus the document's title.
/// Runs in the page.
function visibleTexts() {
    const out = [];
    const rendered = (element) => element.checkVisibility?.({ checkOpacity: false, checkVisibilityCSS: true }) ?? true;
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent.replace(/\s+/g, ' ').trim();
        const parent = node.parentElement;
        if (!text || !parent || ['SCRIPT', 'STYLE', 'KBD', 'OPTION'].includes(parent.tagName)) continue;
        if (parent.closest('select')) continue;  // options are checked below, with their select
        if (rendered(parent)) out.push({ text, where: parent.tagName.toLowerCase() + (parent.id ? `#${parent.id}` : '') });
    }
    for (const element of document.querySelectorAll('[title], [aria-label], [placeholder], [alt]')) {
        if (!rendered(element) && !element.matches('select option')) continue;
        for (const attribute of ['title', 'aria-label', 'placeholder', 'alt']) {
            const value = element.getAttribute(attribute);
            if (value && value.trim()) out.push({ text: value.replace(/\s+/g, ' ').trim(), where: `${element.tagName.toLowerCase()}[${attribute}]` });
        }
    }
    for (const select of document.querySelectorAll('select')) {
        if (!rendered(select)) continue;
        for (const option of select.options) {
            const text = option.textContent.replace(/\s+/g, ' ').trim();
            if (text && select.id !== 'language') out.push({ text, where: `option of select#${select.id}` });
        }
    }
    out.push({ text: document.title, where: 'title' });
    return out;
}

/// The English sentences a page in `language` must not show: every key whose English
/// template differs from the language's own, as a whole-text pattern (placeholders match
/// anything). Templates with no words outside their placeholders are left out.
async function englishPatterns(page, language) {
    return page.evaluate(async (lang) => {
        const i18n = await import('/console/js/i18n.js');
        const patterns = [];
        for (const key of i18n.keys()) {
            const english = i18n.t(key, {}, 'en');
            if (english === i18n.t(key, {}, lang)) continue;  // said the same way
            if (!/[A-Za-z]{2,}/.test(english.replace(/\{\w+\}/g, ''))) continue;
            const source = english.replace(/\s+/g, ' ').trim().split(/\{\w+\}/)
                .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.+?');
            patterns.push({ key, source: `^${source}$` });
        }
        return patterns;
    }, language);
}

describe('the console in every language', () => {
    let work;
    let server;
    let browser;
    let admin;
    let openTicket;
    let closedTicket;

    before(async () => {
        work = await mkdtemp(path.join(os.tmpdir(), 'helpline-languages-'));
        await mkdir(screenshots, { recursive: true });
        server = await startServer({ serverBin, work });
        admin = await signIn(server.url, kAdminEmail, server.password);
        // Something on every page: waiting tickets, one with a full timeline, history.
        const device = await Device.register(server.url);
        await device.listen();
        openTicket = await device.submit({ email: 'ana@acme.example', subject: 'Printer', description: 'The printer jams.', group_id: 'helpdesk', priority: 'high' });
        await device.submit({ email: 'bob@example.org', description: 'Cannot print invoices.', group_id: 'billing', priority: 'urgent' });
        closedTicket = await device.submit({ email: 'carla@acme.example', description: 'Screen is black.' });
        const me = await call(server.url, 'GET', '/api/v1/auth/me', { token: admin });
        for (const [number, body] of [[openTicket, { operator_id: me.json.id }], [openTicket, { priority: 'urgent' }], [closedTicket, { group_id: 'helpdesk' }]]) {
            const r = await call(server.url, 'PATCH', `/api/v1/tickets/${number}`, { token: admin, body });
            assert.equal(r.status, 200, r.text);
        }
        const connect = await call(server.url, 'POST', `/api/v1/tickets/${openTicket}/connect`, { token: admin });
        assert.equal(connect.status, 201, connect.text);
        await device.decline((await device.connectionRequest(openTicket)).id);
        assert.equal((await call(server.url, 'POST', `/api/v1/tickets/${closedTicket}/close`, { token: admin })).status, 200);
        device.close();
        browser = await launchBrowser();
    });

    after(async () => {
        await browser?.close();
        await stopAll();
        if (work && !process.exitCode && !env.HELPLINE_KEEP_WORK) await rm(work, { recursive: true, force: true });
    });

    /// Each page: how to reach it from a signed-in console, and when it is ready.
    const kPages = [
        { name: 'queue', hash: '#/queue', ready: '#queue-view[data-state="ready"]' },
        { name: 'queue-help', hash: '#/queue', ready: '#queue-view[data-state="ready"]',
          open: async (page) => {
              await page.locator('#queue-help-button').click();
              await page.locator('dialog[open]').waitFor();
          } },
        { name: 'queue-close-dialog', hash: '#/queue', ready: '#queue-view[data-state="ready"]',
          open: async (page) => {
              await page.locator(`#queue-body tr[data-ticket="${openTicket}"] button.close-ticket`).click();
              await page.locator('dialog[open]').waitFor();
          } },
        { name: 'ticket-open', hash: () => `#/tickets/${openTicket}`, ready: '#ticket-view[data-state="shown"]' },
        { name: 'ticket-closed', hash: () => `#/tickets/${closedTicket}`, ready: '#ticket-view[data-state="shown"]' },
        { name: 'ticket-not-in-view', hash: '#/tickets/999999', ready: '#ticket-view:not([data-state="loading"])' },
        { name: 'history', hash: '#/history', ready: '#history-view[data-state="shown"]' },
        { name: 'history-empty', hash: '#/history?email=nobody%40nowhere.example', ready: '#history-view[data-state="empty"]' },
        { name: 'dashboard', hash: '#/dashboard', ready: '#dashboard-view[data-loaded="true"]' },
        { name: 'missing', hash: '#/no-such-page', ready: '#page .page-message' },
    ];

    /// Opens a context in `browserLanguage`, checks the sign-in page, signs in, and returns
    /// the page and the failures found so far.
    async function signedIn(browserLanguage, { check = true, language = null } = {}) {
        const context = await browser.newContext({ viewport: { width: 1366, height: 800 }, locale: browserLanguage });
        const page = await context.newPage();
        const errors = [];
        page.on('pageerror', (error) => errors.push(error.message));
        await page.goto(`${server.url}/console/`);
        await page.waitForSelector('#login-form', { state: 'visible' });
        const failures = [];
        const patterns = language ? await englishPatterns(page, language) : [];
        const inspect = async (name) => {
            const texts = await page.evaluate(visibleTexts);
            for (const { text, where } of texts)
                for (const { key, source } of patterns)
                    if (new RegExp(source).test(text)) failures.push(`${name}: "${text}" at ${where} is the English of ${key}`);
        };
        if (check) await inspect('sign-in');
        await page.fill('#login-email', kAdminEmail);
        await page.fill('#login-password', server.password);
        await page.click('#login-submit');
        await page.waitForSelector('#page:not([hidden])');
        return { page, context, errors, failures, inspect };
    }

    async function visit(page, spec) {
        const hash = typeof spec.hash === 'function' ? spec.hash() : spec.hash;
        await page.evaluate((h) => { window.location.hash = h; }, hash === '#/queue' ? '#/history' : '#/queue');
        await page.evaluate((h) => { window.location.hash = h; }, hash);
        await page.waitForSelector(spec.ready, { timeout: 15_000 });
        if (spec.open) await spec.open(page);
    }

    for (const run of kRuns) {
        it(`shows no English sentence on any page for a browser in ${run.browser}`, async () => {
            const { page, context, errors, failures, inspect } = await signedIn(run.browser, { language: run.language });
            try {
                assert.equal(await page.evaluate(() => document.documentElement.lang), run.htmlLang);
                assert.equal(await page.locator('#language').inputValue(), run.language);
                for (const spec of kPages) {
                    await visit(page, spec);
                    await inspect(spec.name);
                    if (spec.open) await page.keyboard.press('Escape');
                }
                // The viewer, without a request to show.
                await page.goto(`${server.url}/console/viewer.html`);
                await waitFor('the viewer to say what is missing', async () => (await page.locator('body').getAttribute('data-state')) === 'error');
                await inspect('viewer');
                assert.deepEqual(failures, [], `English left in ${run.language}:\n  ${failures.join('\n  ')}`);
                assert.deepEqual(errors, []);
            } finally {
                await context.close();
            }
        });
    }

    it('has every sentence in pt and it, with the same placeholders as English', async () => {
        const { page, context } = await signedIn('en-GB', { check: false });
        try {
            const problems = await page.evaluate(async () => {
                const i18n = await import('/console/js/i18n.js');
                const found = [];
                const names = (text) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join(',');
                for (const key of i18n.keys()) {
                    for (const lang of ['pt', 'it']) {
                        if (!i18n.hasOwn(key, lang)) found.push(`${key} has no ${lang} sentence`);
                        else if (names(i18n.t(key, {}, lang)) !== names(i18n.t(key, {}, 'en'))) found.push(`${key} (${lang}) has other placeholders`);
                    }
                    if (i18n.hasOwn(key, 'pt_BR') && names(i18n.t(key, {}, 'pt_BR')) !== names(i18n.t(key, {}, 'en')))
                        found.push(`${key} (pt_BR) has other placeholders`);
                }
                return found;
            });
            assert.deepEqual(problems, []);
        } finally {
            await context.close();
        }
    });

    it('switches language from the top bar, remembers it, and formats dates for it', async () => {
        const { page, context } = await signedIn('en-US', { check: false });
        try {
            await page.waitForSelector('#queue-view[data-state="ready"]');
            assert.equal(await page.locator('#nav a[data-page="history"]').textContent(), 'History');
            await page.selectOption('#language', 'it');
            await waitFor('the page in Italian', async () => (await page.locator('#nav a[data-page="history"]').textContent()) === 'Storico');
            await page.waitForSelector('#queue-view[data-state="ready"]');
            assert.equal(await page.evaluate(() => document.documentElement.lang), 'it-IT');
            await page.reload();
            await page.waitForSelector('#queue-view[data-state="ready"]');
            assert.equal(await page.locator('#nav a[data-page="history"]').textContent(), 'Storico');
            assert.equal(await page.locator('#language').inputValue(), 'it');
            // A date on the ticket's page in Italian words and order (Intl), e.g. "6 dic 2026".
            await visit(page, kPages.find((p) => p.name === 'ticket-open'));
            const created = await page.evaluate(() => document.querySelector('time')?.textContent ?? '');
            assert.match(created, /\d{1,2} (gen|feb|mar|apr|mag|giu|lug|ago|set|ott|nov|dic)/, `an Italian date, got "${created}"`);
            await page.selectOption('#language', 'en');
        } finally {
            await context.close();
        }
    });

    for (const language of ['en', 'pt', 'it']) {
        it(`screenshots every page in ${language}`, async () => {
            const { page, context, errors } = await signedIn(language === 'pt' ? 'pt-PT' : language === 'it' ? 'it-IT' : 'en-GB', { check: false });
            try {
                const shot = (name) => page.screenshot({ path: path.join(screenshots, `console-page-${language}-${name}.png`), fullPage: true });
                for (const spec of kPages) {
                    await visit(page, spec);
                    await shot(spec.name);
                    if (spec.open) await page.keyboard.press('Escape');
                }
                await page.goto(`${server.url}/console/viewer.html`);
                await waitFor('the viewer', async () => (await page.locator('body').getAttribute('data-state')) === 'error');
                await shot('viewer');
                await page.locator('#viewer-back').click();  // back to the console, then sign out
                await page.waitForSelector('#page:not([hidden])');
                await page.click('#sign-out');
                await page.waitForSelector('#login-form', { state: 'visible' });
                // Signing out is not a session that ended: no error on the sign-in page.
                assert.equal(await page.locator('#login-error').isVisible(), false, await page.locator('#login-error').textContent());
                await shot('sign-in');
                assert.deepEqual(errors, []);
            } finally {
                await context.close();
            }
        });
    }
});
