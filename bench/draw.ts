import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { HttpClient } from "./http-client.ts";
import { clientAddress, sessionToken } from "./identity.ts";
import { latencyOf } from "./measure.ts";
import { applyMigrations, bundle, findWorkerdPid, SECRETS, workerFromConfig } from "./runtime.ts";
import { lanes } from "./rush.ts";
import type { BatchTiming } from "./workers/timed-groups.ts";

const ROOT = path.resolve(import.meta.dirname, "..");
const APP_CONFIG = path.join(ROOT, "wrangler.jsonc");
const BENCH_CONFIG = path.join(ROOT, "bench", "workers", "wrangler-draw.toml");
const TURNSTILE_TEST_TOKEN = "XXXX.DUMMY.TOKEN.XXXX";
const SALE = "draw-bench";
/** A first-come sale in the same object class: its purchase flow is the yardstick for the entry flow. */
const REFERENCE_SALE = "draw-bench-reference";
const SIZES = [
	{ id: "us-9", name: "US 9", totalStock: 300 },
	{ id: "us-10", name: "US 10", totalStock: 200 },
];
/** Entries per call while filling: each its own transaction, as live entries are. */
const FILL_BATCH = 10_000;
/** At each level: this many calls of PROBE_SIZE entries, timed inside the object. */
const PROBE_CALLS = 40;
const PROBE_SIZE = 100;

export interface DrawLevel {
	entrants: number;
	/** One entry inside the object (µs), in calls of 100: mean, p50, p99 over the calls. */
	insideMeanUs: number;
	insideP50Us: number;
	insideP99Us: number;
	/** Entries per second inside the object, from insideMeanUs. */
	insidePerSecond: number;
	/** Entries per second through the real flow (purchase token, then entry), and the entry call's latency (ms). */
	flowPerSecond: number;
	flowEntryP50Ms: number;
	flowEntryP99Ms: number;
	sqliteMiB: number;
	workerdRssMiB: number | null;
}

export interface DrawBenchResult {
	ok: boolean;
	failures: string[];
	startedAt: string;
	levels: DrawLevel[];
	/** The same flow for a purchase on a first-come sale, before the levels and after them (entries/s is read against it). */
	purchaseFlowPerSecond: [number, number];
	draw: {
		entrants: number;
		winners: number;
		/** Reading the list from storage and hashing its root, at endsAt (ms, inside the object). */
		freezeMs: number;
		/** The alarm's draw: reading the list again, shuffling, the winners' orders and the drawn order, committed (ms). */
		drawMs: number;
		/** Wall time of the draw call, commit included (ms). */
		drawWallMs: number;
		/** workerd's peak resident memory during freeze and draw, above what it held before (MiB). */
		peakRssAboveMiB: number | null;
		/** SHA-256 of 64 MiB in the same isolate just after (ms): the yardstick for this machine's speed now. */
		referenceMs: number;
	} | null;
	note: string;
}

/**
 * `--draw`: a draw sale (two sizes, 500 units, holds, the local beacon)
 * filled up to each level; at each, what an entry costs inside the object,
 * and how many entries a second the real flow (token, entry) takes; then at
 * the largest level, the freeze and the draw, with workerd's peak memory.
 */
