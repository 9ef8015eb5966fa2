import { mkdtemp, readFile } from "node:fs/promises";
import { SourceMap } from "node:module";
import os from "node:os";
import path from "node:path";
import { Admin } from "./admin.ts";
import { HttpClient } from "./http-client.ts";
import { freePort, Inspector } from "./inspector.ts";
import { Ledger } from "./ledger.ts";
import { median } from "./measure.ts";
import { loadReference, type ReferenceRoute } from "./references.ts";
import { type Layout, type Runtime, SECRETS, startRuntime } from "./runtime.ts";
import { type Meter, rush, type Shop, sleep, steadyPurchases } from "./rush.ts";
import { Samples } from "./samples.ts";

/** Each rung is measured this many times, interleaved with the others; the median is reported. */
const LADDER_ROUNDS = 3;

/** One rung of the ladder: a kind of request and what it costs workerd and the client. */
export interface Rung {
	name: string;
	/** "worker-only": every worker reached directly, without Doorbuster's Static Assets hop. */
	layout: Layout;
	requests: number;
	perSecond: number;
	/** workerd's CPU time per request, all isolates and threads, ms: the median of the rounds, and their range. */
	workerdCpuMs: number | null;
	workerdCpuMsRange: [number, number] | null;
	clientCpuMs: number;
}

/** Where the Doorbuster isolate's JavaScript time goes, as shares of its profile samples. */
export interface Shares {
	scenario: string;
	byModule: { module: string; share: number }[];
	byFunction: { where: string; share: number }[];
}

export interface Breakdown {
	startedAt: string;
	requests: number;
	concurrency: number;
	ladder: Rung[];
	shares: Shares[];
	note: string;
}

interface ProfileNode {
	id: number;
	callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}

interface CpuProfile {
	nodes: ProfileNode[];
	samples: number[];
	timeDeltas: number[];
}

/** Maps a bundle position back to `file:line function`, through the bundle's source map. */
function locate(map: SourceMap | null, frame: ProfileNode["callFrame"]): { where: string; module: string } {
	const name = frame.functionName || "(anonymous)";
	if (!frame.url) return { where: `${name} (native)`, module: "(native calls: Web APIs, SQL, bindings)" };
	const entry = map?.findEntry(frame.lineNumber, frame.columnNumber);
	const found = entry && "originalSource" in entry ? entry : null;
	const file = (found?.originalSource ?? frame.url).replace(/^.*?\/(node_modules\/|src\/)/, "$1");
	const parts = file.split("/");
	const module = file.startsWith("node_modules/")
		? parts.slice(0, parts[1]?.startsWith("@") ? 3 : 2).join("/")
		: file;
	return { where: `${file}:${(found?.originalLine ?? frame.lineNumber) + 1} ${name}`, module };
}

function shares(scenario: string, profile: CpuProfile, map: SourceMap | null): Shares {
	const byId = new Map(profile.nodes.map((node) => [node.id, node]));
	const functions = new Map<string, number>();
	const modules = new Map<string, number>();
	let total = 0;
	for (let i = 0; i < profile.samples.length; i++) {
		const node = byId.get(profile.samples[i] ?? -1);
		const delta = profile.timeDeltas[i + 1] ?? 0;
		const name = node?.callFrame.functionName;
		if (!node || name === "(idle)" || name === "(program)" || name === "(root)") continue;
		const { where, module } =
			name === "(garbage collector)" ? { where: name, module: name } : locate(map, node.callFrame);
		functions.set(where, (functions.get(where) ?? 0) + delta);
		modules.set(module, (modules.get(module) ?? 0) + delta);
		total += delta;
	}
	const top = (entries: Map<string, number>, limit: number) =>
		[...entries].sort((a, b) => b[1] - a[1]).slice(0, limit);
	return {
		scenario,
		byModule: top(modules, 15).map(([module, t]) => ({ module, share: t / Math.max(1, total) })),
		byFunction: top(functions, 25).map(([where, t]) => ({ where, share: t / Math.max(1, total) })),
	};
}

interface Scenarios {
	client: HttpClient;
	/** Prepares one kind of load and returns the part to measure. */
	scenarios: { name: string; prepare: () => Promise<() => Promise<void>> }[];
}

