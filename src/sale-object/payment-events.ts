/** How long an applied event's id is kept (shared/API.md "Payment providers": 30 days). */
const KEEP_EVENT_IDS_MS = 30 * 24 * 60 * 60 * 1000;

/**
 * The ids of the payment provider's events this sale has applied, in table
 * `payment_events`: an event id is applied at most once, so a replayed or
 * redelivered event changes nothing. Stripe retries an event for up to three
 * days; ids are kept for 30, and older ones are dropped as new ones arrive.
 */
export class PaymentEvents {
	readonly #sql: SqlStorage;

	constructor(sql: SqlStorage) {
		this.#sql = sql;
	}

	/** Whether an event with this id was applied already. */
	seen(eventId: string): boolean {
		return this.#sql.exec("SELECT 1 FROM payment_events WHERE event_id = ?", eventId).toArray().length > 0;
	}

	/**
	 * Records an event as applied at `now`; the caller writes it in the same
	 * synchronous span as the change the event made, so both commit or neither.
	 */
	record(eventId: string, now: number): void {
		this.#sql.exec("DELETE FROM payment_events WHERE applied_at < ?", now - KEEP_EVENT_IDS_MS);
		this.#sql.exec("INSERT OR IGNORE INTO payment_events (event_id, applied_at) VALUES (?, ?)", eventId, now);
	}
}
