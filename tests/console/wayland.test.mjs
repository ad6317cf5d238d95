// The operator's browser on a Wayland customer's screen, every part real: a private headless
// GNOME (tests/support/headless_gnome.sh) showing the test window's four colours, a stamped
// helpline-cli whose profile names this build's helpline-portal-vnc, `listen --once` allowed
// on a terminal, the desktop's own sharing dialog answered "Share" (mutter_desktop.py), and
// the console in headless chromium: Connect, noVNC shows the four colours, a key typed in the
// viewer reaches the window, End session ends it on both sides.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { RemoteDesktop } from './remote_desktop.mjs';
import { kAdminEmail, run, screenshotsDir, startServer, stopAll, stopProcess, track, waitFor } from './support.mjs';

const env = process.env;
const missing = ['HELPLINE_SERVER_BIN', 'HELPLINE_CLI_BIN', 'HELPLINE_BRAND_BIN', 'HELPLINE_SOURCE_DIR',
                 'HELPLINE_PORTAL_VNC_BIN', 'HELPLINE_WAYLAND_TEST_WINDOW'].filter((name) => !env[name]);
if (missing.length) {
    console.error(`set ${missing.join(', ')}: run the test through CTest (browser.wayland), which sets them.`);
    process.exit(1);
}
const support = path.join(env.HELPLINE_SOURCE_DIR, 'tests/support');
const { chromium } = await import('playwright-core');

/// The test window's quadrants on the 1280×800 monitor (tests/support/wayland_test_window.c).
const kQuadrants = [
    { x: 320, y: 200, rgb: [255, 0, 0] }, { x: 960, y: 200, rgb: [0, 255, 0] },
    { x: 320, y: 600, rgb: [0, 0, 255] }, { x: 960, y: 600, rgb: [255, 255, 255] },
];

function canvasAt(page, points) {
    return page.evaluate((points) => {
        const canvas = document.querySelector('#screen canvas');
        if (!canvas || canvas.width < 100) return null;
        const context = canvas.getContext('2d');
        return { width: canvas.width, height: canvas.height,
                 colours: points.map(({ x, y }) => [...context.getImageData(x, y, 1, 1).data.slice(0, 3)]) };
    }, points);
}

