// The account page (#/account), every user's own: change the password (the current one
// is asked; every other session ends), email notifications on or off, the language (kept on
// the server for emails), two-factor sign-in (account_two_factor.js) and the user's active
// sessions with "Sign out everywhere else" (GET/PATCH /api/v1/account, POST
// …/account/password, …/account/sessions/sign-out-others).
//
// When the team requires two-factor and the user has not set it up, this page is all the
// console shows (ctx.setupRequired): the two-factor setup, and a way to sign out.

import { api } from '../api.js';
import { el, replaceChildren } from '../dom.js';
import { formatDateTime, kLanguageNames, kLanguages, language, t } from '../i18n.js';
import { toast } from '../ui.js';
import { TwoFactorCard } from './account_two_factor.js';
import { field, input, notice, passwordProblem, plural, select, showFieldErrors } from './form_parts.js';

export function mount(container, ctx) {
    const page = new AccountPage(container, ctx);
    page.start();
    return { update() {}, unmount: () => page.stop() };
}

/// "Firefox on Linux" from a User-Agent header (the server may already send a short name).
export function browserName(agent) {
    const text = String(agent ?? '');
    if (!text) return '';
    // The server's own summary: "Firefox on Linux", "A browser on Linux", "Unknown browser".
    if (text === 'Unknown browser') return t('account.sessions.unknown_browser');
    const summary = /^(.{1,40}) on (Linux|Windows|macOS|Android|iOS|ChromeOS|FreeBSD|OpenBSD)$/.exec(text);
    if (summary) {
        const browser = summary[1] === 'A browser' ? t('account.sessions.a_browser') : summary[1];
        return t('account.sessions.browser_on', { browser, system: summary[2] });
    }
    const browser = /Edg\//.test(text) ? 'Edge' : /OPR\//.test(text) ? 'Opera' : /Firefox\//.test(text) ? 'Firefox'
        : /Chrom(e|ium)\//.test(text) ? 'Chromium' : /Safari\//.test(text) ? 'Safari' : null;
    const system = /Windows/.test(text) ? 'Windows' : /Android/.test(text) ? 'Android' : /iPhone|iPad/.test(text) ? 'iOS'
        : /Mac OS X/.test(text) ? 'macOS' : /Linux|X11/.test(text) ? 'Linux' : null;
    if (!browser) return text.length > 60 ? `${text.slice(0, 57)}…` : text;
    return system ? t('account.sessions.browser_on', { browser, system }) : browser;
}

class AccountPage {
    constructor(container, ctx) {
        this.container = container;
        this.ctx = ctx;
        this.account = null;
        this.stopped = false;
        this.twoFactor = null;
    }

    start() {
        this.ctx.setTitle(t('account.heading'));
        this.problem = notice('bad');
        this.problem.element.id = 'account-problem';
        this.root = el('section', { className: 'account-page', attrs: { id: 'account-view' } });
        this.container.append(this.root);
        this.load();
    }

    stop() {
        this.stopped = true;
        this.twoFactor?.stop();
    }

    async load() {
        try {
            this.account = await api('GET', '/api/v1/account');
        } catch (error) {
            if (this.stopped) return;
            this.account = { user: { ...this.ctx.user }, sessions: null, error };
        }
        if (this.stopped) return;
        this.render();
    }

