/**
 * Runs a refresh every few seconds while the tab is visible. Each wait is
 * jittered, so consoles left open side by side do not ask in lockstep, and
 * the next wait starts only once the last refresh is done, so a slow server
 * is never asked twice at once.
 */
export class Poller {
	/** @type {ReturnType<typeof setTimeout> | undefined} */
	#timer;
	#running = false;
	#inFlight = false;
	/** Asked for again while a refresh was under way: its answer may predate the ask. */
	#again = false;
	/** @type {() => Promise<number | undefined>} */
	#refresh;
	#periodMs;

	/**
	 * @param {() => Promise<number | undefined>} refresh resolves to a wait of its own
	 *   choosing (after a Retry-After, or up to a known moment), or undefined for the usual one
	 * @param {number} periodMs
	 */
	constructor(refresh, periodMs) {
		this.#refresh = refresh;
		this.#periodMs = periodMs;
		document.addEventListener("visibilitychange", () => {
			if (!this.#running) return;
			// A hidden tab asks nothing; a tab shown again catches up at once.
			if (document.hidden) clearTimeout(this.#timer);
			else this.now();
		});
	}

	/** Refreshes now, then every period until stopped. */
	start() {
		this.#running = true;
		this.now();
	}

	stop() {
		this.#running = false;
		clearTimeout(this.#timer);
	}

	/** Refreshes now instead of at the next turn, e.g. after an action changed the figures. */
	now() {
		clearTimeout(this.#timer);
		void this.#run();
	}

	async #run() {
		if (this.#inFlight) {
			this.#again = true;
			return;
		}
		this.#inFlight = true;
		this.#again = false;
		let wait;
		try {
			wait = await this.#refresh();
		} finally {
			this.#inFlight = false;
		}
		if (!this.#running || document.hidden) return;
		clearTimeout(this.#timer);
		this.#timer = setTimeout(() => void this.#run(), this.#again ? 0 : (wait ?? this.#jittered()));
	}

	#jittered() {
		return Math.round(this.#periodMs * (0.8 + Math.random() * 0.4));
	}
}
