// Two-factor sign-in on the account page: off → setup (POST …/two-factor/setup gives the
// secret and its otpauth:// URI, drawn as a QR code in the page, js/qrcode.js) → the first
// code confirms it (POST …/confirm) → the ten recovery codes, shown once, to copy or
// download → on. Turning it off asks for the password (DELETE …/two-factor).
//
// In the forced setup (the team requires two-factor, ctx.setupRequired) the card is the
// whole page, and saving the recovery codes starts the console (ctx.setupDone()).

import { api, fieldErrors } from '../api.js';
import { el, replaceChildren } from '../dom.js';
import { t } from '../i18n.js';
import { qrSvg } from '../qrcode.js';
import { toast } from '../ui.js';
import { copyButton, field, input, notice } from './form_parts.js';

/// "JBSW Y3DP EHPK 3PXP": a base32 secret in groups of four, easier to type.
export function groupedSecret(secret) {
    return String(secret ?? '').replace(/\s+/g, '').replace(/(.{4})/g, '$1 ').trim();
}

export class TwoFactorCard {
    constructor(ctx, user, { forced = false, onChanged = () => {} } = {}) {
        this.ctx = ctx;
        this.forced = forced;
        this.onChanged = onChanged;
        this.on = Boolean(user.two_factor) && !forced;
        this.stopped = false;
        this.problem = notice('bad');
        this.problem.element.id = 'two-factor-problem';
        this.body = el('div', { className: 'two-factor-body' });
        this.element = el('section', { className: 'card account-card two-factor', attrs: { id: 'account-two-factor', 'aria-labelledby': 'two-factor-title' } },
            el('h2', { text: t('account.two_factor.heading'), attrs: { id: 'two-factor-title' } }),
            this.body, this.problem.element);
        if (forced) this.startSetup();
        else this.showState();
    }

    stop() {
        this.stopped = true;
    }

    showState() {
        this.problem.clear();
        this.element.dataset.state = this.on ? 'on' : 'off';
        if (this.on) {
            const off = el('button', { className: 'button danger-outline', text: t('account.two_factor.turn_off'), attrs: { type: 'button', id: 'two-factor-off' } });
            off.addEventListener('click', () => this.askTurnOff());
            replaceChildren(this.body,
                el('p', {}, el('span', { className: 'state state-on', text: t('account.two_factor.on') })),
                el('p', { className: 'muted', text: t('account.two_factor.on_body') }),
                el('div', { className: 'card-buttons' }, off));
        } else {
            const setup = el('button', { className: 'button primary', text: t('account.two_factor.turn_on'), attrs: { type: 'button', id: 'two-factor-setup' } });
            setup.addEventListener('click', () => this.startSetup());
            replaceChildren(this.body,
                el('p', {}, el('span', { className: 'state state-off', text: t('account.two_factor.off') })),
                el('p', { className: 'muted', text: t('account.two_factor.off_body') }),
                el('div', { className: 'card-buttons' }, setup));
        }
    }

    async startSetup() {
        this.problem.clear();
        this.element.dataset.state = 'setup';
        replaceChildren(this.body, el('p', { className: 'muted', text: t('account.two_factor.preparing') }));
        let setup;
        try {
            setup = await api('POST', '/api/v1/account/two-factor/setup');
        } catch (error) {
            if (this.stopped) return;
            this.problem.set(error.message);
            if (!this.forced) this.showState();
            return;
        }
        if (this.stopped) return;
        const qr = el('div', { className: 'qr', attrs: { id: 'two-factor-qr' } });
        const secretText = groupedSecret(setup.secret);
        const code = field('two-factor-code', t('account.two_factor.code'),
            input({ inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: '8', pattern: '[0-9 ]*' }), { hint: t('account.two_factor.code_hint') });
        const confirm = el('button', { className: 'button primary', text: t('account.two_factor.confirm'), attrs: { type: 'submit', id: 'two-factor-confirm' } });
        const cancel = el('button', { className: 'button', text: t('dialog.cancel'), attrs: { type: 'button', id: 'two-factor-cancel' } });
        cancel.addEventListener('click', () => this.showState());
        const form = el('form', { className: 'two-factor-confirm', attrs: { novalidate: '', id: 'two-factor-form' } },
            code.wrapper, el('div', { className: 'card-buttons' }, this.forced ? null : cancel, confirm));
        form.addEventListener('submit', async (event) => {
            event.preventDefault();
            const value = code.control.value.replace(/\s+/g, '');
            if (!/^\d{6}$/.test(value)) return code.setError(t('login.two_factor.six_digits'));
            code.setError('');
            confirm.disabled = true;
            try {
                const answer = await api('POST', '/api/v1/account/two-factor/confirm', { code: value });
                this.showRecoveryCodes(answer.recovery_codes ?? []);
            } catch (error) {
                const fields = fieldErrors(error);
                if (error.status === 401 || error.status === 422 || fields.length) code.setError(t('account.two_factor.code_wrong'));
                else this.problem.set(error.message);
                code.control.select();
            } finally {
                confirm.disabled = false;
            }
        });
        replaceChildren(this.body,
            el('ol', { className: 'steps' },
                el('li', {}, el('p', { text: t('account.two_factor.step_app') })),
                el('li', {}, el('p', { text: t('account.two_factor.step_scan') }), qr,
                    el('p', { className: 'muted', text: t('account.two_factor.step_key') }),
                    el('p', {}, el('code', { className: 'secret-key', text: secretText, attrs: { id: 'two-factor-secret', 'data-secret': setup.secret } }), ' ',
                        copyButton(() => setup.secret, { id: 'two-factor-secret-copy' }))),
                el('li', {}, el('p', { text: t('account.two_factor.step_code') }), form)));
        try {
            qr.append(await qrSvg(setup.otpauth_uri, { title: t('account.two_factor.qr_title') }));
        } catch {
            qr.classList.add('qr-missing');
            qr.append(el('p', { className: 'notice notice-info', attrs: { id: 'two-factor-qr-missing' }, text: t('account.two_factor.qr_missing') }));
        }
        code.control.focus();
    }

