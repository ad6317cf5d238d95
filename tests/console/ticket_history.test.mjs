// A ticket's page and the history page in a real browser (Debian's chromium, headless,
// playwright-core) against the real helpline-server, with an admin and two operators signed
// in at once, each in a browser context of their own:
//   - the ticket page shows every field, and its timeline grows live as another user
//     assigns, re-prioritises, connects (the device declines) and closes the ticket;
//   - a ticket that leaves the viewer's view while they are on its page (moved by someone
//     else, or by the viewer) says so and offers nothing the server would refuse; a ticket
//     outside the view is "not in your view";
//   - every kind of timeline entry reads as a sentence;
//   - history: who sees a closed ticket; each filter (email through the type-ahead, today,
//     the last N days, a date range in the browser's own days, rows) gives the API's rows;
//     a range the wrong way round is refused by the field; Older/Newer walk every row once;
//     the CSV download is exactly the rows on screen (RFC 4180, UTF-8, UTC, formula guard);
//   - hostile text shows as text with the layout intact; axe-core finds nothing serious;
//   - screenshots in en, pt and it ($HELPLINE_SCREENSHOTS_DIR/console-{ticket,history}-*).
//
// Closing times in the past are made by moving closed_at in the database (sqlite3), the
// only way to have a history spread over a year without waiting a year.
//
// Run by CTest (browser.ticket_history), or by hand from the build folder:
//   HELPLINE_SERVER_BIN=$PWD/server/app/helpline-server HELPLINE_SCREENSHOTS_DIR=$PWD/screenshots \
//   node --test-reporter=spec ../../tests/console/ticket_history.test.mjs

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import historyStrings from '../../server/console/js/strings/history.js';
import ticketStrings from '../../server/console/js/strings/ticket.js';
import {
    accessibilityViolations, addUser, call, Device, kAdminEmail, launchBrowser, run, setMembers, signIn, startServer,
    stopAll, waitFor, openConsole, screenshotsDir, serverBinary } from './support.mjs';

const env = process.env;
const serverBin = serverBinary();
const screenshots = screenshotsDir;
const sqlite3 = env.HELPLINE_SQLITE3 ?? '/usr/bin/sqlite3';
if (!existsSync(sqlite3)) {
    console.error(`There is no sqlite3 at ${sqlite3}: apt-get install -y sqlite3 (scripts/test installs it).`);
    process.exit(1);
}

/// The admin's browser runs in India (UTC+05:30): a half-hour offset shows any date that is
/// converted in the wrong zone or off by one day.
const kZone = 'Asia/Kolkata';
const kZoneOffsetMs = 5.5 * 3600 * 1000;
const kPassword = 'operator-password-1';
const kXssSubject = '<img src=x onerror="window.__xss = 1"></script> \u202Eevil\u202C 🙂🔥 Printer';
// (Direction overrides are refused in emails by the server: they are in the subject.)
const kXssEmail = '=HYPERLINK(1)gnp.exe🙂@evil.example';
const kHeader = 'number,requester_email,organization,subject,group,operator,priority,status,created_at,closed_at,time_to_close_s';

// --- small helpers ----------------------------------------------------------------------

/// A context signed in as `email`, in `language` and time zone `timezoneId`, once its live
/// updates are connected.
async function openAs(browser, url, email, password, { language = 'en', timezoneId = 'UTC', hash = '' } = {}) {
    const page = await openConsole(browser, url, email, password, { language, timezoneId, hash });
    await waitFor('the live status', async () => (await page.locator('#live-status').getAttribute('data-state')) === 'connected');
    return page;
}

/// Shows a page of the console without reloading it (the event stream stays open).
async function show(page, hash) {
    await page.evaluate((h) => { window.location.hash = h; }, hash);
}

async function openTicket(page, number, state = 'shown') {
    await show(page, `#/tickets/${number}`);
    await page.waitForSelector(`#ticket-view[data-state="${state}"]`, { timeout: 10_000 });
}

const text = async (page, selector) => (await page.locator(selector).textContent())?.trim();
const timelineTexts = (page) => page.locator('#ticket-timeline .timeline-text').allTextContents();
const timelineDetails = (page) => page.locator('#ticket-timeline .timeline-detail').allTextContents();
const rowNumbers = async (page) => (await page.locator('#history-body tr').evaluateAll((rows) => rows.map((r) => Number(r.dataset.ticket))));

/// The text that Intl gives the page for a time, in the page's language and zone.
const pageDateTime = (page, iso) => page.evaluate((value) =>
    new Intl.DateTimeFormat(document.documentElement.lang, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(value)), iso);

/// The history's two-line form of a time: the day, then the time.
const pageDayAndTime = (page, iso) => page.evaluate((value) => {
    const lang = document.documentElement.lang;
    const date = new Date(value);
    return `${new Intl.DateTimeFormat(lang, { dateStyle: 'medium' }).format(date)} ${new Intl.DateTimeFormat(lang, { timeStyle: 'short' }).format(date)}`;
}, iso);

