// `npm run model`: the capacity model of one hot sale over K shard objects,
// from figures measured here and limits Cloudflare documents. Deterministic.
// The rush is modelled twice, for K = 1..64: as the edge calls the shards
// with no relays (a sale's default), and with M relay objects in front of
// each shard (a sale's `relays`, --relays), which batch its purchases.
//   npm run model -- --buyers 100000 --window-ms 1000 --stock 10000
//   npm run model -- --hold-us 52.5 --queue-ms 100 --seed 1 --relays 8
// Reads bench-results/inside-do.json (npm run bench -- --inside-do),
// bench-results/consumer.json (npm run bench:consumer) and
// bench-results/shards.json (npm run bench -- --shards 1,4,16,64) when
// present; writes bench-results/capacity-model.json.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { MAX_BATCH, type RushParams, type RushResult, simulateRush } from "./capacity-sim.ts";

/**
 * Limits Cloudflare documents, with where. Each is read as of 2026-11.
 * - Durable Objects: "An individual Object has a soft limit of 1,000
 *   requests per second"; past it an object queues requests, then answers
 *   `overloaded`. https://developers.cloudflare.com/durable-objects/platform/limits/
 * - Queues: 5,000 messages a second per queue, 128 KB a message, 100
 *   messages or 256 KB per sendBatch, 100 messages per consumer batch.
 *   https://developers.cloudflare.com/queues/platform/limits/
 * - D1: 100 bound parameters and 100 KB per statement, 2 MB per string; one
 *   database is one SQLite writer. https://developers.cloudflare.com/d1/platform/limits/
 */
const LIMITS = {
	objectRequestsPerSecond: 1_000,
	queueMessagesPerSecond: 5_000,
	consumerBatchMessages: 100,
};

/** Assumptions the documents leave open, each a flag. */
const DEFAULTS = {
	/** How long an object lets a request wait before answering `overloaded` (undocumented). */
	queueMs: 100,
	/** One way, edge to shard, and shard to coordinator (objects sit near their first caller). */
	edgeToShardMs: 10,
	shardToCoordinatorMs: 10,
	/** One way, relay to shard: as the other hops (objects sit near their first caller). */
	relayToShardMs: 10,
	/** Edge isolates a crowd spreads over. */
	edgeIsolates: 200,
	/** A D1 batch's round trip from a consumer in production, on top of the local write time (undocumented). */
	d1RoundTripMs: 30,
	/** The consumer's max_batch_timeout (wrangler.jsonc): a delivery waits up to this long to fill. */
	batchTimeoutMs: 1_000,
	/** Orders per pack the outbox makes of orders of this size (≈ 330 bytes as JSON, PACK_MAX_BYTES 50,000). */
	ordersPerPack: 150,
};

const { values } = parseArgs({
	options: {
		buyers: { type: "string", default: "100000" },
		"window-ms": { type: "string", default: "1000" },
		stock: { type: "string", default: "10000" },
		"hold-us": { type: "string" },
		"queue-ms": { type: "string", default: String(DEFAULTS.queueMs) },
		isolates: { type: "string", default: String(DEFAULTS.edgeIsolates) },
		skew: { type: "string", default: "0" },
		seed: { type: "string", default: "1" },
		/** Relays per shard, M, of the second rush table (a sale allows 0..8). */
		relays: { type: "string", default: "4" },
		"sold-units": { type: "string", default: "50000" },
		"sold-within-s": { type: "string", default: "5" },
		out: { type: "string", default: "bench-results" },
	},
});

const outDir = path.resolve(values.out);

async function readJson<T>(file: string): Promise<T | null> {
	try {
		return JSON.parse(await readFile(path.join(outDir, file), "utf8")) as T;
	} catch {
		return null;
	}
}

/** The measured per-purchase hold: the inside-the-object mean at the smallest level measured (µs). */
async function measuredHoldUs(): Promise<{ holdUs: number; source: string }> {
	if (values["hold-us"] !== undefined) return { holdUs: Number(values["hold-us"]), source: "--hold-us" };
	const inside = await readJson<{ levels: { buyers: number; insideMeanUs: number }[]; startedAt: string }>(
		"inside-do.json",
	);
	const level = inside?.levels[0];
	if (!level) return { holdUs: 52.5, source: "default (bench-results/inside-do.json missing)" };
	return {
		holdUs: level.insideMeanUs,
		source: `bench-results/inside-do.json, ${level.buyers.toLocaleString("en-US")} buyers, ${inside?.startedAt}`,
	};
}

