import { COUNTED_OUTCOMES, type CountedOutcome } from "../domain/outcome";
import type { WakeAt } from "./alarm-scheduler";

/** Counts not yet in storage are saved at the latest this long after the first of them. */
const SAVE_WITHIN_MS = 2_000;

/**
 * How often each purchase outcome happened, in table `outcomes`. Refusals
 * write nothing else, so a count is kept in memory and saved with the next
 * purchase's transaction, or by the alarm within SAVE_WITHIN_MS: a refusal
 * costs no write of its own. Counts not yet saved are lost if the object
 * restarts; they are figures, not orders.
 */
export class OutcomeCounters {
	readonly #sql: SqlStorage;
	readonly #wakeAt: WakeAt;
	readonly #counts = zeroCounts();
	/** What storage does not have yet. */
	readonly #unsaved = zeroCounts();
	#dirty = false;

	constructor(sql: SqlStorage, wakeAt: WakeAt) {
		this.#sql = sql;
		this.#wakeAt = wakeAt;
	}

	/** Reads the saved counts, once the object has tables. */
	load(): void {
		for (const { outcome, count } of this.#sql.exec<{ outcome: CountedOutcome; count: number }>(
			"SELECT outcome, count FROM outcomes",
		)) {
			this.#counts[outcome] = count;
		}
	}

	count(outcome: CountedOutcome, n = 1): void {
		this.#counts[outcome] += n;
		this.#unsaved[outcome] += n;
		if (!this.#dirty) {
			this.#dirty = true;
			this.#wakeAt(Date.now() + SAVE_WITHIN_MS);
		}
	}

	/** Every count so far, saved or not. */
	snapshot(): Record<CountedOutcome, number> {
		return { ...this.#counts };
	}

	/** Writes the counts storage does not have yet; inside a caller's transaction, or alone. */
	save(): void {
		if (!this.#dirty) return;
		for (const outcome of COUNTED_OUTCOMES) {
			const n = this.#unsaved[outcome];
			if (n === 0) continue;
			this.#sql.exec(
				"INSERT INTO outcomes (outcome, count) VALUES (?, ?) ON CONFLICT (outcome) DO UPDATE SET count = count + excluded.count",
				outcome,
				n,
			);
			this.#unsaved[outcome] = 0;
		}
		this.#dirty = false;
	}
}

function zeroCounts(): Record<CountedOutcome, number> {
	return Object.fromEntries(COUNTED_OUTCOMES.map((outcome) => [outcome, 0])) as Record<
		CountedOutcome,
		number
	>;
}