export async function runDrawBench(
	levels: number[],
	options: { flow: number; concurrency: number },
	log: (line: string) => void,
): Promise<DrawBenchResult> {
	const startedAt = new Date().toISOString();
	const dir = await mkdtemp(path.join(os.tmpdir(), "doorbuster-draw-bench-"));
	const [appDir, benchDir] = await Promise.all([
		bundle(APP_CONFIG, path.join(dir, "bundle-app")),
		bundle(BENCH_CONFIG, path.join(dir, "bundle-bench")),
	]);
	const app = workerFromConfig(APP_CONFIG, "doorbuster", appDir);
	app.bindings = { ...app.bindings, ...SECRETS, DRAW_BEACON: "local", ALLOW_TEST_PROVIDERS: "1" };
	// Doorbuster's Worker reaches the bench's SaleGate subclass: the flow and the filling meet in one object.
	app.durableObjects = {
		SALE_GATE: { className: "DrawBenchGate", scriptName: "draw-bench", useSQLite: true },
	};
	const benchWorker = {
		...workerFromConfig(BENCH_CONFIG, "draw-bench", benchDir),
		routes: ["*/bench-draw/*"],
	};
	const mf = new Miniflare(
		convertV4MiniflareOptions({
			host: "127.0.0.1",
			port: 0,
			cf: false,
			logRequests: false,
			handleStructuredLogs: () => {},
			resourcePersistencePath: path.join(dir, "state"),
			workers: [app, benchWorker],
		}),
	);
	const failures: string[] = [];
	const client = new HttpClient((await mf.ready).origin, Math.max(1, options.concurrency));
	try {
		await applyMigrations(mf);
		const pid = await findWorkerdPid();
		const rssMiB = async () => (pid === null ? null : Math.round((await memoryOf(pid, "VmRSS")) / 2 ** 20));
		const bench = async <T>(pathAndQuery: string, body?: unknown): Promise<T> => {
			const { answer } = await client.send("POST", pathAndQuery, {}, body);
			if (answer.status !== 200)
				throw new Error(`${pathAndQuery}: ${answer.status} ${JSON.stringify(answer.body)}`);
			return answer.body as T;
		};
		const now = Date.now();
		await bench(`/bench-draw/configure?sale=${SALE}`, {
			name: "Draw bench",
			description: "",
			priceCents: 100,
			currency: "USD",
			totalStock: 500,
			variants: SIZES,
			startsAt: now - 1_000,
			endsAt: now + 86_400_000,
			maxPerUser: 1,
			holdSeconds: 600,
			mode: "draw",
		});
		await bench(`/bench-draw/configure?sale=${REFERENCE_SALE}`, {
			name: "Purchase yardstick",
			description: "",
			priceCents: 100,
			currency: "USD",
			totalStock: 100_000_000,
			startsAt: now - 1_000,
			endsAt: now + 86_400_000,
			maxPerUser: 1,
		});
		const purchaseFlow = async (round: number) => {
			const flow = await realFlow(client, REFERENCE_SALE, "purchase", round * 1_000_000, options, failures);
			log(
				`purchase flow (yardstick, round ${round}): ${flow.perSecond.toFixed(0)} purchases/s, p50 ${flow.p50.toFixed(1)} ms`,
			);
			return flow.perSecond;
		};
		const before = await purchaseFlow(1);
		const sizes = SIZES.map((size) => size.id).join(",");
		const enterMany = async (prefix: string, from: number, count: number) => {
			const timing = await bench<BatchTiming>(
				`/bench-draw/enter-many?sale=${SALE}&prefix=${prefix}&from=${from}&count=${count}&sizes=${sizes}`,
			);
			if (timing.created !== count)
				failures.push(`${prefix}${from}: ${timing.created} of ${count} entries created`);
			return timing;
		};
		const results: DrawLevel[] = [];
		let entrants = 0;
		for (const level of [...levels].sort((a, b) => a - b)) {
			while (entrants < level) {
				const count = Math.min(FILL_BATCH, level - entrants);
				await enterMany("fill-", entrants, count);
				entrants += count;
				if (Math.floor(entrants / 100_000) > Math.floor((entrants - count) / 100_000)) {
					log(`  ${entrants.toLocaleString("en-US")} entrants…`);
				}
			}
			const probes = new Float64Array(PROBE_CALLS);
			for (let i = 0; i < PROBE_CALLS; i++) {
				probes[i] = (await enterMany(`probe-${level}-`, i * PROBE_SIZE, PROBE_SIZE)).meanUs;
			}
			entrants += PROBE_CALLS * PROBE_SIZE;
			const flow = await realFlow(client, SALE, "entry", level, options, failures);
			entrants += options.flow;
			const inside = latencyOf(probes);
			const { storageBytes } = await bench<{ storageBytes: number }>(`/bench-draw/stats?sale=${SALE}`);
			const figures: DrawLevel = {
				entrants: level,
				insideMeanUs: inside.mean,
				insideP50Us: inside.p50,
				insideP99Us: inside.p99,
				insidePerSecond: Math.round(1_000_000 / inside.mean),
				flowPerSecond: flow.perSecond,
				flowEntryP50Ms: flow.p50,
				flowEntryP99Ms: flow.p99,
				sqliteMiB: Math.round(storageBytes / 2 ** 20),
				workerdRssMiB: await rssMiB(),
			};
			results.push(figures);
			log(
				`${level.toLocaleString("en-US")} entrants: ${figures.insideMeanUs.toFixed(1)} µs per entry inside (p99 of calls ${figures.insideP99Us.toFixed(0)} µs, ${figures.insidePerSecond.toLocaleString("en-US")}/s); real flow ${figures.flowPerSecond.toFixed(0)} entries/s, entry p50 ${figures.flowEntryP50Ms.toFixed(1)} ms, p99 ${figures.flowEntryP99Ms.toFixed(1)} ms; SQLite ${figures.sqliteMiB} MiB; workerd ${figures.workerdRssMiB} MiB`,
			);
		}

		const purchaseFlowPerSecond: [number, number] = [before, await purchaseFlow(2)];
		let draw: DrawBenchResult["draw"] = null;
		if (pid !== null) await writeFile(`/proc/${pid}/clear_refs`, "5").catch(() => undefined);
		const rssBefore = pid === null ? 0 : await memoryOf(pid, "VmRSS");
		const frozen = await bench<{ freezeMs: number; entrants: number }>(`/bench-draw/freeze?sale=${SALE}`);
		if (frozen.entrants !== entrants)
			failures.push(`frozen with ${frozen.entrants} entrants, not ${entrants}`);
		const drawStart = performance.now();
		const drawn = await bench<{ drawMs: number; status: string; winners: number }>(
			`/bench-draw/draw?sale=${SALE}`,
		);
		const drawWallMs = performance.now() - drawStart;
		const peak = pid === null ? null : await memoryOf(pid, "VmHWM");
		if (drawn.status !== "drawn") failures.push(`the draw is ${drawn.status} after the alarm`);
		const { ms: referenceMs } = await bench<{ ms: number }>(`/bench-draw/reference?sale=${SALE}`);
		draw = {
			entrants,
			winners: drawn.winners,
			freezeMs: frozen.freezeMs,
			drawMs: drawn.drawMs,
			drawWallMs,
			peakRssAboveMiB: peak === null ? null : Math.round(((peak - rssBefore) / 2 ** 20) * 10) / 10,
			referenceMs,
		};
		log(
			`draw of ${entrants.toLocaleString("en-US")} entrants: freeze ${frozen.freezeMs.toFixed(0)} ms, draw ${drawn.drawMs.toFixed(0)} ms inside (${drawWallMs.toFixed(0)} ms wall), ${drawn.winners} winners; workerd peak +${draw.peakRssAboveMiB} MiB; reference SHA-256 of 64 MiB ${referenceMs.toFixed(0)} ms (draw/reference ${(drawn.drawMs / referenceMs).toFixed(1)})`,
		);
		return {
			ok: failures.length === 0,
			failures,
			startedAt,
			levels: results,
			purchaseFlowPerSecond,
			draw,
			note: "Inside = SaleGate.enter (buyer lookup, commitment, insert, count), called 100 times per RPC inside local workerd, commit not included. Real flow = purchase token then entry through Doorbuster's Worker, with its commit, `concurrency` buyers at a time, measured at each level. The draw sale has two sizes, 500 units and holds (so the drawn order is stored too), with the local beacon; the bench moves its object's clock to endsAt instead of waiting.",
		};
	} finally {
		await client.close();
		await mf.dispose();
		await rm(dir, { recursive: true, force: true });
	}
}