interface ConsumerShape {
	shape: string;
	rowsPerSecond: number;
	msPerDelivery: number;
}

async function measuredConsumer(): Promise<{ shapes: ConsumerShape[]; source: string }> {
	const consumer = await readJson<{ shapes: ConsumerShape[]; startedAt: string; orders: number }>(
		"consumer.json",
	);
	if (!consumer) {
		return {
			shapes: [
				{ shape: "before-packs", rowsPerSecond: 4_583, msPerDelivery: 21.8 },
				{ shape: "packed", rowsPerSecond: 25_740, msPerDelivery: 582.8 },
			],
			source: "defaults (bench-results/consumer.json missing)",
		};
	}
	return { shapes: consumer.shapes, source: `bench-results/consumer.json, ${consumer.startedAt}` };
}

interface MeasuredCoordinator {
	shards: number;
	stock: number;
	/** Measured by `--shards`: in the rush, and in steady purchases of as many units as buyers. */
	rushPer1000: number | null;
	steadyPer1000: number | null;
	/** The model's figure at the same stock: one lease grant per chunk, reports not counted. */
	modelPer1000: number;
}

/** Coordinator requests per 1,000 purchases as `npm run bench -- --shards` measured them, beside the model's. */
async function measuredCoordinator(): Promise<{ rows: MeasuredCoordinator[]; source: string } | null> {
	const measured = await readJson<{
		startedAt: string;
		options: { stock: number; steadyBuyers: number };
		runs: {
			shards: number;
			rush: { coordinatorRequestsPer1000: number | null };
			steady: { coordinatorRequestsPer1000: number | null };
		}[];
	}>("shards.json");
	if (!measured) return null;
	const rows = measured.runs
		.filter((run) => run.shards > 1)
		.map((run) => ({
			shards: run.shards,
			stock: measured.options.stock,
			rushPer1000: run.rush.coordinatorRequestsPer1000,
			steadyPer1000: run.steady.coordinatorRequestsPer1000,
			modelPer1000: 1000 / leaseChunk(measured.options.stock, run.shards),
		}));
	return {
		rows,
		source: `bench-results/shards.json, ${measured.startedAt}; rush of ${measured.options.stock} units, steady of ${measured.options.steadyBuyers}`,
	};
}

/** Requests a second one object serves: the documented soft limit, or less if a purchase holds it longer. */
function objectRate(holdUs: number, limit = LIMITS.objectRequestsPerSecond): number {
	return Math.min(limit, 1e6 / holdUs);
}

/**
 * A sale's steady purchases a second at K shards: K objects at `rate`, less
 * what lease traffic takes from them (a grant per `chunk` purchases, served
 * by the shard), and at most what the coordinator can lease (its own rate ×
 * `chunk` units a request).
 */
function saleThroughput(shards: number, rate: number, chunk: number): number {
	const shardsAlone = (shards * rate) / (1 + 1 / chunk);
	return Math.min(shardsAlone, rate * chunk);
}

/** The lease size the model uses: half a shard's fair share, so about two more leases each. */
function leaseChunk(stock: number, shards: number): number {
	return Math.max(1, Math.ceil(stock / (2 * shards)));
}

function rushAt(shards: number, base: Omit<RushParams, "shards" | "leaseChunk" | "lowWater">): RushResult {
	const chunk = leaseChunk(base.stock, shards);
	return simulateRush({ ...base, shards, leaseChunk: chunk, lowWater: Math.ceil(chunk / 2) });
}

/**
 * How long `units` orders sold within `soldWithinS` take to reach the order
 * book: the queue carries them at its message limit × orders per message,
 * the one D1 writer at its measured rows a second (a delivery's local time
 * plus a production round trip), the slower of the two sets the pace, and
 * the last delivery waits up to the batch timeout.
 */
