// Admin → Branding profiles (#/admin/profiles): the published profiles (GET
// /api/v1/profiles: id, revision, groups offered, signing key fingerprint, published at)
// and the upload of a signed envelope made with `helpline-brand sign-profile` (dropped on
// the page or picked with the file chooser), sent as it is to POST /api/v1/profiles: the
// signature covers its bytes. A refusal shows the server's verdict field by field (bad
// signature, revision not higher, groups this team does not have).

import { api, fieldErrors } from '../api.js';
import { el, replaceChildren, show } from '../dom.js';
import { formatDateTime, formatNumber, t } from '../i18n.js';
import { toast } from '../ui.js';
import { AdminPage, mountPage } from './admin_page.js';

const kMaxBytes = 1024 * 1024;  // the server's body limit for POST /api/v1/profiles

export function mount(container, ctx) {
    return mountPage(new ProfilesPage(container, ctx));
}

/// The console's own words for a refused field of an envelope: [label, explanation].
export function verdictOf({ field, message }) {
    const group = /"([^"]+)"/.exec(message ?? '')?.[1] ?? '';
    if (/groups/.test(field)) return [t('admin.profiles.field.groups'), t('admin.profiles.verdict.groups', { group })];
    if (/signature|public_key|key/.test(field) || /signature/i.test(message ?? ''))
        return [t('admin.profiles.field.signature'), t('admin.profiles.verdict.signature')];
    if (/revision/.test(field)) return [t('admin.profiles.field.revision'), t('admin.profiles.verdict.revision')];
    if (field === 'envelope' || field === 'format') return [t('admin.profiles.field.envelope'), t('admin.profiles.verdict.envelope')];
    return [field, ''];
}

class ProfilesPage extends AdminPage {
    constructor(container, ctx) {
        super(container, ctx, 'profiles');
        this.profiles = [];
        this.sending = false;
    }

    start() {
        super.start();
        // A file dropped anywhere but the drop zone must not make the browser open it.
        const ignore = (event) => {
            if (!this.zone.contains(event.target)) event.preventDefault();
        };
        window.addEventListener('dragover', ignore);
        window.addEventListener('drop', ignore);
        this.disposers.push(() => {
            window.removeEventListener('dragover', ignore);
            window.removeEventListener('drop', ignore);
        });
    }

    build() {
        this.file = el('input', { className: 'visually-hidden', attrs: { type: 'file', id: 'profile-file', accept: '.json,application/json' } });
        this.file.addEventListener('change', () => {
            if (this.file.files?.[0]) this.upload(this.file.files[0]);
            this.file.value = '';
        });
        this.zone = el('div', { className: 'drop-zone', attrs: { id: 'profile-drop' } },
            el('p', { className: 'drop-title', text: t('admin.profiles.drop') }),
            el('p', { className: 'muted', text: t('admin.profiles.drop_hint') }),
            el('label', { className: 'button', text: t('admin.profiles.choose'), attrs: { for: 'profile-file' } }),
            this.file);
        this.zone.addEventListener('dragover', (event) => {
            event.preventDefault();
            this.zone.classList.add('over');
        });
        this.zone.addEventListener('dragleave', () => this.zone.classList.remove('over'));
        this.zone.addEventListener('drop', (event) => {
            event.preventDefault();
            this.zone.classList.remove('over');
            const file = event.dataTransfer?.files?.[0];
            if (file) this.upload(file);
        });
        this.verdict = el('div', { attrs: { id: 'profile-verdict', hidden: '' } });

        this.container.append(
            this.heading(),
            this.problemNotice(),
            el('section', { className: 'card upload-card', attrs: { 'aria-labelledby': 'profile-upload-title' } },
                el('h2', { text: t('admin.profiles.upload'), attrs: { id: 'profile-upload-title' } }),
                el('p', { className: 'muted', text: t('admin.profiles.upload_hint') }),
                this.zone, this.verdict),
            this.tableCard(['id', 'revision', 'groups', 'key', 'published']));
    }

    request() {
        return api('GET', '/api/v1/profiles');
    }

    receive(answer) {
        this.profiles = answer.profiles ?? [];
        this.showCount(this.profiles.length);
        this.showRows(this.profiles, (p) => {
            const groups = Array.isArray(p.groups) ? p.groups.map((g) => (typeof g === 'string' ? g : g.id)) : [];
            const key = p.key_fingerprint ?? p.public_key ?? '';
            return el('tr', { attrs: { 'data-profile': p.id } },
                el('td', { className: 'mono' }, el('bdi', { text: p.id })),
                el('td', { className: 'number', attrs: { 'data-column': 'revision' }, text: formatNumber(p.revision) }),
                el('td', {}, groups.length ? el('bdi', { text: groups.join(', ') }) : el('span', { className: 'muted', text: t('admin.profiles.no_groups') })),
                el('td', { className: 'mono fingerprint', title: p.public_key ?? '' }, el('bdi', { text: key })),
                el('td', { className: 'nowrap', text: formatDateTime(p.published_at) }));
        });
    }

    async upload(file) {
        if (this.sending) return;
        this.problem.clear();
        show(this.verdict, false);
        if (file.size > kMaxBytes) return this.showVerdict(false, t('admin.profiles.too_large', { name: file.name }), []);
        this.sending = true;
        this.zone.setAttribute('aria-busy', 'true');
        try {
            const text = await file.text();
            const answer = await api('POST', '/api/v1/profiles', text, { raw: true });
            this.showVerdict(true, t('admin.profiles.published', { id: answer.id, revision: answer.revision }), []);
            toast(t('admin.profiles.published', { id: answer.id, revision: answer.revision }), { kind: 'good' });
            await this.load();
        } catch (error) {
            if (error.status === 0 || error.status === 401 || error.status === 403 || error.status >= 500) {
                this.showVerdict(false, error.message, []);
            } else {
                this.showVerdict(false, t('admin.profiles.refused', { name: file.name }), fieldErrors(error), error.problem?.detail ?? '');
            }
        } finally {
            this.sending = false;
            this.zone.removeAttribute('aria-busy');
        }
    }

    showVerdict(good, headline, errors, detail = '') {
        const items = errors.map((e) => {
            const [label, explanation] = verdictOf(e);
            return el('li', { attrs: { 'data-field': e.field } },
                el('strong', { text: label }), ' ',
                explanation ? el('span', { text: explanation }) : null,
                el('div', { className: 'muted server-says', attrs: { lang: 'en' } }, el('code', { text: e.field }), ` ${e.message}`));
        });
        replaceChildren(this.verdict, el('div', { className: `notice notice-${good ? 'good' : 'bad'}`, attrs: { role: good ? 'status' : 'alert', 'data-verdict': good ? 'accepted' : 'refused' } },
            el('p', { className: 'verdict-title', text: headline }),
            !good && detail && errors.length === 0 ? el('p', { className: 'muted', attrs: { lang: 'en' }, text: detail }) : null,
            items.length ? el('ul', { className: 'verdict-list' }, ...items) : null));
        show(this.verdict, true);
    }
}
