import type { SaleRow } from "../domain/sale";
import type { SalesSeries } from "./results";

/** However long a sale lasts, its series has at most this many buckets. */
const MAX_SERIES_BUCKETS = 3_600;

/** What the series reads: the orders, counted per bucket. */
export interface SeriesHost {
	/** Orders after `afterSeq` per bucket of `bucketMs` from `origin`, with the last seq counted in each. */
	ordersPerBucket(
		afterSeq: number,
		origin: number,
		bucketMs: number,
	): Iterable<{ bucket: number; n: number; last: number }>;
}

/**
 * Confirmed orders over time, read from the orders themselves and tallied
 * in memory. Orders are only ever appended, so each call counts just the
 * orders since the last one: the admin console polls this during the drop,
 * and a full scan of a million orders holds the object for 600 ms. The
 * tally is rebuilt from storage after a restart; it owns no table.
 */
export class SeriesTally {
	readonly #host: SeriesHost;
	#tally: { startsAt: number; bucketMs: number; counts: Map<number, number>; lastSeq: number } | null = null;

	constructor(host: SeriesHost) {
		this.#host = host;
	}

	/**
	 * Buckets are a second long unless the sale lasts so long that they would
	 * exceed MAX_SERIES_BUCKETS; then they widen, so the answer stays small.
	 */
	of(sale: Pick<SaleRow, "startsAt" | "endsAt">, now: number): SalesSeries {
		const lifeMs = sale.endsAt - sale.startsAt;
		const bucketMs = Math.max(1, Math.ceil(lifeMs / MAX_SERIES_BUCKETS / 1000)) * 1000;
		if (this.#tally?.startsAt !== sale.startsAt || this.#tally.bucketMs !== bucketMs) {
			this.#tally = { startsAt: sale.startsAt, bucketMs, counts: new Map(), lastSeq: 0 };
		}
		const tally = this.#tally;
		for (const { bucket, n, last } of this.#host.ordersPerBucket(tally.lastSeq, tally.startsAt, bucketMs)) {
			tally.counts.set(bucket, (tally.counts.get(bucket) ?? 0) + n);
			tally.lastSeq = Math.max(tally.lastSeq, last);
		}
		const until = Math.min(now, sale.endsAt);
		const buckets = Math.max(0, Math.ceil((until - sale.startsAt) / bucketMs));
		const confirmed = Array.from({ length: buckets }, (_, bucket) => tally.counts.get(bucket) ?? 0);
		return { startsAt: sale.startsAt, bucketMs, confirmed };
	}
}
