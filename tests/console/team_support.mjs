// What the admin and account pages' browser tests share (issue 14): RFC 6238 codes computed
// here as an authenticator app would, signed branding envelopes made with the real
// helpline-brand, a real SMTP server on 127.0.0.1 (tests/support/smtp_sink.py on Debian's
// python3-aiosmtpd), the check that a page in pt/pt_BR/it shows no English sentence of
// the console, and screenshots.

import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { run, screenshotsDir, track, waitFor } from './support.mjs';

// --- RFC 6238 (TOTP) over RFC 4226 (HOTP), SHA-1, 6 digits, 30-second steps ------------

const kBase32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Decode(text) {
    const clean = String(text).toUpperCase().replace(/[\s=]/g, '');
    let bits = 0;
    let value = 0;
    const out = [];
    for (const char of clean) {
        const index = kBase32.indexOf(char);
        if (index < 0) throw new Error(`'${char}' is not base32`);
        value = (value << 5) | index;
        bits += 5;
        if (bits >= 8) {
            out.push((value >>> (bits - 8)) & 0xff);
            bits -= 8;
        }
    }
    return Buffer.from(out);
}

/// The 6-digit code of `secret` (base32) for the 30-second step that holds `atMs`.
export function totp(secret, atMs = Date.now(), stepOffset = 0) {
    const counter = Math.floor(atMs / 1000 / 30) + stepOffset;
    const message = Buffer.alloc(8);
    message.writeBigUInt64BE(BigInt(counter));
    const digest = createHmac('sha1', base32Decode(secret)).update(message).digest();
    const offset = digest[digest.length - 1] & 0x0f;
    const binary = ((digest[offset] & 0x7f) << 24) | (digest[offset + 1] << 16) | (digest[offset + 2] << 8) | digest[offset + 3];
    return String(binary % 1_000_000).padStart(6, '0');
}

/// Waits until the current 30-second step has at least `marginMs` left, so a code computed
/// now is still valid when the server checks it.
export async function freshStep(marginMs = 5_000) {
    await waitFor('a fresh TOTP step', () => 30_000 - (Date.now() % 30_000) > marginMs, 31_000, 200);
}

/// Waits for the next 30-second step (a code of the step before can then not be reused by
/// accident, and a new one differs).
export async function nextStep() {
    const step = Math.floor(Date.now() / 30_000);
    await waitFor('the next TOTP step', () => Math.floor(Date.now() / 30_000) > step, 31_000, 200);
}

// --- branding envelopes -------------------------------------------------------------------

/// A signed envelope of the demo profile with `revision` and `groups`, made by the real
/// `helpline-brand sign-profile` with a key from tests/fixtures/keys; resolves to its path.
let serial = 0;
export async function signProfile(work, { revision, groups = ['helpdesk'], key = 'test-signing-key.pem' }) {
    const source = process.env.HELPLINE_SOURCE_DIR;
    const brand = process.env.HELPLINE_BRAND_BIN;
    if (!source || !brand) throw new Error('HELPLINE_SOURCE_DIR and HELPLINE_BRAND_BIN must be set (CTest sets them)');
    const dir = path.join(work, `profile-r${revision}-${++serial}`);
    await mkdir(dir, { recursive: true });
    const demo = path.join(source, 'branding/profiles/demo');
    await copyFile(path.join(demo, 'logo.svg'), path.join(dir, 'logo.svg'));
    const profile = JSON.parse(await readFile(path.join(demo, 'profile.json'), 'utf8'));
    profile.revision = revision;
    profile.assistance.groups = groups.map((id) => ({ id, name: { en: id } }));
    profile.assistance.default_group = groups[0];
    await writeFile(path.join(dir, 'profile.json'), JSON.stringify(profile, null, 2));
    const out = path.join(dir, 'envelope.json');
    await run(brand, ['sign-profile', '--profile', dir, '--key', path.join(source, 'tests/fixtures/keys', key), '--out', out]);
    return out;
}

// --- a real SMTP server ----------------------------------------------------------------