    render() {
        const user = this.account.user ?? this.ctx.user;
        const forced = Boolean(this.ctx.setupRequired);
        this.twoFactor?.stop();
        this.twoFactor = new TwoFactorCard(this.ctx, user, {
            forced,
            onChanged: (on) => {
                if (this.account.user) this.account.user.two_factor = on;
            },
        });
        const head = el('div', { className: 'section-head account-head' },
            el('div', {},
                el('h1', { text: forced ? t('account.setup.heading') : t('account.heading') }),
                el('p', { className: 'muted' }, el('bdi', { text: user.name || '' }), ' · ', el('bdi', { text: user.email || '' }), ' · ',
                    t(`role.${user.role ?? this.ctx.user.role}`))));
        if (this.account.error && !forced) this.problem.set(t('account.unavailable'), this.account.error.message);
        if (forced) {
            // The top bar keeps "Sign out"; nothing else is offered until the setup is done.
            replaceChildren(this.root, head,
                el('div', { className: 'notice notice-info', attrs: { id: 'account-setup-required', role: 'status' } },
                    el('p', { text: t('account.setup.required') }), el('p', { className: 'muted', text: t('account.setup.why') })),
                this.twoFactor.element);
            return;
        }
        replaceChildren(this.root, head, this.problem.element,
            el('div', { className: 'account-grid' },
                el('div', { className: 'account-column' }, this.passwordCard(), this.preferencesCard(user)),
                el('div', { className: 'account-column' }, this.twoFactor.element, this.sessionsCard())));
    }

    passwordCard() {
        const current = field('account-password-current', t('account.password.current'),
            input({ type: 'password', autocomplete: 'current-password' }));
        const next = field('account-password-new', t('account.password.new'),
            input({ type: 'password', autocomplete: 'new-password', minlength: '12' }), { hint: t('password.rules') });
        const again = field('account-password-again', t('account.password.again'), input({ type: 'password', autocomplete: 'new-password' }));
        const problem = notice('bad');
        const submit = el('button', { className: 'button primary', text: t('account.password.submit'), attrs: { type: 'submit', id: 'account-password-submit' } });
        const form = el('form', { className: 'card account-card', attrs: { id: 'account-password', novalidate: '', 'aria-labelledby': 'account-password-title' } },
            el('h2', { text: t('account.password.heading'), attrs: { id: 'account-password-title' } }),
            el('p', { className: 'muted', text: t('account.password.intro') }),
            current.wrapper, next.wrapper, again.wrapper, problem.element, el('div', { className: 'card-buttons' }, submit));
        form.addEventListener('submit', async (event) => {
            event.preventDefault();
            problem.clear();
            current.setError(current.control.value ? '' : t('account.password.current_missing'));
            const bad = passwordProblem(next.control.value, again.control.value);
            const badNew = next.control.value.length < 12 ? bad : '';
            next.setError(badNew);
            again.setError(bad && !badNew ? bad : '');
            if (!current.control.value || bad) return;
            submit.disabled = true;
            try {
                await api('POST', '/api/v1/account/password', { current: current.control.value, new: next.control.value });
                for (const f of [current, next, again]) f.control.value = '';
                toast(t('account.password.done'), { kind: 'good' });
                problem.clear();
                this.refreshSessions();
            } catch (error) {
                const rest = showFieldErrors({ current, new: next, password: next }, error, {
                    current: t('account.password.current_wrong'),
                    password: t('password.refused'),
                    new: t('password.refused'),
                });
                if (error.status === 401) current.setError(t('account.password.current_wrong'));
                else if (rest.length) problem.set(rest.join(' '));
                else if (fieldErrorsEmpty(error)) problem.set(error.message);
            } finally {
                submit.disabled = false;
            }
        });
        return form;
    }

