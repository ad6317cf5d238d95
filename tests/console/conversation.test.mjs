// A ticket's conversation in the console (issue 17), in a real browser (Debian's chromium,
// headless, playwright-core) against the real helpline-server, with a customer's device
// played over HTTP:
//   - an operator reads the customer's messages (the request first, then the messages, live
//     as the customer writes) and replies; the reply reaches the device (GET messages and its
//     event stream); an internal note is marked as such and never reaches the device;
//     a file attached in the console arrives byte for byte;
//   - an image the device uploaded shows as a thumbnail (loaded: naturalWidth > 0) that
//     opens full size in a new tab; a PDF is a download link with its name, size and type,
//     and the download's bytes are the uploaded ones; an SVG holding a <script> is a
//     download whose script never runs (served as an attachment, under CSP sandbox);
//   - the queue marks a ticket with a customer reply the operator has not read ("New
//     reply"), live, and the mark goes once the operator opened the ticket (and stays gone
//     after a reload: the server holds it);
//   - a reply to a ticket closed meanwhile is refused where the reply box is, and the box
//     gives way to sentences saying replies are closed, keeping what was written;
//   - every kind of entry (removed files, notes, an expired ticket whose customer may reopen
//     it) from a fixture; axe-core finds nothing serious; no English left in pt and it;
//     screenshots in en, pt and it ($HELPLINE_SCREENSHOTS_DIR/console-conversation-*).
//
// Run by CTest (browser.conversation), or by hand from the build folder:
//   HELPLINE_SERVER_BIN=$PWD/server/app/helpline-server HELPLINE_SCREENSHOTS_DIR=$PWD/screenshots \
//   node --test-reporter=spec ../../tests/console/conversation.test.mjs

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import zlib from 'node:zlib';

import {
    accessibilityViolations, addUser, call, Device, kAdminEmail, launchBrowser, openConsole, setMembers, signIn, startServer,
    stopAll, waitFor, screenshotsDir, serverBinary } from './support.mjs';
import { englishLeft, screenshot } from './team_support.mjs';

const env = process.env;
const serverBin = serverBinary();
const kPassword = 'operator-password-1';

// --- files a customer sends ---------------------------------------------------------------

const kCrcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
});
function crc32(bytes) {
    let c = 0xffffffff;
    for (const b of bytes) c = kCrcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
}

/// A real PNG of `width`×`height`: a blue and orange diagonal, so the thumbnail is visible.
function makePng(width, height) {
    const chunk = (type, data) => {
        const length = Buffer.alloc(4);
        length.writeUInt32BE(data.length);
        const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
        const crc = Buffer.alloc(4);
        crc.writeUInt32BE(crc32(body));
        return Buffer.concat([length, body, crc]);
    };
    const header = Buffer.alloc(13);
    header.writeUInt32BE(width, 0);
    header.writeUInt32BE(height, 4);
    header[8] = 8;   // bits per sample
    header[9] = 2;   // RGB
    const rows = [];
    for (let y = 0; y < height; y += 1) {
        const row = Buffer.alloc(1 + width * 3);
        for (let x = 0; x < width; x += 1) {
            const [r, g, b] = x * height > y * width ? [47, 95, 179] : [232, 140, 40];
            row.set([r, g, b], 1 + x * 3);
        }
        rows.push(row);
    }
    return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header),
                          chunk('IDAT', zlib.deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))]);
}

/// A small valid-looking PDF of about `size` bytes.
function makePdf(size) {
    const head = '%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n';
    const tail = 'trailer << /Root 1 0 R >>\n%%EOF\n';
    return Buffer.from(head + '%'.padEnd(size - head.length - tail.length - 1, 'x') + '\n' + tail, 'latin1');
}

const kSvg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><script>'
    + 'try { top.__svgRan = 1; } catch (e) {} try { opener.__svgRan = 1; } catch (e) {} window.__svgRan = 1;'
    + '</script><rect width="40" height="40" fill="red"/></svg>');

