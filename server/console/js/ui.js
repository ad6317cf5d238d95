// Pieces every page uses: a confirmation dialog (<dialog>, so focus stays in it and Esc
// cancels), notices ("toasts") read out by screen readers, and the attention an operator
// in another tab gets for a new ticket: a count in the page title and, once they have
// allowed it with a click, a desktop notification.

import { el, replaceChildren } from './dom.js';
import { t } from './i18n.js';

/// Asks a yes/no question in a modal dialog; resolves to true only for the confirm button.
/// {title, body, confirmLabel, danger}
export function confirmDialog({ title, body = '', confirmLabel, danger = false }) {
    return new Promise((resolve) => {
        const dialog = el('dialog', { className: 'dialog', attrs: { 'aria-labelledby': 'dialog-title' } });
        const cancel = el('button', { className: 'button', text: t('dialog.cancel'), attrs: { type: 'button', value: 'cancel' } });
        const confirm = el('button', { className: `button ${danger ? 'danger' : 'primary'}`, text: confirmLabel ?? t('dialog.confirm'),
                                       attrs: { type: 'button', value: 'confirm', 'data-confirm': '' } });
        dialog.append(
            el('h2', { text: title, attrs: { id: 'dialog-title' } }),
            body ? el('p', { className: 'dialog-body', text: body }) : '',
            el('div', { className: 'dialog-buttons' }, cancel, confirm),
        );
        let answer = false;
        cancel.addEventListener('click', () => dialog.close());
        confirm.addEventListener('click', () => {
            answer = true;
            dialog.close();
        });
        dialog.addEventListener('close', () => {
            dialog.remove();
            resolve(answer);
        });
        document.body.append(dialog);
        dialog.showModal();
        confirm.focus();
    });
}

const kToastMs = 8000;

/// Shows a notice for a few seconds in the page's live region (#toasts).
/// kind: 'info' | 'good' | 'bad'.
export function toast(message, { kind = 'info', timeoutMs = kToastMs } = {}) {
    const region = document.getElementById('toasts');
    if (!region) return;
    const close = el('button', { className: 'button link toast-close', text: '×',
                                 attrs: { type: 'button', 'aria-label': t('dialog.close') } });
    const item = el('div', { className: `toast toast-${kind}`, attrs: { 'data-kind': kind } },
        el('span', { className: 'toast-text', text: message }), close);
    const remove = () => item.remove();
    close.addEventListener('click', remove);
    region.append(item);
    if (timeoutMs > 0) setTimeout(remove, timeoutMs);
}

/// The title count and desktop notifications for new tickets.
export class Attention {
    constructor() {
        this.unseen = 0;
        this.baseTitle = '';
        const seen = () => {
            if (this.isLooking()) this.reset();
        };
        document.addEventListener('visibilitychange', seen);
        window.addEventListener('focus', seen);
    }

    isLooking() {
        return document.visibilityState === 'visible' && document.hasFocus();
    }

    setTitle(title) {
        this.baseTitle = title;
        this.render();
    }

    render() {
        document.title = this.unseen > 0 ? `(${this.unseen}) ${this.baseTitle}` : this.baseTitle;
    }

    reset() {
        if (this.unseen === 0) return;
        this.unseen = 0;
        this.render();
    }

    /// Whether desktop notifications can be asked for or are already allowed.
    notificationsState() {
        if (!('Notification' in window)) return 'unsupported';
        return Notification.permission;  // 'default' | 'granted' | 'denied'
    }

    /// Asks the browser for permission; call from a click handler only.
    async enableNotifications() {
        if (!('Notification' in window)) return 'unsupported';
        try {
            return await Notification.requestPermission();
        } catch {
            return Notification.permission;
        }
    }

    /// A new ticket arrived in the user's view: counted in the title unless the user is
    /// looking at the page, and a desktop notification when allowed. Clicking it brings
    /// the console forward on the ticket.
    newTicket(ticket, { title, body, onClick }) {
        if (!this.isLooking()) {
            this.unseen += 1;
            this.render();
        }
        if (this.notificationsState() !== 'granted') return;
        try {
            const notification = new Notification(title, { body, tag: `helpline-ticket-${ticket.number}`, icon: '/console/icon.svg' });
            notification.onclick = () => {
                window.focus();
                onClick?.();
                notification.close();
            };
        } catch {
            // Some browsers allow notifications only from a service worker: the title count remains.
        }
    }
}

/// Replaces a container's content with a centred message (loading, empty, failed).
export function message(container, text, { kind = 'muted', role = null } = {}) {
    replaceChildren(container, el('p', { className: `page-message ${kind}`, text, attrs: { role } }));
}
