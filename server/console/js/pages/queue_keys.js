// The queue's keyboard: which key does what (one table, read both by the key handler and
// by the help dialog that lists the keys on `?`), and when a key is left alone — typed
// in a field or a menu, with a modifier, or while a dialog is open.

import { el } from '../dom.js';
import { t } from '../i18n.js';

/// [command, the keys (KeyboardEvent.key, letters lower case), where it works, what the
/// help says, the labels the help shows]. 'page': anywhere on the queue page; 'row': on a
/// row, or on a control in it.
const kKeys = [
    ['down', ['ArrowDown'], 'row', 'queue.help.move', () => ['↑', '↓']],
    ['up', ['ArrowUp'], 'row', null, null],
    ['first', ['Home'], 'row', 'queue.help.home_end', () => [t('queue.key.home'), t('queue.key.end')]],
    ['last', ['End'], 'row', null, null],
    ['prev-page', ['PageUp'], 'row', 'queue.help.pages', () => [t('queue.key.page_up'), t('queue.key.page_down')]],
    ['next-page', ['PageDown'], 'row', null, null],
    ['open', ['Enter'], 'row', 'queue.help.open', () => [t('queue.key.enter')]],
    ['assign', ['a'], 'row', 'queue.help.assign', () => ['a']],
    ['close', ['x'], 'row', 'queue.help.close', () => ['x']],
    ['connect', ['c'], 'row', 'queue.help.connect', () => ['c']],
    ['search', ['/'], 'page', 'queue.help.search', () => ['/']],
    ['help', ['?'], 'page', 'queue.help.help', () => ['?']],
];

/// The command a key press asks for: {command, tr} (tr: the row it is about, for row
/// commands), or null when the key is not the queue's to take.
export function keyCommand(event, tbody) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return null;
    if (document.querySelector('dialog[open]')) return null;
    const target = event.target instanceof Element ? event.target : null;
    if (target?.closest('select, textarea, [contenteditable]:not([contenteditable="false"])')) return null;
    if (target?.matches('input:not([type="radio"]):not([type="checkbox"]):not([type="button"])')) return null;
    const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    const entry = kKeys.find(([, keys]) => keys.includes(key));
    if (!entry) return null;
    const [command, , where] = entry;
    if (where === 'page') return { command, tr: null };
    const tr = target?.closest('tr[data-ticket]');
    if (!tr || !tbody.contains(tr)) return null;
    // Enter on a link or a button in the row is theirs (open the link, press the button).
    if (command === 'open' && target !== tr) return null;
    return { command, tr };
}

/// Shows the list of keys in a modal dialog (Esc or its button closes it, and it is
/// removed then); returns the <dialog>.
export function showKeyHelp() {
    const keys = (labels) => labels.flatMap((label, i) => [i ? ' ' : null, el('kbd', { text: label })]).filter(Boolean);
    const rows = kKeys.filter(([, , , help]) => help).map(([, , , help, labels]) => [keys(labels()), t(help)]);
    rows.push([keys([t('queue.key.escape')]), t('queue.help.escape')]);
    const closeButton = el('button', { className: 'button primary', text: t('dialog.close'), attrs: { type: 'button' } });
    const dialog = el('dialog', { className: 'dialog help-dialog', attrs: { id: 'queue-help', 'aria-labelledby': 'queue-help-title' } },
        el('h2', { text: t('queue.help.title'), attrs: { id: 'queue-help-title' } }),
        el('p', { className: 'dialog-body', text: t('queue.help.intro') }),
        el('table', { className: 'help-keys' },
            el('tbody', {}, ...rows.map(([labels, text]) => el('tr', {}, el('th', { attrs: { scope: 'row' } }, ...labels), el('td', { text }))))),
        el('div', { className: 'dialog-buttons' }, closeButton));
    closeButton.addEventListener('click', () => dialog.close());
    dialog.addEventListener('close', () => dialog.remove());
    document.body.append(dialog);
    dialog.showModal();
    closeButton.focus();
    return dialog;
}