// --- the device's side of the conversation API --------------------------------------------

async function deviceFetch(device, method, urlPath, { body, headers = {} } = {}) {
    const response = await fetch(device.url + urlPath, {
        method, body, headers: { Authorization: `Bearer ${device.token}`, ...headers },
    });
    const bytes = Buffer.from(await response.arrayBuffer());
    let json = null;
    try {
        json = JSON.parse(bytes.toString('utf8'));
    } catch {
        json = null;
    }
    return { status: response.status, json, bytes, text: bytes.toString('utf8'), headers: response.headers };
}

/// PUT of one file as the device; resolves to the attachment.
async function upload(device, number, name, bytes, type) {
    const r = await deviceFetch(device, 'PUT', `/api/v1/tickets/${number}/attachments/${randomUUID()}`, {
        body: bytes, headers: { 'Content-Type': type, 'X-Helpline-File-Name': encodeURIComponent(name) },
    });
    assert.equal(r.status, 201, `uploading ${name} answered ${r.status}: ${r.text}`);
    return r.json;
}

/// A customer's message; resolves to it.
async function say(device, number, body, attachments = []) {
    const r = await deviceFetch(device, 'POST', `/api/v1/tickets/${number}/messages`, {
        body: JSON.stringify({ body, attachments }),
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': randomUUID() },
    });
    assert.equal(r.status, 201, `the customer's message answered ${r.status}: ${r.text}`);
    return r.json;
}

async function conversationOf(device, number) {
    const r = await deviceFetch(device, 'GET', `/api/v1/tickets/${number}/messages`);
    assert.equal(r.status, 200, `GET messages answered ${r.status}: ${r.text}`);
    return r.json;
}

// --- the browser ----------------------------------------------------------------------------

async function openAs(browser, url, email, password, options = {}) {
    const page = await openConsole(browser, url, email, password, options);
    await waitFor('the live status', async () => (await page.locator('#live-status').getAttribute('data-state')) === 'connected');
    return page;
}

async function show(page, hash) {
    await page.evaluate((h) => { window.location.hash = h; }, hash);
}

async function openTicket(page, number) {
    await show(page, `#/tickets/${number}`);
    await page.waitForSelector('#ticket-view[data-state="shown"]', { timeout: 10_000 });
    await page.waitForSelector('#conversation[data-state="shown"]', { timeout: 10_000 });
}

const text = async (locator) => (await locator.textContent())?.replace(/\s+/g, ' ').trim();
const bodies = (page) => page.locator('#conversation-list .message-body').allTextContents();

/// What Intl gives the page for a time, in the page's language and zone.
const pageDateTime = (page, iso) => page.evaluate((value) =>
    new Intl.DateTimeFormat(document.documentElement.lang, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(value)), iso);

/// "3.5 kB" as the page's language writes it (decimal units, as Intl names them).
const pageSize = (page, bytes) => page.evaluate((n) => {
    const units = ['byte', 'kilobyte', 'megabyte'];
    let value = n;
    let unit = 0;
    while (value >= 1000 && unit < units.length - 1) {
        value /= 1000;
        unit += 1;
    }
    return new Intl.NumberFormat(document.documentElement.lang, { style: 'unit', unit: units[unit], unitDisplay: unit === 0 ? 'long' : 'short',
                                                                     maximumFractionDigits: unit > 0 && value < 10 ? 1 : 0 }).format(value);
}, bytes);

