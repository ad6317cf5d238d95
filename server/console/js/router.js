// The console's pages live in the URL's fragment, so a reload, a bookmark or a link shows
// the same page with the same filters, and the server serves one document:
//   #/queue?view=mine&group=billing&priority=high&q=printer
//   #/tickets/1042
//   #/history?email=ana@acme.example&days=30&limit=100
//   #/dashboard
//   #/admin/users, #/admin/groups, #/admin/organizations, #/admin/profiles, #/admin/audit?…
//   #/account
//   #/invite/<token>   (an invitation's link: shown without signing in)

export const kPages = ['queue', 'ticket', 'history', 'dashboard', 'admin', 'account', 'invite'];
/// The sections of the admin pages, in the order of their tabs.
export const kAdminSections = ['users', 'groups', 'organizations', 'profiles', 'audit'];

/// {page, id, params} of a fragment; an empty fragment is the queue; anything else that
/// is not a page is {page: null}.
export function parseRoute(hash) {
    const text = String(hash ?? '').replace(/^#/, '');
    const [pathPart, query = ''] = text.split('?', 2);
    const segments = pathPart.split('/').filter(Boolean);
    const params = new URLSearchParams(query);
    if (segments.length === 0) return { page: 'queue', id: null, params };
    if (segments.length === 1 && ['queue', 'history', 'dashboard'].includes(segments[0]))
        return { page: segments[0], id: null, params };
    if (segments.length === 2 && segments[0] === 'tickets' && /^[1-9]\d{0,15}$/.test(segments[1]))
        return { page: 'ticket', id: Number(segments[1]), params };
    if (segments[0] === 'admin' && segments.length <= 2 && (segments.length === 1 || kAdminSections.includes(segments[1])))
        return { page: 'admin', id: segments[1] ?? 'users', params };
    if (segments.length === 1 && segments[0] === 'account') return { page: 'account', id: null, params };
    if (segments.length === 2 && segments[0] === 'invite' && /^[A-Za-z0-9_-]{8,200}$/.test(segments[1]))
        return { page: 'invite', id: segments[1], params };
    return { page: null, id: null, params };
}

/// The fragment of a page: routeHref('ticket', {id: 1042}), routeHref('queue', {params}).
/// Empty parameters are left out.
export function routeHref(page, { id = null, params = null } = {}) {
    const path = page === 'ticket' ? `#/tickets/${id}`
        : page === 'admin' ? `#/admin/${id ?? 'users'}`
        : page === 'invite' ? `#/invite/${id}`
        : `#/${page}`;
    const query = new URLSearchParams();
    for (const [name, value] of params instanceof URLSearchParams ? params.entries() : Object.entries(params ?? {}))
        if (value !== undefined && value !== null && value !== '') query.set(name, String(value));
    const text = query.toString();
    return text ? `${path}?${text}` : path;
}

/// Shows a page: a new history entry, or (replace) the current one changed, e.g. when a
/// filter changes, so Back leaves the page instead of undoing each keystroke.
export function navigate(page, options = {}, { replace = false } = {}) {
    const hash = routeHref(page, options);
    if (replace) {
        window.history.replaceState(null, '', hash);
        window.dispatchEvent(new HashChangeEvent('hashchange'));
    } else {
        window.location.hash = hash;
    }
}
