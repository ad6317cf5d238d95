// The team server's API as the console uses it (docs/protocol.md): the session cookie set
// at sign-in authenticates every call, and the CSRF token from the sign-in (or from
// GET /api/v1/auth/me after a reload) goes with every call that changes something. The
// bearer token the sign-in also returns is not kept: the page never holds a credential
// that a script could read.

import { t } from './i18n.js';

let csrfToken = null;

/// A failed call: `status` is the HTTP status (0: the server could not be reached),
/// `message` a sentence for people, `problem` the server's problem+json if any.
export class ApiError extends Error {
    constructor(status, message, problem = null, retryAfter = null) {
        super(message);
        this.name = 'ApiError';
        this.status = status;
        this.problem = problem;
        this.retryAfter = retryAfter;
    }
}

function messageFor(status, problem, retryAfter) {
    const detail = problem && typeof problem.detail === 'string' ? problem.detail : '';
    switch (status) {
        case 401: return t('error.signed_out');
        case 403: return t('error.forbidden');
        case 404: return t('error.not_found');
        case 409: return t('error.conflict', { detail });
        case 429: return t('error.rate_limited', { seconds: retryAfter ?? 60 });
        default:
            if (status >= 500) return t('error.server', { status });
            return t('error.other', { status, detail });
    }
}

/// Calls the API; resolves to the parsed JSON answer (null for 204), rejects with ApiError.
export async function api(method, path, body) {
    const headers = { Accept: 'application/json' };
    const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
    if (body !== undefined) {
        headers['Content-Type'] = 'application/json';
        init.body = JSON.stringify(body);
    }
    if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
    let response;
    try {
        response = await fetch(path, init);
    } catch {
        throw new ApiError(0, t('error.network'));
    }
    const text = await response.text().catch(() => '');
    let data = null;
    if (text) {
        try {
            data = JSON.parse(text);
        } catch {
            data = null;
        }
    }
    if (!response.ok) {
        const retry = Number.parseInt(response.headers.get('Retry-After') ?? '', 10);
        const retryAfter = Number.isFinite(retry) ? retry : null;
        throw new ApiError(response.status, messageFor(response.status, data, retryAfter), data, retryAfter);
    }
    return response.status === 204 ? null : data;
}

/// POST /api/v1/auth/login; the signed-in user. A wrong email or password is an ApiError
/// with status 401 and the sign-in page's own sentence.
export async function signIn(email, password) {
    try {
        const answer = await api('POST', '/api/v1/auth/login', { email, password });
        csrfToken = answer.csrf_token;
        return answer.user;
    } catch (error) {
        if (error.status === 401) throw new ApiError(401, t('login.wrong'), error.problem);
        if (error.status === 429)
            throw new ApiError(429, t('login.rate_limited', { seconds: error.retryAfter ?? 60 }), error.problem);
        throw error;
    }
}

/// GET /api/v1/auth/me: the signed-in user (and the CSRF token), or null when signed out.
export async function currentUser() {
    try {
        const me = await api('GET', '/api/v1/auth/me');
        csrfToken = me.csrf_token ?? null;
        return me;
    } catch (error) {
        if (error.status === 401) return null;
        throw error;
    }
}

export async function signOut() {
    try {
        await api('POST', '/api/v1/auth/logout');
    } finally {
        csrfToken = null;
    }
}

export const getQueue = () => api('GET', '/api/v1/queue');
export const connectTicket = (number) => api('POST', `/api/v1/tickets/${encodeURIComponent(number)}/connect`);
export const getConnectionRequest = (id) => api('GET', `/api/v1/connection-requests/${encodeURIComponent(id)}`);
export const endSession = (id) => api('POST', `/api/v1/sessions/${encodeURIComponent(id)}/end`);
