/** What a request was for; every sample is tagged with one. */
export const ENDPOINTS = [
	"purchase-token",
	"purchase",
	"ref-bare",
	"ref-do",
	"ref-do-limit",
	"ref-limit",
	"ref-assets-bare",
] as const;
export type Endpoint = (typeof ENDPOINTS)[number];

/**
 * Every request of a run, column-wise in typed arrays: a million buyers make
 * a few million samples, which stay exact (no histogram rounding) and cost
 * about 30 bytes each.
 */
export class Samples {
	#size = 0;
	#start = new Float64Array(1 << 16);
	#latency = new Float32Array(1 << 16);
	#endpoint = new Uint8Array(1 << 16);
	#outcome = new Uint16Array(1 << 16);
	readonly #outcomeIds = new Map<string, number>();
	readonly outcomes: string[] = [];

	get size(): number {
		return this.#size;
	}

	/** Records one answered request; times in ms on the run's clock. */
	add(endpoint: Endpoint, outcome: string, startMs: number, endMs: number): void {
		if (this.#size === this.#start.length) this.#grow();
		const i = this.#size++;
		this.#start[i] = startMs;
		this.#latency[i] = endMs - startMs;
		this.#endpoint[i] = ENDPOINTS.indexOf(endpoint);
		this.#outcome[i] = this.#outcomeId(outcome);
	}

	start(i: number): number {
		return this.#start[i] ?? 0;
	}

	end(i: number): number {
		return (this.#start[i] ?? 0) + (this.#latency[i] ?? 0);
	}

	latency(i: number): number {
		return this.#latency[i] ?? 0;
	}

	endpoint(i: number): Endpoint {
		return ENDPOINTS[this.#endpoint[i] ?? 0] ?? "purchase";
	}

	outcome(i: number): string {
		return this.outcomes[this.#outcome[i] ?? 0] ?? "";
	}

	#outcomeId(outcome: string): number {
		let id = this.#outcomeIds.get(outcome);
		if (id === undefined) {
			id = this.outcomes.length;
			this.outcomes.push(outcome);
			this.#outcomeIds.set(outcome, id);
		}
		return id;
	}

	#grow(): void {
		const grow = <T extends Float64Array | Float32Array | Uint8Array | Uint16Array>(
			from: T,
			make: (n: number) => T,
		): T => {
			const to = make(from.length * 2);
			to.set(from);
			return to;
		};
		this.#start = grow(this.#start, (n) => new Float64Array(n));
		this.#latency = grow(this.#latency, (n) => new Float32Array(n));
		this.#endpoint = grow(this.#endpoint, (n) => new Uint8Array(n));
		this.#outcome = grow(this.#outcome, (n) => new Uint16Array(n));
	}
}
