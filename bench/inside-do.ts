import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { HttpClient } from "./http-client.ts";
import { freePort, Inspector } from "./inspector.ts";
import { type Latency, latencyOf } from "./measure.ts";
import { startRuntime } from "./runtime.ts";
import { sleep } from "./rush.ts";

/** Purchases per RPC call while filling the sale: one transaction each, for speed. */
const FILL_BATCH = 10_000;
/** At each level: this many calls of `PROBE_SIZE` purchases, each call its own small transaction. */
const PROBE_CALLS = 40;
const PROBE_SIZE = 100;
/** The purchases one probe makes. */
export const PROBE_PURCHASES = PROBE_CALLS * PROBE_SIZE;
/** Single purchases timed end to end at each level. */
const ROUND_TRIPS = 300;
/** How long the outbox may take to drain into the queue at each level. */
const DRAIN_TIMEOUT_MS = 300_000;

interface BatchTiming {
	count: number;
	created: number;
	meanUs: number;
	p50Us: number;
	p99Us: number;
	maxUs: number;
}

interface InsideStats {
	storageBytes: number;
	acknowledged: number;
}

export interface InsideLevel {
	buyers: number;
	/** Cost of one purchase inside the object, in calls of 100 (µs): mean, and p50/p99 over the calls. */
	insideMeanUs: number;
	insideP50Us: number;
	insideP99Us: number;
	/** Cost of one purchase inside the object while filling, in calls of 10,000 (µs). */
	fillMeanUs: number;
	/** One purchase through a Worker route, RPC, the object and its commit, timed by the client, one at a time (ms). */
	roundTripP50Ms: number;
	roundTripP99Ms: number;
	/** How long after the fill the outbox had sent every order to the queue (ms). */
	outboxDrainMs: number | null;
	workerdRssMiB: number | null;
	/** JavaScript heap in use by the isolate holding the object, after a full GC (MiB). */
	isolateHeapMiB: number;
	sqliteMiB: number;
}

export interface InsideResult {
	ok: boolean;
	failures: string[];
	startedAt: string;
	levels: InsideLevel[];
	/** `[buyers so far, mean µs per purchase in that fill call, workerd RSS MiB]` after every fill call. */
	curve: [number, number, number | null][];
	note: string;
}

/**
 * One sale of the reference worker's `InsideGate` (`/ref/inside/*`): with
 * `shards` above 1, its purchases go to shard `shard`, each by a buyer the
 * edge would send there.
 */
export class InsideSale {
	readonly #client: HttpClient;
	readonly #failures: string[];
	readonly #query: string;

	constructor(client: HttpClient, failures: string[], sale: string, on = { shards: 1, shard: 0 }) {
		this.#client = client;
		this.#failures = failures;
		this.#query = `sale=${sale}&shards=${on.shards}&shard=${on.shard}`;
	}

	async call<T>(route: string, query = ""): Promise<T> {
		const pathAndQuery = `/ref/inside/${route}?${this.#query}${query}`;
		const { answer } = await this.#client.send("POST", pathAndQuery, {});
		if (answer.status !== 200)
			throw new Error(`${pathAndQuery}: ${answer.status} ${JSON.stringify(answer.body)}`);
		return answer.body as T;
	}

	/** `count` purchases in one call, timed inside the object; a purchase not created is a failure. */
	async purchases(prefix: string, from: number, count: number): Promise<BatchTiming> {
		const timing = await this.call<BatchTiming>(
			"purchase-many",
			`&prefix=${prefix}&from=${from}&count=${count}`,
		);
		if (timing.created !== count)
			this.#failures.push(`${prefix}${from}: ${timing.created} of ${count} purchases created`);
		return timing;
	}

	/** How long until the reference worker's queue consumer has acknowledged `orders` orders in all (ms); null on timeout. */
	async outboxDrained(orders: number): Promise<number | null> {
		const started = performance.now();
		while (performance.now() - started < DRAIN_TIMEOUT_MS) {
			const { acknowledged } = await this.call<InsideStats>("stats");
			if (acknowledged >= orders) return performance.now() - started;
			await sleep(100);
		}
		return null;
	}

	/**
	 * What a purchase costs inside the object: `PROBE_CALLS` calls of
	 * `PROBE_SIZE` purchases, each purchase its own small transaction as
	 * live purchases are (µs per purchase, over the calls).
	 */
	async probe(prefix: string): Promise<Latency> {
		const means = new Float64Array(PROBE_CALLS);
		for (let i = 0; i < PROBE_CALLS; i++) {
			means[i] = (await this.purchases(prefix, i * PROBE_SIZE, PROBE_SIZE)).meanUs;
		}
		return latencyOf(means);
	}
}

