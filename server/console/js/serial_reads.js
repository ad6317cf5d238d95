// Reads of a page's data that never overlap (a ticket's page, its conversation): events
// and reconnections may ask for a read at any time, and two answers racing each other could
// show the older one last.

/// A function that calls `readOnce` (async) one call at a time: asked while a read runs, it
/// runs one more read after it (however many asks came meanwhile), unless `stopped()`.
export function serialReads(readOnce, stopped) {
    let reading = false;
    let again = false;
    return async function read() {
        if (reading) {
            again = true;
            return;
        }
        reading = true;
        try {
            do {
                again = false;
                await readOnce();
            } while (again && !stopped());
        } finally {
            reading = false;
        }
    };
}
