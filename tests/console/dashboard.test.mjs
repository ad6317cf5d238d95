// The dashboard page (#/dashboard) in a real browser (Debian's chromium, headless) against
// the real helpline-server: its figures are the API's own for an admin (the whole team) and
// for an operator (their views: fewer); they follow new tickets, assignments and closes
// live, with at most one read a second; every chart is drawn by Debian's Chart.js, is an
// image with its numbers in words and has them in a table; without Chart.js the page shows
// the tables and says what to install; leaving the page destroys the charts. No serious or
// critical axe-core violation, no script error or CSP violation. Screenshots
// console-dashboard-<lang>-<state>.png (admin, operator, empty, nochart) in en, pt and it.
//
// By hand, from the build folder:
//   HELPLINE_SERVER_BIN=$PWD/server/app/helpline-server HELPLINE_CHARTJS_DIR=/usr/share/javascript/chart.js \
//   HELPLINE_SCREENSHOTS_DIR=$PWD/screenshots node --test-reporter=spec ../../tests/console/dashboard.test.mjs

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isDeepStrictEqual } from 'node:util';

import strings from '../../server/console/js/strings/dashboard.js';
import {
    accessibilityViolations, addUser, call, Device, kAdminEmail, launchBrowser, openConsole, setMembers, signIn,
    screenshotsDir, serverBinary, startServer, stopAll, waitFor,
} from './support.mjs';

const env = process.env;
const serverBin = serverBinary();
const screenshots = screenshotsDir;
const chartjsDir = env.HELPLINE_CHARTJS_DIR ?? '/usr/share/javascript/chart.js';

if (!existsSync(path.join(chartjsDir, 'chart.mjs'))) {
    console.error(`Chart.js is not in ${chartjsDir} (no chart.mjs): apt-get install -y libjs-chart.js (scripts/test installs it).`);
    process.exit(1);
}

const kLive = 2500;  // ms a change may take to show: the event, at most a second of throttle, one read
const kHostile = '<img src=x onerror="window.__xss=1">Ops </script> 🚒 \u202Eevil';
const kPriorities = ['low', 'medium', 'high', 'urgent'];
const kTimeZone = 'America/Sao_Paulo';

/// The figures the page shows, read from the DOM: the large numbers and each chart's table
/// (rows by their key: priority, group id, operator id, hour start).
function pageFigures(page) {
    return page.evaluate(() => {
        const view = document.querySelector('#dashboard-view');
        const value = (key) => {
            const e = view.querySelector(`[data-figure="${key}"] .figure-value`);
            return e.dataset.value === undefined ? null : Number(e.dataset.value);
        };
        const rows = (chart) => Object.fromEntries([...view.querySelectorAll(`[data-chart="${chart}"] tbody tr`)]
            .map((tr) => [tr.dataset.key, [...tr.querySelectorAll('td')].map((td) => Number(td.dataset.value))]));
        const oldest = view.querySelector('[data-figure="oldest"] .figure-value').dataset.number;
        const median = view.querySelector('[data-figure="median"] .figure-value').dataset.seconds;
        return {
            open: value('open'), unassigned: value('unassigned'), closedToday: value('closed_today'),
            oldest: oldest ? Number(oldest) : null, medianS: median ? Number(median) : null,
            priority: rows('priority'), groups: rows('group'), operators: rows('operators'), hours: rows('hourly'),
        };
    });
}

/// The same figures from the API's answer.
function apiFigures(answer) {
    return {
        open: answer.open, unassigned: answer.unassigned, closedToday: answer.closed_today,
        oldest: answer.oldest_waiting?.number ?? null, medianS: answer.time_to_close_7d.median_s ?? null,
        priority: Object.fromEntries(kPriorities.map((p) => [p, [answer.by_priority[p]]])),
        groups: Object.fromEntries(Object.entries(answer.by_group).map(([id, n]) => [id, [n]])),
        operators: Object.fromEntries(answer.workload.map((w) => [String(w.id), [w.open, w.closed_today]])),
        hours: Object.fromEntries(answer.per_hour.map((h) => [h.start, [h.created, h.closed]])),
    };
}

