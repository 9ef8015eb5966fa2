/** How a call to a Durable Object ended: its answer, or the platform's failure. */
export type ObjectCallOutcome<T> =
	| { ok: true; value: T }
	| { ok: false; overloaded: boolean; error: unknown };

/**
 * Calls a Durable Object as every caller here does: an overloaded object is
 * not called again (more calls would only add to its queue); an error the
 * platform marks retryable is retried once with jitter. `call` runs again
 * for the retry, so it must be safe to repeat: purchases are keyed by their
 * buyer.
 */
export async function callObject<T>(call: () => T): Promise<ObjectCallOutcome<Awaited<T>>> {
	for (let attempt = 0; ; attempt++) {
		try {
			return { ok: true, value: await call() };
		} catch (error) {
			const flags = error as { overloaded?: boolean; retryable?: boolean };
			if (flags.overloaded || !flags.retryable || attempt > 0) {
				return { ok: false, overloaded: flags.overloaded === true, error };
			}
			await scheduler.wait(20 + Math.random() * 80);
		}
	}
}