    preferencesCard(user) {
        const notify = el('input', { attrs: { type: 'checkbox', id: 'account-notify' } });
        notify.checked = Boolean(user.notify_email);
        notify.addEventListener('change', async () => {
            try {
                await api('PATCH', '/api/v1/account', { notify_email: notify.checked });
                if (this.account.user) this.account.user.notify_email = notify.checked;
                toast(notify.checked ? t('account.notify.on_done') : t('account.notify.off_done'), { kind: 'good' });
            } catch (error) {
                notify.checked = !notify.checked;
                toast(error.message, { kind: 'bad' });
            }
        });
        const languageField = field('account-language', t('account.language'),
            select(kLanguages.map((code) => [code, kLanguageNames[code]]), language()), { hint: t('account.language_hint') });
        for (const option of languageField.control.options) option.lang = option.value.replace('_', '-');
        languageField.control.addEventListener('change', () => this.ctx.chooseLanguage?.(languageField.control.value));
        return el('section', { className: 'card account-card', attrs: { id: 'account-preferences', 'aria-labelledby': 'account-preferences-title' } },
            el('h2', { text: t('account.preferences'), attrs: { id: 'account-preferences-title' } }),
            el('div', { className: 'form-field checkbox-field' },
                el('label', { className: 'switch', attrs: { for: 'account-notify' } }, notify, el('span', { text: t('account.notify.label') })),
                el('p', { className: 'field-hint', text: t('account.notify.hint') })),
            languageField.wrapper);
    }

    sessionsCard() {
        this.sessionsBody = el('div', { attrs: { id: 'account-sessions-list' } });
        this.sessionsProblem = notice('bad');
        const others = el('button', { className: 'button', text: t('account.sessions.sign_out_others'), attrs: { type: 'button', id: 'account-sign-out-others' } });
        others.addEventListener('click', async () => {
            others.disabled = true;
            try {
                const answer = await api('POST', '/api/v1/account/sessions/sign-out-others');
                const ended = answer?.signed_out ?? null;
                toast(ended === null ? t('account.sessions.signed_out_others') : plural('account.sessions.ended', ended), { kind: 'good' });
                await this.refreshSessions();
            } catch (error) {
                this.sessionsProblem.set(error.message);
            } finally {
                others.disabled = false;
            }
        });
        this.renderSessions(this.account.sessions);
        return el('section', { className: 'card account-card', attrs: { id: 'account-sessions', 'aria-labelledby': 'account-sessions-title' } },
            el('h2', { text: t('account.sessions.heading'), attrs: { id: 'account-sessions-title' } }),
            el('p', { className: 'muted', text: t('account.sessions.intro') }),
            this.sessionsBody, this.sessionsProblem.element, el('div', { className: 'card-buttons' }, others));
    }

    async refreshSessions() {
        try {
            const answer = await api('GET', '/api/v1/account');
            if (this.stopped) return;
            this.account.sessions = answer.sessions;
            this.renderSessions(answer.sessions);
        } catch {
            // The list stays as it was; the next visit reads it again.
        }
    }

    renderSessions(sessions) {
        if (!this.sessionsBody) return;
        if (!Array.isArray(sessions)) {
            replaceChildren(this.sessionsBody, el('p', { className: 'muted', text: t('account.sessions.unknown') }));
            return;
        }
        const rows = [...sessions].sort((a, b) => Number(b.current) - Number(a.current) || String(b.last_seen_at).localeCompare(String(a.last_seen_at)));
        replaceChildren(this.sessionsBody, el('table', { className: 'admin-table sessions-table', attrs: { id: 'account-sessions-table' } },
            el('caption', { className: 'visually-hidden', text: t('account.sessions.heading') }),
            el('thead', {}, el('tr', {}, ...['browser', 'address', 'last_seen'].map((c) => el('th', { text: t(`account.sessions.column.${c}`), attrs: { scope: 'col' } })))),
            el('tbody', {}, ...rows.map((s) => el('tr', { attrs: { 'data-session': s.id, 'data-current': s.current ? 'true' : null } },
                el('td', {}, el('bdi', { text: browserName(s.browser) || t('account.sessions.unknown_browser') }),
                    s.current ? el('span', { className: 'badge', text: t('account.sessions.this') }) : null),
                el('td', { className: 'mono' }, el('bdi', { text: s.address ?? '' })),
                el('td', { className: 'nowrap', text: s.last_seen_at ? formatDateTime(s.last_seen_at) : '' }))))));
    }
}

function fieldErrorsEmpty(error) {
    return !Array.isArray(error?.problem?.errors) || error.problem.errors.length === 0;
}
