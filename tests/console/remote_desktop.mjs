// The customer's side of a real remote session for the browser test: a private Xvfb whose
// desktop shows a known picture (kMarker: what the operator's canvas must show), a helpline-cli
// stamped with the demo profile pointing at the test's server, and `helpline-cli listen
// --once` on a pseudo-terminal (util-linux `script`) where the test types the customer's
// answer. The profile's backend is the real x11vnc.

import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { run, stopProcess, track, waitFor } from './support.mjs';

const env = process.env;

function installed(program) {
    return ['/usr/local/bin', '/usr/bin', '/bin'].some((dir) => existsSync(path.join(dir, program)));
}

/// What a real remote session needs here and is missing, as sentences saying what to install
/// or set (empty: nothing is missing). The browser test fails with these, it never skips.
export function missingForRemoteDesktop() {
    const packages = { Xvfb: 'xvfb', x11vnc: 'x11vnc', script: 'util-linux', display: 'imagemagick' };
    const missing = [];
    for (const [program, pkg] of Object.entries(packages))
        if (!installed(program)) missing.push(`${program} is not installed: apt-get install -y ${pkg} (scripts/test installs it).`);
    for (const name of ['HELPLINE_CLI_BIN', 'HELPLINE_BRAND_BIN', 'HELPLINE_SOURCE_DIR'])
        if (!env[name]) missing.push(`${name} is not set: run the test through CTest (browser.console), which sets it.`);
    return missing;
}

/// Starts Xvfb on a display it picks itself; resolves to {display, process}.
function startXvfb() {
    return new Promise((resolve, reject) => {
        const child = track(spawn('Xvfb', ['-displayfd', '3', '-screen', '0', `${kMarker.width}x${kMarker.height}x24`, '-nolisten', 'tcp', '-noreset'],
                                  { stdio: ['ignore', 'ignore', 'ignore', 'pipe'] }));
        let number = '';
        const timer = setTimeout(() => reject(new Error('Xvfb did not report its display within 20 s')), 20_000);
        child.stdio[3].on('data', (chunk) => {
            number += chunk.toString();
            if (number.includes('\n')) {
                clearTimeout(timer);
                resolve({ display: `:${number.trim()}`, process: child });
            }
        });
        child.on('exit', (code) => reject(new Error(`Xvfb exited with ${code}`)));
    });
}

/// The customer's desktop in the browser test: blue, with an amber box in the middle. The
/// canvas must show exactly this (same size, the colours where they belong), which no screen
/// but the customer's would.
export const kMarker = {
    width: 1024, height: 768,
    background: [47, 111, 181], box: [242, 180, 0],
    rect: { x: 312, y: 234, w: 400, h: 300 },
};

/// Sets kMarker as the root window's background of `display` (ImageMagick's `display -window
/// root`, from a PPM written here), the way a desktop wallpaper is set.
async function paintMarker(display, dir) {
    const { width, height, background, box, rect } = kMarker;
    const header = Buffer.from(`P6 ${width} ${height} 255\n`);
    const pixels = Buffer.alloc(width * height * 3);
    for (let y = 0; y < height; ++y) {
        for (let x = 0; x < width; ++x) {
            const inBox = x >= rect.x && x < rect.x + rect.w && y >= rect.y && y < rect.y + rect.h;
            pixels.set(inBox ? box : background, (y * width + x) * 3);
        }
    }
    const file = path.join(dir, 'desktop.ppm');
    writeFileSync(file, Buffer.concat([header, pixels]));
    // display exits 1 even once the background is set, so its status says nothing; the
    // canvas check does.
    await new Promise((resolve, reject) => {
        const child = spawn('display', ['-window', 'root', file], { env: { ...env, DISPLAY: display }, stdio: 'ignore' });
        const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error('display -window root took over 20 s')); }, 20_000);
        child.on('error', (error) => { clearTimeout(timer); reject(error); });
        child.on('exit', () => { clearTimeout(timer); resolve(); });
    });
}

export class RemoteDesktop {
    static async start({ work, serverUrl }) {
        const dir = path.join(work, 'customer');
        const profileDir = path.join(dir, 'profile');
        mkdirSync(profileDir, { recursive: true });
        const source = env.HELPLINE_SOURCE_DIR;
        const profile = JSON.parse(readFileSync(path.join(source, 'branding/profiles/demo/profile.json'), 'utf8'));
        profile.server.url = serverUrl;
        writeFileSync(path.join(profileDir, 'profile.json'), JSON.stringify(profile, null, 2));
        copyFileSync(path.join(source, 'branding/profiles/demo/logo.svg'), path.join(profileDir, 'logo.svg'));
        const cli = path.join(dir, 'helpline-cli-demo');
        await run(env.HELPLINE_BRAND_BIN, ['stamp', '--profile', profileDir, '--key', path.join(source, 'tests/fixtures/keys/test-signing-key.pem'),
                                           '--client', env.HELPLINE_CLI_BIN, '--out', cli, '--restamp']);

        const xvfb = await startXvfb();
        await paintMarker(xvfb.display, dir);
        const cliEnv = {
            XDG_CONFIG_HOME: path.join(dir, 'config'), XDG_STATE_HOME: path.join(dir, 'state'),
            XDG_RUNTIME_DIR: path.join(dir, 'runtime'), HOME: dir, NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost',
            LC_ALL: 'C', TERM: 'xterm', SHELL: '/bin/sh', PATH: '/usr/local/bin:/usr/bin:/bin',
            DISPLAY: xvfb.display, XDG_SESSION_TYPE: 'x11',
        };
        for (const name of ['config', 'state', 'runtime']) mkdirSync(path.join(dir, name), { recursive: true, mode: 0o700 });
        const filed = await run(cli, ['request', '--group', 'helpdesk', '--email', 'carla@acme.example', '--description', 'My desktop shows a yellow box and nothing else.'], { env: cliEnv });
        const ticket = Number(/request number is (\d+)/.exec(filed.stdout)?.[1]);
        if (!ticket) throw new Error(`helpline-cli request printed no ticket number:\n${filed.stdout}${filed.stderr}`);

        return new RemoteDesktop(ticket, cli, cliEnv, xvfb);
    }

