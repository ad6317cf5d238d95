// Labels from fixed lists: priorities and statuses. Class names never come from data.

import { t } from './i18n.js';

export { formatDuration } from './i18n.js';

export const kPriorities = ['low', 'medium', 'high', 'urgent'];

/// The priority's label and a class name from a fixed list (never built from the data).
export function priorityView(priority) {
    const known = kPriorities.includes(priority);
    return {
        label: known ? t(`priority.${priority}`) : String(priority ?? ''),
        className: known ? `priority priority-${priority}` : 'priority',
    };
}

const kStatuses = ['open', 'closed', 'expired'];

/// The status's label and class name.
export function statusView(status) {
    const known = kStatuses.includes(status);
    return {
        label: known ? t(`status.${status}`) : String(status ?? ''),
        className: known ? `status status-${status}` : 'status',
    };
}
