// What the console's browser test stands on: the real helpline-server in a fresh data
// folder on 127.0.0.1, devices played over HTTP (register, submit, read their event
// stream, answer connection requests), polling with deadlines, and cleanup of every
// process the test started.

import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/// The helpline-server a browser test runs (HELPLINE_SERVER_BIN, which CTest sets); exits
/// with a message when it is not there.
export function serverBinary() {
    const bin = process.env.HELPLINE_SERVER_BIN;
    if (!bin || !existsSync(bin)) {
        console.error(`HELPLINE_SERVER_BIN must name the built helpline-server (got '${bin ?? ''}').`);
        process.exit(2);
    }
    return bin;
}

/// Where screenshots go (HELPLINE_SCREENSHOTS_DIR, which CTest sets to build/<preset>/screenshots).
export const screenshotsDir = process.env.HELPLINE_SCREENSHOTS_DIR ?? path.join(os.tmpdir(), 'helpline-console-screenshots');

/// Polls `probe` (sync or async) until it returns something truthy; throws `what` with
/// the last error after `timeoutMs`.
export async function waitFor(what, probe, timeoutMs = 15_000, intervalMs = 50) {
    const deadline = Date.now() + timeoutMs;
    let lastError = null;
    for (;;) {
        try {
            const value = await probe();
            if (value) return value;
        } catch (error) {
            lastError = error;
        }
        if (Date.now() >= deadline)
            throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${lastError.message}` : ''}`);
        await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
}

/// Runs a program to completion (no shell); rejects on a non-zero exit with its output.
export function run(program, args, { env = process.env, input = '', timeoutMs = 60_000 } = {}) {
    return new Promise((resolve, reject) => {
        const child = spawn(program, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
        child.stdout.on('data', (d) => { stdout += d; });
        child.stderr.on('data', (d) => { stderr += d; });
        child.on('error', (error) => {
            clearTimeout(timer);
            reject(new Error(`${program} could not be started: ${error.message}`));
        });
        child.on('close', (code, signal) => {
            clearTimeout(timer);
            if (code === 0) resolve({ stdout, stderr });
            else reject(new Error(`${path.basename(program)} ${args.join(' ')} exited with ${code ?? signal}:\n${stdout}${stderr}`));
        });
        child.stdin.end(input);
    });
}

/// Processes started here, stopped at the end whatever happened.
const children = new Set();

export function track(child) {
    children.add(child);
    child.on('exit', () => children.delete(child));
    return child;
}

export async function stopAll() {
    await Promise.all([...children].map((child) => stopProcess(child)));
}

/// SIGTERM, then SIGKILL if it has not exited within `graceMs`.
export function stopProcess(child, graceMs = 5_000) {
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        child.once('exit', () => {
            clearTimeout(timer);
            resolve();
        });
        child.kill('SIGTERM');
    });
}

export const kAdminEmail = 'admin@team.example';

/// `helpline-server init` in `work/data` (groups helpdesk and billing, the organization
/// acme.example = "Acme Corp"), then `run` on a free loopback port. The admin's one-time
/// password is read from what init printed.
export async function startServer({ serverBin, work, extraArgs = [] }) {
    const data = path.join(work, 'data');
    const env = { ...process.env, HELPLINE_FAST_PASSWORD_HASH: '1' };
    const init = await run(serverBin, ['init', '--data', data, '--admin-email', kAdminEmail, '--admin-name', 'Alex Morgan'], { env });
    const password = /One-time password: (\S+)/.exec(init.stdout)?.[1];
    if (!password) throw new Error(`no one-time password in what init printed:\n${init.stdout}`);
    await run(serverBin, ['group', 'add', 'helpdesk', 'Help desk', '--data', data], { env });
    await run(serverBin, ['group', 'add', 'billing', 'Billing', '--data', data], { env });
    await run(serverBin, ['org', 'add', 'acme.example', 'Acme Corp', '--data', data], { env });

    const portFile = path.join(work, 'port');
    await mkdir(work, { recursive: true });
    const log = createWriteStream(path.join(work, 'server.log'));
    const vendor = [];
    if (process.env.HELPLINE_CHARTJS_DIR) vendor.push('--chartjs-dir', process.env.HELPLINE_CHARTJS_DIR);
    if (process.env.HELPLINE_QRCODE_DIR && !extraArgs.includes('--qrcode-dir')) vendor.push('--qrcode-dir', process.env.HELPLINE_QRCODE_DIR);
    if (process.env.HELPLINE_NOVNC_DIR && !extraArgs.includes('--novnc-dir')) vendor.push('--novnc-dir', process.env.HELPLINE_NOVNC_DIR);
    const child = track(spawn(serverBin, ['run', '--data', data, '--listen', '127.0.0.1:0', '--port-file', portFile, ...vendor, ...extraArgs],
                              { env, stdio: ['ignore', 'pipe', 'pipe'] }));
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    const port = await waitFor('the server to write its port file', () => {
        if (child.exitCode !== null) throw new Error(`helpline-server exited with ${child.exitCode}; see ${path.join(work, 'server.log')}`);
        return existsSync(portFile) && Number.parseInt(readFileSync(portFile, 'utf8'), 10);
    }, 20_000);
    const url = `http://127.0.0.1:${port}`;
    await waitFor('the server to answer /livez', async () => (await fetch(`${url}/livez`)).ok, 20_000);
    return { url, port, password, data, process: child, logFile: path.join(work, 'server.log') };
}