/**
 * `--inside-do`: fills one SaleGate with distinct buyers up to each level
 * and, once its outbox has drained, reports what a purchase costs inside
 * the object (in small transactions, as live purchases are), what one costs
 * end to end, and how much memory workerd holds.
 */
export async function runInside(levels: number[], log: (line: string) => void): Promise<InsideResult> {
	const startedAt = new Date().toISOString();
	const port = await freePort();
	const runtime = await startRuntime(await mkdtemp(path.join(os.tmpdir(), "doorbuster-inside-")), {
		inspectorPort: port,
	});
	// Opened only between measurements, to read the heap after a full collection.
	const heapMiB = async () => {
		const inspector = await Inspector.open(`ws://127.0.0.1:${port}/core:user:bench-reference`);
		try {
			await inspector.send("HeapProfiler.collectGarbage");
			const { usedSize } = await inspector.send<{ usedSize: number }>("Runtime.getHeapUsage");
			return Math.round((usedSize / 2 ** 20) * 10) / 10;
		} finally {
			inspector.close();
		}
	};
	const client = new HttpClient(runtime.origin, 1);
	const failures: string[] = [];
	const sale = new InsideSale(client, failures, "inside");
	const rssMiB = async () => {
		const rss = await runtime.workerdRss();
		return rss === null ? null : Math.round(rss / 2 ** 20);
	};
	try {
		await sale.call("configure");
		const results: InsideLevel[] = [];
		const curve: InsideResult["curve"] = [];
		let buyers = 0;
		let fillMeanUs = 0;
		for (const level of [...levels].sort((a, b) => a - b)) {
			while (buyers < level) {
				const count = Math.min(FILL_BATCH, level - buyers);
				const timing = await sale.purchases("b", buyers, count);
				buyers += count;
				fillMeanUs = timing.meanUs;
				curve.push([buyers, timing.meanUs, await rssMiB()]);
				if (Math.floor(buyers / 100_000) > Math.floor((buyers - count) / 100_000)) {
					log(`  ${buyers.toLocaleString("en-US")} buyers…`);
				}
			}
			const outboxDrainMs = await sale.outboxDrained(buyers);
			if (outboxDrainMs === null) failures.push(`the outbox did not drain at ${level} buyers`);

			const inside = await sale.probe(`probe-${level}-`);
			const roundTrips = new Float64Array(ROUND_TRIPS);
			for (let i = 0; i < ROUND_TRIPS; i++) {
				const { answer, start, end } = await client.send(
					"POST",
					`/ref/inside/purchase?sale=inside&buyer=single-${level}-${i}`,
					{},
				);
				if (answer.status !== 200) failures.push(`single purchase at ${level}: ${answer.status}`);
				roundTrips[i] = end - start;
			}
			buyers += PROBE_PURCHASES + ROUND_TRIPS;
			const stats = await sale.call<InsideStats>("stats");
			const roundTrip = latencyOf(roundTrips);
			const figures: InsideLevel = {
				buyers: level,
				insideMeanUs: inside.mean,
				insideP50Us: inside.p50,
				insideP99Us: inside.p99,
				fillMeanUs,
				roundTripP50Ms: roundTrip.p50,
				roundTripP99Ms: roundTrip.p99,
				outboxDrainMs,
				workerdRssMiB: await rssMiB(),
				isolateHeapMiB: await heapMiB(),
				sqliteMiB: Math.round(stats.storageBytes / 2 ** 20),
			};
			results.push(figures);
			log(
				`${level.toLocaleString("en-US")} buyers: ${figures.insideMeanUs.toFixed(1)} µs per purchase inside (calls of ${PROBE_SIZE}; p99 ${figures.insideP99Us.toFixed(0)} µs; ${figures.fillMeanUs.toFixed(1)} µs in calls of ${FILL_BATCH}); round trip p50 ${figures.roundTripP50Ms.toFixed(2)} ms, p99 ${figures.roundTripP99Ms.toFixed(2)} ms; outbox drained ${outboxDrainMs === null ? "never" : `${Math.round(outboxDrainMs)} ms`} after the fill; isolate heap ${figures.isolateHeapMiB} MiB; workerd ${figures.workerdRssMiB} MiB; SQLite ${figures.sqliteMiB} MiB`,
			);
		}
		return {
			ok: failures.length === 0,
			failures,
			startedAt,
			levels: results,
			curve,
			note: `Inside = Doorbuster's SaleGate.purchase (buyer lookup, transaction, outbox row), called ${PROBE_SIZE} times per RPC and timed inside local workerd, after the outbox had drained; the commit that follows each call is not included. Round trip = one purchase through a Worker route and RPC, with its commit, one at a time. The gate's outbox drains into a queue whose consumer only acknowledges. Buyer ids are short and ascending; order ids are random UUIDs.`,
		};
	} finally {
		await client.close();
		await runtime.dispose();
	}
}