    /// `xvfb` null: the display is someone else's (scripts/demo --check), left running.
    constructor(ticket, cli, cliEnv, xvfb) {
        this.ticket = ticket;
        this.cli = cli;
        this.cliEnv = cliEnv;
        this.xvfb = xvfb;
        this.listen = null;
        this.output = '';
    }

    /// Starts `helpline-cli listen --once` on a terminal (`script`); what the customer types
    /// goes to its stdin. Resolves once it listens.
    async startListening() {
        await this.stopListening();
        this.output = '';
        const listen = track(spawn('script', ['-qfec', `'${this.cli}' listen --once`, '/dev/null'],
                                   { env: this.cliEnv, stdio: ['pipe', 'pipe', 'pipe'] }));
        this.listen = listen;
        listen.stdout.on('data', (d) => { this.output += d; });
        listen.stderr.on('data', (d) => { this.output += d; });
        await this.expect('Listening for connection requests', 20_000);
    }

    async stopListening() {
        if (this.listen) await stopProcess(this.listen);
    }

    /// The customer presses Enter during the session, which ends it.
    endFromCustomer() {
        this.listen.stdin.write('\r');
    }

    count(text) {
        return this.output.split(text).length - 1;
    }

    expect(text, timeoutMs) {
        return waitFor(`helpline-cli to print "${text}" (so far:\n${this.output})`, () => this.output.includes(text), timeoutMs);
    }

    /// Answers "y" once the question is up; the client refuses answers within its Allow
    /// delay ("Too quick"), so the answer is typed again after each refusal.
    async allow() {
        await this.expect('to see and control this computer? [y/N]', 30_000);
        for (let attempt = 0; attempt < 10; ++attempt) {
            const refused = this.count('Too quick');
            this.listen.stdin.write('y\r');
            await waitFor('the client to take or refuse the answer',
                () => this.count('Too quick') > refused || this.output.includes('Starting the remote-control'), 10_000);
            if (this.output.includes('Starting the remote-control')) return;
            const drawn = this.count(' s left) > ');
            await waitFor('the countdown to be redrawn', () => this.count(' s left) > ') > drawn, 5_000);
        }
        throw new Error(`helpline-cli never took the answer:\n${this.output}`);
    }

    /// Resolves once `listen --once` has exited after saying the session ended, in the
    /// words it uses for who ended it (`said`: a string or a RegExp).
    async waitForEnd(said) {
        await waitFor(`helpline-cli listen --once to exit (so far:\n${this.output})`, () => this.listen.exitCode !== null, 20_000);
        const found = typeof said === 'string' ? this.output.includes(said) : said.test(this.output);
        if (!found) throw new Error(`helpline-cli did not say ${said}:\n${this.output}`);
    }

    async stop() {
        await this.stopListening();
        if (this.xvfb) await stopProcess(this.xvfb.process);
    }
}

/// How many distinct colours a sample of the viewer's noVNC canvas shows (0 while there is
/// no canvas of a real size yet): a remote screen is more than one colour.
export function canvasColours(page) {
    return page.evaluate(() => {
        const canvas = document.querySelector('#screen canvas');
        if (!canvas || canvas.width < 100) return 0;
        const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        const colours = new Set();
        for (let i = 0; i < data.length; i += 4 * 97) colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
        return colours.size;
    });
}

/// The viewer's noVNC canvas at kMarker's tell-tale points: {width, height, points: [{name,
/// expected, actual}]}; null while there is no canvas yet.
export function sampleMarker(page) {
    return page.evaluate((marker) => {
        const canvas = document.querySelector('#screen canvas');
        if (!canvas) return null;
        const { rect } = marker;
        const points = [
            { name: 'the box\'s centre', x: rect.x + rect.w / 2, y: rect.y + rect.h / 2, expected: marker.box },
            { name: 'inside the box\'s top-left corner', x: rect.x + 4, y: rect.y + 4, expected: marker.box },
            { name: 'the top-left of the desktop', x: 20, y: 20, expected: marker.background },
            { name: 'just left of the box', x: rect.x - 4, y: rect.y + 4, expected: marker.background },
            { name: 'the bottom-right of the desktop', x: marker.width - 20, y: marker.height - 20, expected: marker.background },
        ];
        const context = canvas.getContext('2d');
        return {
            width: canvas.width,
            height: canvas.height,
            points: points.map(({ name, x, y, expected }) => {
                const [r, g, b] = context.getImageData(x, y, 1, 1).data;
                return { name, expected, actual: [r, g, b] };
            }),
        };
    }, kMarker);
}

/// Whether a sample shows kMarker: the customer's size, and every point within `tolerance`
/// per channel of its colour (noVNC may get lossy JPEG rectangles).
export function showsMarker(sample, tolerance = 24) {
    return !!sample && sample.width === kMarker.width && sample.height === kMarker.height &&
        sample.points.every(({ expected, actual }) => expected.every((v, i) => Math.abs(v - actual[i]) <= tolerance));
}
