// The bar above the queue's table: the view (all / assigned to me / unassigned), a group
// (or no group), a priority, a search, and Clear the filters. It only reports what the
// user chose (onChange); the page puts it in the URL, and shows it back with render().

import { el, show } from '../dom.js';
import { kPriorities, priorityView } from '../format.js';
import { t } from '../i18n.js';
import { isFiltered, kNoGroup, kViews } from './queue_filter.js';

/// The search follows the URL this long after the last keystroke.
const kSearchDelayMs = 200;

export class FilterBar {
    /// onChange(changes): the user changed a filter ({view}, {group}, {priority}, {q});
    /// onClear(): the user asked to clear them all.
    constructor({ onChange, onClear }) {
        this.searchTimer = null;
        this.viewRadios = kViews.map((view) => {
            const input = el('input', { attrs: { type: 'radio', name: 'queue-view', value: view, id: `queue-view-${view}` } });
            input.addEventListener('change', () => input.checked && onChange({ view }));
            return input;
        });
        const viewField = el('fieldset', { className: 'view-filter' },
            el('legend', { className: 'visually-hidden', text: t('queue.filter.view') }),
            ...this.viewRadios.map((input) => el('label', { className: 'segment', attrs: { for: input.id } },
                input, el('span', { text: t(`queue.filter.view.${input.value}`) }))));
        this.group = el('select', { attrs: { id: 'queue-filter-group' } });
        this.group.addEventListener('change', () => onChange({ group: this.group.value }));
        this.priority = el('select', { attrs: { id: 'queue-filter-priority' } },
            el('option', { text: t('queue.filter.priority.all'), attrs: { value: '' } }),
            ...[...kPriorities].reverse().map((p) => el('option', { text: priorityView(p).label, attrs: { value: p } })));
        this.priority.addEventListener('change', () => onChange({ priority: this.priority.value }));
        this.search = el('input', { attrs: { id: 'queue-search', type: 'search', autocomplete: 'off', spellcheck: 'false',
                                             placeholder: t('queue.filter.search.placeholder'), 'aria-keyshortcuts': '/' } });
        this.search.addEventListener('input', () => {
            this.cancelSearch();
            this.searchTimer = setTimeout(() => onChange({ q: this.search.value }), kSearchDelayMs);
        });
        this.clearButton = el('button', { className: 'button', text: t('queue.filter.clear'), attrs: { type: 'button', id: 'queue-clear-filters' } });
        this.clearButton.addEventListener('click', () => onClear());
        this.element = el('form', { className: 'filters', attrs: { id: 'queue-filters', role: 'search', 'aria-label': t('queue.filters.label') } },
            viewField,
            el('label', { className: 'filter', attrs: { for: 'queue-filter-group' } }, el('span', { text: t('queue.filter.group') }), this.group),
            el('label', { className: 'filter', attrs: { for: 'queue-filter-priority' } }, el('span', { text: t('queue.filter.priority') }), this.priority),
            el('label', { className: 'filter search', attrs: { for: 'queue-search' } }, el('span', { text: t('queue.filter.search') }), this.search),
            this.clearButton);
        this.element.addEventListener('submit', (event) => event.preventDefault());
    }

    /// What the search field holds now (a search still being typed goes with any other
    /// change).
    searchText() {
        return this.search.value;
    }

    /// A search not yet reported is dropped (it goes with the change being made instead).
    cancelSearch() {
        clearTimeout(this.searchTimer);
        this.searchTimer = null;
    }

    clearSearch() {
        this.cancelSearch();
        this.search.value = '';
    }

    focusSearch() {
        this.search.focus();
        this.search.select();
    }

    /// Shows `filters`; `groups` ([{id, name}]) are the group menu's choices.
    render(filters, groups) {
        for (const input of this.viewRadios) input.checked = input.value === filters.view;
        const options = [
            el('option', { text: t('queue.filter.group.all'), attrs: { value: '' } }),
            el('option', { text: t('no_group'), attrs: { value: kNoGroup } }),
            ...groups.map((g) => el('option', { text: g.name, attrs: { value: g.id } })),
        ];
        // A link may name a group this user does not know (any more): still shown, by id.
        if (filters.group && filters.group !== kNoGroup && !groups.some((g) => g.id === filters.group))
            options.push(el('option', { text: filters.group, attrs: { value: filters.group } }));
        this.group.replaceChildren(...options);
        this.group.value = filters.group;
        this.priority.value = filters.priority;
        // While the user types, the field is what the URL follows, not the other way round.
        if (document.activeElement !== this.search && this.search.value !== filters.q) this.search.value = filters.q;
        show(this.clearButton, isFiltered(filters));
    }
}