function orderBookLag(
	units: number,
	soldWithinS: number,
	ordersPerMessage: number,
	consumer: ConsumerShape,
): { queueSeconds: number; d1Seconds: number; reachedAfterS: number; d1RowsPerSecond: number } {
	const queueSeconds = units / (LIMITS.queueMessagesPerSecond * ordersPerMessage);
	const rowsPerDelivery = LIMITS.consumerBatchMessages * ordersPerMessage;
	const deliveryMs = (rowsPerDelivery / consumer.rowsPerSecond) * 1000 + DEFAULTS.d1RoundTripMs;
	const d1RowsPerSecond = (rowsPerDelivery / deliveryMs) * 1000;
	const d1Seconds = units / d1RowsPerSecond;
	const pace = Math.max(queueSeconds, d1Seconds, soldWithinS);
	return { queueSeconds, d1Seconds, reachedAfterS: pace + DEFAULTS.batchTimeoutMs / 1000, d1RowsPerSecond };
}

const fmt = (n: number, digits = 0) =>
	n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

const buyers = Number(values.buyers);
const windowMs = Number(values["window-ms"]);
const stock = Number(values.stock);
const queueMs = Number(values["queue-ms"]);
const { holdUs, source: holdSource } = await measuredHoldUs();
const rate = objectRate(holdUs);
const serviceMs = 1000 / rate;
const base = {
	buyers,
	windowMs,
	stock,
	serviceMs,
	// Resuming a purchase that waited for its lease is the purchase's own work, not a new request.
	resumeMs: holdUs / 1000,
	queueLimit: Math.max(1, Math.floor(queueMs / serviceMs)),
	edgeToShardMs: DEFAULTS.edgeToShardMs,
	shardToCoordinatorMs: DEFAULTS.shardToCoordinatorMs,
	edgeIsolates: Number(values.isolates),
	skew: Number(values.skew),
	seed: Number(values.seed),
};

console.log(`Capacity model of one sale (deterministic, seed ${base.seed})`);
console.log(
	`  hold per purchase ${fmt(holdUs, 1)} µs (${holdSource}) → ${fmt(1e6 / holdUs)} requests/s per object by CPU;`,
);
console.log(
	`  documented soft limit ${fmt(LIMITS.objectRequestsPerSecond)} requests/s per object → model rate ${fmt(rate)}/s (${fmt(serviceMs, 3)} ms a request)`,
);
console.log(
	`  an object answers overloaded once ${base.queueLimit} requests wait (${queueMs} ms, an assumption: --queue-ms)\n`,
);

const throughput = Array.from({ length: 64 }, (_, i) => {
	const k = i + 1;
	const chunk = leaseChunk(stock, k);
	return {
		shards: k,
		documented: Math.round(saleThroughput(k, rate, chunk)),
		measuredCpu: Math.round(saleThroughput(k, 1e6 / holdUs, chunk)),
		coordinatorPer1000: Math.round((1000 / chunk) * 10) / 10,
	};
});
console.log(
	"Sale throughput, purchases/s (documented = at the soft limit; CPU = at the measured hold alone)",
);
console.log("   K   documented          CPU   coordinator requests per 1,000 purchases");
for (const row of throughput) {
	if (row.shards <= 8 || row.shards % 8 === 0)
		console.log(
			`${String(row.shards).padStart(4)} ${fmt(row.documented).padStart(12)} ${fmt(row.measuredCpu).padStart(12)} ${fmt(row.coordinatorPer1000, 1).padStart(8)}`,
		);
}
const coordinator = await measuredCoordinator();
if (coordinator) {
	console.log(`Coordinator requests per 1,000 purchases, measured (${coordinator.source}):`);
	console.log(
		"   K    rush   steady   model at the rush's stock (lease grants only; measured adds figure reports)",
	);
	for (const row of coordinator.rows) {
		const cell = (value: number | null) => (value === null ? "–" : fmt(value, 1));
		console.log(
			`${String(row.shards).padStart(4)} ${cell(row.rushPer1000).padStart(7)} ${cell(row.steadyPer1000).padStart(8)} ${fmt(row.modelPer1000, 1).padStart(8)}`,
		);
	}
}
const at64 = throughput[63]?.documented ?? 0;
const throughputTarget = at64 >= 50_000;
console.log(
	`Target: ≥ 50,000 purchases/s with at most 64 shards: ${fmt(at64)}/s at K = 64 → ${throughputTarget ? "met" : "NOT met"}\n`,
);

