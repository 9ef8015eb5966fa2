import type { WakeAt } from "./alarm-scheduler";

/** What the holds need from the object around them. */
export interface HoldsHost {
	/** When the earliest pending hold ends, or null if nothing is held. */
	earliestExpiry(): number | null;
	/** Seqs of held orders due by `dueBy`, earliest first, at most `limit`. */
	due(dueBy: number, limit: number): number[];
	/** Expires these held orders and returns their units, in one transaction. */
	expire(seqs: number[]): void;
	wakeAt: WakeAt;
}

/** Holds expired per transaction, so one alarm run after a mass expiry never blocks the object for long. */
const EXPIRE_BATCH = 500;

/**
 * The deadlines of held orders (shared/API.md "Orders"): a hold unpaid at
 * its `holdExpiresAt` expires and its units return. The earliest pending
 * deadline is kept in memory, so a call with nothing due costs no read;
 * the alarm is asked for it, and on a restart it is read again from the
 * orders' index. Expiring is idempotent: an order no longer held is left as it is.
 */
export class Holds {
	readonly #host: HoldsHost;
	/** The earliest deadline of a held order, or null if none is held. */
	#next: number | null = null;

	constructor(host: HoldsHost) {
		this.#host = host;
	}

	/** After the object (re)starts: asks the alarm for the earliest pending deadline. */
	resume(): void {
		this.#next = this.#host.earliestExpiry();
		if (this.#next !== null) this.#host.wakeAt(this.#next);
	}

	/** A hold was placed (committed) ending at `expiresAt`. */
	placed(expiresAt: number): void {
		if (this.#next === null || expiresAt < this.#next) this.#next = expiresAt;
		this.#host.wakeAt(expiresAt);
	}

	/**
	 * Expires every hold due by `dueBy`; costs no read when none is. Returns
	 * whether any expired. Whatever it finds, it asks the alarm again for the
	 * earliest pending deadline: the scheduler keeps the earliest deadline it
	 * was asked for, which may be that of a hold since cancelled, or expired
	 * by an earlier call. When that deadline comes and nothing is due, this
	 * ask is all that keeps the next hold on the alarm.
	 */
	settle(dueBy: number): boolean {
		let expired = false;
		if (this.#next !== null && this.#next <= dueBy) {
			for (;;) {
				const seqs = this.#host.due(dueBy, EXPIRE_BATCH);
				if (seqs.length === 0) break;
				this.#host.expire(seqs);
				expired = true;
				if (seqs.length < EXPIRE_BATCH) break;
			}
			this.#next = this.#host.earliestExpiry();
		}
		if (this.#next !== null) this.#host.wakeAt(this.#next);
		return expired;
	}
}