/// The browser's local midnight as the page sends it (day_start).
const pageDayStart = (page) => page.evaluate(() => {
    const midnight = new Date();
    midnight.setHours(0, 0, 0, 0);
    return midnight.toISOString();
});

/// Each chart's Chart.js instance as {id, labels, data}, or null when the canvas has none.
const chartStates = (page) => page.evaluate(async () => {
    const { Chart } = await import('/console/vendor/chart.js/chart.mjs');
    return Object.fromEntries([...document.querySelectorAll('#dashboard-view [data-chart]')].map((card) => {
        const chart = Chart.getChart(card.querySelector('canvas'));
        return [card.dataset.chart, chart ? { id: chart.id, labels: chart.data.labels, data: chart.data.datasets.map((d) => d.data) } : null];
    }));
});

/// Waits until the dashboard has its figures (and its charts, unless `charts` is false)
/// and the canvases have stopped changing (Chart.js animates an update for a moment).
async function settled(page, { charts = true } = {}) {
    await page.waitForSelector(`#dashboard-view[data-loaded="true"][data-charts="${charts ? 'drawn' : 'missing'}"]`);
    let last = null;
    await waitFor('the charts to stop moving', async () => {
        const now = await page.evaluate(() => [...document.querySelectorAll('#dashboard-view canvas')]
            .map((c) => (c.width > 0 && c.height > 0 ? c.toDataURL() : '')).join('|'));
        const same = now === last;
        last = now;
        return same;
    }, 10_000, 300);
}

