// The reply box under a ticket's conversation (js/pages/conversation.js): a text, files,
// and "Internal note" for a note only the team sees.
//
// Sending uploads each file first (PUT /api/v1/tickets/{n}/attachments/{key}: the file's
// bytes as the body, fetch sending its Content-Length; its name percent-encoded in
// X-Helpline-File-Name), then posts the message with the attachments' ids
// (POST /api/v1/tickets/{n}/messages, Idempotency-Key). Both go through api.js, so the
// session cookie and the CSRF token go with them. A file keeps its key and the draft its
// Idempotency-Key until it is sent, so a Send again after a failure (a lost answer, a
// network error) stores nothing twice: the server answers the same attachment and the
// same message. Changing the draft gives it a new Idempotency-Key.
//
// A closed or expired ticket takes no reply from the team (409 ticket_closed): the box
// says so where it was, and once the page knows the ticket is closed the box is replaced
// by sentences saying replies are closed — keeping anything the operator had written, to
// copy, rather than throwing it away.

import { api, problemCode } from '../api.js';
import { el, replaceChildren, show } from '../dom.js';
import { t } from '../i18n.js';
import { formatSize } from './conversation_attachments.js';

/// The protocol's limits: a body of at most 10,000 characters, 20 attachments a message,
/// files of at most the server's attachment_max_bytes (20 MiB unless its --attachment-max-mib
/// says otherwise; checked here so a large file is not sent only to be refused).
const kMaxBody = 10_000;
const kMaxFiles = 20;
const kDefaultMaxFileBytes = 20 * 1024 * 1024;