console.log(
	`Rush: ${fmt(buyers)} buyers within ${fmt(windowMs)} ms for ${fmt(stock)} units, ${base.edgeIsolates} edge isolates${base.skew > 0 ? `, ${base.skew * 100}% on one shard` : ""}`,
);
console.log("   K   sell-out ms   p50 ms   p99 ms   overloaded   coordinator requests");
const rushes = Array.from({ length: 64 }, (_, i) => ({ shards: i + 1, result: rushAt(i + 1, base) }));
for (const { shards, result } of rushes) {
	if (shards <= 4 || shards % 8 === 0 || shards === 1)
		console.log(
			`${String(shards).padStart(4)} ${(result.sellOutMs === null ? "never" : fmt(result.sellOutMs)).padStart(13)} ${fmt(result.latency.p50).padStart(8)} ${fmt(result.latency.p99).padStart(8)} ${`${fmt((100 * result.answers.overloaded) / buyers, 2)}%`.padStart(12)} ${fmt(result.coordinatorRequests).padStart(12)}`,
		);
}
const passes = (result: RushResult) =>
	result.answers.overloaded === 0 && result.sellOutMs !== null && result.sellOutMs < windowMs;
const recommended = rushes.find(({ result }) => passes(result));
const best = rushes.reduce((a, b) => (b.result.answers.overloaded < a.result.answers.overloaded ? b : a));
const chosen = recommended ?? best;
console.log(
	recommended
		? `Recommended K = ${recommended.shards}: the fewest shards that sell out within the window with no overloaded answer`
		: `No K ≤ 64 sells out within the window with no overloaded answer; fewest overloaded at K = ${best.shards}`,
);
console.log(
	`  at K = ${chosen.shards}: sell-out ${chosen.result.sellOutMs === null ? "never" : `${fmt(chosen.result.sellOutMs)} ms`}, p50 ${fmt(chosen.result.latency.p50)} ms, p99 ${fmt(chosen.result.latency.p99)} ms, overloaded ${fmt((100 * chosen.result.answers.overloaded) / buyers, 2)}%, ${fmt(chosen.result.edgeAnswers)} answered by the edge`,
);

// What it would take at K = 64: the shortest queue allowance with no overloaded answer.
let neededQueueMs: number | null = null;
for (let ms = 25; ms <= 2_000; ms += 25) {
	const result = rushAt(64, { ...base, queueLimit: Math.max(1, Math.floor(ms / serviceMs)) });
	if (result.answers.overloaded === 0) {
		neededQueueMs = ms;
		break;
	}
}
console.log(
	`  at K = 64 no buyer is answered overloaded if objects let requests wait ${neededQueueMs === null ? "> 2,000" : fmt(neededQueueMs)} ms`,
);
// And the crowd it takes at K = 64 as it is: the shortest arrival window with no overloaded answer.
let neededWindowMs: number | null = null;
for (let ms = windowMs; ms <= 20 * windowMs; ms += windowMs / 10) {
	if (rushAt(64, { ...base, windowMs: ms }).answers.overloaded === 0) {
		neededWindowMs = ms;
		break;
	}
}
console.log(
	`  at K = 64 and ${queueMs} ms of queueing, no buyer is answered overloaded if the ${fmt(buyers)} arrive over ${neededWindowMs === null ? `more than ${fmt(20 * windowMs)}` : fmt(neededWindowMs)} ms${neededWindowMs === null ? "" : ` (${fmt((buyers * 1000) / neededWindowMs)} buyers/s)`}`,
);
const cpuBound = rushAt(16, {
	...base,
	serviceMs: holdUs / 1000,
	queueLimit: Math.floor(queueMs / (holdUs / 1000)),
});
console.log(
	`  at the measured hold alone (no soft limit), K = 16: sell-out ${cpuBound.sellOutMs === null ? "never" : `${fmt(cpuBound.sellOutMs)} ms`}, p99 ${fmt(cpuBound.latency.p99)} ms, overloaded ${fmt((100 * cpuBound.answers.overloaded) / buyers, 2)}%`,
);

