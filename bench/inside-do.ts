import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { HttpClient } from "./http-client.ts";
import { latencyOf } from "./measure.ts";
import { startRuntime } from "./runtime.ts";

/** Purchases per RPC call while filling the sale. */
const BATCH = 10_000;
/** Single purchases timed end to end at each level. */
const PROBES = 500;

interface BatchTiming {
	count: number;
	created: number;
	meanUs: number;
	p50Us: number;
	p99Us: number;
	maxUs: number;
}

export interface InsideLevel {
	buyers: number;
	/** Cost of one purchase inside the object, over the last batch before this level (µs). */
	insideMeanUs: number;
	insideP50Us: number;
	insideP99Us: number;
	/** One purchase through a Worker route, RPC, the object and its commit, timed by the client (ms). */
	roundTripP50Ms: number;
	roundTripP99Ms: number;
	workerdRssMiB: number | null;
	sqliteMiB: number;
}

export interface InsideResult {
	ok: boolean;
	failures: string[];
	startedAt: string;
	levels: InsideLevel[];
	/** `[buyers so far, mean µs per purchase in that batch, workerd RSS MiB]` after every batch. */
	curve: [number, number, number | null][];
	note: string;
}

/**
 * Fills one SaleGate with distinct buyers up to each level, and at each level
 * reports what a purchase costs inside the object, what it costs end to end,
 * and how much memory workerd holds. The object keeps buyers in an indexed
 * SQLite table, so neither figure should grow with the number of buyers.
 */
export async function runInside(levels: number[], log: (line: string) => void): Promise<InsideResult> {
	const startedAt = new Date().toISOString();
	const runtime = await startRuntime(await mkdtemp(path.join(os.tmpdir(), "doorbuster-inside-")));
	const client = new HttpClient(runtime.origin, 1);
	const failures: string[] = [];
	const get = async <T>(pathAndQuery: string): Promise<T> => {
		const { answer } = await client.send("POST", pathAndQuery, {});
		if (answer.status !== 200)
			throw new Error(`${pathAndQuery}: ${answer.status} ${JSON.stringify(answer.body)}`);
		return answer.body as T;
	};
	try {
		await get("/ref/inside/configure?sale=inside");
		const results: InsideLevel[] = [];
		const curve: InsideResult["curve"] = [];
		let buyers = 0;
		let last: BatchTiming | null = null;
		for (const level of [...levels].sort((a, b) => a - b)) {
			while (buyers < level) {
				const count = Math.min(BATCH, level - buyers);
				last = await get<BatchTiming>(
					`/ref/inside/purchase-many?sale=inside&prefix=b&from=${buyers}&count=${count}`,
				);
				if (last.created !== count)
					failures.push(`batch at ${buyers}: ${last.created} of ${count} purchases created`);
				buyers += count;
				const rss = await runtime.workerdRss();
				curve.push([buyers, last.meanUs, rss === null ? null : Math.round(rss / 2 ** 20)]);
				if (buyers % 100_000 === 0) log(`  ${buyers.toLocaleString("en-US")} buyers…`);
			}
			const roundTrips = new Float64Array(PROBES);
			for (let i = 0; i < PROBES; i++) {
				const { answer, start, end } = await client.send(
					"POST",
					`/ref/inside/purchase?sale=inside&buyer=probe-${level}-${i}`,
					{},
				);
				if (answer.status !== 200) failures.push(`probe purchase at ${level}: ${answer.status}`);
				roundTrips[i] = end - start;
			}
			const stats = await get<{ storageBytes: number }>("/ref/inside/stats?sale=inside");
			const roundTrip = latencyOf(roundTrips);
			const rss = await runtime.workerdRss();
			const figures: InsideLevel = {
				buyers: level,
				insideMeanUs: last?.meanUs ?? 0,
				insideP50Us: last?.p50Us ?? 0,
				insideP99Us: last?.p99Us ?? 0,
				roundTripP50Ms: roundTrip.p50,
				roundTripP99Ms: roundTrip.p99,
				workerdRssMiB: rss === null ? null : Math.round(rss / 2 ** 20),
				sqliteMiB: Math.round(stats.storageBytes / 2 ** 20),
			};
			results.push(figures);
			log(
				`${level.toLocaleString("en-US")} buyers: ${figures.insideMeanUs.toFixed(1)} µs per purchase inside (p99 of groups ${figures.insideP99Us.toFixed(0)} µs); round trip p50 ${figures.roundTripP50Ms.toFixed(2)} ms, p99 ${figures.roundTripP99Ms.toFixed(2)} ms; workerd ${figures.workerdRssMiB} MiB; SQLite ${figures.sqliteMiB} MiB`,
			);
		}
		return {
			ok: failures.length === 0,
			failures,
			startedAt,
			levels: results,
			curve,
			note: "Inside = the SaleGate's synchronous purchase (buyer lookup, transaction, outbox row) timed in groups of 100 inside local workerd; round trip = one purchase through a Worker route and RPC, including the commit, one at a time. The gate's outbox drains into a queue whose consumer only acknowledges.",
		};
	} finally {
		await client.close();
		await runtime.dispose();
	}
}