/** The kinds of request the breakdown compares, each prepared so only its own requests are measured. */
function scenariosFor(runtime: Runtime, requests: number, concurrency: number): Scenarios {
	const client = new HttpClient(runtime.origin, concurrency);
	const admin = new Admin(new HttpClient(runtime.origin, 4), SECRETS.ADMIN_TOKEN);
	const tag = Date.now().toString(36);
	let round = 0;
	const shop = (saleId: string, prefix: string, block: number): Shop => ({
		client,
		samples: new Samples(),
		ledger: new Ledger(),
		saleId,
		quantity: 1,
		sessionSecret: SECRETS.SESSION_SECRET,
		buyerPrefix: prefix,
		addressBlock: block,
	});
	const direct: Meter = (run) => run();
	const reference = (name: string, route: ReferenceRoute) => ({
		name,
		prepare: async () => {
			const load = { requests, concurrency, chunk: requests, sessionSecret: SECRETS.SESSION_SECRET };
			await loadReference(client, new Samples(), new Ledger(), route, {
				...load,
				requests: 2_000,
				chunk: 2_000,
			});
			return () => loadReference(client, new Samples(), new Ledger(), route, load);
		},
	});
	return {
		client,
		scenarios: [
			reference("bare Worker route", "ref-bare"),
			reference("bare route behind Static Assets (run_worker_first)", "ref-assets-bare"),
			reference("bare route + one rate-limit call", "ref-limit"),
			reference("minimal Durable Object (one SQLite write)", "ref-do"),
			{
				name: "Doorbuster: purchase token after sell-out",
				prepare: async () => {
					const closed = shop(`breakdown-soldout-${tag}-${++round}`, `o${round}-`, 21 + round);
					await admin.createSale(closed.saleId, { totalStock: 1, startsAt: Date.now() + 300, maxPerUser: 1 });
					await rush(closed, {
						buyers: 2_000,
						concurrency,
						startsAt: performance.now() + 300,
						sellable: 1,
						onSoldOut: () => {},
					});
					const late = { ...closed, buyerPrefix: `late${round}-` };
					return () =>
						rush(late, { buyers: requests, concurrency, startsAt: 0, sellable: 0, onSoldOut: () => {} });
				},
			},
			{
				name: "Doorbuster: live purchase (each takes a unit)",
				prepare: async () => {
					const live = shop(`breakdown-live-${tag}-${++round}`, `p${round}-`, 40 + round);
					await admin.createSale(live.saleId, {
						totalStock: requests + 2_000,
						startsAt: Date.now() + 300,
						maxPerUser: 1,
					});
					await sleep(400);
					await steadyPurchases(
						{ ...live, buyerPrefix: `warm${round}-` },
						2_000,
						concurrency,
						2_000,
						new Samples(),
						{
							tokens: direct,
							purchases: direct,
						},
					);
					// The tokens are fetched now; only the purchases are measured.
					let fetched: () => void = () => {};
					const tokensReady = new Promise<void>((resolve) => {
						fetched = resolve;
					});
					let go: () => void = () => {};
					const started = new Promise<void>((resolve) => {
						go = resolve;
					});
					const done = steadyPurchases(live, requests, concurrency, requests, new Samples(), {
						tokens: direct,
						purchases: async (run) => {
							fetched();
							await started;
							await run();
						},
					});
					await tokensReady;
					return async () => {
						go();
						await done;
					};
				},
			},
		],
	};
}

/**
 * `--breakdown`: where the time goes. First a ladder, without any inspector:
 * the workerd CPU time per request of a bare route, of the same route with
 * one rate-limit call, of a minimal Durable Object, and of Doorbuster's
 * sold-out answer and live purchase as deployed; then, with every worker
 * routed directly, of a bare route behind Static Assets and of Doorbuster
 * without that hop. The differences between rungs are what each layer costs. Then, with V8's sampling profiler on the
 * Doorbuster isolate only, the shares of its JavaScript time by module and
 * function, mapped back to the source.
 */
