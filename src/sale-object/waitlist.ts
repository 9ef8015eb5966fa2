import type { WakeAt } from "./alarm-scheduler";

/** A buyer waiting for units of one variant. */
export type Waiter = {
	userId: string;
	variantId: string;
	quantity: number;
};

/**
 * Buyers waiting for units of a sold-out variant to come back (shared/API.md
 * "Waitlist"), in table `waitlist`, first come first served. The number of
 * waiters is mirrored in memory, so a sale nobody waits in costs no read.
 * The list empties at the sale's end: while anyone waits, the alarm is
 * asked for that moment, and the object clears the list then.
 */
export class Waitlist {
	readonly #sql: SqlStorage;
	readonly #wakeAt: WakeAt;
	#size = 0;

	constructor(sql: SqlStorage, wakeAt: WakeAt) {
		this.#sql = sql;
		this.#wakeAt = wakeAt;
	}

	/** Reads how many wait, once the object has tables. */
	load(): void {
		this.#size = this.#sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM waitlist").one().n;
	}

	/** After the object (re)starts: while anyone waits, asks the alarm for the sale's end. */
	resume(endsAt: number): void {
		if (this.#size > 0) this.#wakeAt(endsAt);
	}

	/** How many buyers wait. */
	get size(): number {
		return this.#size;
	}

	/** The buyer's place among those waiting for the same variant (1 = next), or null if not waiting. */
	positionOf(userId: string): number | null {
		if (this.#size === 0) return null;
		return (
			this.#sql
				.exec<{ position: number }>(
					`SELECT COUNT(*) AS position FROM waitlist AS other, waitlist AS mine
					 WHERE mine.user_id = ? AND other.variant_id = mine.variant_id AND other.seq <= mine.seq`,
					userId,
				)
				.toArray()
				.find((row) => row.position > 0)?.position ?? null
		);
	}

	/** Adds the buyer at the end of the line, until the sale ends at `endsAt`; returns their position. */
	join(waiter: Waiter, now: number, endsAt: number): number {
		this.#sql.exec(
			"INSERT INTO waitlist (user_id, variant_id, quantity, joined_at) VALUES (?, ?, ?, ?)",
			waiter.userId,
			waiter.variantId,
			waiter.quantity,
			now,
		);
		this.#size += 1;
		this.#wakeAt(endsAt);
		return this.positionOf(waiter.userId) ?? 1;
	}

	/** Takes the buyer off the list; false if they were not on it. */
	leave(userId: string): boolean {
		if (this.#size === 0) return false;
		const left = this.#sql.exec("DELETE FROM waitlist WHERE user_id = ?", userId).rowsWritten > 0;
		if (left) this.#size -= 1;
		return left;
	}

	/** The earliest waiter for the variant whose quantity is at most `units`, if any. */
	firstFitting(variantId: string, units: number): Waiter | null {
		if (this.#size === 0 || units <= 0) return null;
		return (
			this.#sql
				.exec<Waiter>(
					`SELECT user_id AS userId, variant_id AS variantId, quantity FROM waitlist
					 WHERE variant_id = ? AND quantity <= ? ORDER BY seq LIMIT 1`,
					variantId,
					units,
				)
				.toArray()[0] ?? null
		);
	}

	/** Empties the list (at the sale's end). */
	clear(): void {
		if (this.#size === 0) return;
		this.#sql.exec("DELETE FROM waitlist");
		this.#size = 0;
	}
}
