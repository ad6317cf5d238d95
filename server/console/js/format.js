// Numbers and times as people read them.

import { t } from './strings.js';

/// 42 -> "42 s", 754 -> "12 min 34 s", 4320 -> "1 h 12 min", 200000 -> "2 d 7 h".
export function formatDuration(totalSeconds) {
    const s = Math.max(0, Math.floor(totalSeconds));
    if (s < 60) return t('duration.seconds', { s });
    if (s < 3600) return t('duration.minutes', { m: Math.floor(s / 60), s: String(s % 60).padStart(2, '0') });
    if (s < 86400) return t('duration.hours', { h: Math.floor(s / 3600), m: Math.floor((s % 3600) / 60) });
    return t('duration.days', { d: Math.floor(s / 86400), h: Math.floor((s % 86400) / 3600) });
}

const kPriorities = ['low', 'medium', 'high', 'urgent'];

/// The priority's label and a class name from a fixed list (never built from the data).
export function priorityView(priority) {
    const known = kPriorities.includes(priority);
    return {
        label: known ? t(`priority.${priority}`) : String(priority ?? ''),
        className: known ? `priority priority-${priority}` : 'priority',
    };
}