/// One HTTP call; resolves to {status, json, text, headers}.
export async function call(url, method, urlPath, { token, body, headers = {} } = {}) {
    const allHeaders = { ...headers };
    if (token) allHeaders.Authorization = `Bearer ${token}`;
    if (body !== undefined) allHeaders['Content-Type'] = 'application/json';
    const response = await fetch(url + urlPath, { method, headers: allHeaders, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    let json = null;
    try {
        json = text ? JSON.parse(text) : null;
    } catch {
        json = null;
    }
    return { status: response.status, json, text, headers: response.headers };
}

/// Signs in over the API (what scripts and other clients do); resolves to the bearer token.
export async function signIn(url, email, password) {
    const r = await call(url, 'POST', '/api/v1/auth/login', { body: { email, password } });
    if (r.status !== 200) throw new Error(`signing in as ${email} answered ${r.status}: ${r.text}`);
    return r.json.token;
}

/// A customer's device over HTTP: registers, files tickets, follows its event stream
/// (GET /api/v1/events) and answers connection requests.
export class Device {
    static async register(url, profileId = 'demo-support') {
        const r = await call(url, 'POST', '/api/v1/devices', { body: { profile_id: profileId, hostname: 'console-test', os: 'linux', client_version: 'test' } });
        if (r.status !== 201) throw new Error(`device registration answered ${r.status}: ${r.text}`);
        return new Device(url, r.json.device_token);
    }

    constructor(url, token) {
        this.url = url;
        this.token = token;
        this.events = [];
        this.abort = null;
    }

    async submit(ticket) {
        const r = await call(this.url, 'POST', '/api/v1/tickets', { token: this.token, body: ticket, headers: { 'Idempotency-Key': randomUUID() } });
        if (r.status !== 201) throw new Error(`ticket submission answered ${r.status}: ${r.text}`);
        return r.json.number;
    }

    /// Opens the event stream; frames are parsed into this.events as they come.
    async listen() {
        this.abort = new AbortController();
        const response = await fetch(`${this.url}/api/v1/events`, {
            headers: { Authorization: `Bearer ${this.token}`, Accept: 'text/event-stream' }, signal: this.abort.signal,
        });
        if (response.status !== 200) throw new Error(`device event stream answered ${response.status}`);
        const reader = response.body.getReader();
        const decoder = new TextDecoder();
        let buffer = '';
        (async () => {
            try {
                for (;;) {
                    const { value, done } = await reader.read();
                    if (done) return;
                    buffer += decoder.decode(value, { stream: true });
                    let end;
                    while ((end = buffer.indexOf('\n\n')) >= 0) {
                        const frame = buffer.slice(0, end);
                        buffer = buffer.slice(end + 2);
                        let type = 'message';
                        const data = [];
                        for (const line of frame.split('\n')) {
                            if (line.startsWith('event:')) type = line.slice(6).trim();
                            else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
                        }
                        if (data.length) this.events.push({ type, data: JSON.parse(data.join('\n')) });
                    }
                }
            } catch {
                // aborted at the end of the test
            }
        })();
    }

    close() {
        this.abort?.abort();
    }

    /// The connection request for ticket `number`, once its event has arrived.
    connectionRequest(number, timeoutMs = 15_000) {
        return waitFor(`a connection-request event for ticket ${number}`,
            () => this.events.find((e) => e.type === 'connection-request' && e.data.ticket_number === number)?.data, timeoutMs);
    }

    async decline(requestId) {
        const r = await call(this.url, 'POST', `/api/v1/connection-requests/${requestId}/decline`, { token: this.token });
        if (r.status !== 204) throw new Error(`decline answered ${r.status}: ${r.text}`);
    }

    async accept(requestId, vncPassword) {
        const r = await call(this.url, 'POST', `/api/v1/connection-requests/${requestId}/accept`, { token: this.token, body: { vnc_password: vncPassword } });
        if (r.status !== 200) throw new Error(`accept answered ${r.status}: ${r.text}`);
        return r.json;
    }

    async endSession(sessionId) {
        const r = await call(this.url, 'POST', `/api/v1/sessions/${sessionId}/end`, { token: this.token });
        if (r.status !== 204) throw new Error(`ending the session answered ${r.status}: ${r.text}`);
    }
}

/// Adds a user over the admin API; resolves to the user ({id, email, name, role, ...}).
export async function addUser(url, adminToken, { email, name, role = 'operator', password }) {
    const r = await call(url, 'POST', '/api/v1/users', { token: adminToken, body: { email, name, role, password } });
    if (r.status !== 201) throw new Error(`adding ${email} answered ${r.status}: ${r.text}`);
    return r.json.user ?? r.json;  // the answer is {user, password?} since issue 14
}

/// Replaces a group's members over the admin API.
export async function setMembers(url, adminToken, groupId, userIds) {
    const r = await call(url, 'PUT', `/api/v1/groups/${groupId}/members`, { token: adminToken, body: { user_ids: userIds } });
    if (r.status !== 200) throw new Error(`setting the members of ${groupId} answered ${r.status}: ${r.text}`);
}

/// Launches Debian's chromium headless (HELPLINE_CHROMIUM overrides the path). Fails with
/// what to install when the browser or playwright-core is missing.
export async function launchBrowser() {
    const executablePath = process.env.HELPLINE_CHROMIUM ?? '/usr/bin/chromium';
    if (!existsSync(executablePath))
        throw new Error(`There is no browser at ${executablePath}: apt-get install -y chromium (scripts/test installs it).`);
    let chromium;
    try {
        ({ chromium } = await import('playwright-core'));
    } catch {
        throw new Error('playwright-core is not installed: run `npm ci` in tests/console (scripts/test does).');
    }
    return chromium.launch({ executablePath, headless: true,
                             args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'] });
}

/// A new browser context (its own cookies: one signed-in user each) with the console open
/// and signed in as `email`. `language` is the browser's language (the console follows it).
/// `timezoneId` (e.g. 'America/Sao_Paulo') is the browser's time zone (default: the system's).
/// Script errors and CSP violations are collected in page.consoleErrors.
export async function openConsole(browser, url, email, password, { language = 'en', viewport = { width: 1366, height: 800 }, hash = '', timezoneId } = {}) {
    const context = await browser.newContext({ viewport, locale: language.replace('_', '-'), acceptDownloads: true,
                                               ...(timezoneId ? { timezoneId } : {}) });
    const page = await context.newPage();
    page.consoleErrors = [];
    page.on('pageerror', (error) => page.consoleErrors.push(error.message));
    page.on('console', (message) => {
        if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) page.consoleErrors.push(message.text());
    });
    await page.goto(`${url}/console/${hash}`);
    await page.waitForSelector('#login-form', { state: 'visible' });
    await page.fill('#login-email', email);
    await page.fill('#login-password', password);
    await page.click('#login-submit');
    await page.waitForSelector('#page:not([hidden])');
    return page;
}

/// axe-core's serious and critical violations on the page as it is now ([] when none);
/// each as "rule: help (selector…)".
export async function accessibilityViolations(page) {
    const axePath = new URL('./node_modules/axe-core/axe.min.js', import.meta.url);
    // Evaluated through the DevTools protocol, which the page's CSP does not govern (an
    // injected <script> would be refused by script-src 'self', as it should be).
    if (!(await page.evaluate(() => Boolean(window.axe)))) await page.evaluate(readFileSync(axePath, 'utf8'));
    const results = await page.evaluate(async () => window.axe.run(document, { resultTypes: ['violations'] }));
    return results.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 5).join(', ')})`);
}
