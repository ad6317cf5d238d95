// The console's languages: English, Portuguese (pt, with pt_BR where Brazilian wording
// differs) and Italian. Every sentence lives in a table under js/strings/ (one module per
// page, each holding all four languages), with named placeholders: "{seconds}". Dates,
// times and numbers are formatted for the language with Intl.
//
// The language is, in order: the one chosen in the top bar (kept in localStorage), the
// first of the browser's languages we have, English.

import account from './strings/account.js';
import admin from './strings/admin.js';
import adminAudit from './strings/admin_audit.js';
import adminGroups from './strings/admin_groups.js';
import adminOrganizations from './strings/admin_organizations.js';
import adminProfiles from './strings/admin_profiles.js';
import adminUsers from './strings/admin_users.js';
import common from './strings/common.js';
import conversation from './strings/conversation.js';
import dashboard from './strings/dashboard.js';
import history from './strings/history.js';
import queue from './strings/queue.js';
import ticket from './strings/ticket.js';

export const kLanguages = ['en', 'pt', 'pt_BR', 'it'];
/// Each language's own name, as the language menu shows it.
export const kLanguageNames = { en: 'English', pt: 'Português', pt_BR: 'Português (Brasil)', it: 'Italiano' };
/// BCP 47 tags for Intl and <html lang>.
const kLocales = { en: 'en', pt: 'pt-PT', pt_BR: 'pt-BR', it: 'it-IT' };
/// Where a language looks when it has no sentence of its own.
const kFallback = { en: [], pt: ['en'], pt_BR: ['pt', 'en'], it: ['en'] };
const kStorageKey = 'helpline.language';

const tables = { en: {}, pt: {}, pt_BR: {}, it: {} };
for (const module of [common, queue, ticket, conversation, history, dashboard, admin, adminUsers, adminGroups, adminOrganizations,
    adminProfiles, adminAudit, account])
    for (const language of kLanguages) Object.assign(tables[language], module[language] ?? {});

let current = detectLanguage();

/// The language of the browser's list that we have, or null.
export function fromBrowser(list) {
    for (const tag of list ?? []) {
        const lower = String(tag).toLowerCase();
        if (lower === 'pt-br') return 'pt_BR';
        const base = lower.split('-')[0];
        if (base === 'pt') return 'pt';
        if (base === 'it') return 'it';
        if (base === 'en') return 'en';
    }
    return null;
}

function detectLanguage() {
    let stored = null;
    try {
        stored = window.localStorage.getItem(kStorageKey);
    } catch {
        // Storage may be off; the browser's languages decide.
    }
    if (kLanguages.includes(stored)) return stored;
    return fromBrowser(navigator.languages?.length ? navigator.languages : [navigator.language]) ?? 'en';
}

export function language() {
    return current;
}

export function locale() {
    return kLocales[current];
}

/// Switches the language and remembers the choice.
export function setLanguage(next) {
    if (!kLanguages.includes(next)) return;
    current = next;
    try {
        window.localStorage.setItem(kStorageKey, next);
    } catch {
        // Not remembered; still switched for this page.
    }
    document.documentElement.lang = kLocales[next];
}

/// Whether `key` has a sentence of the current language's own (not a fallback's).
export function hasOwn(key, lang = current) {
    return Object.prototype.hasOwnProperty.call(tables[lang], key);
}

/// The sentence for `key` in `lang` (default: the current language) with `{name}`
/// placeholders filled from `params`. An unknown key shows as itself, so a missing string
/// is visible rather than blank.
export function t(key, params = {}, lang = current) {
    let template = null;
    for (const candidate of [lang, ...kFallback[lang]]) {
        if (Object.prototype.hasOwnProperty.call(tables[candidate], key)) {
            template = tables[candidate][key];
            break;
        }
    }
    if (template === null) template = key;
    return template.replace(/\{(\w+)\}/g, (whole, name) =>
        Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole);
}

/// Every key of the English table (for tests and for the translation check).
export function keys() {
    return Object.keys(tables.en);
}

/// Fills every element under `root` that has data-i18n="key" (its text) or
/// data-i18n-attr="attr:key;attr:key" (attributes), so markup holds no sentences.
export function applyStrings(root) {
    for (const element of root.querySelectorAll('[data-i18n]')) element.textContent = t(element.dataset.i18n);
    for (const element of root.querySelectorAll('[data-i18n-attr]')) {
        for (const pair of element.dataset.i18nAttr.split(';')) {
            const [attribute, key] = pair.split(':');
            if (attribute && key) element.setAttribute(attribute.trim(), t(key.trim()));
        }
    }
}

// Formatting for the current language. Times from the API are UTC ISO strings; they are
// shown in the browser's time zone.

const cache = new Map();
function formatter(kind, options) {
    const id = `${current}|${kind}|${JSON.stringify(options)}`;
    if (!cache.has(id))
        cache.set(id, kind === 'number' ? new Intl.NumberFormat(locale(), options) : new Intl.DateTimeFormat(locale(), options));
    return cache.get(id);
}

/// "6 Dec 2026, 03:49" (the language's own order and words).
export function formatDateTime(value) {
    const date = value instanceof Date ? value : new Date(value);
    if (Number.isNaN(date.getTime())) return '';
    return formatter('date', { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

/// "6 Dec 2026".
export function formatDate(value) {
    const date = value instanceof Date ? value : new Date(value);
    if (Number.isNaN(date.getTime())) return '';
    return formatter('date', { dateStyle: 'medium' }).format(date);
}

/// "03:49".
export function formatTime(value) {
    const date = value instanceof Date ? value : new Date(value);
    if (Number.isNaN(date.getTime())) return '';
    return formatter('date', { timeStyle: 'short' }).format(date);
}

/// 12345 -> "12,345" / "12.345" / "12 345".
export function formatNumber(value) {
    return formatter('number', {}).format(value);
}

/// 42 -> "42 s", 754 -> "12 min 34 s", 4320 -> "1 h 12 min", 200000 -> "2 d 7 h".
export function formatDuration(totalSeconds) {
    const s = Math.max(0, Math.floor(totalSeconds));
    if (s < 60) return t('duration.seconds', { s });
    if (s < 3600) return t('duration.minutes', { m: Math.floor(s / 60), s: String(s % 60).padStart(2, '0') });
    if (s < 86400) return t('duration.hours', { h: Math.floor(s / 3600), m: Math.floor((s % 3600) / 60) });
    return t('duration.days', { d: formatNumber(Math.floor(s / 86400)), h: Math.floor((s % 86400) / 3600) });
}
