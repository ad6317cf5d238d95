// The files of a ticket's conversation (js/pages/conversation.js), as the console shows them:
// an image the server serves inline (`image: true`) as a thumbnail that opens full size in
// a new tab; any other file as a download link with its name, size and type; a file whose
// bytes the retention removed greyed, with its name and size and why it is gone.
//
// Every URL is the API's own (GET /api/v1/attachments/{id}), so the session cookie
// authenticates it and the server's headers decide how it is shown: an image inline, the
// rest as a download, all under `Content-Security-Policy: sandbox` — an SVG or HTML file
// can never run in the console's origin. The names are data: they go in as text.

import { el } from '../dom.js';
import { locale, t } from '../i18n.js';

const kUnits = ['byte', 'kilobyte', 'megabyte', 'gigabyte'];

/// 1536 -> "1.5 kB", 20971520 -> "21 MB", 512 -> "512 bytes" (the language's own digits and
/// unit names; decimal units, as Intl names them).
export function formatSize(bytes) {
    let value = Math.max(0, Number(bytes) || 0);
    let unit = 0;
    while (value >= 1000 && unit < kUnits.length - 1) {
        value /= 1000;
        unit += 1;
    }
    return new Intl.NumberFormat(locale(), {
        style: 'unit', unit: kUnits[unit], unitDisplay: unit === 0 ? 'long' : 'short',
        maximumFractionDigits: unit > 0 && value < 10 ? 1 : 0,
    }).format(value);
}

export function attachmentUrl(attachment, { download = false } = {}) {
    return `/api/v1/attachments/${encodeURIComponent(attachment.id)}${download ? '?download=1' : ''}`;
}

/// The list of `attachments` (null when there are none). `retentionDays`: how long the team
/// keeps the files of closed tickets, when known (only admins may read it).
export function attachmentList(attachments, { retentionDays = null } = {}) {
    if (!attachments?.length) return null;
    return el('ul', { className: 'attachments', attrs: { 'aria-label': t('conversation.attachments') } },
        ...attachments.map((a) => attachmentItem(a, retentionDays)));
}

function attachmentItem(attachment, retentionDays) {
    const name = String(attachment.name ?? '');
    const item = el('li', { className: 'attachment', attrs: { 'data-attachment': attachment.id } });
    if (attachment.removed) {
        item.classList.add('removed');
        item.append(
            el('span', { className: 'attachment-icon file', attrs: { 'aria-hidden': 'true' } }),
            el('span', { className: 'attachment-text' },
                el('bdi', { className: 'attachment-name', text: name }),
                el('span', { className: 'attachment-meta', text: formatSize(attachment.size) }),
                el('span', { className: 'attachment-removed',
                             text: retentionDays ? t('conversation.attachment.removed_days', { days: retentionDays })
                                 : t('conversation.attachment.removed') })));
        return item;
    }
    if (attachment.image) {
        item.classList.add('image');
        const img = el('img', { attrs: { src: attachmentUrl(attachment), alt: name, loading: 'lazy', decoding: 'async' } });
        item.append(
            el('a', { className: 'attachment-thumb',
                      attrs: { href: attachmentUrl(attachment), target: '_blank', rel: 'noopener noreferrer',
                               'aria-label': t('conversation.attachment.open', { name }), title: name } }, img),
            el('span', { className: 'attachment-text' },
                el('bdi', { className: 'attachment-name', text: name }),
                el('span', { className: 'attachment-meta', text: formatSize(attachment.size) })));
        return item;
    }
    item.classList.add('file');
    item.append(
        el('span', { className: 'attachment-icon file', attrs: { 'aria-hidden': 'true' } }),
        el('span', { className: 'attachment-text' },
            el('a', { className: 'attachment-download',
                      attrs: { href: attachmentUrl(attachment, { download: true }), download: name,
                               title: t('conversation.attachment.download', { name }) } },
                el('bdi', { className: 'attachment-name', text: name })),
            el('span', { className: 'attachment-meta',
                         text: t('conversation.attachment.meta', { size: formatSize(attachment.size), type: attachment.type ?? '' }) })));
    return item;
}