describe('a ticket’s conversation in the console', () => {
    let work;
    let server;
    let browser;
    let adminToken;
    let bruno;
    let brunoToken;
    let device;
    let page;         // Bruno's console (en)
    const pages = [];
    const tickets = {};

    const api = async (method, urlPath, token = adminToken, body = undefined) => {
        const r = await call(server.url, method, urlPath, { token, body });
        assert.ok(r.status < 300, `${method} ${urlPath} answered ${r.status}: ${r.text}`);
        return r.json;
    };
    const noPageErrors = () => {
        for (const p of pages) assert.deepEqual(p.consoleErrors, [], 'script errors or CSP violations');
    };
    const shot = (p, name) => screenshot(p, `console-conversation-${name}`);
    const queueRow = (p, number) => p.locator(`#queue-body tr[data-ticket="${number}"]`);
    /// Bruno's read mark on a ticket, as the server holds it.
    const readMark = async (number) => (await api('GET', `/api/v1/tickets/${number}/messages`, brunoToken)).read_message_id;

    before(async () => {
        work = await mkdtemp(path.join(os.tmpdir(), 'helpline-conversation-'));
        await mkdir(screenshotsDir, { recursive: true });
        server = await startServer({ serverBin, work, extraArgs: ['--submit-limit', '1000'] });
        adminToken = await signIn(server.url, kAdminEmail, server.password);
        bruno = await addUser(server.url, adminToken, { email: 'bruno@team.example', name: 'Bruno Costa', password: kPassword });
        await setMembers(server.url, adminToken, 'helpdesk', [bruno.id]);
        brunoToken = await signIn(server.url, bruno.email, kPassword);
        device = await Device.register(server.url);
        await device.listen();
        browser = await launchBrowser();
        page = await openAs(browser, server.url, bruno.email, kPassword, { timezoneId: 'Europe/Lisbon' });
        pages.push(page);
    });

    after(async () => {
        device?.close();
        await browser?.close();
        await stopAll();
        if (work && !process.exitCode && !env.HELPLINE_KEEP_WORK) await rm(work, { recursive: true, force: true });
    });

    it('shows the customer’s messages live and marks the queue until the operator has read them', async () => {
        const number = await device.submit({ email: 'ana@acme.example', subject: 'Printer', description: 'The printer in room 2 jams.',
                                             group_id: 'helpdesk', priority: 'high' });
        tickets.first = number;
        await show(page, '#/queue');
        await queueRow(page, number).waitFor({ timeout: 5_000 });
        assert.equal(await page.locator(`#queue-unread-${number}`).count(), 0, 'no mark before the customer wrote again');

        // The customer writes: the row says so, live.
        const first = await say(device, number, 'It still jams after a restart.');
        assert.equal(first.author, 'customer');
        assert.equal(first.author_name, null);
        await page.locator(`#queue-unread-${number}`).waitFor({ state: 'visible', timeout: 5_000 });
        assert.equal(await text(page.locator(`#queue-unread-${number}`)), 'New reply');
        assert.equal(await page.locator(`#queue-unread-${number}`).getAttribute('title'), 'The customer replied since you last read this ticket');
        const queued = (await api('GET', '/api/v1/queue', brunoToken)).tickets.find((t) => t.number === number);
        assert.equal(queued.last_customer_message_id, first.id);
        assert.equal(queued.read_message_id ?? 0, 0);
        assert.deepEqual(await accessibilityViolations(page), []);
        await shot(page, 'en-queue-unread');

        // Opened: the request first, then the message, with who and when.
        await page.locator(`#queue-n-${number}`).click();
        await page.waitForSelector('#conversation[data-state="shown"]', { timeout: 10_000 });
        const items = page.locator('#conversation-list > li');
        assert.equal(await items.count(), 2);
        assert.equal(await page.locator('#conversation-request #ticket-description').textContent(), 'The printer in room 2 jams.');
        assert.equal(await text(page.locator('#conversation-request .message-author')), 'ana@acme.example');
        const message = page.locator(`#message-${first.id}`);
        assert.equal(await message.getAttribute('data-author'), 'customer');
        assert.equal(await text(message.locator('.message-author')), 'ana@acme.example');
        assert.equal(await text(message.locator('.message-role')), 'Customer');
        assert.equal(await text(message.locator('.message-body')), 'It still jams after a restart.');
        assert.equal(await message.locator('time').getAttribute('datetime'), first.created_at);
        assert.equal(await text(message.locator('time')), await pageDateTime(page, first.created_at));

        // Read: the server holds the mark, and the queue's mark is gone — also after a reload.
        await waitFor('the read mark', async () => (await readMark(number)) === first.id, 5_000);
        await show(page, '#/queue');
        await queueRow(page, number).waitFor();
        assert.equal(await page.locator(`#queue-unread-${number}`).count(), 0);
        await page.reload();
        await page.waitForSelector('#queue-view[data-state="ready"]', { timeout: 10_000 });
        await waitFor('the live status', async () => (await page.locator('#live-status').getAttribute('data-state')) === 'connected');
        await queueRow(page, number).waitFor();
        assert.equal(await page.locator(`#queue-unread-${number}`).count(), 0, 'the mark is the server’s');

        // While the ticket is open, a new message shows by itself and is marked read at once.
        await openTicket(page, number);
        const second = await say(device, number, 'Now it says "paper out" although the tray is full.');
        await page.locator(`#message-${second.id}`).waitFor({ timeout: 5_000 });
        assert.deepEqual(await bodies(page), ['It still jams after a restart.', 'Now it says "paper out" although the tray is full.']);
        await waitFor('the new read mark', async () => (await readMark(number)) === second.id, 5_000);
        noPageErrors();
    });

    it('sends the operator’s reply and file to the customer, and keeps an internal note from them', async () => {
        const number = tickets.first;
        await openTicket(page, number);
        device.events.length = 0;

        // A reply with a file whose name is not ASCII.
        const note = Buffer.from('Tray 2: use A4 paper only.\nRestart after changing it.\n');
        await page.fill('#reply-body', 'Please try the other tray, and see the attached steps.');
        await page.setInputFiles('#reply-files', { name: 'passos – bandeja ✓.txt', mimeType: 'text/plain', buffer: note });
        assert.equal(await text(page.locator('#reply-file-list .reply-file .attachment-name')), 'passos – bandeja ✓.txt');
        assert.equal(await text(page.locator('#reply-send')), 'Send');
        await page.click('#reply-send');
        await waitFor('the reply sent', async () => (await text(page.locator('#reply-status'))) === 'Sent.', 10_000);
        assert.equal(await page.inputValue('#reply-body'), '', 'the box is empty again');
        assert.equal(await page.locator('#reply-file-list li').count(), 0);

        const seen = await conversationOf(device, number);
        const reply = seen.messages.at(-1);
        assert.equal(reply.author, 'team');
        assert.equal(reply.author_name, 'Bruno Costa');
        assert.equal(reply.body, 'Please try the other tray, and see the attached steps.');
        assert.equal(reply.internal, false);
        assert.equal(reply.attachments.length, 1);
        assert.equal(reply.attachments[0].name, 'passos – bandeja ✓.txt');
        assert.equal(reply.attachments[0].size, note.length);
        const bytes = await deviceFetch(device, 'GET', `/api/v1/attachments/${reply.attachments[0].id}`);
        assert.equal(bytes.status, 200);
        assert.deepEqual(bytes.bytes, note, 'the device downloads what the operator attached');
        const shown = page.locator(`#message-${reply.id}`);
        await shown.waitFor();
        assert.equal(await shown.getAttribute('data-author'), 'team');
        assert.equal(await text(shown.locator('.message-author')), 'Bruno Costa');
        assert.equal(await text(shown.locator('.message-role')), 'Team');
        assert.equal(await text(shown.locator('.attachment-name')), 'passos – bandeja ✓.txt');
        await waitFor('the reply in the device’s stream', () =>
            device.events.find((e) => e.type === 'ticket-message' && e.data.number === number && e.data.message.id === reply.id), 5_000);

        // An internal note: marked, and never the device's.
        await page.fill('#reply-body', 'Customer uses the old driver; check the print server.');
        await page.check('#reply-internal');
        assert.equal(await text(page.locator('#reply-send')), 'Add the note');
        assert.equal(await text(page.locator('#reply-label')), 'Internal note for the team');
        await page.click('#reply-send');
        await waitFor('the note added', async () => (await text(page.locator('#reply-status'))) === 'Note added.', 10_000);
        assert.equal(await page.isChecked('#reply-internal'), true, 'a note stays a note until unchecked: the next note cannot reach the customer by mistake');
        const internal = page.locator('#conversation-list .message.internal');
        await internal.waitFor();
        assert.equal(await internal.count(), 1);
        assert.equal(await text(internal.locator('.message-internal')), 'Internal note — not shown to the customer');
        assert.equal(await text(internal.locator('.message-body')), 'Customer uses the old driver; check the print server.');
        const noteId = Number(await internal.getAttribute('data-message'));

        // A reply after the note: once its event reached the device, the note's would have too.
        await page.uncheck('#reply-internal');
        assert.equal(await text(page.locator('#reply-send')), 'Send');
        await page.fill('#reply-body', 'Did the other tray help?');
        await page.click('#reply-send');
        await waitFor('the second reply sent', async () => (await text(page.locator('#reply-status'))) === 'Sent.', 10_000);
        const after = await conversationOf(device, number);
        const last = after.messages.at(-1);
        assert.equal(last.body, 'Did the other tray help?');
        await waitFor('the second reply in the device’s stream', () =>
            device.events.find((e) => e.type === 'ticket-message' && e.data.message?.id === last.id), 5_000);
        assert.equal(after.messages.some((m) => m.id === noteId || m.internal), false, 'no internal note in the device’s answer');
        assert.equal(JSON.stringify(after).includes('old driver'), false);
        assert.equal(device.events.some((e) => JSON.stringify(e.data).includes('old driver')), false, 'no internal note in its stream');

        // The team sees all three, in order.
        const team = await api('GET', `/api/v1/tickets/${number}/messages`, brunoToken);
        assert.deepEqual(team.messages.slice(-3).map((m) => [m.author, m.internal]), [['team', false], ['team', true], ['team', false]]);
        assert.deepEqual(await accessibilityViolations(page), []);
        await shot(page, 'en-open');
        noPageErrors();
    });

    it('shows an image as a thumbnail, a file as a download, and never runs an SVG’s script', async () => {
        const number = await device.submit({ email: 'ana@acme.example', subject: 'Screen', description: 'The screen flickers; see the screenshot.',
                                             group_id: 'helpdesk' });
        tickets.files = number;
        const png = makePng(320, 200);
        const pdf = makePdf(3456);
        const pdfName = 'Relatório <b>final.pdf';  // (a '/' would be cut: the server keeps a name's last part)
        // Uploaded before any message named it: it came with the request.
        const image = await upload(device, number, 'screen.png', png, 'image/png');
        assert.equal(image.image, true);
        const doc = await upload(device, number, pdfName, pdf, 'application/pdf');
        const svg = await upload(device, number, 'drawing.svg', kSvg, 'image/svg+xml');
        assert.equal(svg.image, false, 'an SVG is never shown inline');
        const message = await say(device, number, 'Here are the report and a drawing.', [doc.id, svg.id]);

        await openTicket(page, number);
        // The image, under the request, loaded.
        const thumb = page.locator(`#conversation-request .attachment.image[data-attachment="${image.id}"]`);
        await thumb.scrollIntoViewIfNeeded();
        const img = thumb.locator('img');
        await waitFor('the thumbnail to load', () => img.evaluate((i) => i.complete && i.naturalWidth), 5_000);
        assert.equal(await img.evaluate((i) => i.naturalWidth), 320);
        assert.equal(await img.getAttribute('alt'), 'screen.png');
        const link = thumb.locator('a.attachment-thumb');
        assert.equal(await link.getAttribute('href'), `/api/v1/attachments/${image.id}`);
        assert.equal(await link.getAttribute('target'), '_blank');
        assert.equal(await link.getAttribute('aria-label'), 'Open screen.png full size (new tab)');
        const [tab] = await Promise.all([page.context().waitForEvent('page'), link.click()]);
        await tab.waitForLoadState();
        assert.ok(tab.url().endsWith(`/api/v1/attachments/${image.id}`), tab.url());
        assert.equal(await tab.evaluate(() => document.querySelector('img')?.naturalWidth), 320, 'full size in the new tab');
        await tab.close();

        // The PDF: a download link with its name (as text), size and type; the bytes are the upload's.
        const file = page.locator(`#message-${message.id} .attachment[data-attachment="${doc.id}"]`);
        assert.equal(await text(file.locator('a.attachment-download')), pdfName);
        assert.equal(await page.locator('#conversation b').count(), 0, 'a file name is text, never markup');
        assert.equal(await text(file.locator('.attachment-meta')), `${await pageSize(page, pdf.length)} · application/pdf`);
        assert.equal(await text(file.locator('.attachment-meta')), '3.5 kB · application/pdf');
        const [download] = await Promise.all([page.waitForEvent('download'), file.locator('a.attachment-download').click()]);
        assert.deepEqual(await readFile(await download.path()), pdf, 'the download is the uploaded file');

        // The SVG: a download link, not an image; served so that it can run nothing.
        const drawing = page.locator(`.attachment[data-attachment="${svg.id}"]`);
        assert.equal(await drawing.locator('img').count(), 0);
        assert.equal(await text(drawing.locator('a.attachment-download')), 'drawing.svg');
        const url = `/api/v1/attachments/${svg.id}`;
        const served = await call(server.url, 'GET', url, { token: brunoToken });
        assert.equal(served.status, 200);
        assert.match(served.headers.get('content-disposition') ?? '', /^attachment/);
        assert.equal(served.headers.get('content-type'), 'application/octet-stream');
        assert.match(served.headers.get('content-security-policy') ?? '', /sandbox/);
        assert.equal(served.headers.get('x-content-type-options'), 'nosniff');
        // Opened in the page itself: in a frame and as the page's own URL. Each is a
        // download; the script sets nothing anywhere.
        const [framed] = await Promise.all([page.waitForEvent('download'), page.evaluate((u) => {
            const frame = document.createElement('iframe');
            frame.src = u;
            document.body.append(frame);
        }, url)]);
        assert.deepEqual(await readFile(await framed.path()), kSvg);
        const opened = await page.context().newPage();
        const downloaded = opened.waitForEvent('download');
        await opened.goto(server.url + url).catch(() => { /* "Download is starting": no document */ });
        assert.deepEqual(await readFile(await (await downloaded).path()), kSvg);
        assert.equal(await opened.evaluate(() => window.__svgRan), undefined);
        await opened.close();
        assert.equal(await page.evaluate(() => window.__svgRan), undefined, 'the SVG’s script never ran');
        await page.evaluate(() => document.querySelectorAll('body > iframe').forEach((f) => f.remove()));

        assert.deepEqual(await accessibilityViolations(page), []);
        await shot(page, 'en-files');
        noPageErrors();
    });

    it('refuses a reply to a ticket closed meanwhile, where the reply box is, and keeps what was written', async () => {
        const number = await device.submit({ email: 'ana@acme.example', description: 'Keyboard missing keys.', group_id: 'helpdesk' });
        await openTicket(page, number);
        // The page must not learn of the close before it sends: its reads wait until released.
        let release;
        const held = new Promise((resolve) => { release = resolve; });
        const hold = async (route) => {
            if (route.request().method() === 'GET') await held;
            await route.continue();
        };
        await page.route(`**/api/v1/tickets/${number}`, hold);
        await page.route(`**/api/v1/tickets/${number}/messages`, hold);
        try {
            await api('POST', `/api/v1/tickets/${number}/close`);
            await page.fill('#reply-body', 'Which keys are missing?');
            await page.click('#reply-send');
            await page.locator('#reply-error:not([hidden])').waitFor({ timeout: 5_000 });
            assert.equal(await text(page.locator('#reply-error')), 'Not sent: this ticket is closed, so it takes no more replies from the team.');
            assert.equal(await page.inputValue('#reply-body'), 'Which keys are missing?');
        } finally {
            release();
            // Waits for the held reads' handlers: a route taken away while its handler waits
            // is continued by Playwright, and the handler's own continue then fails.
            await page.unrouteAll({ behavior: 'wait' });
        }
        await page.locator('#reply-closed').waitFor({ timeout: 5_000 });
        assert.equal(await text(page.locator('#reply-closed .reply-closed-text')), 'This ticket is closed: the team can no longer reply.');
        assert.equal(await text(page.locator('#reply-closed [role="alert"]')), 'Not sent: this ticket is closed, so it takes no more replies from the team.');
        assert.equal(await page.inputValue('#reply-unsent'), 'Which keys are missing?', 'what was written is kept, to copy');
        assert.equal(await page.locator('#ticket-view button, #ticket-view select, #reply-form').count(), 0, 'no control on a closed ticket');
        assert.equal((await conversationOf(device, number)).messages.length, 0, 'nothing was stored');
        assert.deepEqual(await accessibilityViolations(page), []);
        await shot(page, 'en-closed-refused');

        // A closed ticket opened afresh: the sentences, no box.
        await show(page, '#/queue');
        await openTicket(page, number);
        assert.equal(await page.locator('#reply-form').count(), 0);
        assert.equal(await text(page.locator('#reply-closed .reply-closed-text')), 'This ticket is closed: the team can no longer reply.');
        assert.equal(await page.locator('#reply-closed [role="alert"]').count(), 0);
        noPageErrors();
    });

    it('tells every kind of entry apart: notes, removed files, an expired ticket the customer may reopen', async () => {
        const at = (minutes) => new Date(Date.parse('2026-11-25T10:00:00Z') + minutes * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
        const attachment = (id, fields) => ({ id, ticket_number: 999_002, message_id: null, name: `file-${id}`, size: 1000, type: 'application/octet-stream',
                                             image: false, sha256: 'ab'.repeat(32), internal: false, author: 'customer', created_at: at(0), removed: false, ...fields });
        const ticket = {
            number: 999_002, requester: { email: 'ana@acme.example', organization: 'Acme Corp' }, priority: 'medium', status: 'expired',
            created_at: at(0), updated_at: at(1440), waiting_s: 86_400, operator: { id: bruno.id, name: 'Bruno Costa' }, group: { id: 'helpdesk', name: 'Help desk' },
            subject: 'Every kind', description: 'The request.', device_online: false, assigned_at: at(5), closed_at: at(1440), time_to_close_s: 86_400,
            closed_by: null, timeline: [], messages: 3, last_customer_message_id: 3, read_message_id: 3,
        };
        const messages = {
            number: 999_002, status: 'expired', description: 'The request.', created_at: at(0), read_message_id: 3, replies_reopen: true, retention_days: 30, attachment_max_bytes: 20 * 1024 * 1024,
            attachments: [attachment(1, { name: 'old-screen.png', size: 250_000, type: 'image/png', image: true, removed: true })],
            messages: [
                { id: 1, ticket_number: 999_002, author: 'team', author_name: 'Bruno Costa', body: 'Which model is it?', internal: false, created_at: at(10), attachments: [] },
                { id: 2, ticket_number: 999_002, author: 'team', author_name: null, body: 'Known issue with this model.', internal: true, created_at: at(12),
                  attachments: [attachment(2, { name: 'vendor-note.pdf', size: 12_345, type: 'application/pdf', internal: true, author: 'team', message_id: 2 })] },
                { id: 3, ticket_number: 999_002, author: 'customer', author_name: null, body: '', internal: false, created_at: at(20),
                  attachments: [attachment(3, { name: 'log.zip', size: 2_500_000, type: 'application/zip', removed: true, message_id: 3 })] },
            ],
        };
        const admin = await openAs(browser, server.url, kAdminEmail, server.password, { timezoneId: 'UTC' });
        pages.push(admin);
        await admin.route('**/api/v1/tickets/999002', (route) => route.fulfill({ json: ticket }));
        await admin.route('**/api/v1/tickets/999002/messages', (route) => route.fulfill({ json: messages }));
        await admin.route('**/api/v1/tickets/999002/read', (route) => route.fulfill({ status: 204 }));
        await openTicket(admin, 999_002);
        assert.equal(await text(admin.locator('#message-1 .message-author')), 'Bruno Costa');
        assert.equal(await text(admin.locator('#message-2 .message-author')), 'A team member');
        assert.equal(await admin.locator('#message-2').getAttribute('class'), 'message from-team internal');
        assert.equal(await text(admin.locator('#message-2 .message-internal')), 'Internal note — not shown to the customer');
        assert.equal(await text(admin.locator('#message-2 .attachment-meta')), '12 kB · application/pdf');
        assert.equal(await admin.locator('#message-3 .message-body').count(), 0, 'a message of files only has no empty text');
        await waitFor('the retention in the removed files', async () =>
            (await admin.locator('.attachment.removed .attachment-removed').allTextContents()).every((t) => t === 'Removed after 30 days'), 5_000);
        assert.equal(await admin.locator('.attachment.removed').count(), 2);
        assert.equal(await admin.locator('.attachment.removed img, .attachment.removed a').count(), 0, 'nothing to open once removed');
        assert.deepEqual(await admin.locator('.attachment.removed .attachment-meta').allTextContents(), ['250 kB', '2.5 MB']);
        assert.equal(await text(admin.locator('#reply-closed .reply-closed-text')), 'This ticket expired: the team can no longer reply.');
        assert.equal(await text(admin.locator('#reply-closed .muted')), 'If the customer replies, the ticket opens again and returns to the queue.');
        assert.deepEqual(await accessibilityViolations(admin), []);
        await shot(admin, 'en-kinds');
        await admin.context().close();
        pages.splice(pages.indexOf(admin), 1);
        noPageErrors();
    });

    for (const language of ['pt', 'it']) {
        it(`reads in ${language === 'pt' ? 'Portuguese' : 'Italian'}: no English left, dates and sizes in the language`, async () => {
            const other = await openAs(browser, server.url, bruno.email, kPassword, { language, timezoneId: 'Europe/Rome' });
            pages.push(other);
            try {
                await openTicket(other, tickets.files);
                const first = (await conversationOf(device, tickets.files)).messages[0];
                assert.equal(await text(other.locator(`#message-${first.id} time`)), await pageDateTime(other, first.created_at));
                assert.deepEqual(await englishLeft(other, language), []);
                // A note, in the language (the console's own sentences only).
                await other.check('#reply-internal');
                assert.deepEqual(await englishLeft(other, language), []);
                assert.deepEqual(await accessibilityViolations(other), []);
                await shot(other, `${language}-files-note`);
                await other.uncheck('#reply-internal');
                await openTicket(other, tickets.first);
                assert.deepEqual(await englishLeft(other, language), []);
                await shot(other, `${language}-open`);
                // The queue's mark, in the language.
                await show(other, '#/queue');
                await queueRow(other, tickets.first).waitFor();
                await say(device, tickets.first, `Still jammed (${language}).`);
                await other.locator(`#queue-unread-${tickets.first}`).waitFor({ state: 'visible', timeout: 5_000 });
                assert.deepEqual(await englishLeft(other, language), []);
                await shot(other, `${language}-queue-unread`);
                noPageErrors();
            } finally {
                await other.context().close();
                pages.splice(pages.indexOf(other), 1);
            }
        });
    }
});
