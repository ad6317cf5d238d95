// What the admin sections (users, groups, organizations, profiles, audit) share: a page
// object that builds once, loads, and loads again when a console event says the team may
// have changed — a burst of events folded into one request, and the answer of a load that
// a newer one (or the page's end) overtook dropped, so an older answer never paints over a
// newer one. Also the parts every section shows the same way: the heading with its count,
// the notice for problems and the table. They are named after the section (ids
// `<name>-count`, `<name>-problem`, `<name>-table`, `<name>-body`; strings
// `admin.<name>.heading`, …), which is what the browser tests select by.

import { el, replaceChildren } from '../dom.js';
import { formatNumber, t } from '../i18n.js';
import { notice } from './form_parts.js';

/// How long a burst of events waits before the one reload it causes.
export const kFoldMs = 250;

/// A section's mount(): starts `page` with the route and hands the router its
/// update(route) and unmount().
export function mountPage(page, route) {
    page.start(route);
    return { update: (next) => page.update(next), unmount: () => page.stop() };
}

/// A button of a table row, told apart by `data-action` (the tests press them by it).
export function rowButton(action, text, onClick, className = 'button') {
    const button = el('button', { className, text, attrs: { type: 'button', 'data-action': action } });
    button.addEventListener('click', onClick);
    return button;
}

/// The base of a section's page. A section defines build() (its DOM, from heading(),
/// problemNotice() and tableCard()), request() (what load() asks the server) and
/// receive(answer) (keeps and shows it).
export class AdminPage {
    /// `name` is the section: it names the page's ids and strings.
    constructor(container, ctx, name, { foldMs = kFoldMs } = {}) {
        this.container = container;
        this.ctx = ctx;
        this.name = name;
        this.foldMs = foldMs;
        this.disposers = [];
        this.seq = 0;  // the number of the latest load; stop() moves it on too
        this.timer = null;
    }

    start() {
        this.build();
        this.watch();
        this.load();
    }

    /// The route's parameters changed; only a section that reads them has anything to do.
    update() {}

    stop() {
        this.seq += 1;
        clearTimeout(this.timer);
        for (const dispose of this.disposers) dispose();
    }

    /// Whether a console event may change what the section shows: 'queue-changed' comes
    /// to every console when the team changed (an admin's change through the API), and
    /// 'hello' after a reconnection, when whatever happened meanwhile was missed.
    reloadsOn(type) {
        return type === 'queue-changed' || type === 'hello';
    }

    /// Loads again after the events reloadsOn() accepts, a burst of them folded into one.
    watch() {
        this.disposers.push(this.ctx.onEvent((type) => {
            if (!this.reloadsOn(type)) return;
            clearTimeout(this.timer);
            this.timer = setTimeout(() => this.load(), this.foldMs);
        }));
    }

    /// Asks request() and gives the answer to receive(), unless a newer load or stop()
    /// came meanwhile; a failure of the latest load is said in the problem notice.
    async load() {
        const seq = ++this.seq;
        try {
            const answer = await this.request();
            if (seq !== this.seq) return;
            this.receive(answer);
        } catch (error) {
            if (seq === this.seq) this.problem.set(error.message);
        }
    }

    /// The section's heading: its title, with the count `#<name>-count` (showCount())
    /// unless `count` is false, its subtitle and, given `onAdd`, the add button
    /// `#<name>-add` at the end.
    heading({ count = true, onAdd = null } = {}) {
        const title = el('h1', { text: t(`admin.${this.name}.heading`) });
        if (count) this.count = el('span', { className: 'count', attrs: { id: `${this.name}-count` } });
        let add = null;
        if (onAdd) {
            add = el('button', { className: 'button primary', text: t(`admin.${this.name}.add`), attrs: { type: 'button', id: `${this.name}-add` } });
            add.addEventListener('click', onAdd);
        }
        return el('div', { className: 'section-head admin-head' },
            el('div', {}, count ? el('div', { className: 'title-row' }, title, this.count) : title,
                el('p', { className: 'muted', text: t(`admin.${this.name}.subtitle`) })),
            add ? el('span', { className: 'spacer' }) : null, add);
    }

    /// The notice for what went wrong (`#<name>-problem`), kept as this.problem.
    problemNotice() {
        this.problem = notice('bad');
        this.problem.element.id = `${this.name}-problem`;
        return this.problem.element;
    }

    /// The section's table `#<name>-table` in its card: a caption for screen readers, a
    /// header cell per column (`admin.<name>.column.<column>`) and the body
    /// `#<name>-body` (this.tbody) that showRows() fills.
    tableCard(columns, { className = 'admin-table' } = {}) {
        this.columns = columns;
        this.tbody = el('tbody', { attrs: { id: `${this.name}-body` } });
        this.table = el('table', { className, attrs: { id: `${this.name}-table` } },
            el('caption', { className: 'visually-hidden', text: t(`admin.${this.name}.caption`) }),
            el('thead', {}, el('tr', {}, ...columns.map((c) => el('th', { text: t(`admin.${this.name}.column.${c}`), attrs: { scope: 'col' } })))),
            this.tbody);
        return el('div', { className: 'card table-card' }, this.table);
    }

    showCount(count) {
        this.count.textContent = t(`admin.${this.name}.count`, { count: formatNumber(count) });
    }

    /// A row(item) for each item, or the section's `admin.<name>.empty` across the table.
    showRows(items, row) {
        if (items.length === 0) {
            replaceChildren(this.tbody, el('tr', {}, el('td', { className: 'empty-cell', text: t(`admin.${this.name}.empty`), attrs: { colspan: String(this.columns.length) } })));
            return;
        }
        replaceChildren(this.tbody, ...items.map((item) => row(item)));
    }
}
