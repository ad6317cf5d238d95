// The second step of signing in, for a user with two-factor on: the password was right and
// the server answered {two_factor_required, challenge} instead of a session. The user types
// the 6-digit code of their authenticator app, or one of their recovery codes (each works
// once), and POST /api/v1/auth/login/two-factor opens the session. A wrong code counts
// towards the sign-in limit like a wrong password; an expired challenge (the step waited
// too long) sends the user back to the password.

import { signInSecondFactor } from './api.js';
import { el, show } from './dom.js';
import { t } from './i18n.js';

export class SecondStep {
    /// onSignedIn({user, setupRequired}); onBack(message) shows the password form again.
    constructor(container, { onSignedIn, onBack }) {
        this.container = container;
        this.onSignedIn = onSignedIn;
        this.onBack = onBack;
        this.challenge = null;
        this.recovery = false;
        this.busy = false;
    }

    show(challenge) {
        this.challenge = challenge;
        this.recovery = false;
        this.render();
        show(this.container, true);
        document.body.dataset.view = 'login';
        this.input.focus();
    }

    hide() {
        this.challenge = null;
        this.container.replaceChildren();
        show(this.container, false);
    }

    applyLanguage() {
        if (this.challenge) this.render();
    }

    render() {
        const recovery = this.recovery;
        this.input = el('input', {
            attrs: recovery
                ? { id: 'second-step-code', name: 'recovery_code', type: 'text', autocomplete: 'off', spellcheck: 'false',
                    autocapitalize: 'off', required: '', 'aria-describedby': 'second-step-hint' }
                : { id: 'second-step-code', name: 'code', type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code',
                    pattern: '[0-9 ]*', maxlength: '8', required: '', 'aria-describedby': 'second-step-hint' },
        });
        this.error = el('p', { className: 'error', attrs: { id: 'second-step-error', role: 'alert', hidden: '' } });
        this.submit = el('button', { className: 'button primary', text: t('login.two_factor.submit'),
                                     attrs: { type: 'submit', id: 'second-step-submit' } });
        const toggle = el('button', { className: 'button link', attrs: { type: 'button', id: 'second-step-toggle' },
                                      text: recovery ? t('login.two_factor.use_code') : t('login.two_factor.use_recovery') });
        toggle.addEventListener('click', () => {
            this.recovery = !this.recovery;
            this.render();
            this.input.focus();
        });
        const back = el('button', { className: 'button link', text: t('login.two_factor.back'), attrs: { type: 'button', id: 'second-step-back' } });
        back.addEventListener('click', () => this.onBack(''));
        const form = el('form', { attrs: { id: 'second-step-form', novalidate: '' } },
            el('label', { text: recovery ? t('login.two_factor.recovery_label') : t('login.two_factor.code_label'), attrs: { for: 'second-step-code' } }),
            this.input,
            el('p', { className: 'hint', text: recovery ? t('login.two_factor.recovery_hint') : t('login.two_factor.code_hint'), attrs: { id: 'second-step-hint' } }),
            this.error,
            this.submit,
            el('div', { className: 'second-step-links' }, toggle, back));
        form.addEventListener('submit', (event) => {
            event.preventDefault();
            this.send();
        });
        this.container.replaceChildren(el('h1', { text: t('login.two_factor.heading') }), form);
    }

    setError(text) {
        this.error.textContent = text ?? '';
        show(this.error, Boolean(text));
    }

    async send() {
        if (this.busy) return;
        const value = this.input.value.trim();
        const code = this.recovery ? value : value.replace(/\s+/g, '');
        if (!code) return this.setError(this.recovery ? t('login.two_factor.missing_recovery') : t('login.two_factor.missing_code'));
        if (!this.recovery && !/^\d{6}$/.test(code)) return this.setError(t('login.two_factor.six_digits'));
        this.busy = true;
        this.submit.disabled = true;
        this.submit.textContent = t('login.busy');
        this.setError('');
        try {
            const answer = await signInSecondFactor(this.challenge, this.recovery ? { recoveryCode: code } : { code });
            if (!answer.user) throw new Error(t('error.other', { status: 200, detail: '' }));
            this.hide();
            this.onSignedIn(answer);
        } catch (error) {
            const code = error.problem?.code;
            if (error.status === 410 || code === 'two_factor_challenge_expired') {
                this.onBack(t('login.two_factor.expired'));
            } else if (code === 'two_factor_code_used') {
                this.setError(t('login.two_factor.used_code'));
                this.input.select();
            } else if (error.status === 401) {
                this.setError(this.recovery ? t('login.two_factor.wrong_recovery') : t('login.two_factor.wrong_code'));
                this.input.select();
            } else {
                this.setError(error.message);
            }
        } finally {
            this.busy = false;
            if (this.submit) {
                this.submit.disabled = false;
                this.submit.textContent = t('login.two_factor.submit');
            }
        }
    }
}
