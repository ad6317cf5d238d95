// The history's requester field: an email box that suggests the requesters of the user's
// history view as they type the first letters (GET /api/v1/history/requesters?prefix=…),
// after a short pause so typing a whole address costs a few requests, not one a letter.
//
// It is an ARIA 1.2 combobox with a list popup (the WAI-ARIA Authoring Practices' "list
// autocomplete" pattern): ↓/↑ move through the suggestions (aria-activedescendant keeps
// focus in the box), Enter takes the one highlighted or, without one, what was typed, Esc
// closes the list (and, when it is closed, clears the box), a click takes a suggestion. A
// live region says how many suggestions there are.

import { api } from '../api.js';
import { el, replaceChildren } from '../dom.js';
import { t } from '../i18n.js';

const kDebounceMs = 200;
const kSuggestions = 8;

export class EmailCombobox {
    /// id: the input's id; label: its visible label's text; onCommit(email): the user chose
    /// an address (or cleared the box).
    constructor({ id, onCommit }) {
        this.onCommit = onCommit;
        this.options = [];
        this.active = -1;
        this.timer = null;
        this.seq = 0;
        this.committed = '';

        this.input = el('input', { className: 'input', attrs: {
            id, type: 'text', inputmode: 'email', autocomplete: 'off', spellcheck: 'false',
            role: 'combobox', 'aria-autocomplete': 'list', 'aria-expanded': 'false', 'aria-controls': `${id}-list`,
            placeholder: t('history.email.placeholder'),
        } });
        this.list = el('ul', { className: 'combobox-list', attrs: { id: `${id}-list`, role: 'listbox', 'aria-label': t('history.email.suggestions') } });
        this.list.hidden = true;
        this.status = el('span', { className: 'visually-hidden', attrs: { 'aria-live': 'polite', id: `${id}-status` } });
        this.element = el('div', { className: 'combobox' }, this.input, this.list, this.status);

        this.input.addEventListener('input', () => this.typed());
        this.input.addEventListener('keydown', (event) => this.key(event));
        this.input.addEventListener('blur', () => {
            this.close();
            this.commit(this.input.value);
        });
        // mousedown, not click: taking a suggestion must not first blur the box.
        this.list.addEventListener('mousedown', (event) => {
            const option = event.target.closest('[role="option"]');
            if (!option) return;
            event.preventDefault();
            this.take(Number(option.dataset.index));
        });
    }

    /// Shows `email` as the current filter (from the URL) without suggesting anything.
    set(email) {
        // What the user is typing stays, unless the filter changed from elsewhere (a link,
        // Back, Clear filters).
        if (email !== this.committed || document.activeElement !== this.input) this.input.value = email;
        this.committed = email;
    }

    stop() {
        clearTimeout(this.timer);
        this.seq += 1;
    }

    typed() {
        clearTimeout(this.timer);
        const prefix = this.input.value.trim();
        if (!prefix) {
            this.seq += 1;
            this.show([]);
            return;
        }
        this.timer = setTimeout(() => this.suggest(prefix), kDebounceMs);
    }

    async suggest(prefix) {
        const seq = ++this.seq;
        let answer;
        try {
            answer = await api('GET', `/api/v1/history/requesters?${new URLSearchParams({ prefix: prefix.slice(0, 254), limit: String(kSuggestions) })}`);
        } catch {
            // Suggestions are a help: without them the box still takes what is typed.
            if (seq === this.seq) this.show([]);
            return;
        }
        if (seq !== this.seq || document.activeElement !== this.input) return;
        const emails = (answer?.emails ?? []).filter((e) => typeof e === 'string');
        // Only the one already typed in full is no suggestion at all.
        this.show(emails.length === 1 && emails[0] === prefix.toLowerCase() ? [] : emails);
    }

    show(emails) {
        this.options = emails;
        this.active = -1;
        replaceChildren(this.list, ...emails.map((email, index) =>
            el('li', { className: 'combobox-option', attrs: { id: `${this.input.id}-option-${index}`, role: 'option',
                                                           'aria-selected': 'false', 'data-index': index } },
                el('bdi', { text: email }))));
        const open = emails.length > 0;
        this.list.hidden = !open;
        this.input.setAttribute('aria-expanded', String(open));
        this.input.removeAttribute('aria-activedescendant');
        this.status.textContent = open ? t(emails.length === 1 ? 'history.email.one' : 'history.email.many', { count: emails.length }) : '';
    }

    close() {
        clearTimeout(this.timer);
        this.seq += 1;
        if (this.options.length) this.show([]);
    }

    highlight(index) {
        this.active = index;
        for (const option of this.list.children) {
            const selected = Number(option.dataset.index) === index;
            option.setAttribute('aria-selected', String(selected));
            option.classList.toggle('active', selected);
            if (selected) option.scrollIntoView({ block: 'nearest' });
        }
        if (index >= 0) this.input.setAttribute('aria-activedescendant', `${this.input.id}-option-${index}`);
        else this.input.removeAttribute('aria-activedescendant');
    }

    key(event) {
        const open = this.options.length > 0;
        switch (event.key) {
            case 'ArrowDown':
                if (!open) {
                    if (this.input.value.trim()) this.suggest(this.input.value.trim());
                    return;
                }
                event.preventDefault();
                this.highlight((this.active + 1) % this.options.length);
                return;
            case 'ArrowUp':
                if (!open) return;
                event.preventDefault();
                this.highlight(this.active <= 0 ? this.options.length - 1 : this.active - 1);
                return;
            case 'Enter':
                event.preventDefault();
                if (open && this.active >= 0) this.take(this.active);
                else {
                    this.close();
                    this.commit(this.input.value);
                }
                return;
            case 'Escape':
                if (open) {
                    event.preventDefault();
                    this.close();
                } else if (this.input.value) {
                    event.preventDefault();
                    this.input.value = '';
                    this.commit('');
                }
                return;
            default:
        }
    }

    take(index) {
        const email = this.options[index];
        if (email === undefined) return;
        this.input.value = email;
        this.close();
        this.commit(email);
    }

    commit(value) {
        const email = value.trim();
        if (email === this.committed) return;
        this.committed = email;
        this.onCommit(email);
    }
}
