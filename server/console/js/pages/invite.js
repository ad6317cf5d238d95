// The invitation page (#/invite/<token>), the link of an invitation email: shown without
// signing in. GET /api/v1/invitations/{token} names the invited person; they choose a
// password (the rules are shown; the server checks them and refuses common passwords) and
// POST /api/v1/invitations/{token} sets it — once: the link then no longer works, nor after
// 48 hours. Then they sign in with it.

import { api } from '../api.js';
import { el, replaceChildren } from '../dom.js';
import { t } from '../i18n.js';
import { field, input, notice, passwordProblem, showFieldErrors } from './form_parts.js';

/// ctx: {setTitle(text), signIn(email)} (app.js: the page is not part of a signed-in console).
export function mount(container, ctx, route) {
    const page = new InvitePage(container, ctx, route.id);
    page.start();
    return { update() {}, unmount: () => page.stop() };
}

class InvitePage {
    constructor(container, ctx, token) {
        this.container = container;
        this.ctx = ctx;
        this.token = token;
        this.stopped = false;
        this.card = el('section', { className: 'card login invite', attrs: { id: 'invite-view' } });
        container.append(this.card);
    }

    stop() {
        this.stopped = true;
    }

    async start() {
        this.ctx.setTitle(t('invite.heading'));
        replaceChildren(this.card, el('p', { className: 'muted', text: t('invite.loading') }));
        try {
            this.invitation = await api('GET', `/api/v1/invitations/${encodeURIComponent(this.token)}`);
        } catch (error) {
            if (this.stopped) return;
            return this.showGone(error);
        }
        if (!this.stopped) this.showForm();
    }

    showGone(error) {
        const gone = error.status === 404 || error.status === 410;
        const signIn = el('button', { className: 'button primary', text: t('invite.sign_in'), attrs: { type: 'button', id: 'invite-sign-in' } });
        signIn.addEventListener('click', () => this.ctx.signIn(''));
        replaceChildren(this.card,
            el('h1', { text: gone ? t('invite.gone.heading') : t('invite.heading') }),
            el('p', { className: gone ? '' : 'error', attrs: { id: 'invite-gone', role: 'alert' }, text: gone ? t('invite.gone.body') : error.message }),
            gone ? el('p', { className: 'muted', text: t('invite.gone.what') }) : null,
            signIn);
    }

    showForm() {
        const { email, name } = this.invitation;
        const password = field('invite-password', t('invite.password'), input({ type: 'password', autocomplete: 'new-password', minlength: '12' }),
            { hint: t('password.rules') });
        const again = field('invite-password-again', t('invite.password_again'), input({ type: 'password', autocomplete: 'new-password' }));
        const problem = notice('bad');
        const submit = el('button', { className: 'button primary', text: t('invite.submit'), attrs: { type: 'submit', id: 'invite-submit' } });
        // The email as a username field lets password managers store the new password with it.
        const username = el('input', { className: 'visually-hidden', attrs: { type: 'email', autocomplete: 'username', value: email ?? '', readonly: '', tabindex: '-1', 'aria-hidden': 'true' } });
        const form = el('form', { attrs: { id: 'invite-form', novalidate: '' } },
            username, password.wrapper, again.wrapper, problem.element, submit);
        form.addEventListener('submit', async (event) => {
            event.preventDefault();
            problem.clear();
            const bad = passwordProblem(password.control.value, again.control.value);
            const badFirst = password.control.value.length < 12 ? bad : '';
            password.setError(badFirst);
            again.setError(bad && !badFirst ? bad : '');
            if (bad) return;
            submit.disabled = true;
            try {
                await api('POST', `/api/v1/invitations/${encodeURIComponent(this.token)}`, { password: password.control.value });
                this.showDone();
            } catch (error) {
                if (error.status === 404 || error.status === 410) return this.showGone(error);
                const rest = showFieldErrors({ password }, error, { password: t('password.refused') });
                if (rest.length) problem.set(rest.join(' '));
                else if (!(error.problem?.errors ?? []).length) problem.set(error.message);
            } finally {
                submit.disabled = false;
            }
        });
        replaceChildren(this.card,
            el('h1', { text: t('invite.heading') }),
            el('p', {}, t('invite.welcome', { name: name || email })),
            el('p', { className: 'muted' }, t('invite.for'), ' ', el('bdi', { className: 'invite-email', text: email, attrs: { id: 'invite-email' } })),
            form);
        password.control.focus();
    }

    showDone() {
        const signIn = el('button', { className: 'button primary', text: t('invite.sign_in'), attrs: { type: 'button', id: 'invite-sign-in' } });
        signIn.addEventListener('click', () => this.ctx.signIn(this.invitation.email));
        replaceChildren(this.card,
            el('h1', { text: t('invite.done.heading') }),
            el('p', { attrs: { id: 'invite-done', role: 'status' }, text: t('invite.done.body') }),
            signIn);
        signIn.focus();
    }
}
