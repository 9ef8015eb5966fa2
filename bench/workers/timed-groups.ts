/** Per-call cost of one batch, in microseconds, from groups of calls timed together. */
export interface BatchTiming {
	count: number;
	created: number;
	meanUs: number;
	p50Us: number;
	p99Us: number;
	maxUs: number;
}

/** workerd's clock ticks in whole milliseconds, so calls are timed in groups this large. */
const TIMING_GROUP = 100;

/**
 * Makes `count` calls, `call(i)` for i from 0, timed in groups; `call`
 * answers whether it created something (an order, an entry).
 */
export function timeInGroups(count: number, call: (i: number) => boolean): BatchTiming {
	const groups = Math.ceil(count / TIMING_GROUP);
	const perCallUs = new Float64Array(groups);
	let created = 0;
	const started = performance.now();
	for (let g = 0; g < groups; g++) {
		const first = g * TIMING_GROUP;
		const size = Math.min(TIMING_GROUP, count - first);
		const before = performance.now();
		for (let i = first; i < first + size; i++) {
			if (call(i)) created++;
		}
		perCallUs[g] = ((performance.now() - before) * 1000) / size;
	}
	const meanUs = ((performance.now() - started) * 1000) / Math.max(1, count);
	perCallUs.sort();
	const at = (q: number) => perCallUs[Math.min(groups - 1, Math.floor(groups * q))] ?? 0;
	return { count, created, meanUs, p50Us: at(0.5), p99Us: at(0.99), maxUs: at(1) };
}