/// "YYYY-MM-DD" of a time in the admin's zone.
function zoneDay(ms) {
    return new Date(ms + kZoneOffsetMs).toISOString().slice(0, 10);
}
/// The UTC time of local midnight starting day `day` (YYYY-MM-DD) in the admin's zone.
function zoneMidnight(day) {
    return Date.parse(`${day}T00:00:00Z`) - kZoneOffsetMs;
}
const isoSeconds = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/// RFC 4180: records of fields; quoted fields may hold commas, doubled quotes, CR and LF.
function parseCsv(csv) {
    const records = [];
    let record = [];
    let field = '';
    let quoted = false;
    for (let i = 0; i < csv.length; i += 1) {
        const c = csv[i];
        if (quoted) {
            if (c === '"' && csv[i + 1] === '"') {
                field += '"';
                i += 1;
            } else if (c === '"') {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c === '"') {
            assert.equal(field, '', `a quote inside an unquoted field at ${i}`);
            quoted = true;
        } else if (c === ',') {
            record.push(field);
            field = '';
        } else if (c === '\r' && csv[i + 1] === '\n') {
            record.push(field);
            records.push(record);
            record = [];
            field = '';
            i += 1;
        } else {
            assert.notEqual(c, '\n', `a bare LF outside quotes at ${i}`);
            field += c;
        }
    }
    assert.equal(quoted, false, 'the CSV ends inside a quoted field');
    if (field !== '' || record.length) {
        record.push(field);
        records.push(record);
    }
    return records;
}

/// What the CSV must say for a text field (OWASP's guard against formulas).
const guarded = (value) => (/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);

/// English sentences of `tables` that `language` says otherwise (to find English left on a
/// page shown in that language): whole sentences only, placeholders cut out.
function englishLeft(pageText, language) {
    const left = [];
    for (const table of [ticketStrings, historyStrings]) {
        for (const [key, english] of Object.entries(table.en)) {
            const own = table[language]?.[key];
            if (own === undefined || own === english) continue;
            for (const piece of english.split(/\{\w+\}/)) {
                const words = piece.trim();
                if (words.split(/\s+/).length >= 3 && pageText.includes(words)) left.push(`${key}: "${words}"`);
            }
        }
    }
    return left;
}

// --- the test ---------------------------------------------------------------------------

describe('a ticket’s page and the history', () => {
    let work;
    let server;
    let browser;
    let adminToken;
    let bruno;   // operator in Help desk
    let carla;   // operator in Billing
    let brunoToken;
    let carlaToken;
    let device;
    let admin;       // pages
    let brunoPage;
    let carlaPage;
    const pages = [];
    const tickets = {};  // name -> number

    const api = async (method, urlPath, token = adminToken, body = undefined) => {
        const r = await call(server.url, method, urlPath, { token, body });
        assert.ok(r.status < 300, `${method} ${urlPath} answered ${r.status}: ${r.text}`);
        return r.json;
    };
    const sql = (statements) => run(sqlite3, [path.join(server.data, 'helpline.db')], { input: `.timeout 10000\n${statements}\n` });
    /// Moves a closed ticket's close (and creation) into the past.
    const backdate = (number, closedMs, createdMs = closedMs - 3_600_000) => {
        const closed = Math.floor(closedMs / 1000);
        const created = Math.floor(createdMs / 1000);
        return `UPDATE tickets SET closed_at = ${closed}, updated_at = ${closed}, created_at = ${created} WHERE number = ${number};\n`
            + `UPDATE ticket_handlers SET closed_at = ${closed} WHERE ticket_number = ${number};\n`;
    };
    const shot = (page, name) => page.screenshot({ path: path.join(screenshots, `console-${name}.png`), fullPage: true });
    const noPageErrors = () => {
        for (const page of pages) assert.deepEqual(page.consoleErrors, [], 'script errors or CSP violations');
    };

    before(async () => {
        work = await mkdtemp(path.join(os.tmpdir(), 'helpline-ticket-history-'));
        await mkdir(screenshots, { recursive: true });
        server = await startServer({ serverBin, work, extraArgs: ['--submit-limit', '1000'] });
        adminToken = await signIn(server.url, kAdminEmail, server.password);
        bruno = await addUser(server.url, adminToken, { email: 'bruno@team.example', name: 'Bruno Costa', password: kPassword });
        carla = await addUser(server.url, adminToken, { email: 'carla@team.example', name: 'Carla Rossi', password: kPassword });
        await setMembers(server.url, adminToken, 'helpdesk', [bruno.id]);
        await setMembers(server.url, adminToken, 'billing', [carla.id]);
        brunoToken = await signIn(server.url, bruno.email, kPassword);
        carlaToken = await signIn(server.url, carla.email, kPassword);
        device = await Device.register(server.url);
        await device.listen();

        browser = await launchBrowser();
        admin = await openAs(browser, server.url, kAdminEmail, server.password, { timezoneId: kZone });
        brunoPage = await openAs(browser, server.url, bruno.email, kPassword);
        carlaPage = await openAs(browser, server.url, carla.email, kPassword, { timezoneId: 'America/Sao_Paulo' });
        pages.push(admin, brunoPage, carlaPage);
    });

    after(async () => {
        device?.close();
        await browser?.close();
        await stopAll();
        if (work && !process.exitCode && !env.HELPLINE_KEEP_WORK) await rm(work, { recursive: true, force: true });
    });

    it('shows every field of a ticket, and its timeline grows live as another user works on it', async () => {
        const number = await device.submit({ email: 'ana@acme.example', subject: 'Printer jam', description: 'The printer on floor 2 jams.\nEvery page since Monday.',
                                             group_id: 'helpdesk', priority: 'medium' });
        tickets.live = number;
        await openTicket(brunoPage, number);
        const stored = await api('GET', `/api/v1/tickets/${number}`);

        assert.equal(await text(brunoPage, '#ticket-heading'), `Ticket #${number}`);
        assert.equal(await text(brunoPage, '#ticket-status'), 'Open');
        assert.equal(await text(brunoPage, '#ticket-priority-badge'), 'Medium');
        assert.equal(await text(brunoPage, '#ticket-subject'), 'Printer jam');
        assert.equal(await brunoPage.locator('#ticket-description').textContent(), 'The printer on floor 2 jams.\nEvery page since Monday.');
        assert.equal(await text(brunoPage, '#ticket-organization'), 'Acme Corp');
        assert.equal(await text(brunoPage, '#ticket-email'), 'ana@acme.example');
        assert.equal(await brunoPage.inputValue('#ticket-priority-select'), 'medium');
        assert.equal(await brunoPage.inputValue('#ticket-operator-select'), '');
        assert.equal(await brunoPage.locator('#ticket-operator-select option:checked').textContent(), 'Unassigned');
        assert.equal(await brunoPage.inputValue('#ticket-group-select'), 'helpdesk');
        assert.equal(await text(brunoPage, '#ticket-device'), 'Online');
        assert.equal(await brunoPage.locator('#ticket-created time').getAttribute('datetime'), stored.created_at);
        assert.equal(await text(brunoPage, '#ticket-created'), await pageDateTime(brunoPage, stored.created_at));
        assert.match(await text(brunoPage, '#ticket-waiting'), /^\d+ s$/);
        assert.equal(await brunoPage.locator('#ticket-assigned').count(), 0);
        assert.equal(await brunoPage.locator('#ticket-connect-button').isVisible(), true);
        assert.equal(await brunoPage.locator('#ticket-close').isVisible(), true);
        assert.equal(await brunoPage.locator('#ticket-assign-me').isVisible(), true);
        assert.deepEqual(await timelineTexts(brunoPage), ['The customer sent the request']);
        assert.deepEqual(await timelineDetails(brunoPage), ['Priority Medium · Help desk']);
        // Billing is not Bruno's group: the list says so before he picks it.
        assert.equal(await brunoPage.locator('#ticket-group-select option[value="billing"]').textContent(), 'Billing — not your group');

        // The admin works on it from their own ticket page; Bruno's page follows, entry by entry.
        await openTicket(admin, number);
        assert.equal(await admin.locator('#ticket-group-select option[value="billing"]').textContent(), 'Billing');
        const reads = [];
        brunoPage.on('request', (request) => {
            if (request.url().endsWith(`/api/v1/tickets/${number}`) && request.method() === 'GET') reads.push(Date.now());
        });
        await admin.selectOption('#ticket-operator-select', String(bruno.id));
        await waitFor('Bruno to see the assignment', async () => (await brunoPage.inputValue('#ticket-operator-select')) === String(bruno.id));
        await waitFor('the assignment in the timeline', async () => (await timelineTexts(brunoPage)).at(-1) === 'Alex Morgan assigned it to Bruno Costa');
        const assigned = await api('GET', `/api/v1/tickets/${number}`);
        assert.ok(assigned.assigned_at);
        assert.equal(await brunoPage.locator('#ticket-assigned time').getAttribute('datetime'), assigned.assigned_at);
        assert.equal(await brunoPage.locator('#ticket-assign-me').count(), 0, 'no "Assign to me" on one’s own ticket');

        await admin.selectOption('#ticket-priority-select', 'urgent');
        await waitFor('the new priority', async () => (await brunoPage.inputValue('#ticket-priority-select')) === 'urgent');
        await waitFor('the priority in the timeline', async () =>
            (await timelineTexts(brunoPage)).at(-1) === 'Alex Morgan changed the priority from Medium to Urgent');
        assert.equal(await text(brunoPage, '#ticket-priority-badge'), 'Urgent');

        // Connect from the admin's page; the customer declines.
        device.events.length = 0;
        await admin.click('#ticket-connect-button');
        await admin.locator('#ticket-connect [data-connect-state="pending"]').waitFor();
        const request = await device.connectionRequest(number);
        await waitFor('the request in Bruno’s timeline', async () =>
            (await timelineTexts(brunoPage)).at(-1) === 'Alex Morgan asked to connect to the customer’s screen');
        await device.decline(request.id);
        await admin.locator('#ticket-connect [data-connect-state="declined"]').waitFor();
        assert.equal(await text(admin, '#ticket-connect [data-connect-state="declined"]'), 'Declined by the customer');
        await waitFor('the outcome in Bruno’s timeline', async () => (await timelineDetails(brunoPage)).at(-1).startsWith('The customer declined'));
        await shot(brunoPage, 'ticket-en-open');

        // A burst of changes is read a few times, not once per change. Events that arrive
        // while a read runs cost one more read: Bruno's first read of the burst is held until
        // his page has received all five events (seen through the DevTools protocol), so that
        // the count does not depend on how fast a loaded machine answers.
        const before = reads.length;
        const devtools = await brunoPage.context().newCDPSession(brunoPage);
        const changes = [];
        devtools.on('Network.eventSourceMessageReceived', (message) => {
            if (message.eventName === 'ticket-changed' && Number(JSON.parse(message.data).number) === number) changes.push(message);
        });
        await devtools.send('Network.enable');
        let release;
        const released = new Promise((resolve) => { release = resolve; });
        // Unrouting waits for the handlers still running: taken away while one waits, the
        // route would let Playwright continue that request itself, and the handler's own
        // continue would then fail ("Route is already handled").
        const hold = async (route) => {
            await released;
            await route.continue();
        };
        await brunoPage.route(`**/api/v1/tickets/${number}`, hold);
        try {
            const burst = ['low', 'high', 'medium', 'high', 'urgent'];
            for (const priority of burst) await api('PATCH', `/api/v1/tickets/${number}`, adminToken, { priority });
            await waitFor('the burst’s events on Bruno’s page', () => changes.length >= burst.length);
        } finally {
            release();
            await brunoPage.unrouteAll({ behavior: 'wait' });
            await devtools.detach();
        }
        await waitFor('the last change of the burst', async () => (await timelineTexts(brunoPage)).at(-1) === 'Alex Morgan changed the priority from High to Urgent');
        // The held read, one more for the events it missed, and at most one for an event
        // whose fold timer had not run yet when the hold ended.
        assert.ok(reads.length - before >= 1 && reads.length - before <= 3, `${reads.length - before} reads for 5 changes`);

        // The admin closes it: Bruno's page turns read-only.
        await admin.click('#ticket-close');
        await admin.locator('dialog [data-confirm]').click();
        await waitFor('the closed ticket on Bruno’s page', async () => (await brunoPage.locator('#ticket-view').getAttribute('data-status')) === 'closed');
        await waitFor('the close in the timeline', async () => (await timelineTexts(brunoPage)).at(-1) === 'Alex Morgan closed the ticket');
        assert.equal(await text(brunoPage, '#ticket-status'), 'Closed');
        assert.equal(await text(brunoPage, '#ticket-closed-note'), 'This ticket is closed. It can no longer change.');
        assert.equal(await brunoPage.locator('#ticket-view select, #ticket-view button').count(), 0, 'no control on a closed ticket');
        assert.equal(await brunoPage.locator('#ticket-actions').isVisible(), false);
        const closed = await api('GET', `/api/v1/tickets/${number}`);
        assert.equal(await brunoPage.locator('#ticket-closed time').getAttribute('datetime'), closed.closed_at);
        assert.equal(await text(brunoPage, '#ticket-closed-by'), 'Alex Morgan');
        assert.equal(await text(brunoPage, '#ticket-operator'), 'Bruno Costa');
        assert.equal(await text(brunoPage, '#ticket-priority'), 'Urgent');
        assert.equal(await text(brunoPage, '#ticket-back'), 'Back to the history');
        assert.ok(closed.time_to_close_s !== null && closed.time_to_close_s !== undefined);
        assert.equal(await brunoPage.locator('#ticket-time-to-close').count(), 1);
        assert.equal((await timelineTexts(brunoPage)).length, closed.timeline.length);
        assert.deepEqual(await accessibilityViolations(brunoPage), []);
        await shot(brunoPage, 'ticket-en-closed');
        noPageErrors();
    });

    it('says so when the ticket leaves the viewer’s view while they are on its page, and offers nothing the server would refuse', async () => {
        // Moved by someone else.
        const moved = await device.submit({ email: 'ana@acme.example', subject: 'VPN', description: 'The VPN drops.', group_id: 'helpdesk' });
        await openTicket(brunoPage, moved);
        await api('PATCH', `/api/v1/tickets/${moved}`, adminToken, { group_id: 'billing' });
        await brunoPage.waitForSelector('#ticket-view[data-state="left"]');
        assert.equal(await text(brunoPage, '#ticket-view h1'), `Ticket #${moved} left your view`);
        assert.equal(await brunoPage.locator('#ticket-view select, #ticket-view button').count(), 0);
        assert.equal(await brunoPage.locator('#ticket-back-queue').getAttribute('href'), '#/queue');
        assert.deepEqual(await accessibilityViolations(brunoPage), []);
        await shot(brunoPage, 'ticket-en-left');
        // Carla, in Billing, now has it.
        await openTicket(carlaPage, moved);

        // Moved by the viewer: the notice says why, and the page leaves the ticket.
        const own = await device.submit({ email: 'ana@acme.example', subject: 'Mouse', description: 'The mouse is slow.', group_id: 'helpdesk' });
        await openTicket(brunoPage, own);
        await brunoPage.selectOption('#ticket-group-select', 'billing');
        await brunoPage.waitForSelector('#ticket-view[data-state="left"]');
        await waitFor('the notice', async () => (await brunoPage.locator('#toasts .toast-text').allTextContents())
            .includes(`#${own} moved to Billing — you are not in that group, so it left your queue`));
        assert.equal(await brunoPage.locator('#ticket-view select, #ticket-view button').count(), 0);
        await brunoPage.click('#ticket-back-queue');
        await waitFor('the queue', () => brunoPage.url().endsWith('#/queue'));

        // Never in the view: not found, with the way back.
        const elsewhere = await device.submit({ email: 'ana@acme.example', description: 'Help desk only.', group_id: 'helpdesk' });
        await openTicket(carlaPage, elsewhere, 'missing');
        assert.equal(await text(carlaPage, '#ticket-view h1'), `Ticket #${elsewhere} is not in your view`);
        assert.equal(await carlaPage.locator('#ticket-back-queue').getAttribute('href'), '#/queue');
        assert.deepEqual(await accessibilityViolations(carlaPage), []);
        await shot(carlaPage, 'ticket-en-missing');
        noPageErrors();
    });

    it('tells every kind of timeline entry in words', async () => {
        const at = (minutes) => new Date(Date.parse('2026-11-25T10:00:00Z') + minutes * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
        const bruno_ = { type: 'user', id: bruno.id, name: 'Bruno Costa' };
        const dana = { id: 77, name: 'Dana Reyes' };
        const fixture = {
            number: 999_001, requester: { email: 'ana@acme.example', organization: 'Acme Corp' }, priority: 'high', status: 'expired',
            created_at: at(0), updated_at: at(90), waiting_s: 5400, operator: null, group: null, subject: 'Every kind', description: 'x',
            device_online: false, assigned_at: null, closed_at: at(90), time_to_close_s: 5400, closed_by: null,
            timeline: [
                { kind: 'created', at: at(0), actor: { type: 'customer' }, priority: 'medium', group: null },
                { kind: 'assigned', at: at(1), actor: bruno_, operator: dana, from: null },
                { kind: 'assigned', at: at(2), actor: bruno_, operator: { id: bruno.id, name: 'Bruno Costa' }, from: dana },
                { kind: 'assigned', at: at(3), actor: { type: 'cli' }, operator: null, from: { id: bruno.id, name: 'Bruno Costa' } },
                { kind: 'priority', at: at(4), actor: { type: 'system' }, from: 'medium', to: 'high' },
                { kind: 'group', at: at(5), actor: bruno_, from: null, to: { id: 'billing', name: 'Billing' } },
                { kind: 'group', at: at(6), actor: bruno_, from: { id: 'billing', name: 'Billing' }, to: { id: 'helpdesk', name: 'Help desk' } },
                { kind: 'group', at: at(7), actor: { type: 'cli' }, from: { id: 'helpdesk', name: 'Help desk' }, to: null },
                { kind: 'connection', at: at(8), actor: bruno_, request_id: 'a', outcome: 'expired', answered_at: null },
                { kind: 'connection', at: at(9), actor: bruno_, request_id: 'b', outcome: 'accepted', answered_at: at(10) },
                { kind: 'session', at: at(10), actor: bruno_, session_id: 's', ended_at: at(22), duration_s: 724, ended_by: { type: 'customer' }, reason: null },
                { kind: 'session', at: at(30), actor: bruno_, session_id: 't', ended_at: at(31), duration_s: 65, ended_by: bruno_, reason: null },
                { kind: 'session', at: at(40), actor: bruno_, session_id: 'u', ended_at: at(50), duration_s: 600, ended_by: { type: 'system' }, reason: 'idle-timeout' },
                { kind: 'expired', at: at(90), actor: { type: 'system' } },
            ],
        };
        await admin.route('**/api/v1/tickets/999001', (route) => route.fulfill({ json: fixture }));
        try {
            await openTicket(admin, 999_001);
            assert.deepEqual(await timelineTexts(admin), [
                'The customer sent the request',
                'Bruno Costa assigned it to Dana Reyes',
                'Bruno Costa took the ticket',
                'Taken away from Bruno Costa',
                'The priority changed from Medium to High',
                'Bruno Costa put it in Billing',
                'Bruno Costa moved it from Billing to Help desk',
                'Taken out of Help desk',
                'Bruno Costa asked to connect to the customer’s screen',
                'Bruno Costa asked to connect to the customer’s screen',
                'Session of 12 min 04 s, ended by the customer',
                'Session of 1 min 05 s, ended by Bruno Costa',
                'Session of 10 min 00 s, ended by the server',
                'The ticket expired: it was still open when the server’s time limit ran out',
            ]);
            const details = await timelineDetails(admin);
            assert.equal(details[0], 'Priority Medium · No group');
            assert.equal(details[1], 'Before: Dana Reyes');
            assert.equal(details[2], 'No answer: the request expired');
            // The time the customer answered is a <time> beside the outcome.
            assert.equal(details[3], `The customer accepted${await pageDateTime(admin, at(10))}`);
            assert.equal(details[4], 'Nothing happened for too long');
            const actors = await admin.locator('#ticket-timeline .timeline-actor').allTextContents();
            assert.deepEqual(actors, ['Customer', 'Command line', 'Server (automatic)', 'Command line', 'Server (automatic)']);
            assert.equal(await text(admin, '#ticket-closed-note'), 'This ticket expired: nobody closed it in time. It can no longer change.');
            assert.equal(await text(admin, '#ticket-status'), 'Expired');
        } finally {
            await admin.unroute('**/api/v1/tickets/999001');
        }
    });

    it('shows a closed ticket in the history of the admin and of the operators who handled it, and not to others', async () => {
        // Bruno is its operator (in no group) and closes it himself from its page.
        const handled = await device.submit({ email: 'dora@example.org', subject: 'Handled by Bruno', description: 'No group.' });
        await api('PATCH', `/api/v1/tickets/${handled}`, adminToken, { operator_id: bruno.id });
        await openTicket(brunoPage, handled);
        await brunoPage.click('#ticket-close');
        await brunoPage.locator('dialog [data-confirm]').click();
        await waitFor('the closed ticket', async () => (await brunoPage.locator('#ticket-view').getAttribute('data-status')) === 'closed');
        tickets.handled = handled;

        const seen = {};
        for (const [name, page, token] of [['admin', admin, adminToken], ['bruno', brunoPage, brunoToken], ['carla', carlaPage, carlaToken]]) {
            await show(page, '#/history');
            await page.waitForSelector('#history-view[data-state="shown"], #history-view[data-state="empty"]');
            const expected = (await api('GET', '/api/v1/history', token)).tickets.map((t) => t.number);
            await waitFor(`${name}'s history to equal the API's`, async () => JSON.stringify(await rowNumbers(page)) === JSON.stringify(expected));
            seen[name] = expected;
        }
        assert.ok(seen.admin.includes(handled) && seen.admin.includes(tickets.live));
        assert.ok(seen.bruno.includes(handled) && seen.bruno.includes(tickets.live));
        assert.ok(!seen.carla.includes(handled) && !seen.carla.includes(tickets.live));
        assert.equal(await text(brunoPage, '.history-subtitle'), 'Closed and expired tickets that you or your groups handled, most recently closed first.');

        // A row: every column, and the link to the ticket's page.
        const row = brunoPage.locator(`#history-body tr[data-ticket="${handled}"] td`);
        const stored = (await api('GET', '/api/v1/history', brunoToken)).tickets.find((t) => t.number === handled);
        assert.equal(await row.nth(0).textContent(), `#${handled}`);
        assert.equal(await row.nth(1).textContent(), 'dora@example.org');
        assert.equal(await row.nth(2).textContent(), 'Handled by Bruno');
        assert.equal(await row.nth(3).textContent(), 'No group');
        assert.equal(await row.nth(4).textContent(), 'Bruno Costa');
        assert.equal(await row.nth(5).textContent(), { low: 'Low', medium: 'Medium', high: 'High', urgent: 'Urgent' }[stored.priority]);
        assert.equal(await row.nth(6).textContent(), await pageDayAndTime(brunoPage, stored.created_at));
        assert.equal(await row.nth(6).locator('time').getAttribute('datetime'), stored.created_at);
        assert.equal(await row.nth(7).textContent(), `Closed ${await pageDayAndTime(brunoPage, stored.closed_at)}`);
        assert.equal(await row.nth(7).locator('time').getAttribute('title'), await pageDateTime(brunoPage, stored.closed_at));
        assert.match(await row.nth(8).textContent(), /^\d+ s$/);
        await row.nth(0).locator('a').click();
        await brunoPage.waitForSelector('#ticket-view[data-state="shown"]');
        assert.equal(await text(brunoPage, '#ticket-heading'), `Ticket #${handled}`);
        noPageErrors();
    });

    describe('with a year of history', () => {
        const now = Date.now();
        const today = zoneDay(now);
        const midnight = zoneMidnight(today);
        const dayMs = 86_400_000;
        // The range the filter test picks: from 40 to 20 days ago, in the admin's days.
        const rangeFrom = zoneDay(now - 40 * dayMs);
        const rangeTo = zoneDay(now - 20 * dayMs);
        const boundaries = {};

        before(async () => {
            const emails = ['ana@acme.example', 'Ana.Lopes@acme.example', 'anabela@acme.example', 'bob@example.org', 'carlos@beta.example'];
            const numbers = [];
            for (let i = 0; i < 60; i += 1) {
                numbers.push(await device.submit({ email: emails[i % emails.length], subject: `Case ${i}`, description: `Case ${i}.`,
                                                   group_id: i % 3 === 0 ? 'billing' : 'helpdesk', priority: ['low', 'medium', 'high', 'urgent'][i % 4] }));
            }
            // Text that CSV must quote or guard.
            const special = [
                { subject: 'Comma, "quoted" and\nnew line', email: 'csv@quote.example' },
                { subject: '=SUM(A1:A9)', email: 'csv@quote.example' },
                { subject: '+31 555 0100', email: 'csv@quote.example' },
                { subject: '-minus', email: 'csv@quote.example' },
                { subject: '@at the start', email: 'csv@quote.example' },
                { subject: 'Ünïcödé ✓ 日本語 🙂', email: 'csv@quote.example' },
                { subject: kXssSubject, email: kXssEmail },
            ];
            for (const s of special) numbers.push(await device.submit({ email: s.email, subject: s.subject, description: 'Special text.', group_id: 'helpdesk' }));
            for (const number of numbers) await api('POST', `/api/v1/tickets/${number}/close`);
            tickets.special = numbers.slice(60);

            // Spread the closes over a year, with tickets right at the edges of the filters.
            let statements = '';
            numbers.slice(0, 60).forEach((number, i) => {
                statements += backdate(number, now - (i * 6 + 1) * dayMs - i * 3_600_000);
            });
            const edge = numbers.slice(0, 6);
            boundaries.todayIn = edge[0];
            boundaries.yesterday = edge[1];
            boundaries.rangeFirst = edge[2];
            boundaries.beforeRange = edge[3];
            boundaries.rangeLast = edge[4];
            boundaries.afterRange = edge[5];
            statements += backdate(edge[0], midnight + Math.floor((now - midnight) / 2));
            statements += backdate(edge[1], midnight - 1000);
            statements += backdate(edge[2], zoneMidnight(rangeFrom));
            statements += backdate(edge[3], zoneMidnight(rangeFrom) - 1000);
            statements += backdate(edge[4], zoneMidnight(rangeTo) + dayMs - 1000);
            statements += backdate(edge[5], zoneMidnight(rangeTo) + dayMs);
            await sql(`BEGIN;\n${statements}COMMIT;`);
        });

        const historyRequests = (page) => {
            const seen = [];
            const listener = (request) => {
                const url = new URL(request.url());
                if (url.pathname === '/api/v1/history') seen.push(url.searchParams);
            };
            page.on('request', listener);
            return { seen, stop: () => page.off('request', listener) };
        };
        const expectRows = async (page, query) => {
            const expected = (await api('GET', `/api/v1/history?${query}`)).tickets.map((t) => t.number);
            await waitFor(`the rows of ${query}`, async () => JSON.stringify(await rowNumbers(page)) === JSON.stringify(expected)
                || (expected.length === 0 && (await page.locator('#history-view').getAttribute('data-state')) === 'empty'));
            return expected;
        };

        it('filters by requester through the type-ahead, by today, the last N days, a date range and rows', async () => {
            await show(admin, '#/history');
            await admin.waitForSelector('#history-view[data-state="shown"]');
            const requests = historyRequests(admin);
            const typeAhead = [];
            admin.on('request', (request) => {
                if (request.url().includes('/api/v1/history/requesters')) typeAhead.push(new URL(request.url()).searchParams.get('prefix'));
            });

            // Type-ahead on the first letters: the API's suggestions, in a list to pick from.
            // Three letters typed faster than the debounce (in one task of the page, so that a
            // loaded machine cannot spread them out) make one request.
            await admin.click('#history-email');
            await admin.locator('#history-email').evaluate((input) => {
                for (const letter of 'ana') {
                    input.value += letter;
                    input.dispatchEvent(new InputEvent('input', { bubbles: true, data: letter, inputType: 'insertText' }));
                }
            });
            const suggestions = (await api('GET', '/api/v1/history/requesters?prefix=ana&limit=8')).emails;
            assert.ok(suggestions.includes('ana@acme.example') && suggestions.includes('ana.lopes@acme.example'), suggestions.join());
            await waitFor('the suggestions', async () =>
                JSON.stringify(await admin.locator('#history-email-list [role="option"]').allTextContents()) === JSON.stringify(suggestions));
            assert.equal(await admin.getAttribute('#history-email', 'aria-expanded'), 'true');
            assert.deepEqual(typeAhead, ['ana'], 'typing is debounced into one request');
            await admin.keyboard.press('ArrowDown');
            const first = await admin.getAttribute('#history-email', 'aria-activedescendant');
            assert.equal(await admin.locator(`#${first}`).getAttribute('aria-selected'), 'true');
            await admin.locator('#history-email-list [role="option"]', { hasText: /^ana@acme\.example$/ }).click();
            await waitFor('the email in the URL', () => admin.url().includes('email=ana%40acme.example'));
            assert.equal(await admin.getAttribute('#history-email', 'aria-expanded'), 'false');
            const byEmail = await expectRows(admin, 'email=ana%40acme.example');
            assert.ok(byEmail.length >= 5);
            await shot(admin, 'history-en-filtered');

            // Today, in the browser's own day: from its local midnight.
            await admin.fill('#history-email', '');
            await admin.keyboard.press('Enter');
            await admin.selectOption('#history-period', 'today');
            await waitFor('days=today in the URL', () => admin.url().includes('days=today'));
            const todayFrom = isoSeconds(midnight);
            const todays = await expectRows(admin, `from=${todayFrom}`);
            assert.ok(todays.includes(boundaries.todayIn) && !todays.includes(boundaries.yesterday));
            assert.equal(requests.seen.at(-1).get('from'), todayFrom);
            assert.equal(requests.seen.at(-1).has('days'), false);

            // The last 7 and 365 days.
            await admin.selectOption('#history-period', '7');
            const week = await expectRows(admin, 'days=7');
            assert.equal(requests.seen.at(-1).get('days'), '7');
            await admin.selectOption('#history-period', '365');
            const year = await expectRows(admin, 'days=365');
            assert.ok(week.length > 0 && year.length > week.length);

            // A date range in the browser's days: `to` is the midnight after the last day.
            await admin.selectOption('#history-period', 'range');
            await admin.fill('#history-from', rangeFrom);
            await admin.fill('#history-to', rangeTo);
            await waitFor('the range in the URL', () => admin.url().includes(`to=${rangeTo}`) && admin.url().includes(`from=${rangeFrom}`));
            const fromTime = isoSeconds(zoneMidnight(rangeFrom));
            const toTime = isoSeconds(zoneMidnight(rangeTo) + dayMs);
            const ranged = await expectRows(admin, `from=${fromTime}&to=${toTime}`);
            assert.equal(requests.seen.at(-1).get('from'), fromTime);
            assert.equal(requests.seen.at(-1).get('to'), toTime);
            assert.ok(ranged.includes(boundaries.rangeFirst) && ranged.includes(boundaries.rangeLast), 'both days are included');
            assert.ok(!ranged.includes(boundaries.beforeRange) && !ranged.includes(boundaries.afterRange), 'nothing outside them');

            // The wrong way round: said by the field, and nothing is asked of the server.
            await admin.fill('#history-from', rangeTo);
            await waitFor('a one-day range', () => admin.url().includes(`from=${rangeTo}`));
            await expectRows(admin, `from=${isoSeconds(zoneMidnight(rangeTo))}&to=${toTime}`);
            const asked = requests.seen.length;
            await admin.fill('#history-to', rangeFrom);
            await admin.waitForSelector('#history-view[data-state="invalid"]');
            const error = admin.locator('#history-to-error');
            assert.equal(await error.isVisible(), true);
            assert.match(await error.textContent(), /^The last day is before the first day\. Pick .+ or a later day\.$/);
            assert.equal(await admin.getAttribute('#history-to', 'aria-invalid'), 'true');
            assert.match(await admin.getAttribute('#history-to', 'aria-describedby'), /history-to-error/);
            assert.equal(await admin.locator('#history-body tr').count(), 0);
            assert.equal(await admin.locator('#history-export').isVisible(), false);
            assert.equal(requests.seen.length, asked);
            assert.deepEqual(await accessibilityViolations(admin), []);
            await shot(admin, 'history-en-invalid');

            // Rows per page.
            await admin.click('#history-clear');
            await admin.waitForSelector('#history-view[data-state="shown"]');
            await admin.selectOption('#history-limit', '25');
            await expectRows(admin, 'limit=25');
            assert.equal(await admin.locator('#history-body tr').count(), 25);
            assert.equal(requests.seen.at(-1).get('limit'), '25');
            requests.stop();
            noPageErrors();
        });

        it('walks every row exactly once with Older, and back with Newer', async () => {
            await show(admin, '#/history?limit=25');
            await admin.waitForSelector('#history-view[data-state="shown"]');
            const all = (await api('GET', '/api/v1/history?limit=1000')).tickets.map((t) => t.number);
            assert.ok(all.length > 50);
            const pagesSeen = [];
            for (;;) {
                const expectedFirst = all[pagesSeen.flat().length];
                await waitFor('the page', async () => (await rowNumbers(admin))[0] === expectedFirst);
                pagesSeen.push(await rowNumbers(admin));
                const first = pagesSeen.flat().length - pagesSeen.at(-1).length + 1;
                assert.equal(await text(admin, '#history-summary'), `Tickets ${first}–${pagesSeen.flat().length}`);
                if (!(await admin.locator('#history-older').isVisible())) break;
                await admin.click('#history-older');
            }
            assert.deepEqual(pagesSeen.flat(), all, 'every row once, in order');
            assert.ok(pagesSeen.length >= 3);
            assert.ok(!admin.url().includes('offset'));
            for (let i = pagesSeen.length - 2; i >= 0; i -= 1) {
                await admin.click('#history-newer');
                await waitFor('the newer page', async () => JSON.stringify(await rowNumbers(admin)) === JSON.stringify(pagesSeen[i]));
            }
            assert.equal(await admin.locator('#history-newer').isVisible(), false);
            noPageErrors();
        });

        it('exports exactly the rows on screen as CSV', async () => {
            const download = async (page) => {
                const [file] = await Promise.all([page.waitForEvent('download'), page.click('#history-export')]);
                assert.match(file.suggestedFilename(), /^helpline-history-\d{8}-\d{6}\.csv$/);
                return readFile(await file.path());
            };
            const check = async (page, params) => {
                const bytes = await download(page);
                assert.notDeepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'no byte-order mark');
                const csv = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
                assert.ok(csv.startsWith(`${kHeader}\r\n`));
                const [header, ...records] = parseCsv(csv);
                assert.equal(header.join(','), kHeader);
                const onScreen = await rowNumbers(page);
                assert.deepEqual(records.map((r) => Number(r[0])), onScreen, 'the CSV has exactly the rows on screen');
                const href = await page.getAttribute('#history-export', 'href');
                const exportParams = new URL(href, server.url).searchParams;
                for (const [name, value] of params) assert.equal(exportParams.get(name), value, `the export's ${name}`);
                const expected = (await api('GET', `/api/v1/history?${exportParams}`)).tickets;
                records.forEach((record, i) => {
                    const t = expected[i];
                    assert.deepEqual(record, [String(t.number), guarded(t.requester.email), guarded(t.requester.organization ?? ''), guarded(t.subject ?? ''),
                        guarded(t.group?.name ?? ''), guarded(t.operator?.name ?? ''), t.priority, t.status, t.created_at, t.closed_at,
                        String(t.time_to_close_s)]);
                    assert.match(record[8], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
                    assert.match(record[9], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
                });
                return records;
            };

            // The second page of 25: `after` and `limit` go with the export.
            await show(admin, '#/history?limit=25');
            await admin.waitForSelector('#history-view[data-state="shown"]');
            const firstPage = await rowNumbers(admin);
            await admin.click('#history-older');
            await waitFor('page two', async () => (await rowNumbers(admin))[0] !== firstPage[0]);
            const after = new URLSearchParams(admin.url().split('?')[1]).get('after');
            assert.ok(after);
            await check(admin, [['limit', '25'], ['after', after]]);

            // Quoting and the formula guard.
            await show(admin, '#/history?email=csv%40quote.example');
            await waitFor('the special rows', async () => (await rowNumbers(admin)).length === 6);
            const records = await check(admin, [['email', 'csv@quote.example']]);
            const subjects = records.map((r) => r[3]);
            for (const s of ['Comma, "quoted" and\nnew line', "'=SUM(A1:A9)", "'+31 555 0100", "'-minus", "'@at the start", 'Ünïcödé ✓ 日本語 🙂'])
                assert.ok(subjects.includes(s), `${JSON.stringify(s)} in ${JSON.stringify(subjects)}`);
            const raw = (await download(admin)).toString('utf8');
            assert.ok(raw.includes('"Comma, ""quoted"" and\nnew line"'), 'quotes doubled inside a quoted field');

            // The hostile requester: guarded, and its RTL override kept as it was.
            await show(admin, `#/history?email=${encodeURIComponent(kXssEmail)}`);
            await waitFor('the hostile row', async () => (await rowNumbers(admin)).length === 1);
            const [hostile] = await check(admin, [['email', kXssEmail]]);
            assert.equal(hostile[1], `'${kXssEmail}`);
            assert.equal(hostile[3], kXssSubject);
            noPageErrors();
        });

        it('shows hostile text as text, with the layout intact, on both pages', async () => {
            const description = `<img src=x onerror="window.__xss = 2"></script>\u202Egnirts desrever 🙂\n${'Long words without spaces '.repeat(3)}${'x'.repeat(2000)} `;
            // 16,000 characters (the server's limit counts code points; it trims the ends).
            let body = (description + 'lorem ipsum dolor '.repeat(Math.floor((16_000 - [...description].length) / 18))).trim();
            body += 'x'.repeat(16_000 - [...body].length);
            const number = await device.submit({ email: kXssEmail, subject: kXssSubject, description: body, group_id: 'helpdesk', priority: 'urgent' });
            assert.equal([...body].length, 16_000);
            await openTicket(admin, number);
            assert.equal(await text(admin, '#ticket-subject'), kXssSubject);
            assert.equal(await admin.locator('#ticket-description').textContent(), body);
            assert.equal(await text(admin, '#ticket-email'), kXssEmail);
            assert.equal(await admin.locator('#ticket-view img, #ticket-view script').count(), 0);
            assert.equal(await admin.evaluate(() => window.__xss), undefined);
            const layout = await admin.evaluate(() => {
                const box = (s) => document.querySelector(s).getBoundingClientRect();
                return { overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
                         side: box('.ticket-side').right, width: window.innerWidth, description: box('#ticket-description').height,
                         timeline: box('#ticket-timeline').top };
            });
            assert.ok(layout.overflow <= 0, `the page scrolls sideways by ${layout.overflow}px`);
            assert.ok(layout.side <= layout.width, 'the side column stays on screen');
            assert.ok(layout.description < 500, `the description box is ${layout.description}px tall`);
            assert.ok(layout.timeline < 1000, 'the timeline is not pushed away by the description');
            await shot(admin, 'ticket-en-hostile');
            assert.deepEqual(await accessibilityViolations(admin), []);

            await api('POST', `/api/v1/tickets/${number}/close`);
            await show(admin, `#/history?email=${encodeURIComponent(kXssEmail)}`);
            await waitFor('the hostile rows', async () => (await rowNumbers(admin)).includes(number));
            const cells = admin.locator(`#history-body tr[data-ticket="${number}"] td`);
            assert.equal(await cells.nth(1).textContent(), kXssEmail);
            assert.equal(await cells.nth(2).textContent(), kXssSubject);
            assert.equal(await admin.locator('#history-view img, #history-view script').count(), 0);
            assert.equal(await admin.evaluate(() => window.__xss), undefined);
            const overflow = await admin.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
            assert.ok(overflow <= 0, `the history scrolls sideways by ${overflow}px`);
            const height = await cells.nth(2).evaluate((cell) => cell.getBoundingClientRect().height);
            assert.ok(height < 90, `the subject cell is ${height}px tall`);
            assert.deepEqual(await accessibilityViolations(admin), []);
            noPageErrors();
        });

        it('says when nothing matches, and suggests widening the filters', async () => {
            await show(admin, '#/history?email=nobody%40nowhere.example&days=7');
            await admin.waitForSelector('#history-view[data-state="empty"]');
            assert.equal(await text(admin, '#history-empty .empty-title'), 'No tickets match these filters');
            assert.equal(await text(admin, '#history-empty .muted'), 'Try a longer period, check the email, or clear the filters.');
            assert.equal(await admin.locator('#history-export').isVisible(), false);
            assert.deepEqual(await accessibilityViolations(admin), []);
            await shot(admin, 'history-en-empty');
            await admin.click('#history-empty-clear');
            await admin.waitForSelector('#history-view[data-state="shown"]');
            assert.ok(!admin.url().includes('email='));
        });

        it('is in Portuguese and Italian, with screenshots of both pages', async () => {
            const open = await device.submit({ email: 'ana@acme.example', subject: 'Impressora', description: 'A impressora encrava.', group_id: 'helpdesk', priority: 'high' });
            await api('PATCH', `/api/v1/tickets/${open}`, adminToken, { operator_id: bruno.id });
            await api('PATCH', `/api/v1/tickets/${open}`, brunoToken, { priority: 'urgent' });
            for (const language of ['pt', 'it']) {
                const page = await openAs(browser, server.url, kAdminEmail, server.password, { language, timezoneId: kZone });
                pages.push(page);
                const checkLanguage = async (what) => {
                    const left = englishLeft(await page.locator('#page').innerText(), language);
                    assert.deepEqual(left, [], `English on the ${what} in ${language}`);
                    assert.deepEqual(await accessibilityViolations(page), [], `${what} in ${language}`);
                };
                await openTicket(page, open);
                assert.equal(await text(page, '#ticket-heading'), ticketStrings[language]['ticket.title'].replace('{number}', open));
                await checkLanguage('open ticket');
                await shot(page, `ticket-${language}-open`);
                await openTicket(page, tickets.live);
                await checkLanguage('closed ticket');
                await shot(page, `ticket-${language}-closed`);
                await show(page, '#/history?email=ana%40acme.example&days=365');
                await page.waitForSelector('#history-view[data-state="shown"]');
                await checkLanguage('history');
                await shot(page, `history-${language}-filtered`);
                await show(page, '#/history?email=nobody%40nowhere.example');
                await page.waitForSelector('#history-view[data-state="empty"]');
                assert.equal(await text(page, '#history-empty .empty-title'), historyStrings[language]['history.empty.filtered']);
                await checkLanguage('empty history');
                await shot(page, `history-${language}-empty`);
                await show(page, `#/history?from=${rangeTo}&to=${rangeFrom}`);
                await page.waitForSelector('#history-view[data-state="invalid"]');
                await checkLanguage('history with a wrong range');
                await page.context().close();
            }
            noPageErrors();
        });
    });
});