/**
 * `flow` new buyers take a purchase token and then enter (or buy) through
 * the Worker, `concurrency` at a time: how many a second, and the latency of
 * the entry (or purchase) call.
 */
async function realFlow(
	client: HttpClient,
	saleId: string,
	call: "entry" | "purchase",
	level: number,
	options: { flow: number; concurrency: number },
	failures: string[],
): Promise<{ perSecond: number; p50: number; p99: number }> {
	const latencies = new Float64Array(options.flow);
	const started = performance.now();
	await lanes(options.flow, options.concurrency, async (i) => {
		const headers = {
			authorization: `Bearer ${sessionToken(`flow-${level}-${i}`, SECRETS.SESSION_SECRET)}`,
			"cf-connecting-ip": clientAddress(11, level + i),
		};
		const token = await client.send("POST", `/api/sales/${saleId}/purchase-token`, headers, {
			turnstileToken: TURNSTILE_TEST_TOKEN,
		});
		const { purchaseToken } = token.answer.body as { purchaseToken: string };
		const body =
			call === "entry" ? { purchaseToken, variantId: SIZES[i % SIZES.length]?.id } : { purchaseToken };
		const entry = await client.send("POST", `/api/sales/${saleId}/${call}`, headers, body);
		if (entry.answer.status !== 201) failures.push(`flow ${call} ${i} at ${level}: ${entry.answer.status}`);
		latencies[i] = entry.end - entry.start;
	});
	const seconds = (performance.now() - started) / 1000;
	const latency = latencyOf(latencies);
	return { perSecond: options.flow / seconds, p50: latency.p50, p99: latency.p99 };
}

async function memoryOf(pid: number, field: "VmRSS" | "VmHWM"): Promise<number> {
	const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "");
	return Number(status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, "m"))?.[1] ?? 0) * 1024;
}
