// The dashboard page (#/dashboard): the workload at a glance, live. The key figures as
// large numbers (open, unassigned, closed today, the ticket waiting longest, the median
// time to close over 7 days) and four charts (created and closed per hour over the last
// 24 hours, open tickets by priority and by group, per operator open and closed today),
// all from GET /api/v1/dashboard. The server decides what the figures cover: an admin's
// are the whole team's, an operator's their own views'; the page says which.
//
// The charts are Debian's Chart.js (libjs-chart.js), served by the server under
// /console/vendor/chart.js/ and imported when the page opens. Each canvas has role="img"
// and a summary in words, and each chart has the same numbers in a table ("Show as
// table"). When Chart.js cannot be loaded the tables are shown instead, with a notice of
// what to install: every figure is still there.
//
// Live: every console event (hello, ticket-changed, queue-changed) asks for a new read,
// at most one per second and trailing, so a burst of changes costs one read and the last
// change is always reflected; the charts are updated in place. A read every minute anyway
// rolls the hours over and starts a new "today" at midnight.

import { api } from '../api.js';
import { el } from '../dom.js';
import { kPriorities, priorityView } from '../format.js';
import { formatDuration, formatNumber, formatTime, locale, t } from '../i18n.js';
import { routeHref } from '../router.js';

const kChartModule = '/console/vendor/chart.js/chart.mjs';
const kMinReadIntervalMs = 1000;
const kRefreshMs = 60_000;
const kLabelMaxChars = 28;

let chartModule = null;  // the promise of Chart.js's Chart, shared by every mount

/// Imports Chart.js once; a failure is forgotten so the next mount tries again.
function loadChart() {
    if (!chartModule) {
        chartModule = import(kChartModule).then(({ Chart, registerables }) => {
            Chart.register(...registerables);
            const css = getComputedStyle(document.documentElement);
            Chart.defaults.font.family = css.fontFamily;
            Chart.defaults.color = css.getPropertyValue('--muted').trim() || '#5f6b7a';
            return Chart;
        }).catch((error) => {
            chartModule = null;
            throw error;
        });
    }
    return chartModule;
}

/// The browser's local midnight today, as the UTC time the API wants for day_start
/// ("2026-12-06T03:00:00Z"). The API takes the last 25 hours, so a day when the clocks go
/// back still starts at its own midnight.
function localMidnight() {
    const midnight = new Date();
    midnight.setHours(0, 0, 0, 0);
    return midnight.toISOString();
}

