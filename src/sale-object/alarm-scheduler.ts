/**
 * Work that runs when its deadline comes. It must be idempotent: alarms are
 * delivered at least once. `dueBy` is the time the alarm stands for: work
 * whose deadline is no later than that is due, even if the clock is not there yet.
 * Each run must ask again for every deadline the work still has, even when
 * nothing was due: the deadline that woke it may be one that has since gone
 * (a hold cancelled), and a later one asked for meanwhile was not kept.
 */
export type ScheduledWork = (dueBy: number) => void | Promise<void>;

/**
 * Asks for the work to run by `at` (epoch ms). The earliest request stands
 * until the work runs; the work asks again for whatever it still has pending.
 */
export type WakeAt = (at: number) => void;

/** How soon work that threw runs again. */
const FAILED_WORK_RETRY_MS = 5_000;

/**
 * The object's one alarm, shared by every capability with timed work: it is
 * set for the earliest deadline asked for, runs each piece of work that is
 * due, and is set again for the earliest deadline that remains.
 *
 * Deadlines are kept in memory. What they are about is in storage, so each
 * capability asks again for its pending deadlines when the object starts;
 * the alarm itself survives restarts, so nothing is missed meanwhile.
 */
export class AlarmScheduler {
	readonly #storage: DurableObjectStorage;
	readonly #work = new Map<string, ScheduledWork>();
	/** The earliest deadline each piece of work asked for and has not yet run for. */
	readonly #deadlines = new Map<string, number>();
	/** When the alarm is set to go off, as far as this instance knows; null if it is not set. */
	#armedFor: number | null = null;

	constructor(storage: DurableObjectStorage) {
		this.#storage = storage;
	}

	/** Registers work under a name and hands back the one call it needs: ask for a deadline. */
	add(name: string, work: ScheduledWork): WakeAt {
		this.#work.set(name, work);
		return (at) => this.#ask(name, at);
	}

	/** Learns when the alarm is set for, after the object (re)starts. */
	async restore(): Promise<void> {
		this.#armedFor = await this.#storage.getAlarm();
	}

	/**
	 * The alarm handler. Work is due if its deadline is no later than the
	 * time the alarm was set for, even when the alarm runs early: a test's
	 * `runDurableObjectAlarm`, or a platform retry, stands for that alarm.
	 */
	async run(): Promise<void> {
		const dueBy = Math.max(Date.now(), this.#armedFor ?? 0);
		// The platform clears an alarm as it delivers it; one set from here on stays.
		this.#armedFor = null;
		const due = [...this.#deadlines].filter(([, at]) => at <= dueBy).map(([name]) => name);
		for (const name of due) this.#deadlines.delete(name);
		// Before any work awaits: every deadline kept has the alarm set no later than it.
		const next = Math.min(...this.#deadlines.values());
		if (Number.isFinite(next)) this.#arm(next);
		for (const name of due) {
			try {
				await this.#work.get(name)?.(dueBy);
			} catch (error) {
				console.error(JSON.stringify({ event: "scheduled_work_failed", work: name, error: String(error) }));
				this.#ask(name, Date.now() + FAILED_WORK_RETRY_MS);
			}
		}
	}

	#ask(name: string, at: number): void {
		const asked = this.#deadlines.get(name);
		// The alarm is already set no later than any deadline kept.
		if (asked !== undefined && asked <= at) return;
		this.#deadlines.set(name, at);
		this.#arm(at);
	}

	#arm(at: number): void {
		if (this.#armedFor !== null && this.#armedFor <= at) return;
		this.#armedFor = at;
		// Setting the alarm is a storage write: the output gate holds the reply
		// of the request that asked until it is durable.
		void this.#storage.setAlarm(at);
	}
}