// The same crowd through M relays per shard: a shard then serves at most M
// calls at a time, but each relay is an object under the same limit.
const relaysPerShard = Number(values.relays);
if (!Number.isInteger(relaysPerShard) || relaysPerShard < 1 || relaysPerShard > 8) {
	throw new Error(`--relays ${values.relays}: a sale has 1 to 8 relays per shard (0 is the table above)`);
}
const relayed = { ...base, relays: relaysPerShard, relayToShardMs: DEFAULTS.relayToShardMs };
console.log(
	`\nRush with ${relaysPerShard} relays per shard (relay to shard ${relayed.relayToShardMs} ms one way, assumed as the other hops; up to ${MAX_BATCH} purchases a call)`,
);
console.log(
	"   K   sell-out ms   p50 ms   p99 ms   overloaded   coordinator requests   relay requests   mean batch",
);
const relayedRushes = Array.from({ length: 64 }, (_, i) => ({
	shards: i + 1,
	result: rushAt(i + 1, relayed),
}));
for (const { shards, result } of relayedRushes) {
	if (shards <= 4 || shards % 8 === 0)
		console.log(
			`${String(shards).padStart(4)} ${(result.sellOutMs === null ? "never" : fmt(result.sellOutMs)).padStart(13)} ${fmt(result.latency.p50).padStart(8)} ${fmt(result.latency.p99).padStart(8)} ${`${fmt((100 * result.answers.overloaded) / buyers, 2)}%`.padStart(12)} ${fmt(result.coordinatorRequests).padStart(12)} ${fmt(result.relayRequests).padStart(22)} ${(result.meanBatch === null ? "–" : fmt(result.meanBatch, 1)).padStart(12)}`,
		);
}
// A relay is an object under the same limit: the recommendation also keeps
// the crowd's rate over K × M relays within it, so it does not rest on the
// rush ending before the relays' queues fill.
const offeredPerRelay = (shards: number) => (buyers * 1000) / windowMs / (shards * relaysPerShard);
const fewestRelayed = relayedRushes.find(({ result }) => passes(result));
const recommendedRelayed = relayedRushes.find(
	({ shards, result }) => passes(result) && offeredPerRelay(shards) <= LIMITS.objectRequestsPerSecond,
);
const bestRelayed = relayedRushes.reduce((a, b) =>
	b.result.answers.overloaded < a.result.answers.overloaded ? b : a,
);
const chosenRelayed = recommendedRelayed ?? bestRelayed;
console.log(
	recommendedRelayed
		? `Recommended K with ${relaysPerShard} relays per shard = ${recommendedRelayed.shards}: the fewest shards that sell out within the window with no overloaded answer, each relay offered at most the per-object limit`
		: `No K ≤ 64 with ${relaysPerShard} relays per shard sells out within the window with no overloaded answer; fewest overloaded at K = ${bestRelayed.shards}`,
);
const withRelays = chosenRelayed.result;
console.log(
	`  at K = ${chosenRelayed.shards}: sell-out ${withRelays.sellOutMs === null ? "never" : `${fmt(withRelays.sellOutMs)} ms`}, p50 ${fmt(withRelays.latency.p50)} ms, p99 ${fmt(withRelays.latency.p99)} ms, overloaded ${fmt((100 * withRelays.answers.overloaded) / buyers, 2)}%, ${fmt(withRelays.edgeAnswers)} answered by the edge, ${fmt(withRelays.meanBatch ?? 0, 1)} purchases a relay call`,
);
// Until the edge learns the sell-out, every buyer reaches a relay: the crowd's rate over K × M relays.
console.log(
	`  each of its ${fmt(chosenRelayed.shards * relaysPerShard)} relays takes about ${fmt(buyers)} / (${chosenRelayed.shards} × ${relaysPerShard}) = ${fmt(offeredPerRelay(chosenRelayed.shards))} requests/s while buyers arrive, against the limit of ${fmt(LIMITS.objectRequestsPerSecond)}/s`,
);
if (fewestRelayed && fewestRelayed !== recommendedRelayed)
	console.log(
		`  K = ${fewestRelayed.shards} already passes in the simulation, its relays offered ${fmt(offeredPerRelay(fewestRelayed.shards))}/s each: their queues carry the excess only because the rush is short`,
	);