/// A random UUID (version 4); crypto.randomUUID needs a secure context, which a console on
/// plain HTTP on a LAN address is not.
export function uuid() {
    if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export class ReplyBox {
    /// onSent(message): the server stored it; onClosed(): it said the ticket is closed.
    constructor(number, { onSent, onClosed }) {
        this.number = number;
        this.onSent = onSent;
        this.onClosed = onClosed;
        this.files = [];          // [{file, key, attachment}] in the order chosen
        this.draftKey = null;     // the Idempotency-Key of the draft as it is
        this.busy = false;
        this.closed = null;       // null while replies are open, else {status, reopens}
        this.refused = false;     // the server refused a reply because the ticket is closed
        this.maxFileBytes = kDefaultMaxFileBytes;
        this.build();
    }

    build() {
        this.body = el('textarea', { className: 'reply-body',
                                     attrs: { id: 'reply-body', rows: '4', maxlength: String(kMaxBody), 'aria-describedby': 'reply-error' } });
        this.label = el('label', { className: 'reply-label', text: t('reply.label'), attrs: { for: 'reply-body', id: 'reply-label' } });
        this.internal = el('input', { attrs: { type: 'checkbox', id: 'reply-internal' } });
        this.fileInput = el('input', { className: 'reply-file-input', attrs: { type: 'file', id: 'reply-files', multiple: '' } });
        this.fileList = el('ul', { className: 'reply-files', attrs: { id: 'reply-file-list', 'aria-label': t('reply.files') } });
        this.error = el('p', { className: 'error', attrs: { id: 'reply-error', role: 'alert', hidden: '' } });
        this.progress = el('p', { className: 'reply-progress muted', attrs: { id: 'reply-status', role: 'status' } });
        this.send = el('button', { className: 'button primary', text: t('reply.send'), attrs: { type: 'submit', id: 'reply-send' } });

        this.form = el('form', { className: 'reply', attrs: { id: 'reply-form', novalidate: '', 'aria-labelledby': 'reply-label' } },
            this.label, this.body, this.fileList, this.error,
            el('div', { className: 'reply-bar' },
                el('span', { className: 'reply-attach' }, this.fileInput,
                    el('label', { className: 'button', text: t('reply.attach'), attrs: { for: 'reply-files' } })),
                el('label', { className: 'reply-internal' }, this.internal, el('span', { text: t('reply.internal') })),
                this.send),
            this.progress);
        this.closedView = el('div', { className: 'reply-closed', attrs: { id: 'reply-closed' } });
        this.element = el('div', { className: 'reply-area', attrs: { id: 'conversation-reply' } }, this.form);

        this.form.addEventListener('submit', (event) => {
            event.preventDefault();
            this.submit();
        });
        this.body.addEventListener('keydown', (event) => {
            if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
                event.preventDefault();
                this.submit();
            }
        });
        this.body.addEventListener('input', () => this.changed());
        this.internal.addEventListener('change', () => {
            this.changed();
            this.renderMode();
        });
        this.fileInput.addEventListener('change', () => {
            this.addFiles([...this.fileInput.files]);
            this.fileInput.value = '';
        });
    }

    /// The draft is not what was last tried any more: it gets a new Idempotency-Key.
    changed() {
        this.draftKey = null;
        this.progress.textContent = '';
    }

    renderMode() {
        const internal = this.internal.checked;
        this.form.classList.toggle('internal', internal);
        this.label.textContent = internal ? t('reply.label.internal') : t('reply.label');
        this.send.textContent = internal ? t('reply.send.internal') : t('reply.send');
    }

    /// The server's limit for one file (GET …/messages: attachment_max_bytes).
    setMaxFileBytes(bytes) {
        if (Number.isInteger(bytes) && bytes > 0) this.maxFileBytes = bytes;
    }

    setError(text) {
        this.error.textContent = text ?? '';
        show(this.error, Boolean(text));
    }

    addFiles(chosen) {
        this.setError('');
        const problems = [];
        for (const file of chosen) {
            if (this.files.length >= kMaxFiles) {
                problems.push(t('reply.too_many', { max: kMaxFiles }));
                break;
            }
            if (file.size > this.maxFileBytes) {
                problems.push(t('reply.too_large', { name: file.name, max: formatSize(this.maxFileBytes) }));
                continue;
            }
            this.files.push({ file, key: uuid(), attachment: null });
        }
        this.changed();
        this.renderFiles();
        if (problems.length) this.setError(problems.join(' '));
    }

    renderFiles() {
        replaceChildren(this.fileList, ...this.files.map((item) => {
            const name = item.file.name;
            const remove = el('button', { className: 'button link', text: '×',
                                          attrs: { type: 'button', 'aria-label': t('reply.remove_file', { name }), title: t('reply.remove_file', { name }) } });
            remove.disabled = this.busy;
            remove.addEventListener('click', () => {
                this.files = this.files.filter((f) => f !== item);
                this.changed();
                this.renderFiles();
                this.body.focus();
            });
            return el('li', { className: 'reply-file' },
                el('bdi', { className: 'attachment-name', text: name }),
                el('span', { className: 'attachment-meta', text: formatSize(item.file.size) }), remove);
        }));
        show(this.fileList, this.files.length > 0);
    }

    setBusy(busy) {
        this.busy = busy;
        for (const control of [this.body, this.internal, this.fileInput, this.send]) control.disabled = busy;
        for (const button of this.fileList.querySelectorAll('button')) button.disabled = busy;
        if (busy) this.form.setAttribute('aria-busy', 'true');
        else this.form.removeAttribute('aria-busy');
    }

    async submit() {
        if (this.busy || this.closed) return;
        const text = this.body.value;
        const internal = this.internal.checked;
        if (text.trim() === '' && this.files.length === 0) {
            this.setError(t('reply.empty'));
            this.body.focus();
            return;
        }
        this.setError('');
        this.setBusy(true);
        let message = null;
        try {
            const ids = [];
            for (const [index, item] of this.files.entries()) {
                this.progress.textContent = t('reply.uploading', { name: item.file.name, index: index + 1, count: this.files.length });
                item.attachment ??= await this.upload(item, internal);
                ids.push(item.attachment.id);
            }
            this.progress.textContent = t('reply.sending');
            this.draftKey ??= uuid();
            const payload = { body: text, attachments: ids };
            if (internal) payload.internal = true;
            message = await api('POST', `/api/v1/tickets/${encodeURIComponent(this.number)}/messages`, payload,
                                { headers: { 'Idempotency-Key': this.draftKey } });
        } catch (error) {
            this.progress.textContent = '';
            this.failed(error);
            return;
        } finally {
            this.setBusy(false);
        }
        this.body.value = '';
        this.files = [];
        this.draftKey = null;
        // "Internal note" stays as it was: two notes in a row must not make the second a
        // reply the customer reads.
        this.renderFiles();
        this.progress.textContent = internal ? t('reply.noted') : t('reply.sent');
        this.body.focus();
        this.onSent?.(message);
    }

    /// PUT of one file (`internal` for a note's); resolves to the attachment, rejects with
    /// the ApiError (its `file` says which one).
    async upload(item, internal) {
        // A note's file is internal from its upload on: until the note names it, the
        // customer's answer would otherwise list it with the request's files.
        const query = internal ? '?internal=1' : '';
        try {
            return await api('PUT', `/api/v1/tickets/${encodeURIComponent(this.number)}/attachments/${item.key}${query}`, item.file, {
                raw: true, contentType: item.file.type || 'application/octet-stream',
                headers: { 'X-Helpline-File-Name': encodeURIComponent(item.file.name) },
            });
        } catch (error) {
            error.file = item.file;
            throw error;
        }
    }

    failed(error) {
        const code = problemCode(error);
        if (code === 'ticket_closed') {
            this.refused = true;
            this.setError(t('reply.closed_refused'));
            this.onClosed?.();
            return;
        }
        const name = error.file?.name;
        if (name && error.status === 413) this.setError(t('reply.file_too_large', { name }));
        else if (name && code === 'attachments_full') this.setError(t('reply.file_full', { name }));
        else if (name) this.setError(t('reply.file_failed', { name, error: error.message }));
        else this.setError(error.message);
    }

    /// Replies open (status 'open') or closed: the box, or the sentences that replace it.
    setStatus(status, { reopens = false } = {}) {
        const closed = status !== 'open';
        if (!closed) {
            if (this.closed) {
                this.closed = null;
                this.refused = false;
                replaceChildren(this.element, this.form);
            }
            return;
        }
        if (this.closed?.status === status && this.closed.reopens === reopens) return;
        this.closed = { status, reopens };
        const parts = [
            this.refused ? el('p', { className: 'error', text: t('reply.closed_refused'), attrs: { role: 'alert' } }) : null,
            el('p', { className: 'reply-closed-text', text: status === 'expired' ? t('reply.expired') : t('reply.closed') }),
            el('p', { className: 'muted', text: reopens ? t('reply.customer_reopens') : t('reply.customer_new_request') }),
        ];
        // What the operator had written stays, to copy: the page never throws it away.
        if (this.body.value.trim() !== '') {
            const kept = el('textarea', { className: 'reply-body', attrs: { id: 'reply-unsent', readonly: '', rows: '3' } });
            kept.value = this.body.value;
            parts.push(el('label', { className: 'reply-label', text: t('reply.unsent'), attrs: { for: 'reply-unsent' } }), kept);
        }
        replaceChildren(this.closedView, ...parts);
        // A closed ticket's page holds no control at all, not even a hidden one.
        replaceChildren(this.element, this.closedView);
        this.setError('');
    }
}
