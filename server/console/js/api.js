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
/// `raw: true` sends `body` (a string, or a Blob such as a File) as it is, e.g. a signed
/// envelope whose bytes matter or an attachment's bytes (fetch then sends its
/// Content-Length); `contentType` is its type, `headers` more headers (Idempotency-Key…).
export async function api(method, path, body, { raw = false, contentType = 'application/json', headers: extra = {} } = {}) {
    const headers = { Accept: 'application/json', ...extra };
    const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
    if (body !== undefined) {
        headers['Content-Type'] = contentType;
        init.body = !raw ? JSON.stringify(body) : body instanceof Blob ? body : String(body);
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
        // The team has just started requiring two-factor and this user has none: the console
        // leads them to the setup (app.js) instead of failing page by page.
        if (response.status === 403 && data?.code === 'two_factor_setup_required')
            window.dispatchEvent(new CustomEvent('helpline:two-factor-setup-required'));
        const retry = Number.parseInt(response.headers.get('Retry-After') ?? '', 10);
        const retryAfter = Number.isFinite(retry) ? retry : null;
        throw new ApiError(response.status, messageFor(response.status, data, retryAfter), data, retryAfter);
    }
    return response.status === 204 ? null : data;
}

/// The stable `code` of a refusal the console explains in its own words ("admins_only",
/// "self_disable", "group_offered", "two_factor_setup_required", …), or null.
export function problemCode(error) {
    const code = error?.problem?.code;
    return typeof code === 'string' ? code : null;
}

/// The per-field messages of a refused change: [{field, message}] (empty when none).
export function fieldErrors(error) {
    const errors = error?.problem?.errors;
    if (!Array.isArray(errors)) return [];
    return errors.filter((e) => e && typeof e.field === 'string')
        .map((e) => ({ field: e.field, message: typeof e.message === 'string' ? e.message : '' }));
}

/// What a sign-in answer means for the console: {user, setupRequired} once signed in (the
/// session is open; setupRequired is "two_factor" when the team requires two-factor and the
/// user has not set it up), or {challenge} when the user's second factor is asked for.
function signedInAnswer(answer) {
    if (answer?.two_factor_required) return { challenge: answer.challenge };
    csrfToken = answer.csrf_token;
    return { user: answer.user, setupRequired: answer.setup_required ?? null };
}

/// POST /api/v1/auth/login: see signedInAnswer. A wrong email or password is an ApiError
/// with status 401 and the sign-in page's own sentence.
export async function signIn(email, password) {
    try {
        return signedInAnswer(await api('POST', '/api/v1/auth/login', { email, password }));
    } catch (error) {
        if (error.status === 401) throw new ApiError(401, t('login.wrong'), error.problem);
        if (error.status === 429)
            throw new ApiError(429, t('login.rate_limited', { seconds: error.retryAfter ?? 60 }), error.problem);
        throw error;
    }
}

/// POST /api/v1/auth/login/two-factor: the second step of a sign-in, with a code from the
/// authenticator app or a recovery code. A wrong code is an ApiError 401 with the page's
/// own sentence; a challenge that has expired sends the user back to the password.
export async function signInSecondFactor(challenge, { code = null, recoveryCode = null }) {
    const body = recoveryCode ? { challenge, recovery_code: recoveryCode } : { challenge, code };
    try {
        return signedInAnswer(await api('POST', '/api/v1/auth/login/two-factor', body));
    } catch (error) {
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
