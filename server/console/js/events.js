// The console's live updates: GET /api/v1/console/events (Server-Sent Events), kept open
// and reopened after any failure with capped exponential backoff and full jitter (the
// browser's own EventSource retry is not used: it has no backoff, and it gives up for
// good on an HTTP error such as a 401 after the session ended).

const kBaseDelayMs = 500;
const kMaxDelayMs = 30_000;
const kMinDelayMs = 100;
/// A connection that stayed up this long resets the backoff; one dropped at once does not,
/// so a server that accepts and hangs up is not hammered.
const kStableMs = 5_000;

const kEventTypes = ['hello', 'ticket-changed', 'connection-request-changed', 'queue-changed'];

export class LiveEvents {
    /// onEvent(type, data) for each event; onStatus('connecting' | 'connected' |
    /// 'reconnecting', delayMs) when the connection changes; checkSignedIn() resolves to
    /// false when the failure was the end of the session (then no retry is made).
    constructor({ url = '/api/v1/console/events', onEvent, onStatus, checkSignedIn }) {
        this.url = url;
        this.onEvent = onEvent;
        this.onStatus = onStatus;
        this.checkSignedIn = checkSignedIn;
        this.source = null;
        this.timer = null;
        this.attempt = 0;
        this.openedAt = 0;
        this.stopped = true;
    }

    start() {
        this.stopped = false;
        this.open();
    }

    stop() {
        this.stopped = true;
        clearTimeout(this.timer);
        this.timer = null;
        if (this.source) this.source.close();
        this.source = null;
    }

    open() {
        if (this.stopped) return;
        this.onStatus?.('connecting', 0);
        const source = new EventSource(this.url);
        this.source = source;
        source.onopen = () => {
            this.openedAt = Date.now();
            this.onStatus?.('connected', 0);
        };
        source.onerror = () => this.failed(source);
        for (const type of kEventTypes) {
            source.addEventListener(type, (event) => {
                let data = {};
                try {
                    data = JSON.parse(event.data || '{}');
                } catch {
                    return;  // not what the protocol says: ignored, as the clients do
                }
                this.onEvent?.(type, data);
            });
        }
    }

    async failed(source) {
        if (source !== this.source || this.stopped) return;
        source.close();
        this.source = null;
        if (this.openedAt && Date.now() - this.openedAt >= kStableMs) this.attempt = 0;
        this.openedAt = 0;
        const ceiling = Math.min(kMaxDelayMs, kBaseDelayMs * 2 ** this.attempt);
        const delay = Math.max(kMinDelayMs, Math.round(Math.random() * ceiling));
        this.attempt = Math.min(this.attempt + 1, 16);
        if (this.checkSignedIn) {
            const signedIn = await this.checkSignedIn().catch(() => true);
            if (!signedIn || this.stopped) return;
        }
        this.onStatus?.('reconnecting', delay);
        this.timer = setTimeout(() => {
            this.timer = null;
            this.open();
        }, delay);
    }
}