const rushTarget = recommended !== undefined || recommendedRelayed !== undefined;
const rushTargetBy = [
	recommended ? `without relays at K = ${recommended.shards}` : "NOT without relays",
	recommendedRelayed
		? `with ${relaysPerShard} relays per shard at K = ${recommendedRelayed.shards}`
		: `NOT with ${relaysPerShard} relays per shard`,
].join("; ");
console.log(
	`Target: sell out within the window with no overloaded answer at a recommended K, with or without relays → ${rushTarget ? "met" : "NOT met"} (${rushTargetBy})\n`,
);

const { shapes, source: consumerSource } = await measuredConsumer();
const soldUnits = Number(values["sold-units"]);
const soldWithinS = Number(values["sold-within-s"]);
console.log(
	`Order pipeline: ${fmt(soldUnits)} units sold within ${soldWithinS} s (consumer figures: ${consumerSource})`,
);
console.log(
	`  queue ${fmt(LIMITS.queueMessagesPerSecond)} messages/s; D1 round trip ${DEFAULTS.d1RoundTripMs} ms a batch (assumed)`,
);
const pipeline = shapes
	.filter((shape) => shape.shape !== "lone")
	.map((shape) => {
		const perMessage = shape.shape === "packed" ? DEFAULTS.ordersPerPack : 1;
		const lag = orderBookLag(soldUnits, soldWithinS, perMessage, shape);
		const offered = soldUnits / perMessage / soldWithinS;
		console.log(
			`  ${shape.shape.padEnd(12)} ${perMessage} order(s)/message: queue needs ${fmt(lag.queueSeconds, 1)} s (${fmt(offered)} messages/s offered${offered > LIMITS.queueMessagesPerSecond ? ", over the limit: sends are refused and back off" : ""}), D1 ${fmt(lag.d1RowsPerSecond)} rows/s → ${fmt(lag.d1Seconds, 1)} s; in the order book after ≈ ${fmt(lag.reachedAfterS, 1)} s`,
		);
		return { ...shape, perMessage, offeredMessagesPerSecond: offered, ...lag };
	});
const packed = pipeline.find((shape) => shape.shape === "packed");
const pipelineTarget =
	packed !== undefined &&
	packed.reachedAfterS <= 30 &&
	packed.offeredMessagesPerSecond <= LIMITS.queueMessagesPerSecond;
console.log(
	`Target: ${fmt(soldUnits)} units sold within ${soldWithinS} s reach the order book within 30 s with packs → ${pipelineTarget ? "met" : "NOT met"}`,
);

await mkdir(outDir, { recursive: true });
await writeFile(
	path.join(outDir, "capacity-model.json"),
	`${JSON.stringify(
		{
			inputs: {
				holdUs,
				holdSource,
				rate,
				queueMs,
				...base,
				consumerSource,
				limits: LIMITS,
				defaults: DEFAULTS,
			},
			throughput,
			measuredCoordinator: coordinator,
			rush: rushes.map(({ shards, result }) => ({ shards, ...result })),
			recommendedShards: recommended?.shards ?? null,
			relaysPerShard,
			rushWithRelays: relayedRushes.map(({ shards, result }) => ({ shards, ...result })),
			recommendedShardsWithRelays: recommendedRelayed?.shards ?? null,
			fewestShardsPassingWithRelays: fewestRelayed?.shards ?? null,
			neededQueueMsAt64: neededQueueMs,
			neededWindowMsAt64: neededWindowMs,
			pipeline,
			targets: { throughput: throughputTarget, rush: rushTarget, pipeline: pipelineTarget },
		},
		null,
		"\t",
	)}\n`,
);
console.log(`\nWrote ${path.join(outDir, "capacity-model.json")}.`);