export async function runBreakdown(
	options: { requests: number; concurrency: number },
	log: (line: string) => void,
): Promise<Breakdown> {
	const startedAt = new Date().toISOString();
	const ladder: Rung[] = [];
	const rungs: { layout: Layout; names: string[] }[] = [
		{
			layout: "as-deployed",
			names: [
				"bare Worker route",
				"bare route + one rate-limit call",
				"minimal Durable Object (one SQLite write)",
				"Doorbuster: purchase token after sell-out",
				"Doorbuster: live purchase (each takes a unit)",
			],
		},
		{
			layout: "worker-only",
			names: [
				"bare Worker route",
				"bare route behind Static Assets (run_worker_first)",
				"Doorbuster: purchase token after sell-out",
				"Doorbuster: live purchase (each takes a unit)",
			],
		},
	];
	for (const { layout, names } of rungs) {
		const runtime = await startRuntime(await mkdtemp(path.join(os.tmpdir(), "doorbuster-ladder-")), {
			layout,
		});
		const { client, scenarios } = scenariosFor(runtime, options.requests, options.concurrency);
		const measured = new Map<string, { cpu: number[]; client: number[]; rate: number[] }>();
		try {
			// Rounds interleave the rungs, so a busy moment on the machine falls on all of them.
			for (let round = 0; round < LADDER_ROUNDS; round++) {
				for (const scenario of scenarios.filter((s) => names.includes(s.name))) {
					const run = await scenario.prepare();
					const cpuBefore = await runtime.workerdCpuMs();
					const clientBefore = process.cpuUsage();
					const started = performance.now();
					await run();
					const seconds = (performance.now() - started) / 1000;
					const cpuAfter = await runtime.workerdCpuMs();
					const { user, system } = process.cpuUsage(clientBefore);
					const entry = measured.get(scenario.name) ?? { cpu: [], client: [], rate: [] };
					measured.set(scenario.name, entry);
					if (cpuBefore !== null && cpuAfter !== null)
						entry.cpu.push((cpuAfter - cpuBefore) / options.requests);
					entry.client.push((user + system) / 1000 / options.requests);
					entry.rate.push(options.requests / seconds);
				}
			}
		} finally {
			await client.close();
			await runtime.dispose();
		}
		for (const [name, entry] of measured) {
			const rung: Rung = {
				name,
				layout,
				requests: options.requests,
				perSecond: median(entry.rate),
				workerdCpuMs: entry.cpu.length ? median(entry.cpu) : null,
				workerdCpuMsRange: entry.cpu.length ? [Math.min(...entry.cpu), Math.max(...entry.cpu)] : null,
				clientCpuMs: median(entry.client),
			};
			ladder.push(rung);
			log(
				`${rung.name} (${layout}): workerd ${rung.workerdCpuMs?.toFixed(3) ?? "?"} ms CPU/request (${rung.workerdCpuMsRange?.map((v) => v.toFixed(2)).join("–") ?? "?"}), client ${rung.clientCpuMs.toFixed(3)} ms, ${Math.round(rung.perSecond)} requests/s`,
			);
		}
	}

	const profiled: Shares[] = [];
	{
		const port = await freePort();
		const stateDir = await mkdtemp(path.join(os.tmpdir(), "doorbuster-profile-"));
		const runtime = await startRuntime(stateDir, { inspectorPort: port });
		const map = await readFile(path.join(stateDir, "bundle-app", "index.js.map"), "utf8")
			.then((text) => new SourceMap(JSON.parse(text)))
			.catch(() => null);
		const { client, scenarios } = scenariosFor(runtime, options.requests, options.concurrency);
		try {
			for (const scenario of scenarios.filter((s) => s.name.startsWith("Doorbuster"))) {
				const run = await scenario.prepare();
				const inspector = await Inspector.open(`ws://127.0.0.1:${port}/core:user:doorbuster`);
				await inspector.send("Profiler.enable");
				await inspector.send("Profiler.setSamplingInterval", { interval: 200 });
				await inspector.send("Profiler.start");
				await run();
				const { profile } = await inspector.send<{ profile: CpuProfile }>("Profiler.stop");
				inspector.close();
				const result = shares(scenario.name, profile, map);
				profiled.push(result);
				log(formatShares(result));
			}
		} finally {
			await client.close();
			await runtime.dispose();
		}
	}
	return {
		startedAt,
		requests: options.requests,
		concurrency: options.concurrency,
		ladder,
		shares: profiled,
		note: "The ladder is workerd's own CPU time (from /proc, all threads) divided by the requests, measured with no inspector attached, the median of three interleaved rounds (the range is shown); on a shared machine it still varies by some 20% from round to round. The shares come from V8's sampling profiler on the Doorbuster isolate, which counts wall time between samples: use them as proportions. Locally, Miniflare implements the rate-limit binding as a SQLite-backed Durable Object reached over HTTP, and the Static Assets router as two more workers in front of the app; on Cloudflare neither runs in the Worker's isolate. The Worker-only rungs reach Doorbuster without the Static Assets hop.",
	};
}

function formatShares(result: Shares): string {
	const pct = (share: number) => `${(share * 100).toFixed(1).padStart(5)}%`;
	return [
		`\n${result.scenario}: Doorbuster isolate's JavaScript time by module`,
		...result.byModule.map(({ module, share }) => `  ${pct(share)}  ${module}`),
		"  top functions (self time):",
		...result.byFunction.slice(0, 15).map(({ where, share }) => `  ${pct(share)}  ${where}`),
	].join("\n");
}
