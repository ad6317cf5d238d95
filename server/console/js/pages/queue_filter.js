// The queue page's filters and their place in the URL's fragment
// (#/queue?view=mine&group=billing&priority=high&q=printer&page=2), the test a ticket
// passes to be shown, and the sorted-array helpers that keep the filtered list in order
// as single tickets change. Plain functions without the DOM, so they are cheap to call
// for thousands of tickets and easy to reason about.

export const kViews = ['all', 'mine', 'unassigned'];
export const kPriorities = ['low', 'medium', 'high', 'urgent'];
/// The group filter's value for "No group". Group ids are 2–40 of [a-z0-9-], so a value
/// with an underscore can never be a group's id.
export const kNoGroup = '_none';
/// Rows a page. Each row holds three menus and some buttons: a page of 50 lays out in a
/// few tens of milliseconds even on a slow machine, and is what help desks usually show.
export const kPageSize = 50;

const kMaxQuery = 200;

/// The filters a route's parameters ask for; unknown or malformed values fall back to
/// "everything" (a hand-edited or old link still shows the queue).
export function filtersFromParams(params) {
    const view = params.get('view');
    const priority = params.get('priority');
    const group = params.get('group') ?? '';
    const page = Number.parseInt(params.get('page') ?? '1', 10);
    return {
        view: kViews.includes(view) ? view : 'all',
        group: group === kNoGroup || /^[a-z0-9-]{1,40}$/.test(group) ? group : '',
        priority: kPriorities.includes(priority) ? priority : '',
        q: (params.get('q') ?? '').slice(0, kMaxQuery),
        page: Number.isFinite(page) && page >= 1 ? page : 1,
    };
}

/// The parameters of `filters` for routeHref (defaults left out, so the plain queue is
/// plain #/queue).
export function paramsFromFilters(filters) {
    return {
        view: filters.view === 'all' ? '' : filters.view,
        group: filters.group,
        priority: filters.priority,
        q: filters.q.trim() ? filters.q : '',
        page: filters.page > 1 ? filters.page : '',
    };
}

/// Whether any filter (not the page) narrows the queue.
export function isFiltered(filters) {
    return filters.view !== 'all' || filters.group !== '' || filters.priority !== '' || filters.q.trim() !== '';
}

export function sameFilters(a, b) {
    return a.view === b.view && a.group === b.group && a.priority === b.priority && a.q === b.q;
}

/// Lower case without accents: "Ação" and "acao" match, so do "Perché" and "perche".
export function fold(text) {
    return String(text ?? '').normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase();
}

// A ticket's searchable text, computed once per ticket object (the live queue makes a new
// object for every change, so a stale entry is never read again and is collected).
const searchText = new WeakMap();
function haystack(ticket) {
    let text = searchText.get(ticket);
    if (text === undefined) {
        const requester = ticket.requester ?? {};
        text = fold(`#${ticket.number}\n${requester.email ?? ''}\n${requester.organization ?? ''}\n${ticket.subject ?? ''}\n${ticket.description ?? ''}`);
        searchText.set(ticket, text);
    }
    return text;
}

/// The test a ticket passes to be shown under `filters` for user `meId`. The search
/// matches when every word of it is found (number, email, organization, subject,
/// description; any case, with or without accents).
export function matcher(filters, meId) {
    const words = fold(filters.q).split(/\s+/).filter(Boolean);
    const { view, group, priority } = filters;
    return (ticket) => {
        if (view === 'mine' && ticket.operator?.id !== meId) return false;
        if (view === 'unassigned' && ticket.operator) return false;
        if (group === kNoGroup ? ticket.group : group && ticket.group?.id !== group) return false;
        if (priority && ticket.priority !== priority) return false;
        if (words.length) {
            const text = haystack(ticket);
            for (const word of words) if (!text.includes(word)) return false;
        }
        return true;
    };
}

/// The first index of sorted `array` whose item does not come before `item`.
export function lowerBound(array, item, order) {
    let low = 0;
    let high = array.length;
    while (low < high) {
        const middle = (low + high) >>> 1;
        if (order(array[middle], item) < 0) low = middle + 1;
        else high = middle;
    }
    return low;
}

/// Takes ticket `ticket` (the very object in the array) out of sorted `array`; returns
/// whether it was there.
export function removeSorted(array, ticket, order) {
    let index = lowerBound(array, ticket, order);
    if (array[index] !== ticket) index = array.findIndex((t) => t.number === ticket.number);
    if (index < 0) return false;
    array.splice(index, 1);
    return true;
}

/// Puts `ticket` into sorted `array` in its place; returns its index.
export function insertSorted(array, ticket, order) {
    const index = lowerBound(array, ticket, order);
    array.splice(index, 0, ticket);
    return index;
}
