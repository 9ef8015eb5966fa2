import { ENDPOINTS, type Endpoint, type Samples } from "./samples.ts";

export interface Latency {
	p50: number;
	p90: number;
	p99: number;
	max: number;
	mean: number;
}

export interface EndpointFigures {
	requests: number;
	perSecond: number;
	latencyMs: Latency;
	outcomes: Record<string, number>;
}

/** A window of a run: every request sent in [from, to), on the run's clock (ms). */
export interface Window {
	name: string;
	from: number;
	to: number;
}

/** CPU time spent per answered request in a window, ms: by workerd (all isolates) and by the load generator. */
export interface CpuPerRequest {
	workerdMs: number | null;
	clientMs: number;
}

export interface WindowFigures {
	name: string;
	/** Relative to the sale's start (the rush) or to the first request (other segments). */
	fromMs: number;
	durationMs: number;
	requests: number;
	perSecond: number;
	outcomes: Record<string, number>;
	endpoints: Partial<Record<Endpoint, EndpointFigures>>;
	cpuPerRequest?: CpuPerRequest;
}

/** The middle value, or the mean of the two middle values of an even count; 0 for none. */
export function median(values: readonly number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: Float64Array, q: number): number {
	if (sorted.length === 0) return 0;
	return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
}

export function latencyOf(values: Float64Array): Latency {
	const sorted = Float64Array.from(values).sort();
	let sum = 0;
	for (const value of sorted) sum += value;
	return {
		p50: percentile(sorted, 0.5),
		p90: percentile(sorted, 0.9),
		p99: percentile(sorted, 0.99),
		max: sorted.at(-1) ?? 0,
		mean: sorted.length ? sum / sorted.length : 0,
	};
}

function count(into: Record<string, number>, key: string): void {
	into[key] = (into[key] ?? 0) + 1;
}

/** Indices of the samples sent inside the window. */
function inside(samples: Samples, window: Window): number[] {
	const picked: number[] = [];
	for (let i = 0; i < samples.size; i++) {
		const start = samples.start(i);
		if (start >= window.from && start < window.to) picked.push(i);
	}
	return picked;
}

/**
 * Requests per second, latency percentiles and outcome counts of one window,
 * overall and per endpoint. `activeMs` replaces the window's length when the
 * load ran in several pieces with pauses between them.
 */
export function figuresOf(
	samples: Samples,
	window: Window,
	origin: number,
	activeMs?: number,
): WindowFigures {
	const picked = inside(samples, window);
	const seconds = Math.max(1e-9, (activeMs ?? window.to - window.from) / 1000);
	const outcomes: Record<string, number> = {};
	const endpoints: Partial<Record<Endpoint, EndpointFigures>> = {};
	for (const endpoint of ENDPOINTS) {
		const mine = picked.filter((i) => samples.endpoint(i) === endpoint);
		if (mine.length === 0) continue;
		const mineOutcomes: Record<string, number> = {};
		for (const i of mine) {
			count(mineOutcomes, samples.outcome(i));
			count(outcomes, samples.outcome(i));
		}
		endpoints[endpoint] = {
			requests: mine.length,
			perSecond: mine.length / seconds,
			latencyMs: latencyOf(Float64Array.from(mine, (i) => samples.latency(i))),
			outcomes: mineOutcomes,
		};
	}
	return {
		name: window.name,
		fromMs: window.from - origin,
		durationMs: activeMs ?? window.to - window.from,
		requests: picked.length,
		perSecond: picked.length / seconds,
		outcomes,
		endpoints,
	};
}

/** The window from the first request sent to the last answer read. */
export function spanOf(samples: Samples, name: string): Window {
	let from = Number.POSITIVE_INFINITY;
	let to = Number.NEGATIVE_INFINITY;
	for (let i = 0; i < samples.size; i++) {
		from = Math.min(from, samples.start(i));
		to = Math.max(to, samples.end(i));
	}
	return { name, from: Number.isFinite(from) ? from : 0, to: Number.isFinite(to) ? to + 1e-9 : 0 };
}

export interface Series {
	/** Width of one bucket, ms. */
	bucketMs: number;
	/** Time of the first bucket's start, relative to the origin, ms. */
	fromMs: number;
	/** Answers per second in each bucket, by outcome, keyed by answer time. */
	perSecond: Record<string, number[]>;
}

/** Answers per second over time, by outcome, in about `buckets` buckets. */
export function seriesOf(samples: Samples, window: Window, origin: number, buckets = 120): Series {
	const span = Math.max(1, window.to - window.from);
	const bucketMs = Math.max(10, Math.ceil(span / buckets / 10) * 10);
	const n = Math.ceil(span / bucketMs) + 1;
	const perSecond: Record<string, number[]> = {};
	for (let i = 0; i < samples.size; i++) {
		const at = samples.end(i);
		if (at < window.from || at > window.to) continue;
		const outcome = `${samples.endpoint(i)} ${samples.outcome(i)}`;
		const row = perSecond[outcome] ?? new Array<number>(n).fill(0);
		perSecond[outcome] = row;
		const b = Math.floor((at - window.from) / bucketMs);
		row[b] = (row[b] ?? 0) + 1000 / bucketMs;
	}
	return { bucketMs, fromMs: window.from - origin, perSecond };
}

export interface Histogram {
	/** Upper edge of each bin, ms; bins grow geometrically. */
	edgesMs: number[];
	counts: number[];
}

/** Latencies of one endpoint in a window, binned on a log scale from 0.1 ms to 60 s. */
export function histogramOf(samples: Samples, window: Window, endpoint: Endpoint): Histogram {
	const low = 0.1;
	const binsPerDecade = 10;
	const bins = Math.ceil(Math.log10(60_000 / low) * binsPerDecade);
	const counts = new Array<number>(bins).fill(0);
	for (let i = 0; i < samples.size; i++) {
		const start = samples.start(i);
		if (start < window.from || start >= window.to || samples.endpoint(i) !== endpoint) continue;
		const bin = Math.floor(Math.log10(Math.max(low, samples.latency(i)) / low) * binsPerDecade);
		const b = Math.min(bins - 1, Math.max(0, bin));
		counts[b] = (counts[b] ?? 0) + 1;
	}
	const edgesMs = counts.map((_, b) => low * 10 ** ((b + 1) / binsPerDecade));
	let last = counts.length;
	while (last > 0 && counts[last - 1] === 0) last--;
	let first = 0;
	while (first < last && counts[first] === 0) first++;
	return { edgesMs: edgesMs.slice(first, last), counts: counts.slice(first, last) };
}