    showRecoveryCodes(codes) {
        this.element.dataset.state = 'recovery';
        const text = `${t('account.two_factor.codes_file_heading')}\n\n${codes.join('\n')}\n`;
        const download = el('a', { className: 'button', text: t('account.two_factor.download'),
                                   attrs: { id: 'two-factor-download', download: 'helpline-recovery-codes.txt' } });
        download.href = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
        const done = el('button', { className: 'button primary', text: this.forced ? t('account.two_factor.saved_continue') : t('account.two_factor.saved'),
                                    attrs: { type: 'button', id: 'two-factor-done' } });
        done.addEventListener('click', () => {
            URL.revokeObjectURL(download.href);
            this.on = true;
            this.onChanged(true);
            toast(t('account.two_factor.turned_on'), { kind: 'good' });
            if (this.forced) this.ctx.setupDone();
            else this.showState();
        });
        replaceChildren(this.body,
            el('p', { className: 'notice notice-good', attrs: { role: 'status' }, text: t('account.two_factor.confirmed') }),
            el('p', { text: t('account.two_factor.codes_intro') }),
            el('ol', { className: 'recovery-codes', attrs: { id: 'two-factor-codes' } }, ...codes.map((c) => el('li', {}, el('code', { text: c })))),
            el('div', { className: 'card-buttons' }, copyButton(() => codes.join('\n'), { id: 'two-factor-copy', label: t('account.two_factor.copy') }), download, done));
        done.focus();
    }

    askTurnOff() {
        this.problem.clear();
        const password = field('two-factor-password', t('account.two_factor.password'), input({ type: 'password', autocomplete: 'current-password' }),
            { hint: t('account.two_factor.off_hint') });
        const submit = el('button', { className: 'button danger', text: t('account.two_factor.turn_off'), attrs: { type: 'submit', id: 'two-factor-off-confirm' } });
        const cancel = el('button', { className: 'button', text: t('dialog.cancel'), attrs: { type: 'button' } });
        cancel.addEventListener('click', () => this.showState());
        const form = el('form', { attrs: { novalidate: '', id: 'two-factor-off-form' } }, password.wrapper, el('div', { className: 'card-buttons' }, cancel, submit));
        form.addEventListener('submit', async (event) => {
            event.preventDefault();
            if (!password.control.value) return password.setError(t('account.password.current_missing'));
            submit.disabled = true;
            try {
                await api('DELETE', '/api/v1/account/two-factor', { password: password.control.value });
                this.on = false;
                this.onChanged(false);
                toast(t('account.two_factor.turned_off'), { kind: 'good' });
                this.showState();
            } catch (error) {
                if (error.status === 401 || fieldErrors(error).some((e) => e.field === 'password')) password.setError(t('account.password.current_wrong'));
                else if (error.problem?.code === 'two_factor_required') this.problem.set(t('account.two_factor.required_by_team'));
                else this.problem.set(error.message);
            } finally {
                submit.disabled = false;
            }
        });
        replaceChildren(this.body, el('p', { className: 'muted', text: t('account.two_factor.off_confirm') }), form);
        password.control.focus();
    }
}
