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
 * The width of a sale's series buckets: a second, unless the sale lasts so
 * long that there would be more than MAX_SERIES_BUCKETS; then wider, so the
 * answer stays small. A sale's times are fixed once it starts, so a count
 * kept per bucket while it is live keeps its meaning.
 */
export function seriesBucketMs(sale: Pick<SaleRow, "startsAt" | "endsAt">): number {
	return Math.max(1, Math.ceil((sale.endsAt - sale.startsAt) / MAX_SERIES_BUCKETS / 1000)) * 1000;
}

/** The counts of the buckets from `startsAt` up to now or the end, with 0 where `countOf` has none. */
export function bucketCounts(
	sale: Pick<SaleRow, "startsAt" | "endsAt">,
	now: number,
	countOf: (bucket: number) => number | undefined,
): number[] {
	const until = Math.min(now, sale.endsAt);
	const buckets = Math.max(0, Math.ceil((until - sale.startsAt) / seriesBucketMs(sale)));
	return Array.from({ length: buckets }, (_, bucket) => countOf(bucket) ?? 0);
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

	/** Confirmed orders per bucket (seriesBucketMs) from the start up to now or the end. */
	of(sale: Pick<SaleRow, "startsAt" | "endsAt">, now: number): SalesSeries {
		const bucketMs = seriesBucketMs(sale);
		if (this.#tally?.startsAt !== sale.startsAt || this.#tally.bucketMs !== bucketMs) {
			this.#tally = { startsAt: sale.startsAt, bucketMs, counts: new Map(), lastSeq: 0 };
		}
		const tally = this.#tally;
		for (const { bucket, n, last } of this.#host.ordersPerBucket(tally.lastSeq, tally.startsAt, bucketMs)) {
			tally.counts.set(bucket, (tally.counts.get(bucket) ?? 0) + n);
			tally.lastSeq = Math.max(tally.lastSeq, last);
		}
		const confirmed = bucketCounts(sale, now, (bucket) => tally.counts.get(bucket));
		return { startsAt: sale.startsAt, bucketMs, confirmed };
	}
}
