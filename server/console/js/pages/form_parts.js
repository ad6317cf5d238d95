// Pieces the admin, account and invitation pages build their forms from: a labelled field
// with its hint and its error (tied to the control with aria-describedby, so a screen
// reader reads them with it), the server's per-field verdict put by the right field, and
// a button that copies a one-time secret.

import { fieldErrors } from '../api.js';
import { el, show } from '../dom.js';
import { formatNumber, locale, t } from '../i18n.js';

/// A sentence with a count, in the language's plural form: `${key}.one` or `${key}.other`
/// (the count is {count}, formatted).
export function plural(key, count, params = {}) {
    const form = new Intl.PluralRules(locale()).select(count) === 'one' ? 'one' : 'other';
    return t(`${key}.${form}`, { ...params, count: formatNumber(count) });
}

/// A labelled control: {wrapper, control, setError(text)}. `hint` is a sentence under it.
export function field(id, labelText, control, { hint = null, className = '' } = {}) {
    control.id = id;
    const error = el('p', { className: 'field-error', attrs: { id: `${id}-error`, hidden: '' } });
    const hintElement = hint ? el('p', { className: 'field-hint', text: hint, attrs: { id: `${id}-hint` } }) : null;
    const describedBy = [hint ? `${id}-hint` : null, `${id}-error`].filter(Boolean).join(' ');
    control.setAttribute('aria-describedby', describedBy);
    const wrapper = el('div', { className: `form-field ${className}`.trim() },
        el('label', { text: labelText, attrs: { for: id } }), control, hintElement, error);
    return {
        wrapper,
        control,
        setError(text) {
            error.textContent = text ?? '';
            show(error, Boolean(text));
            if (text) control.setAttribute('aria-invalid', 'true');
            else control.removeAttribute('aria-invalid');
        },
    };
}

export const input = (attrs = {}) => el('input', { className: 'input', attrs: { type: 'text', ...attrs } });

export function select(options, value, attrs = {}) {
    const element = el('select', { className: 'select', attrs },
        ...options.map(([optionValue, label]) => el('option', { text: label, attrs: { value: optionValue } })));
    element.value = value;
    return element;
}

/// Puts the messages of a refused change ({errors: [{field, message}]}) by their fields;
/// `fields` maps the API's field names to field() results, `messages` may give the
/// console's own sentence for a field (the server's is English). Returns the sentences of
/// the errors no field shows, for a message above the form.
export function showFieldErrors(fields, error, messages = {}) {
    for (const f of Object.values(fields)) f.setError('');
    const rest = [];
    for (const { field: name, message } of fieldErrors(error)) {
        const target = fields[name];
        const text = messages[name] ?? message;
        if (target) target.setError(text);
        else rest.push(name ? `${name}: ${text}` : text);
    }
    return rest;
}

/// The password rules every password form shows (the server checks them: 12 characters,
/// not one of the common passwords it ships).
export const kMinPasswordLength = 12;

/// What is wrong with a new password before it is sent, or '' (the server has the last
/// word: it also refuses common passwords).
export function passwordProblem(password, confirmation) {
    if (password.length < kMinPasswordLength) return t('password.too_short', { count: kMinPasswordLength });
    if (confirmation !== undefined && password !== confirmation) return t('password.mismatch');
    return '';
}

/// A button that copies `text()` to the clipboard and says so; where the clipboard is not
/// allowed, the text is selected in `fallback` (an input) for the user to copy.
export function copyButton(text, { id, label = t('copy.button'), fallback = null } = {}) {
    const button = el('button', { className: 'button', text: label, attrs: { type: 'button', id } });
    button.addEventListener('click', async () => {
        try {
            await navigator.clipboard.writeText(text());
            button.textContent = t('copy.done');
        } catch {
            fallback?.select();
            button.textContent = t('copy.failed');
        }
        setTimeout(() => {
            if (button.isConnected) button.textContent = label;
        }, 2500);
    });
    return button;
}

/// A one-time secret shown with its copy button: {element}.
export function secretBox(value, { id, label }) {
    const box = el('input', { className: 'input secret', attrs: { type: 'text', readonly: '', id, value, 'aria-label': label,
                                                                  spellcheck: 'false', autocomplete: 'off' } });
    box.value = value;
    return el('div', { className: 'secret-row' }, box, copyButton(() => value, { id: `${id}-copy`, fallback: box }));
}

/// A message box above a form or a table (role alert for errors).
export function notice(kind = 'bad') {
    const element = el('div', { className: `notice notice-${kind}`, attrs: { role: kind === 'bad' ? 'alert' : 'status', hidden: '' } });
    return {
        element,
        set(...parts) {
            element.replaceChildren(...parts.filter(Boolean).map((part) => (typeof part === 'string' ? el('p', { text: part }) : part)));
            show(element, parts.some(Boolean));
        },
        clear() {
            element.replaceChildren();
            show(element, false);
        },
    };
}

/// A modal form: the fields, a notice for errors, Cancel and the submit button. `onSubmit`
/// resolves to close it, or throws to keep it open (it shows its own errors, e.g. with
/// showFieldErrors and the returned notice). Resolves to true when submitted.
export function formDialog({ id, title, intro = '', fields, submitLabel, danger = false, onSubmit }) {
    return new Promise((resolve) => {
        const problem = notice('bad');
        const submit = el('button', { className: `button ${danger ? 'danger' : 'primary'}`, text: submitLabel,
                                      attrs: { type: 'submit', 'data-confirm': '' } });
        const cancel = el('button', { className: 'button', text: t('dialog.cancel'), attrs: { type: 'button' } });
        const form = el('form', { className: 'dialog-form', attrs: { novalidate: '', method: 'dialog' } },
            intro ? el('p', { className: 'dialog-body', text: intro }) : null,
            ...fields.map((f) => f.wrapper), problem.element,
            el('div', { className: 'dialog-buttons' }, cancel, submit));
        const dialog = el('dialog', { className: 'dialog', attrs: { id, 'aria-labelledby': `${id}-title` } },
            el('h2', { text: title, attrs: { id: `${id}-title` } }), form);
        let done = false;
        cancel.addEventListener('click', () => dialog.close());
        form.addEventListener('submit', async (event) => {
            event.preventDefault();
            submit.disabled = true;
            problem.clear();
            try {
                await onSubmit({ problem });
                done = true;
                dialog.close();
            } catch (error) {
                if (error && error.message && !error.shown) problem.set(error.message);
            } finally {
                submit.disabled = false;
            }
        });
        dialog.addEventListener('close', () => {
            dialog.remove();
            resolve(done);
        });
        document.body.append(dialog);
        dialog.showModal();
        (fields[0]?.control ?? submit).focus();
    });
}

/// A modal that shows something once (a new password, the verdict of a refusal) with a
/// Close button.
export function infoDialog({ id, title, body = [], closeLabel = t('dialog.close') }) {
    return new Promise((resolve) => {
        const close = el('button', { className: 'button primary', text: closeLabel, attrs: { type: 'button', 'data-close': '' } });
        const dialog = el('dialog', { className: 'dialog', attrs: { id, 'aria-labelledby': `${id}-title` } },
            el('h2', { text: title, attrs: { id: `${id}-title` } }),
            ...body.map((part) => (typeof part === 'string' ? el('p', { className: 'dialog-body', text: part }) : part)),
            el('div', { className: 'dialog-buttons' }, close));
        close.addEventListener('click', () => dialog.close());
        dialog.addEventListener('close', () => {
            dialog.remove();
            resolve();
        });
        document.body.append(dialog);
        dialog.showModal();
        close.focus();
    });
}