describe('the console on a Wayland customer\'s screen', () => {
    let work;
    let server;
    let browser;
    let gnome;
    let window;
    let windowOutput = '';
    let desktop;
    let envFile;

    before(async () => {
        work = await mkdtemp(path.join(os.tmpdir(), 'helpline-wayland-'));
        server = await startServer({ serverBin: env.HELPLINE_SERVER_BIN, work, extraArgs: ['--novnc-dir', env.HELPLINE_NOVNC_DIR] });

        envFile = path.join(work, 'gnome.env');
        gnome = track(spawn(path.join(support, 'headless_gnome.sh'), [envFile], { stdio: 'ignore' }));
        await waitFor('the headless GNOME', async () => existsSync(envFile), 90_000);
        const session = Object.fromEntries(readFileSync(envFile, 'utf8').trim().split('\n')
            .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
        window = track(spawn(env.HELPLINE_WAYLAND_TEST_WINDOW, [], { env: { ...session, GDK_BACKEND: 'wayland' }, stdio: ['ignore', 'pipe', 'pipe'] }));
        window.stdout.on('data', (d) => { windowOutput += d; });
        await waitFor('the test window', async () => windowOutput.includes('ready'), 30_000);

        // The customer: a stamped CLI whose only backend is this build's helpline-portal-vnc.
        const dir = path.join(work, 'customer');
        const profileDir = path.join(dir, 'profile');
        mkdirSync(profileDir, { recursive: true });
        const profile = JSON.parse(readFileSync(path.join(env.HELPLINE_SOURCE_DIR, 'branding/profiles/demo/profile.json'), 'utf8'));
        profile.server.url = server.url;
        profile.remote.backends = [{ id: 'portal', when: 'wayland',
                                     argv: [env.HELPLINE_PORTAL_VNC_BIN, '--port', '{port}', '--password-file', '{password_file}'] }];
        writeFileSync(path.join(profileDir, 'profile.json'), JSON.stringify(profile, null, 2));
        copyFileSync(path.join(env.HELPLINE_SOURCE_DIR, 'branding/profiles/demo/logo.svg'), path.join(profileDir, 'logo.svg'));
        const cli = path.join(dir, 'helpline-cli-demo');
        await run(env.HELPLINE_BRAND_BIN, ['stamp', '--profile', profileDir, '--key', path.join(env.HELPLINE_SOURCE_DIR, 'tests/fixtures/keys/test-signing-key.pem'),
                                           '--client', env.HELPLINE_CLI_BIN, '--out', cli]);
        for (const name of ['config', 'state']) mkdirSync(path.join(dir, name), { recursive: true, mode: 0o700 });
        const cliEnv = { ...session, XDG_CONFIG_HOME: path.join(dir, 'config'), XDG_STATE_HOME: path.join(dir, 'state'), HOME: dir,
                         NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost', LC_ALL: 'C', TERM: 'xterm', SHELL: '/bin/sh',
                         PATH: '/usr/local/bin:/usr/bin:/bin' };
        const filed = await run(cli, ['request', '--group', 'helpdesk', '--email', 'wanda@acme.example', '--description', 'Wayland, please look'], { env: cliEnv });
        const ticket = Number(/request number is (\d+)/.exec(filed.stdout)?.[1]);
        assert.ok(ticket, `helpline-cli request printed no ticket number:\n${filed.stdout}${filed.stderr}`);
        desktop = new RemoteDesktop(ticket, cli, cliEnv, null);

        browser = await chromium.launch({ executablePath: env.HELPLINE_CHROMIUM ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
    });

    after(async () => {
        await browser?.close();
        await desktop?.stop();
        if (gnome) await stopProcess(gnome, 15_000);
        await stopAll();
        if (work && !process.exitCode) await rm(work, { recursive: true, force: true });
    });

    it('Connect, Allow, the desktop\'s dialog: noVNC shows the screen, a key reaches it, End ends it', async () => {
        const page = await (await browser.newContext({ viewport: { width: 1400, height: 1000 } })).newPage();
        await page.goto(`${server.url}/console/`);
        await page.fill('#login-email', kAdminEmail);
        await page.fill('#login-password', server.password);
        await page.click('#login-submit');
        const row = page.locator(`#queue-body tr[data-ticket="${desktop.ticket}"]`);
        await row.waitFor({ state: 'visible', timeout: 15_000 });
        await desktop.startListening();
        await row.locator('button.connect').click();
        try {
            await desktop.allow();
            await desktop.expect('Your desktop may now ask whether to share the screen', 20_000);
            await run('/usr/bin/python3', [path.join(support, 'mutter_desktop.py'), '--env', envFile, 'answer-portal', 'share'], { timeoutMs: 60_000 });
            await page.waitForURL(/\/console\/viewer\.html\?request=/, { timeout: 30_000 });
            await waitFor('noVNC to connect', async () => (await page.locator('body').getAttribute('data-state')) === 'connected', 30_000);
            let sample = null;
            await waitFor('the four colours on the canvas', async () => {
                sample = await canvasAt(page, kQuadrants);
                return sample && sample.width === 1280 && sample.height === 800 &&
                    kQuadrants.every((q, i) => q.rgb.every((c, k) => Math.abs(c - sample.colours[i][k]) <= 8));
            }, 20_000).catch((error) => { throw new Error(`${error.message}; the canvas showed ${JSON.stringify(sample)}`); });
            await page.screenshot({ path: path.join(screenshotsDir, 'console-wayland-viewer.png') });

            // Control: a click on the canvas and a key go to the customer's focused window.
            const before = windowOutput.length;
            await page.locator('#screen canvas').click({ position: { x: 200, y: 150 } });
            await page.keyboard.press('a');
            await waitFor('the key in the customer\'s window', async () => windowOutput.slice(before).includes('key a pressed'), 10_000)
                .catch((error) => { throw new Error(`${error.message}; the window printed:\n${windowOutput.slice(before)}`); });

            await page.click('#end-session');
            await waitFor('the ended state', async () => (await page.locator('body').getAttribute('data-state')) === 'ended');
            await desktop.waitForEnd(/ ended the session\./);
        } catch (error) {
            console.error(`helpline-cli listen printed:\n${desktop.output}`);
            throw error;
        }
    });
});