/// The project's SMTP sink (tests/support/smtp_sink.py on Debian's python3-aiosmtpd) on a
/// free loopback port; it stops by itself after 5 minutes. Resolves to {port, messages()}:
/// the raw text of every message received so far, oldest first.
export async function startSmtp(work) {
    const dir = path.join(work, 'mail');
    await mkdir(dir, { recursive: true });
    const sink = path.join(process.env.HELPLINE_SOURCE_DIR ?? '', 'tests/support/smtp_sink.py');
    // Debian's python, which has the package (a python3 earlier in PATH may not).
    const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
    let err = '';
    const child = track(spawn(python, [sink, '--dir', dir, '--max-seconds', '300'], { stdio: ['ignore', 'ignore', 'pipe'] }));
    child.stderr.on('data', (d) => { err += d; });
    const port = await waitFor('the SMTP sink to listen', async () => {
        if (child.exitCode !== null) throw new Error(`smtp_sink.py exited with ${child.exitCode}: ${err}`);
        return existsSync(path.join(dir, 'port')) && Number.parseInt(await readFile(path.join(dir, 'port'), 'utf8'), 10);
    }, 15_000);
    return {
        port,
        process: child,
        async messages() {
            const names = (await readdir(dir)).filter((n) => /^msg-\d+\.json$/.test(n)).sort();
            return Promise.all(names.map(async (n) => JSON.parse(await readFile(path.join(dir, n), 'utf8')).raw));
        },
    };
}

// --- languages and screenshots -----------------------------------------------------------

/// Every visible text of the page (text nodes, title/aria-label/placeholder/alt, options,
/// the document's title) with where it is. Runs in the page.
function visibleTexts() {
    const out = [];
    const rendered = (element) => element.checkVisibility?.({ checkOpacity: false, checkVisibilityCSS: true }) ?? true;
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent.replace(/\s+/g, ' ').trim();
        const parent = node.parentElement;
        if (!text || !parent || ['SCRIPT', 'STYLE', 'OPTION', 'CODE', 'TITLE'].includes(parent.tagName)) continue;
        if (parent.closest('select, [lang="en"]')) continue;  // the server's own words are marked lang="en"
        if (rendered(parent)) out.push({ text, where: parent.tagName.toLowerCase() + (parent.id ? `#${parent.id}` : '') });
    }
    for (const element of document.querySelectorAll('[title], [aria-label], [placeholder], [alt]')) {
        if (!rendered(element)) continue;
        for (const attribute of ['title', 'aria-label', 'placeholder', 'alt']) {
            const value = element.getAttribute(attribute);
            if (value && value.trim()) out.push({ text: value.replace(/\s+/g, ' ').trim(), where: `${element.tagName.toLowerCase()}[${attribute}]` });
        }
    }
    for (const select of document.querySelectorAll('select')) {
        if (!rendered(select) || select.id === 'language' || select.id === 'account-language') continue;
        for (const option of select.options) {
            const text = option.textContent.replace(/\s+/g, ' ').trim();
            if (text) out.push({ text, where: `option of select#${select.id}` });
        }
    }
    out.push({ text: document.title, where: 'title' });
    return out;
}

/// The texts of the page that are still the English sentence of a console key, in a page
/// shown in `language` ([] when none).
export async function englishLeft(page, language) {
    const patterns = await page.evaluate(async (lang) => {
        const i18n = await import('/console/js/i18n.js');
        const list = [];
        for (const key of i18n.keys()) {
            const english = i18n.t(key, {}, 'en');
            if (english === i18n.t(key, {}, lang)) continue;
            if (!/[A-Za-z]{2,}/.test(english.replace(/\{\w+\}/g, ''))) continue;
            const source = english.replace(/\s+/g, ' ').trim().split(/\{\w+\}/)
                .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.+?');
            list.push({ key, source: `^${source}$` });
        }
        return list;
    }, language);
    const compiled = patterns.map((p) => ({ key: p.key, re: new RegExp(p.source, 's') }));
    const failures = [];
    for (const { text, where } of await page.evaluate(visibleTexts)) {
        const hit = compiled.find((p) => p.re.test(text));
        if (hit) failures.push(`${where}: "${text}" (${hit.key})`);
    }
    return failures;
}

/// console-<page>-<lang>-<state>.png in the screenshots folder; resolves to its path.
export async function screenshot(page, name, { fullPage = true } = {}) {
    await mkdir(screenshotsDir, { recursive: true });
    const file = path.join(screenshotsDir, `${name}.png`);
    await page.screenshot({ path: file, fullPage });
    return file;
}
