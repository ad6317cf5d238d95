// `scripts/demo --check`: the demo's whole journey without a person, against the demo's
// own running server. The terminal client (the demo's stamped demo-support-cli, on the
// demo's private Xvfb) files a request; chromium, headless, signs in to the console as the
// demo operator and clicks Connect; the client's question is answered "y"; the viewer must
// show the customer's screen (a screenshot is saved); End session must end it on both
// sides. Exits 0 when all of that happened, 1 (saying where it stopped) otherwise.
//
//   node tests/console/demo_check.mjs --url URL --cli CLI --display :N --email E
//        --password P --work FOLDER [--chromium /usr/bin/chromium]

import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { canvasColours, RemoteDesktop } from './remote_desktop.mjs';
import { call, run, signIn, stopAll, waitFor } from './support.mjs';

const { values: args } = parseArgs({
    options: {
        url: { type: 'string' }, cli: { type: 'string' }, display: { type: 'string' },
        email: { type: 'string' }, password: { type: 'string' }, work: { type: 'string' },
        chromium: { type: 'string', default: '/usr/bin/chromium' },
    },
});
for (const name of ['url', 'cli', 'display', 'email', 'password', 'work'])
    if (!args[name]) {
        console.error(`demo_check: --${name} is required (scripts/demo --check passes it).`);
        process.exit(2);
    }

const step = (what) => console.log(`check: ${what}`);

/// The customer's side: the demo's client with folders of its own (a fresh device each
/// check), on the demo's display.
async function customer() {
    const home = path.join(args.work, 'customer');
    rmSync(home, { recursive: true, force: true });
    for (const name of ['config', 'state', 'runtime']) mkdirSync(path.join(home, name), { recursive: true, mode: 0o700 });
    const env = {
        XDG_CONFIG_HOME: path.join(home, 'config'), XDG_STATE_HOME: path.join(home, 'state'),
        XDG_RUNTIME_DIR: path.join(home, 'runtime'), HOME: home, NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost',
        LC_ALL: 'C', TERM: 'xterm', SHELL: '/bin/sh', PATH: '/usr/local/bin:/usr/bin:/bin',
        DISPLAY: args.display, XDG_SESSION_TYPE: 'x11',
    };
    const filed = await run(args.cli, ['request', '--email', 'check@demo.example', '--description', 'scripts/demo --check: please look at my screen'], { env });
    const ticket = Number(/request number is (\d+)/.exec(filed.stdout)?.[1]);
    if (!ticket) throw new Error(`demo-support-cli request printed no ticket number:\n${filed.stdout}${filed.stderr}`);
    return new RemoteDesktop(ticket, args.cli, env, null);
}

let browser = null;
let desktop = null;
let failed = false;
try {
    const { chromium } = await import('playwright-core');
    desktop = await customer();
    step(`the terminal client filed ticket #${desktop.ticket}`);
    await desktop.startListening();

    browser = await chromium.launch({ executablePath: args.chromium, headless: true, args: ['--no-sandbox'] });
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await page.goto(`${args.url}/console/`);
    await page.fill('#login-email', args.email);
    await page.fill('#login-password', args.password);
    await page.click('#login-submit');
    const row = page.locator(`#queue-body tr[data-ticket="${desktop.ticket}"]`);
    await row.waitFor({ state: 'visible', timeout: 15_000 });
    step('the console signed in as the demo operator and shows the ticket in the queue');

    await row.locator('button.connect').click();
    await desktop.allow();
    step('Connect asked the customer, who allowed');
    await page.waitForURL(/\/console\/viewer\.html\?request=/, { timeout: 30_000 });
    const state = await waitFor('the viewer to connect', async () => {
        const current = await page.locator('body').getAttribute('data-state');
        return ['connected', 'ended', 'error', 'refused', 'novnc-missing'].includes(current) && current;
    }, 30_000);
    if (state !== 'connected') throw new Error(`the viewer says: ${await page.locator('#viewer-status').textContent()}`);
    await waitFor('the customer\'s screen on the canvas', async () => (await canvasColours(page)) > 1, 20_000);
    const shot = path.join(args.work, 'viewer.png');
    await page.screenshot({ path: shot });
    step(`the viewer shows the customer's screen (${shot})`);

    await page.click('#end-session');
    await waitFor('the viewer to say the session ended', async () => (await page.locator('body').getAttribute('data-state')) === 'ended');
    await desktop.waitForEnd(/ ended the session\./);
    step('End session ended it in the browser and in the terminal client');

    // The check leaves the demo's queue as it found it.
    const token = await signIn(args.url, args.email, args.password);
    const closed = await call(args.url, 'POST', `/api/v1/tickets/${desktop.ticket}/close`, { token });
    if (closed.status !== 200) throw new Error(`closing the check's ticket answered ${closed.status}: ${closed.text}`);
    console.log('check: OK, the whole journey works');
} catch (error) {
    failed = true;
    console.error(`check: FAILED: ${error.message}`);
    if (desktop?.output) console.error(`demo-support-cli listen printed:\n${desktop.output}`);
} finally {
    await browser?.close();
    await desktop?.stop();
    await stopAll();
}
process.exit(failed ? 1 : 0);