function shorten(text, max) {
    const s = String(text ?? '');
    return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/// One chart with its heading, its summary in words (the canvas's aria-label), the same
/// numbers as a table, and a note instead of the chart when there is nothing to draw.
class ChartCard {
    constructor(id, heading, columns, { wide = false } = {}) {
        this.id = id;
        this.chart = null;
        this.canvas = el('canvas', { attrs: { role: 'img', id: `dashboard-${id}-canvas` } });
        this.box = el('div', { className: 'chart-box' }, this.canvas);
        this.empty = el('p', { className: 'chart-empty muted', attrs: { hidden: '' } });
        this.tbody = el('tbody');
        const tableId = `dashboard-${id}-table`;
        this.tableWrap = el('div', { className: 'chart-table', attrs: { id: tableId, hidden: '' } },
            el('table', { className: 'dash-table' },
                el('caption', { className: 'visually-hidden', text: heading }),
                el('thead', {}, el('tr', {}, ...columns.map((c, i) =>
                    el('th', { className: i === 0 ? 'label' : 'number', text: c, attrs: { scope: 'col' } })))),
                this.tbody));
        this.toggle = el('button', { className: 'button link table-toggle', text: t('dashboard.table.show'),
                                     attrs: { type: 'button', 'aria-expanded': 'false', 'aria-controls': tableId } });
        this.toggle.addEventListener('click', () => this.showTable(this.tableWrap.hidden));
        const headingId = `dashboard-${id}-heading`;
        this.element = el('section', { className: `card chart-card${wide ? ' wide' : ''}`,
                                       attrs: { 'data-chart': id, 'aria-labelledby': headingId } },
            el('div', { className: 'chart-head' }, el('h2', { text: heading, attrs: { id: headingId } }), this.toggle),
            this.box, this.empty, this.tableWrap);
    }

    showTable(visible) {
        this.tableWrap.hidden = !visible;
        this.toggle.setAttribute('aria-expanded', String(visible));
        this.toggle.textContent = t(visible ? 'dashboard.table.hide' : 'dashboard.table.show');
    }

    /// Without Chart.js: the table is the figure, always shown.
    tablesOnly() {
        this.box.hidden = true;
        this.toggle.hidden = true;
        this.showTable(true);
    }

    /// rows: [{key, cells: [label, number, ...]}]; the first cell is a name (shown with
    /// its own direction), the others counts.
    setRows(rows) {
        this.tbody.replaceChildren(...rows.map((row) => el('tr', { attrs: { 'data-key': row.key } },
            ...row.cells.map((cell, i) => i === 0
                ? el('th', { className: 'label', attrs: { scope: 'row' } }, el('bdi', { text: cell }))
                : el('td', { className: 'number', text: formatNumber(cell), attrs: { 'data-value': cell } })))));
    }

    setSummary(text) {
        this.canvas.setAttribute('aria-label', text);
    }

    /// Shows `note` instead of the chart (null: the chart). The chart stays alive, hidden.
    setEmpty(note, chartsAvailable) {
        this.empty.textContent = note ?? '';
        this.empty.hidden = !note;
        this.box.hidden = Boolean(note) || !chartsAvailable;
    }

    /// Draws the chart the first time, then changes it in place.
    draw(Chart, labels, datasets, options) {
        if (!this.chart) {
            this.chart = new Chart(this.canvas, { type: 'bar', data: { labels, datasets }, options });
            return;
        }
        this.chart.data.labels = labels;
        datasets.forEach((dataset, i) => {
            const current = this.chart.data.datasets[i];
            if (current) Object.assign(current, dataset);
            else this.chart.data.datasets.push(dataset);
        });
        this.chart.update();
    }

    destroy() {
        this.chart?.destroy();
        this.chart = null;
    }
}

/// The shared look of every chart: counts from zero in whole numbers, formatted for the
/// language; names on the other axis shortened (the tooltip and the table have them whole).
function chartOptions({ horizontal = false, legend = false, tooltipTitle = null, palette }) {
    const valueAxis = {
        beginAtZero: true,
        suggestedMax: 1,
        ticks: { precision: 0, callback: (value) => formatNumber(value) },
        grid: { color: palette.border },
    };
    const nameAxis = {
        ticks: {
            color: palette.text,
            autoSkip: !horizontal,
            autoSkipPadding: 12,
            maxRotation: 0,
            callback(value) {
                // About a third of a narrow chart's width, at most kLabelMaxChars.
                return shorten(this.getLabelForValue(value), Math.max(10, Math.min(kLabelMaxChars, Math.round(this.chart.width / 30))));
            },
        },
        grid: { display: false },
    };
    const reduceMotion = window.matchMedia?.('(prefers-reduced-motion: reduce)').matches;
    return {
        indexAxis: horizontal ? 'y' : 'x',
        responsive: true,
        maintainAspectRatio: false,
        locale: locale(),
        animation: reduceMotion ? false : { duration: 250 },
        // With two series (created and closed, open and closed today) one tooltip names both.
        interaction: legend ? { mode: 'index', axis: horizontal ? 'y' : 'x', intersect: false } : { mode: 'nearest', intersect: true },
        scales: horizontal ? { x: valueAxis, y: nameAxis } : { x: nameAxis, y: valueAxis },
        plugins: {
            legend: { display: legend, position: 'top', align: 'end', labels: { color: palette.text, boxWidth: 12, boxHeight: 12 } },
            tooltip: {
                callbacks: {
                    title: (items) => (tooltipTitle ? tooltipTitle(items[0]?.dataIndex ?? 0) : items[0]?.label ?? ''),
                    label: (item) => t('dashboard.summary.item', {
                        label: item.dataset.label, value: formatNumber(horizontal ? item.parsed.x : item.parsed.y) }),
                },
            },
        },
    };
}

function cssPalette() {
    const css = getComputedStyle(document.documentElement);
    const v = (name, fallback) => css.getPropertyValue(name).trim() || fallback;
    return {
        text: v('--text', '#1d2430'),
        border: v('--border', '#e1e5ea'),
        accent: v('--accent', '#2f5fb3'),
        good: v('--good', '#1f7a4d'),
        // The priority labels' own colours (console.css .priority-*).
        priority: { low: v('--muted', '#5f6b7a'), medium: v('--accent', '#2f5fb3'), high: v('--wait', '#8a5a00'), urgent: v('--bad', '#a33a2b') },
    };
}

function figure(key, label) {
    const value = el('dd', { className: 'figure-value', text: '—' });
    const detail = el('dd', { className: 'figure-detail muted' });
    const element = el('div', { className: 'card figure', attrs: { 'data-figure': key } }, el('dt', { text: label }), value, detail);
    return { element, value, detail };
}

function setFigure(f, number) {
    const known = Number.isFinite(number);
    f.value.textContent = known ? formatNumber(number) : '—';
    if (known) f.value.dataset.value = String(number);
    else delete f.value.dataset.value;
}

export function mount(container, ctx) {
    const admin = ctx.user.role === 'admin';
    const palette = cssPalette();
    let Chart = null;          // once loaded
    let chartsFailed = false;
    let data = null;           // the last answer
    let receivedAt = 0;        // Date.now() when it arrived (the oldest waiting time ticks on from it)
    let disposed = false;
    let oldestShown = null;    // the ticket and requester the oldest figure's link shows

    // The head: the title, whose figures these are, when they were read.
    const updated = el('span', { className: 'dash-updated muted', attrs: { id: 'dashboard-updated' } });
    const scope = el('span', { className: `dash-scope${admin ? ' team' : ''}`, text: t(admin ? 'dashboard.scope.team' : 'dashboard.scope.mine'),
                               attrs: { id: 'dashboard-scope', 'data-scope': admin ? 'team' : 'mine' } });
    const errorLine = el('p', { className: 'error banner', attrs: { id: 'dashboard-error', role: 'alert', hidden: '' } });
    const missing = el('p', { className: 'dash-notice banner', text: t('dashboard.charts_missing'),
                              attrs: { id: 'dashboard-charts-missing', role: 'status', hidden: '' } });
    const loading = el('p', { className: 'page-message muted', text: t('dashboard.loading'), attrs: { id: 'dashboard-loading' } });

    // The key figures.
    const figures = {
        open: figure('open', t('dashboard.figure.open')),
        unassigned: figure('unassigned', t('dashboard.figure.unassigned')),
        closedToday: figure('closed_today', t('dashboard.figure.closed_today')),
        oldest: figure('oldest', t('dashboard.figure.oldest')),
        median: figure('median', t('dashboard.figure.median')),
    };
    const figureList = el('dl', { className: 'dash-figures', attrs: { 'aria-label': t('dashboard.figures') } },
        ...Object.values(figures).map((f) => f.element));

    // The charts.
    const hourly = new ChartCard('hourly', t('dashboard.hourly.heading'),
        [t('dashboard.hourly.hour'), t('dashboard.hourly.created'), t('dashboard.hourly.closed')], { wide: true });
    const byPriority = new ChartCard('priority', t('dashboard.priority.heading'),
        [t('dashboard.column.priority'), t('dashboard.column.open')]);
    const byGroup = new ChartCard('group', t('dashboard.group.heading'),
        [t('dashboard.column.group'), t('dashboard.column.open')]);
    const operators = new ChartCard('operators', t('dashboard.operators.heading'),
        [t('dashboard.column.operator'), t('dashboard.column.open'), t('dashboard.column.closed_today')], { wide: true });
    const cards = [hourly, byPriority, byGroup, operators];
    const content = el('div', { className: 'dash-content', attrs: { hidden: '' } }, figureList,
        el('div', { className: 'dash-charts' }, ...cards.map((c) => c.element)));

    const view = el('section', { attrs: { id: 'dashboard-view', 'data-loaded': 'false' } },
        el('div', { className: 'section-head dash-head' },
            el('h1', { text: t('dashboard.heading') }), scope, updated),
        el('p', { className: 'dash-scope-detail muted', text: t(admin ? 'dashboard.scope.team.detail' : 'dashboard.scope.mine.detail') }),
        errorLine, missing, loading, content);
    container.append(view);
    ctx.setTitle(t('dashboard.heading'));

    const groupName = (id) => (id === '(none)' ? t('no_group') : ctx.team.group(id)?.name ?? id);

    /// by_group's entries in a stable order (the team's, by name; then any the team list
    /// does not know yet; "No group" last), so bars do not jump about as counts change.
    function groupEntries(byGroupAnswer) {
        const counts = new Map(Object.entries(byGroupAnswer ?? {}));
        const order = ctx.team.groups.map((g) => g.id).filter((id) => counts.has(id));
        for (const id of [...counts.keys()].sort()) if (!order.includes(id) && id !== '(none)') order.push(id);
        if (counts.has('(none)')) order.push('(none)');
        return order.map((id) => ({ id, name: groupName(id), count: Number(counts.get(id)) || 0 }));
    }

    /// The waiting time alone (every second), leaving the link in place for the keyboard.
    function renderOldestTime() {
        const oldest = data?.oldest_waiting;
        figures.oldest.value.textContent = oldest
            ? formatDuration((oldest.waiting_s ?? 0) + (Date.now() - receivedAt) / 1000) : '—';
    }

    function renderOldest() {
        const f = figures.oldest;
        const oldest = data?.oldest_waiting;
        renderOldestTime();
        if (!oldest) {
            f.value.removeAttribute('data-number');
            f.detail.replaceChildren(t('dashboard.figure.oldest.none'));
            oldestShown = null;
            return;
        }
        f.value.dataset.number = String(oldest.number);
        // What the queue knows of the ticket, to say who is waiting.
        const ticket = ctx.queue.get(oldest.number);
        const who = ticket ? (ticket.requester?.organization || ticket.requester?.email || '') : '';
        const shown = `${oldest.number}\n${who}`;
        if (shown === oldestShown) return;  // the same link stays, so keyboard focus does too
        oldestShown = shown;
        const link = el('a', { text: t('dashboard.figure.oldest.link', { number: oldest.number }),
                               attrs: { href: routeHref('ticket', { id: oldest.number }), id: 'dashboard-oldest-link' } });
        f.detail.replaceChildren(link, who ? el('bdi', { className: 'oldest-who', text: who, title: who }) : '');
    }

    function renderFigures() {
        setFigure(figures.open, data.open);
        setFigure(figures.unassigned, data.unassigned);
        setFigure(figures.closedToday, data.closed_today);
        renderOldest();
        const ttc = data.time_to_close_7d;
        const median = figures.median;
        if (ttc && Number.isFinite(ttc.median_s) && ttc.count > 0) {
            median.value.textContent = formatDuration(ttc.median_s);
            median.value.dataset.seconds = String(ttc.median_s);
            median.detail.textContent = t('dashboard.figure.median.detail', { count: formatNumber(ttc.count) });
        } else {
            median.value.textContent = '—';
            median.value.removeAttribute('data-seconds');
            median.detail.textContent = t('dashboard.figure.median.none');
        }
    }

    const listText = (items) => items.join('; ');

    function renderHourly() {
        const hours = (data.per_hour ?? []).map((h) => {
            const from = new Date(h.start);
            return { start: h.start, from: formatTime(from), to: formatTime(new Date(from.getTime() + 3600_000)),
                     created: Number(h.created) || 0, closed: Number(h.closed) || 0 };
        });
        const range = (h) => t('dashboard.hourly.range', { from: h.from, to: h.to });
        hourly.setRows(hours.map((h) => ({ key: h.start, cells: [range(h), h.created, h.closed] })));
        const created = hours.reduce((sum, h) => sum + h.created, 0);
        const closed = hours.reduce((sum, h) => sum + h.closed, 0);
        let summary = t('dashboard.hourly.summary', { created: formatNumber(created), closed: formatNumber(closed) });
        if (created > 0) {
            const peak = hours.reduce((best, h) => (h.created > best.created ? h : best), hours[0]);
            summary += ` ${t('dashboard.hourly.peak', { from: peak.from, to: peak.to, count: formatNumber(peak.created) })}`;
        }
        hourly.setSummary(summary);
        hourly.setEmpty(null, Boolean(Chart));
        if (!Chart) return;
        hourly.draw(Chart, hours.map((h) => h.from), [
            { label: t('dashboard.hourly.created'), data: hours.map((h) => h.created), backgroundColor: palette.accent, borderRadius: 3 },
            { label: t('dashboard.hourly.closed'), data: hours.map((h) => h.closed), backgroundColor: palette.good, borderRadius: 3 },
        ], chartOptions({ legend: true, palette, tooltipTitle: (i) => (hours[i] ? range(hours[i]) : '') }));
    }

    function renderPriority() {
        const rows = kPriorities.map((p) => ({ key: p, label: priorityView(p).label, count: Number(data.by_priority?.[p]) || 0 }));
        byPriority.setRows(rows.map((r) => ({ key: r.key, cells: [r.label, r.count] })));
        byPriority.setSummary(t('dashboard.priority.summary', {
            list: listText(rows.map((r) => t('dashboard.summary.item', { label: r.label, value: formatNumber(r.count) }))) }));
        const nothing = rows.every((r) => r.count === 0);
        byPriority.setEmpty(nothing ? t('dashboard.empty.open') : null, Boolean(Chart));
        if (!Chart) return;
        byPriority.draw(Chart, rows.map((r) => r.label), [
            { label: t('dashboard.column.open'), data: rows.map((r) => r.count),
              backgroundColor: rows.map((r) => palette.priority[r.key]), borderRadius: 3, maxBarThickness: 64 },
        ], chartOptions({ palette }));
    }

    function renderGroups() {
        const rows = groupEntries(data.by_group);
        byGroup.setRows(rows.map((r) => ({ key: r.id, cells: [r.name, r.count] })));
        byGroup.setSummary(rows.length === 0 ? t('dashboard.summary.none') : t('dashboard.group.summary', {
            list: listText(rows.map((r) => t('dashboard.summary.item', { label: r.name, value: formatNumber(r.count) }))) }));
        byGroup.setEmpty(rows.every((r) => r.count === 0) ? t('dashboard.empty.open') : null, Boolean(Chart));
        // Horizontal bars: the height grows with the number of groups.
        byGroup.box.style.height = `${Math.max(12, 4 + rows.length * 2.6)}rem`;
        if (!Chart) return;
        byGroup.draw(Chart, rows.map((r) => r.name), [
            { label: t('dashboard.column.open'), data: rows.map((r) => r.count), backgroundColor: palette.accent,
              borderRadius: 3, maxBarThickness: 28 },
        ], chartOptions({ horizontal: true, palette }));
    }

    function renderOperators() {
        const rows = (data.workload ?? []).map((w) => ({ id: w.id, name: w.name || `#${w.id}`,
                                                        open: Number(w.open) || 0, closed: Number(w.closed_today) || 0 }));
        operators.setRows(rows.map((r) => ({ key: String(r.id), cells: [r.name, r.open, r.closed] })));
        operators.setSummary(rows.length === 0 ? t('dashboard.empty.operators') : t('dashboard.operators.summary', {
            list: listText(rows.map((r) => t('dashboard.operators.item', { name: r.name, open: formatNumber(r.open), closed: formatNumber(r.closed) }))) }));
        operators.setEmpty(rows.every((r) => r.open === 0 && r.closed === 0) ? t('dashboard.empty.operators') : null, Boolean(Chart));
        operators.box.style.height = `${Math.max(10, 5 + rows.length * 3)}rem`;
        if (!Chart) return;
        operators.draw(Chart, rows.map((r) => r.name), [
            { label: t('dashboard.column.open'), data: rows.map((r) => r.open), backgroundColor: palette.accent, borderRadius: 3, maxBarThickness: 22 },
            { label: t('dashboard.column.closed_today'), data: rows.map((r) => r.closed), backgroundColor: palette.good, borderRadius: 3, maxBarThickness: 22 },
        ], chartOptions({ horizontal: true, legend: true, palette }));
    }

    function render() {
        if (!data || disposed) return;
        loading.hidden = true;
        content.hidden = false;
        updated.textContent = t('dashboard.updated', { time: formatTime(data.generated_at ?? new Date(receivedAt)) });
        renderFigures();
        renderHourly();
        renderPriority();
        renderGroups();
        renderOperators();
        view.dataset.loaded = 'true';
        view.dataset.charts = Chart ? 'drawn' : chartsFailed ? 'missing' : 'loading';
    }

    // Reads: at most one a second, trailing; one at a time.
    let lastReadAt = 0;
    let timer = null;
    let reading = false;
    let again = false;

    function requestRead() {
        if (disposed || timer) return;
        if (reading) {
            again = true;
            return;
        }
        timer = setTimeout(() => {
            timer = null;
            read();
        }, Math.max(0, lastReadAt + kMinReadIntervalMs - Date.now()));
    }

    async function read() {
        reading = true;
        lastReadAt = Date.now();
        try {
            const answer = await api('GET', `/api/v1/dashboard?day_start=${encodeURIComponent(localMidnight())}`);
            if (disposed) return;
            data = answer;
            receivedAt = Date.now();
            errorLine.hidden = true;
            render();
        } catch (error) {
            if (disposed) return;
            errorLine.textContent = t('dashboard.error', { error: error.message });
            errorLine.hidden = false;
            loading.hidden = true;
        } finally {
            reading = false;
            if (again && !disposed) {
                again = false;
                requestRead();
            }
        }
    }

    const unlisten = ctx.onEvent((type) => {
        if (type === 'hello' || type === 'ticket-changed' || type === 'queue-changed') requestRead();
    });
    // Names of groups come from the team; the requester of the oldest ticket from the queue.
    const unsubscribeTeam = ctx.team.subscribe(() => {
        if (data) renderGroups();
    });
    const unsubscribeQueue = ctx.queue.subscribe(() => {
        if (data) renderOldest();
    });
    const ticker = setInterval(() => {
        if (data?.oldest_waiting) renderOldestTime();
    }, 1000);
    const refresher = setInterval(requestRead, kRefreshMs);

    loadChart().then((loaded) => {
        if (disposed) return;
        Chart = loaded;
        render();
    }, (error) => {
        if (disposed) return;
        console.warn('Chart.js could not be loaded:', error);
        chartsFailed = true;
        missing.hidden = false;
        for (const card of cards) card.tablesOnly();
        render();
    });
    requestRead();

    return {
        update() {},
        unmount() {
            disposed = true;
            unlisten();
            unsubscribeTeam();
            unsubscribeQueue();
            clearInterval(ticker);
            clearInterval(refresher);
            clearTimeout(timer);
            for (const card of cards) card.destroy();
        },
    };
}