describe('the dashboard page', () => {
    let work;
    let server;
    let admin;           // the admin's API token
    let bruno;           // an operator in Help desk
    let brunoToken;
    let carla;           // an operator in Billing
    let dee;             // an operator with a hostile name
    let browser;
    let adminPage;
    let brunoPage;
    const pages = [];
    const devices = [];

    const shot = (page, lang, state) =>
        page.screenshot({ path: path.join(screenshots, `console-dashboard-${lang}-${state}.png`), fullPage: true });

    /// Compares what `page` shows with the API's answer for `token` and the page's own day_start.
    async function matchesApi(page, token, what) {
        const dayStart = await pageDayStart(page);
        let expected = null;
        let shown = null;
        let answer = null;
        try {
            await waitFor(what, async () => {
                const r = await call(server.url, 'GET', `/api/v1/dashboard?day_start=${encodeURIComponent(dayStart)}`, { token });
                assert.equal(r.status, 200, r.text);
                answer = r.json;
                expected = apiFigures(answer);
                shown = await pageFigures(page);
                return isDeepStrictEqual(shown, expected);
            }, kLive, 100);
        } catch (error) {
            assert.deepEqual(shown, expected, error.message);
        }
        // The operators in the API's order (by name; the object above is by id).
        return { ...expected, workload: answer.workload };
    }

    async function newTicket(fields) {
        let device = devices.find((d) => d.used < 20);
        if (!device) {
            device = await Device.register(server.url);
            device.used = 0;
            devices.push(device);
        }
        device.used += 1;
        return device.submit({ description: 'The printer does not print.', ...fields });
    }

    async function patch(number, body, token = admin) {
        const r = await call(server.url, 'PATCH', `/api/v1/tickets/${number}`, { token, body });
        assert.equal(r.status, 200, r.text);
    }

    async function close(number, token = admin) {
        const r = await call(server.url, 'POST', `/api/v1/tickets/${number}/close`, { token });
        assert.equal(r.status, 200, r.text);
    }

    async function switchLanguage(page, lang) {
        await page.selectOption('#language', lang);
        const heading = strings[lang]['dashboard.heading'] ?? strings.pt['dashboard.heading'];
        await page.waitForFunction((h) => document.querySelector('#dashboard-view h1')?.textContent === h, heading);
        await settled(page);
    }

    /// No sentence of the page is still the English one in `lang` (pt, it).
    async function assertTranslated(page, lang) {
        const english = Object.entries(strings.en)
            .filter(([key, text]) => (strings[lang][key] ?? text) !== text)
            .map(([, text]) => text);
        const texts = await page.evaluate(() => {
            const view = document.querySelector('#dashboard-view');
            const walker = document.createTreeWalker(view, NodeFilter.SHOW_TEXT);
            const out = [];
            while (walker.nextNode()) if (walker.currentNode.textContent.trim()) out.push(walker.currentNode.textContent.trim());
            for (const e of view.querySelectorAll('[aria-label]')) out.push(e.getAttribute('aria-label'));
            return out;
        });
        for (const text of texts)
            assert.ok(!english.some((e) => !e.includes('{') && e === text), `"${text}" is still English in ${lang}`);
        assert.ok(!texts.some((text) => /Open tickets|Closed today|Show as table/.test(text)), `English left in ${lang}: ${texts.join(' | ')}`);
    }

    /// Screenshots in en, pt and it (the language menu), then back to English.
    async function screenshotsInEveryLanguage(page, state) {
        for (const lang of ['en', 'pt', 'it']) {
            await switchLanguage(page, lang);
            if (lang !== 'en') await assertTranslated(page, lang);
            await shot(page, lang, state);
        }
        await switchLanguage(page, 'en');
    }

    before(async () => {
        work = await mkdtemp(path.join(os.tmpdir(), 'helpline-dashboard-'));
        await mkdir(screenshots, { recursive: true });
        // Chart.js: HELPLINE_CHARTJS_DIR (startServer passes it) or the server's default, Debian's.
        server = await startServer({ serverBin, work, extraArgs: ['--login-limit', '1000', '--submit-limit', '1000',
                                                                 '--register-limit', '1000'] });
        admin = await signIn(server.url, kAdminEmail, server.password);
        bruno = await addUser(server.url, admin, { email: 'bruno@team.example', name: 'Bruno Costa', password: 'bruno-password-1' });
        carla = await addUser(server.url, admin, { email: 'carla@team.example', name: 'Carla Rossi', password: 'carla-password-1' });
        dee = await addUser(server.url, admin, { email: 'dee@team.example', name: kHostile, password: 'dee-password-1' });
        await setMembers(server.url, admin, 'helpdesk', [bruno.id]);
        await setMembers(server.url, admin, 'billing', [carla.id]);
        brunoToken = await signIn(server.url, 'bruno@team.example', 'bruno-password-1');
        browser = await launchBrowser();
    });

    after(async () => {
        for (const device of devices) device.close();
        await browser?.close();
        await stopAll();
        if (work && !process.exitCode && !env.HELPLINE_KEEP_WORK) await rm(work, { recursive: true, force: true });
    });

    it('has every sentence in en, pt and it (pt_BR only where it differs)', () => {
        for (const lang of ['pt', 'it'])
            for (const key of Object.keys(strings.en)) assert.ok(key in strings[lang], `${key} is missing in ${lang}`);
        for (const key of Object.keys(strings.pt_BR)) assert.ok(key in strings.en, `pt_BR has ${key}, which English has not`);
        for (const [key, text] of Object.entries(strings.en))
            for (const lang of ['pt', 'it'])
                for (const name of text.match(/\{\w+\}/g) ?? [])
                    assert.ok(strings[lang][key].includes(name), `${lang} ${key} lacks ${name}`);
    });

    it('an empty team: every figure zero, as the API says, with the charts drawn', async () => {
        const answer = await call(server.url, 'GET', '/api/v1/dashboard', { token: admin });
        assert.equal(answer.status, 200, answer.text);
        for (const field of ['closed_today', 'per_hour', 'time_to_close_7d', 'day_start', 'generated_at'])
            assert.ok(field in answer.json, `GET /api/v1/dashboard has no ${field} yet`);

        adminPage = await openConsole(browser, server.url, kAdminEmail, server.password, { hash: '#/dashboard' });
        pages.push(adminPage);
        await settled(adminPage);
        const shown = await matchesApi(adminPage, admin, 'the empty dashboard to match the API');
        assert.equal(shown.open, 0);
        assert.equal(shown.closedToday, 0);
        assert.equal(Object.keys(shown.hours).length, 24);
        assert.equal(await adminPage.textContent('#dashboard-scope'), 'Whole team');
        assert.equal(await adminPage.textContent('[data-figure="oldest"] .figure-detail'), 'No one is waiting');
        assert.equal(await adminPage.textContent('[data-figure="median"] .figure-value'), '—');
        // Every active user is listed, with zeros; the chart gives way to a sentence.
        assert.equal(Object.keys(shown.operators).length, 4);
        assert.equal(await adminPage.textContent('[data-chart="operators"] .chart-empty'), 'No one has open tickets or has closed any today.');
        assert.equal(await adminPage.locator('[data-chart="priority"] .chart-box').isVisible(), false);
        assert.equal(await adminPage.locator('[data-chart="hourly"] .chart-box').isVisible(), true);
        assert.deepEqual(await accessibilityViolations(adminPage), []);
        await screenshotsInEveryLanguage(adminPage, 'empty');
    });

    it('shows the admin the whole team and an operator their own view, each as the API counts it', async () => {
        // The oldest ticket comes from an organization whose name is hostile text.
        let r = await call(server.url, 'POST', '/api/v1/organizations', { token: admin, body: { domain: 'evil.example', name: kHostile } });
        assert.equal(r.status, 201, r.text);
        r = await call(server.url, 'POST', '/api/v1/groups', { token: admin, body: { id: 'night-shift', name: kHostile } });
        assert.equal(r.status, 201, r.text);
        const oldest = await newTicket({ email: 'eve@evil.example', group_id: 'night-shift', priority: 'urgent' });
        const help = [];
        for (const priority of ['low', 'medium', 'high', 'high']) help.push(await newTicket({ email: 'ana@acme.example', group_id: 'helpdesk', priority }));
        const billing = [];
        for (const priority of ['urgent', 'medium', 'low']) billing.push(await newTicket({ email: 'bob@example.org', group_id: 'billing', priority }));
        const loose = await newTicket({ email: 'zoe@example.org', priority: 'medium' });
        await patch(oldest, { operator_id: dee.id });
        await patch(help[0], { operator_id: bruno.id });
        await patch(billing[0], { operator_id: carla.id });
        await patch(loose, { operator_id: bruno.id });  // no group, assigned: Bruno sees it
        await close(help[1], brunoToken);
        await close(billing[1]);

        const adminShown = await matchesApi(adminPage, admin, "the admin's dashboard to match the API");
        assert.equal(adminShown.open, 7);
        assert.equal(adminShown.closedToday, 2);
        assert.equal(adminShown.oldest, oldest);
        assert.ok(adminShown.medianS >= 0);

        brunoPage = await openConsole(browser, server.url, 'bruno@team.example', 'bruno-password-1',
                                      { hash: '#/dashboard', timezoneId: kTimeZone });
        pages.push(brunoPage);
        await settled(brunoPage);
        const brunoShown = await matchesApi(brunoPage, brunoToken, "the operator's dashboard to match the API");
        assert.ok(brunoShown.open < adminShown.open, `the operator sees ${brunoShown.open} open, the admin ${adminShown.open}`);
        assert.equal(brunoShown.open, 4);  // three in Help desk, one assigned to him without a group
        assert.equal(await brunoPage.textContent('#dashboard-scope'), 'Your groups');
        assert.equal(await brunoPage.getAttribute('#dashboard-scope', 'data-scope'), 'mine');

        // "Today" and the hours are the browser's: its own midnight, its own clock.
        const sent = new URL(await brunoPage.evaluate(() => performance.getEntriesByType('resource')
            .map((entry) => entry.name).find((name) => name.includes('/api/v1/dashboard')))).searchParams.get('day_start');
        assert.equal(sent, await pageDayStart(brunoPage));
        assert.notEqual(sent, await pageDayStart(adminPage));
        const firstHour = await call(server.url, 'GET', `/api/v1/dashboard?day_start=${encodeURIComponent(sent)}`, { token: brunoToken });
        const start = new Date(firstHour.json.per_hour[0].start);
        const clock = new Intl.DateTimeFormat('en', { timeStyle: 'short', timeZone: kTimeZone });
        assert.equal(await brunoPage.textContent('[data-chart="hourly"] tbody tr:first-child th'),
                     `${clock.format(start)}–${clock.format(new Date(start.getTime() + 3600_000))}`);

        // Names: groups by the team's names, "No group"; operators by name; hostile text as text.
        const name = (page, chart, key) => page.textContent(`[data-chart="${chart}"] tbody tr[data-key="${key}"] th`);
        assert.equal(await name(adminPage, 'group', 'helpdesk'), 'Help desk');
        assert.equal(await name(adminPage, 'group', '(none)'), 'No group');
        assert.equal(await name(adminPage, 'group', 'night-shift'), kHostile);
        assert.equal(await name(adminPage, 'operators', String(dee.id)), kHostile);
        assert.equal(await name(adminPage, 'operators', String(bruno.id)), 'Bruno Costa');
        assert.equal(await adminPage.textContent('#dashboard-oldest-link'), `Ticket #${oldest}`);
        assert.equal(await adminPage.getAttribute('#dashboard-oldest-link', 'href'), `#/tickets/${oldest}`);
        await waitFor('the oldest ticket to name its requester',
            async () => (await adminPage.textContent('[data-figure="oldest"] .oldest-who')) === kHostile, kLive);
        assert.equal(await adminPage.locator('#dashboard-view img, #dashboard-view script').count(), 0);
        assert.equal(await adminPage.evaluate(() => window.__xss), undefined);

        // The waiting time ticks, and its link opens the ticket's page.
        const waiting = adminPage.locator('[data-figure="oldest"] .figure-value');
        const before = await waiting.textContent();
        assert.match(before, /^\d+ s$|^\d+ min \d\d s$/);
        await waitFor('the waiting time to tick', async () => (await waiting.textContent()) !== before, 5_000);

        assert.deepEqual(await accessibilityViolations(adminPage), []);
        assert.deepEqual(await accessibilityViolations(brunoPage), []);
        await screenshotsInEveryLanguage(adminPage, 'admin');
        await screenshotsInEveryLanguage(brunoPage, 'operator');
    });

    it('follows a new ticket, an assignment and a close live, updating the charts in place', async () => {
        const chartsBefore = { admin: await chartStates(adminPage), bruno: await chartStates(brunoPage) };
        for (const states of Object.values(chartsBefore))
            for (const [chart, state] of Object.entries(states)) assert.ok(state, `no Chart.js chart for ${chart}`);
        const openBefore = (await pageFigures(adminPage)).open;

        const number = await newTicket({ email: 'new@acme.example', group_id: 'helpdesk', priority: 'urgent' });
        const admin1 = await matchesApi(adminPage, admin, "the admin's dashboard to show the new ticket");
        const bruno1 = await matchesApi(brunoPage, brunoToken, "the operator's dashboard to show the new ticket");
        assert.equal(admin1.open, openBefore + 1);
        const lastHour = (shown) => Object.values(shown.hours).at(-1);

        await patch(number, { operator_id: bruno.id });
        const admin2 = await matchesApi(adminPage, admin, "the admin's dashboard to show the assignment");
        const bruno2 = await matchesApi(brunoPage, brunoToken, "the operator's dashboard to show the assignment");
        assert.equal(admin2.unassigned, admin1.unassigned - 1);
        assert.equal(admin2.operators[bruno.id][0], admin1.operators[bruno.id][0] + 1);
        assert.equal(bruno2.operators[bruno.id][0], bruno1.operators[bruno.id][0] + 1);

        await close(number, brunoToken);
        const admin3 = await matchesApi(adminPage, admin, "the admin's dashboard to show the close");
        const bruno3 = await matchesApi(brunoPage, brunoToken, "the operator's dashboard to show the close");
        assert.equal(admin3.closedToday, admin2.closedToday + 1);
        assert.equal(lastHour(admin3)[1], lastHour(admin2)[1] + 1);
        assert.equal(bruno3.operators[bruno.id][1], bruno2.operators[bruno.id][1] + 1);

        // The same Chart.js instances, now drawing the new numbers.
        for (const [who, page, shown] of [['admin', adminPage, admin3], ['bruno', brunoPage, bruno3]]) {
            const after = await chartStates(page);
            for (const chart of Object.keys(after))
                assert.equal(after[chart].id, chartsBefore[who][chart].id, `${who}'s ${chart} chart was made anew`);
            assert.deepEqual(after.priority.data, [kPriorities.map((p) => shown.priority[p][0])]);
            assert.deepEqual(after.hourly.data, [Object.values(shown.hours).map((h) => h[0]), Object.values(shown.hours).map((h) => h[1])]);
            assert.deepEqual(after.operators.labels, shown.workload.map((w) => w.name));
            assert.deepEqual(after.operators.data, [shown.workload.map((w) => w.open), shown.workload.map((w) => w.closed_today)]);
        }
    });

    it('reads at most once a second during a burst of changes, and shows the last of them', async () => {
        const reads = [];
        const onRequest = (request) => {
            if (request.url().includes('/api/v1/dashboard')) reads.push(Date.now());
        };
        adminPage.on('request', onRequest);
        try {
            // Start from a quiet page: no read for over a second.
            const since = Date.now();
            await waitFor('the page to be quiet', () => Date.now() - (reads.at(-1) ?? since) > 1200, 10_000);
            reads.length = 0;
            const openBefore = (await pageFigures(adminPage)).open;
            const started = Date.now();
            for (let i = 0; i < 6; i++) await newTicket({ email: `burst${i}@acme.example`, group_id: 'billing', priority: 'low' });
            const burstMs = Date.now() - started;
            const shown = await matchesApi(adminPage, admin, 'the dashboard to show the whole burst');
            assert.equal(shown.open, openBefore + 6);
            assert.ok(reads.length >= 1, 'no read at all');
            assert.ok(reads.length <= Math.ceil(burstMs / 1000) + 1, `${reads.length} reads for a burst of ${burstMs} ms`);
            for (let i = 1; i < reads.length; i++)
                assert.ok(reads[i] - reads[i - 1] >= 900, `two reads ${reads[i] - reads[i - 1]} ms apart`);
        } finally {
            adminPage.off('request', onRequest);
        }
    });

    it('draws each chart with Chart.js as an image with its numbers in words and in a table', async () => {
        await settled(adminPage);
        const shown = await pageFigures(adminPage);
        const states = await chartStates(adminPage);
        // The chart draws what the table says.
        assert.deepEqual(states.priority.labels, ['Low', 'Medium', 'High', 'Urgent']);
        assert.deepEqual(states.priority.data, [kPriorities.map((p) => shown.priority[p][0])]);
        assert.deepEqual(states.group.data, [Object.values(shown.groups).map((g) => g[0])]);
        assert.equal(states.hourly.labels.length, 24);

        // Pixels: each bar colour of console.css is on its canvas.
        const colours = await adminPage.evaluate(() => {
            const css = getComputedStyle(document.documentElement);
            const rgb = (name) => {
                const hex = css.getPropertyValue(name).trim().replace('#', '');
                return [0, 2, 4].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
            };
            const count = (chart, colour) => {
                const canvas = document.querySelector(`[data-chart="${chart}"] canvas`);
                const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
                let n = 0;
                for (let i = 0; i < pixels.length; i += 4)
                    if (pixels[i + 3] > 200 && colour.every((c, k) => Math.abs(pixels[i + k] - c) <= 8)) n += 1;
                return n;
            };
            return {
                urgent: count('priority', rgb('--bad')), high: count('priority', rgb('--wait')),
                created: count('hourly', rgb('--accent')), closed: count('hourly', rgb('--good')),
                groups: count('group', rgb('--accent')), open: count('operators', rgb('--accent')),
            };
        });
        for (const [what, n] of Object.entries(colours)) assert.ok(n > 30, `${what}: ${n} pixels of its colour`);

        // Tooltips in words: the hour's range and the counts, named.
        const bar = await adminPage.evaluate(async () => {
            const { Chart } = await import('/console/vendor/chart.js/chart.mjs');
            const canvas = document.querySelector('[data-chart="hourly"] canvas');
            const element = Chart.getChart(canvas).getDatasetMeta(0).data.at(-1);
            const box = canvas.getBoundingClientRect();
            return { x: box.left + element.x, y: box.top + (element.y + element.base) / 2 };
        });
        await adminPage.mouse.move(bar.x, bar.y);
        const tooltip = await waitFor('the tooltip of the current hour', () => adminPage.evaluate(async () => {
            const { Chart } = await import('/console/vendor/chart.js/chart.mjs');
            const chart = Chart.getChart(document.querySelector('[data-chart="hourly"] canvas'));
            return chart.tooltip.opacity > 0 && { title: chart.tooltip.title, lines: chart.tooltip.body.flatMap((b) => b.lines) };
        }), 5_000);
        const lastRow = adminPage.locator('[data-chart="hourly"] tbody tr:last-child');
        assert.deepEqual(tooltip.title, [await lastRow.locator('th').textContent()]);
        const [created, closed] = shown.hours[await lastRow.getAttribute('data-key')];
        assert.deepEqual(tooltip.lines, [`Created: ${created}`, `Closed: ${closed}`]);
        await adminPage.mouse.move(0, 0);

        // An image to assistive technology, summarised with its numbers.
        const canvas = adminPage.locator('[data-chart="priority"] canvas');
        assert.equal(await canvas.getAttribute('role'), 'img');
        const label = await canvas.getAttribute('aria-label');
        for (const p of kPriorities)
            assert.ok(label.includes(`${p[0].toUpperCase()}${p.slice(1)}: ${shown.priority[p][0]}`), label);
        assert.match(await adminPage.getAttribute('[data-chart="hourly"] canvas', 'aria-label'), /created: \d+, closed: \d+/);
        assert.ok((await adminPage.getAttribute('[data-chart="operators"] canvas', 'aria-label')).includes('Bruno Costa: open '));

        // "Show as table" opens and closes the same numbers.
        const toggle = adminPage.locator('[data-chart="priority"] .table-toggle');
        const table = adminPage.locator('#dashboard-priority-table');
        assert.equal(await table.isVisible(), false);
        assert.equal(await toggle.textContent(), 'Show as table');
        await toggle.click();
        assert.equal(await table.isVisible(), true);
        assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
        assert.equal(await toggle.textContent(), 'Hide the table');
        assert.equal(await table.locator('tr[data-key="urgent"] td').textContent(), String(shown.priority.urgent[0]));
        assert.deepEqual(await accessibilityViolations(adminPage), []);
        await toggle.press('Enter');
        assert.equal(await table.isVisible(), false);
        assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
    });

    it('without Chart.js shows every figure as tables, saying what to install', async () => {
        const page = await openConsole(browser, server.url, kAdminEmail, server.password);
        pages.push(page);
        await page.route('**/console/vendor/chart.js/**', (route) => route.fulfill({ status: 404, contentType: 'text/plain', body: 'no' }));
        await page.click('#nav a[data-page="dashboard"]');
        await settled(page, { charts: false });
        const notice = page.locator('#dashboard-charts-missing');
        assert.equal(await notice.isVisible(), true);
        assert.match(await notice.textContent(), /libjs-chart\.js/);
        for (const chart of ['hourly', 'priority', 'group', 'operators']) {
            assert.equal(await page.locator(`#dashboard-${chart}-table`).isVisible(), true, `${chart} table`);
            assert.equal(await page.locator(`[data-chart="${chart}"] canvas`).isVisible(), false, `${chart} canvas`);
            assert.equal(await page.locator(`[data-chart="${chart}"] .table-toggle`).isVisible(), false, `${chart} toggle`);
        }
        await matchesApi(page, admin, 'the tables to match the API');
        assert.deepEqual(await accessibilityViolations(page), []);
        await shot(page, 'en', 'nochart');
    });

    it('leaving the page destroys its charts and stops its reads', async () => {
        const reads = [];
        adminPage.on('request', (request) => {
            if (request.url().includes('/api/v1/dashboard')) reads.push(request.url());
        });
        await adminPage.click('#nav a[data-page="queue"]');
        await adminPage.waitForSelector('#queue-view');
        assert.equal(await adminPage.evaluate(async () => {
            const { Chart } = await import('/console/vendor/chart.js/chart.mjs');
            return Object.keys(Chart.instances).length;
        }), 0);
        const number = await newTicket({ email: 'after@acme.example', group_id: 'helpdesk' });
        await adminPage.waitForSelector(`#queue-body tr[data-ticket="${number}"]`);
        // Past the throttle's second: a dashboard left running would have read by now.
        const left = Date.now();
        await waitFor('a second and a half after the change', () => Date.now() - left > 1500, 3000);
        assert.deepEqual(reads, []);
    });

    it('logged no script error or CSP violation', () => {
        for (const page of pages) assert.deepEqual(page.consoleErrors, []);
    });
});
