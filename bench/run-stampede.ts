import { mkdtemp, readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Admin, type SaleStats, type ShardFigures } from "./admin.ts";
import { HttpClient } from "./http-client.ts";
import { Ledger } from "./ledger.ts";
import {
	figuresOf,
	type Histogram,
	histogramOf,
	type Series,
	seriesOf,
	spanOf,
	type Window,
	type WindowFigures,
} from "./measure.ts";
import { loadReference } from "./references.ts";
import { type Layout, type Runtime, SECRETS, startRuntime, type WorkerLogs } from "./runtime.ts";
import { demandOf, type Meter, rush, type Shop, sleep, steadyPurchases } from "./rush.ts";
import { Samples } from "./samples.ts";

export interface StampedeOptions {
	buyers: number;
	stock: number;
	concurrency: number;
	quantity: number;
	/** Buyers in the steady-purchase measurement; default min(buyers, 10,000). */
	steadyBuyers?: number;
	/** Requests per reference measurement; default the number of steady buyers. */
	referenceRequests?: number;
	/** Steady purchases and references run in pieces this large; default 5 × concurrency. */
	chunk?: number;
	/** How long before the start the first buyers arrive, ms. */
	earlyMs?: number;
	/** How long to wait for the order book to catch up, ms. */
	drainTimeoutMs?: number;
	/**
	 * How requests reach Doorbuster. "worker-only" (the default) routes them
	 * straight to its Worker, as the references are, so the ratios compare
	 * like with like; "as-deployed" puts Miniflare's Static Assets router in
	 * front, which costs every Worker with assets the same (see --breakdown).
	 */
	layout?: Layout;
	/** Shard objects each measured sale runs on (API.md "Shards in this repository"); default 1. */
	shards?: number;
	/** Relay objects in front of each shard (API.md "Relays"); default 0. */
	relays?: number;
	log?: (line: string) => void;
}

export type Settings = Required<Omit<StampedeOptions, "log">>;

export interface Ratio {
	value: number;
	target: number;
	/** True when the value is on the right side of the target. */
	met: boolean;
	numerator: string;
	denominator: string;
}

export interface SaleCheck {
	saleId: string;
	expectedUnits: number;
	soldUnits: number;
	confirmedUnits: number;
	orders: number;
	orderBookRows: number;
	/** From the last 201 to the order book holding every order, ms; null if it never did. */
	orderBookCatchUpMs: number | null;
	/** With shards: each shard's figures and the coordinator's calls served, as admin stats gave them at the check. */
	shards?: ShardFigures[];
	coordinatorRequests?: number;
}

export interface StampedeResult {
	ok: boolean;
	failures: { message: string; count: number }[];
	startedAt: string;
	options: Settings;
	machine: {
		cpus: number;
		cpuModel: string;
		memoryGiB: number;
		node: string;
		platform: string;
		workerd: string;
		loadAverageBefore: number[];
		loadAverageAfter: number[];
		note: string;
	};
	rush: SaleCheck & {
		demandUnits: number;
		/** From the start to the last unit confirmed, ms; null if it never sold out. */
		sellOutMs: number | null;
		phases: WindowFigures[];
		series: Series;
		/** `[ms since start, units remaining]`, from the stock and every 201. */
		remaining: [number, number][];
		histograms: Record<string, Histogram>;
	};
	steady: SaleCheck & {
		tokens: WindowFigures;
		purchases: WindowFigures;
		histogram: Histogram;
	};
	references: {
		bare: WindowFigures[];
		durableObject: WindowFigures[];
		/** One rate-limit call, then the minimal Durable Object: the floor under any rate-limited purchase. */
		rateLimitedDurableObject: WindowFigures[];
		histograms: Record<string, Histogram>;
	};
	ratios: {
		livePurchaseVsDurableObject: Ratio;
		soldOutVsBareRoute: Ratio;
		liveP99VsDurableObjectP99: Ratio;
	};
	/** Not a target: how close live purchases come to the least a rate-limited purchase can cost here. */
	context: { livePurchaseVsRateLimitedDurableObject: Ratio };
	memory: { workerdRssMiB: Record<string, number | null>; clientRssMiB: number };
	/** Log lines of both workers over the whole run, by level and event. */
	workerLogs: WorkerLogs;
}

/** Shard reports reach the coordinator about 250 ms after a change (API.md "Shards in this repository"). */
const SHARD_REPORTS_SETTLE_MS = 1_000;

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
const mib = (bytes: number | null) => (bytes === null ? null : Math.round(bytes / 2 ** 20));

export function ratio(
	numerator: number,
	denominator: number,
	target: number,
	higherIsBetter: boolean,
	labels: [string, string],
): Ratio {
	const value = denominator > 0 ? numerator / denominator : 0;
	return {
		value,
		target,
		met: higherIsBetter ? value >= target : value <= target,
		numerator: labels[0],
		denominator: labels[1],
	};
}

async function workerdVersion(): Promise<string> {
	const lock = JSON.parse(
		await readFile(path.join(import.meta.dirname, "..", "package-lock.json"), "utf8"),
	) as {
		packages: Record<string, { version?: string }>;
	};
	return lock.packages["node_modules/workerd"]?.version ?? "unknown";
}

interface CpuReading {
	at: number;
	workerdMs: number | null;
	clientMs: number;
}

/** Wall time and CPU time (workerd's and the load generator's) over the pieces of load it wraps. */
class Account {
	activeMs = 0;
	workerdMs: number | null = 0;
	clientMs = 0;
	readonly #runtime: Runtime;

	constructor(runtime: Runtime) {
		this.#runtime = runtime;
	}

	async read(): Promise<CpuReading> {
		const { user, system } = process.cpuUsage();
		return {
			at: performance.now(),
			workerdMs: await this.#runtime.workerdCpuMs(),
			clientMs: (user + system) / 1000,
		};
	}

	add(from: CpuReading, to: CpuReading): void {
		this.activeMs += to.at - from.at;
		this.clientMs += to.clientMs - from.clientMs;
		this.workerdMs =
			this.workerdMs === null || from.workerdMs === null || to.workerdMs === null
				? null
				: this.workerdMs + to.workerdMs - from.workerdMs;
	}

	readonly meter: Meter = async (run) => {
		const from = await this.read();
		await run();
		this.add(from, await this.read());
	};

	/** Figures of everything in `samples`, per second of active time, with CPU per request. */
	figures(samples: Samples, name: string): WindowFigures {
		const span = spanOf(samples, name);
		return withCpu(figuresOf(samples, span, span.from, this.activeMs), this.workerdMs, this.clientMs);
	}
}

function withCpu(figures: WindowFigures, workerdMs: number | null, clientMs: number): WindowFigures {
	const n = Math.max(1, figures.requests);
	return {
		...figures,
		cpuPerRequest: { workerdMs: workerdMs === null ? null : workerdMs / n, clientMs: clientMs / n },
	};
}

/** The options of a run with every default filled in. */
export function settingsOf(input: StampedeOptions): Settings {
	const steadyBuyers = input.steadyBuyers ?? Math.min(input.buyers, 10_000);
	return {
		buyers: input.buyers,
		stock: input.stock,
		concurrency: input.concurrency,
		quantity: input.quantity,
		steadyBuyers,
		referenceRequests: input.referenceRequests ?? steadyBuyers,
		chunk: input.chunk ?? 5 * input.concurrency,
		earlyMs: input.earlyMs ?? 1_000,
		drainTimeoutMs: input.drainTimeoutMs ?? 120_000,
		layout: input.layout ?? "worker-only",
		shards: input.shards ?? 1,
		relays: input.relays ?? 0,
	};
}

/** The machine a run measured on; call at the end of the run, with the load average taken at its start. */
export async function machineOf(loadAverageBefore: number[]): Promise<StampedeResult["machine"]> {
	return {
		cpus: os.cpus().length,
		cpuModel: os.cpus()[0]?.model ?? "unknown",
		memoryGiB: Math.round(os.totalmem() / 2 ** 30),
		node: process.version,
		platform: `${os.type()} ${os.release()} ${os.arch()}`,
		workerd: await workerdVersion(),
		loadAverageBefore,
		loadAverageAfter: os.loadavg(),
		note: `The load generator (Node.js, undici) and workerd share the same ${os.cpus().length} CPU cores, so every throughput here is bounded by both; the ratios compare loads measured the same way, and the CPU time per request is each side's own cost.`,
	};
}

/**
 * The benchmark's side of a run in local workerd: the runtime, a client
 * holding `concurrency` connections, the admin API, and a shop per sale,
 * each with a ledger of its own so units and orders never mix.
 */
export class Bench {
	readonly ledgers: Ledger[] = [];
	readonly runtime: Runtime;
	readonly settings: Settings;
	readonly client: HttpClient;
	readonly admin: Admin;

	constructor(runtime: Runtime, settings: Settings) {
		this.runtime = runtime;
		this.settings = settings;
		this.client = new HttpClient(runtime.origin, settings.concurrency);
		this.admin = new Admin(new HttpClient(runtime.origin, 4), SECRETS.ADMIN_TOKEN);
	}

	static async start(settings: Settings): Promise<Bench> {
		const runtime = await startRuntime(await mkdtemp(path.join(os.tmpdir(), "doorbuster-bench-")), {
			layout: settings.layout,
		});
		return new Bench(runtime, settings);
	}

	newLedger(): Ledger {
		const ledger = new Ledger();
		this.ledgers.push(ledger);
		return ledger;
	}

	shop(saleId: string, buyerPrefix: string, addressBlock: number): Shop {
		return {
			client: this.client,
			samples: new Samples(),
			ledger: this.newLedger(),
			saleId,
			quantity: this.settings.quantity,
			sessionSecret: SECRETS.SESSION_SECRET,
			buyerPrefix,
			addressBlock,
		};
	}

	/** Every ledger's failures, replays checked, pooled by message. */
	failures(): { message: string; count: number }[] {
		const failures = new Map<string, number>();
		for (const ledger of this.ledgers) {
			ledger.checkReplays();
			for (const [message, count] of ledger.failures)
				failures.set(message, (failures.get(message) ?? 0) + count);
		}
		return [...failures].map(([message, count]) => ({ message, count }));
	}

	async dispose(): Promise<void> {
		await this.client.close();
		await this.runtime.dispose();
	}
}

/**
 * One full run: start the Worker and the references in local workerd, warm
 * up, measure the references, run the stampede, measure steady purchases,
 * measure the references again, then check every sale against its order book.
 */
export async function runStampede(input: StampedeOptions): Promise<StampedeResult> {
	const settings = settingsOf(input);
	const steadyBuyers = settings.steadyBuyers;
	const log = input.log ?? (() => {});
	const startedAt = new Date().toISOString();
	const loadAverageBefore = os.loadavg();
	const tag = Date.now().toString(36);
	const memory: Record<string, number | null> = {};

	log("Bundling Doorbuster and the reference worker, starting workerd…");
	const bench = await Bench.start(settings);
	const { runtime, client, admin } = bench;
	try {
		memory.start = mib(await runtime.workerdRss());
		log("Warming up…");
		await warmUp(admin, bench.shop(`warmup-${tag}`, "w", 13), settings);

		const refLedger = bench.newLedger();
		const references = {
			bare: [] as WindowFigures[],
			durableObject: [] as WindowFigures[],
			rateLimitedDurableObject: [] as WindowFigures[],
		};
		const kept = {
			"ref-bare": "bare",
			"ref-do": "durableObject",
			"ref-do-limit": "rateLimitedDurableObject",
		} as const;
		const pooled = { "ref-bare": new Samples(), "ref-do": new Samples(), "ref-do-limit": new Samples() };
		const measureReferences = async (round: number) => {
			for (const route of ["ref-bare", "ref-do", "ref-do-limit"] as const) {
				log(`Reference ${route}, round ${round}: ${settings.referenceRequests} requests…`);
				const samples = new Samples();
				const account = new Account(runtime);
				await loadReference(client, samples, refLedger, route, {
					requests: settings.referenceRequests,
					concurrency: settings.concurrency,
					chunk: settings.chunk,
					sessionSecret: SECRETS.SESSION_SECRET,
					meter: account.meter,
				});
				references[kept[route]].push(account.figures(samples, `${route} #${round}`));
				for (let i = 0; i < samples.size; i++) {
					pooled[route].add(route, samples.outcome(i), samples.start(i), samples.end(i));
				}
			}
		};
		await measureReferences(1);
		memory.afterReferences = mib(await runtime.workerdRss());

		log(`Stampede: ${settings.buyers} buyers, ${settings.stock} units, ${settings.concurrency} connections…`);
		const rushResult = await runRush(runtime, admin, bench.shop(`rush-${tag}`, "b", 10), settings, log);
		memory.afterRush = mib(await runtime.workerdRss());

		log(`Steady purchases: ${steadyBuyers} buyers, every one buys…`);
		const steadyResult = await runSteady(runtime, admin, bench.shop(`steady-${tag}`, "s", 11), settings, log);
		memory.afterSteady = mib(await runtime.workerdRss());

		await measureReferences(2);
		memory.end = mib(await runtime.workerdRss());

		const refBarePerSecond = mean(references.bare.map((f) => f.perSecond));
		const refDoPerSecond = mean(references.durableObject.map((f) => f.perSecond));
		const refDoLimitPerSecond = mean(references.rateLimitedDurableObject.map((f) => f.perSecond));
		const refDoP99 = mean(references.durableObject.map((f) => f.endpoints["ref-do"]?.latencyMs.p99 ?? 0));
		const afterSellOut = rushResult.phases.find((phase) => phase.name === "after sell-out");
		const steadyPurchase = steadyResult.purchases.endpoints.purchase;

		const failures = bench.failures();
		return {
			ok: failures.length === 0,
			failures,
			startedAt,
			options: settings,
			machine: await machineOf(loadAverageBefore),
			rush: rushResult,
			steady: steadyResult,
			references: {
				...references,
				histograms: {
					"ref-bare": histogramOf(pooled["ref-bare"], spanOf(pooled["ref-bare"], "bare"), "ref-bare"),
					"ref-do": histogramOf(pooled["ref-do"], spanOf(pooled["ref-do"], "do"), "ref-do"),
					"ref-do-limit": histogramOf(
						pooled["ref-do-limit"],
						spanOf(pooled["ref-do-limit"], "do-limit"),
						"ref-do-limit",
					),
				},
			},
			ratios: {
				livePurchaseVsDurableObject: ratio(steadyPurchase?.perSecond ?? 0, refDoPerSecond, 0.8, true, [
					"steady live purchases/s",
					"minimal Durable Object requests/s",
				]),
				soldOutVsBareRoute: ratio(afterSellOut?.perSecond ?? 0, refBarePerSecond, 0.9, true, [
					"answers/s after sell-out",
					"bare Worker route requests/s",
				]),
				liveP99VsDurableObjectP99: ratio(steadyPurchase?.latencyMs.p99 ?? 0, refDoP99, 2, false, [
					"steady live purchase p99",
					"minimal Durable Object p99",
				]),
			},
			context: {
				livePurchaseVsRateLimitedDurableObject: ratio(
					steadyPurchase?.perSecond ?? 0,
					refDoLimitPerSecond,
					0.9,
					true,
					["steady live purchases/s", "one rate-limit call + minimal Durable Object requests/s"],
				),
			},
			memory: { workerdRssMiB: memory, clientRssMiB: Math.round(process.memoryUsage().rss / 2 ** 20) },
			workerLogs: runtime.logs,
		};
	} finally {
		await bench.dispose();
	}
}

/** A short rush of its own, so the JIT has seen every path before anything is measured. */
export async function warmUp(admin: Admin, shop: Shop, settings: Settings): Promise<void> {
	const startsAt = Date.now() + 300;
	await admin.createSale(shop.saleId, { totalStock: 50, startsAt, maxPerUser: shop.quantity });
	const buyers = Math.min(1_000, settings.buyers);
	await rush(shop, {
		buyers,
		concurrency: Math.min(settings.concurrency, 200),
		startsAt: startsAt - performance.timeOrigin,
		sellable: Math.min(50 - (50 % shop.quantity), demandOf(buyers, shop.quantity)),
		onSoldOut: () => {},
	});
	const requests = Math.min(2_000, settings.referenceRequests);
	for (const route of ["ref-bare", "ref-do"] as const) {
		await loadReference(shop.client, new Samples(), shop.ledger, route, {
			requests,
			concurrency: settings.concurrency,
			chunk: requests,
			sessionSecret: shop.sessionSecret,
		});
	}
}

/** How many purchases were sent after a `sold_out` answer had arrived and still took a unit. */
function soldAfterSoldOut(samples: Samples): number {
	let firstSoldOut = Number.POSITIVE_INFINITY;
	for (let i = 0; i < samples.size; i++) {
		if (samples.outcome(i) === "409 sold_out") firstSoldOut = Math.min(firstSoldOut, samples.end(i));
	}
	let sold = 0;
	for (let i = 0; i < samples.size; i++) {
		if (samples.endpoint(i) === "purchase" && samples.outcome(i) === "201" && samples.start(i) > firstSoldOut)
			sold++;
	}
	return sold;
}

/**
 * Checks one sale's authoritative figures and its order book against what
 * the buyers were told; with shards, also that the shards' figures add up
 * to the sale's.
 */
async function checkSale(
	admin: Admin,
	shop: Shop,
	expectedUnits: number,
	caughtUpAt: number | null,
	shards: number,
): Promise<SaleCheck> {
	// The sale's figures are summed from its shards' reports, which lag a sale by about 250 ms.
	if (shards > 1) await sleep(SHARD_REPORTS_SETTLE_MS);
	const stats = await admin.stats(shop.saleId);
	const book = await admin.orderBook(shop.saleId);
	const ledger = shop.ledger;
	const told = [...ledger.orders.values()];
	const confirmedUnits = told.reduce((sum, order) => sum + order.quantity, 0);
	const fail = (message: string) => ledger.fail(`${shop.saleId.split("-")[0]}: ${message}`);
	if (stats.sold !== expectedUnits)
		fail(`${stats.sold} units sold, expected min(stock, demand) = ${expectedUnits}`);
	if (confirmedUnits !== stats.sold)
		fail(`buyers were told of ${confirmedUnits} units, the sale counts ${stats.sold}`);
	if (caughtUpAt === null) fail("the order book did not catch up in time");
	if (book.length !== told.length)
		fail(`the order book holds ${book.length} orders, buyers were told of ${told.length}`);
	const bookUnits = book.reduce((sum, order) => sum + order.quantity, 0);
	if (bookUnits !== stats.sold)
		fail(`the order book holds ${bookUnits} units, the sale counts ${stats.sold}`);
	const buyers = new Set(book.map((order) => order.userId));
	if (buyers.size !== book.length)
		fail(`${book.length - buyers.size} buyers hold two orders in the order book`);
	const toldIds = new Set(told.map((order) => order.id));
	const unknown = book.filter((order) => !toldIds.has(order.id)).length;
	if (unknown > 0) fail(`${unknown} orders in the order book were never confirmed to a buyer`);
	if (stats.buyers !== told.length)
		fail(`the sale counts ${stats.buyers} buyers, ${told.length} were confirmed`);
	const early = soldAfterSoldOut(shop.samples);
	if (early > 0) fail(`${early} purchases sent after a sold_out answer still took a unit`);
	if (shards > 1) checkShards(stats, shards, fail);
	const lastOrderAt = ledger.stockSteps.at(-1)?.[0] ?? null;
	return {
		saleId: shop.saleId,
		expectedUnits,
		soldUnits: stats.sold,
		confirmedUnits,
		orders: told.length,
		orderBookRows: book.length,
		orderBookCatchUpMs: caughtUpAt === null ? null : Math.max(0, caughtUpAt - (lastOrderAt ?? caughtUpAt)),
		...(shards > 1 ? { shards: stats.shards, coordinatorRequests: stats.coordinatorRequests } : {}),
	};
}

/**
 * The per-shard figures of a sale's admin stats against its totals: every
 * shard has figures, their units sold add up to the sale's, and the units
 * lent to shards and not taken are at most what the sale has left (the rest
 * is the coordinator's, lent to no shard).
 */
function checkShards(stats: SaleStats, shards: number, fail: (message: string) => void): void {
	const figures = stats.shards ?? [];
	if (figures.length !== shards)
		fail(`admin stats give ${figures.length} shards' figures, the sale has ${shards}`);
	if (stats.coordinatorRequests === undefined) fail("admin stats give no coordinatorRequests");
	const sum = (key: keyof ShardFigures) => figures.reduce((total, shard) => total + shard[key], 0);
	if (sum("sold") !== stats.sold) fail(`the shards sold ${sum("sold")} units, the sale counts ${stats.sold}`);
	if (sum("remaining") > stats.remaining)
		fail(`the shards have ${sum("remaining")} units left, the sale ${stats.remaining}`);
	if (sum("held") !== (stats.held ?? 0))
		fail(`the shards hold ${sum("held")} units, the sale ${stats.held ?? 0}`);
}

export async function runRush(
	runtime: Runtime,
	admin: Admin,
	shop: Shop,
	settings: Settings,
	log: (line: string) => void,
): Promise<StampedeResult["rush"]> {
	const demandUnits = demandOf(settings.buyers, settings.quantity);
	const sellable = Math.min(settings.stock - (settings.stock % settings.quantity), demandUnits);
	const startsAtEpoch = Date.now() + settings.earlyMs;
	await admin.createSale(shop.saleId, {
		totalStock: settings.stock,
		startsAt: startsAtEpoch,
		maxPerUser: settings.quantity,
		shards: settings.shards,
		relays: settings.relays,
	});
	const startsAt = startsAtEpoch - performance.timeOrigin;
	const account = new Account(runtime);
	const readings: Promise<CpuReading>[] = [account.read()];
	const atStart = sleep(startsAt - performance.now()).then(() => account.read());
	let soldOutAt: number | null = null;
	let atSoldOut: Promise<CpuReading> | null = null;
	// The order book is watched from the moment of sell-out, while the rush goes on.
	let caughtUp: Promise<number | null> | null = null;
	const watchOrderBook = () =>
		admin.waitForOrderBook(shop.saleId, sellable / settings.quantity, settings.drainTimeoutMs);
	const rushStart = performance.now();
	await rush(shop, {
		buyers: settings.buyers,
		concurrency: settings.concurrency,
		startsAt,
		sellable,
		onSoldOut: (at) => {
			soldOutAt = at;
			atSoldOut = account.read();
			caughtUp = watchOrderBook();
			log(`Sold out ${Math.round(at - startsAt)} ms after the start.`);
		},
	});
	readings.push(atStart, atSoldOut ?? account.read(), account.read());
	const [begin, started, sold, done] = (await Promise.all(readings)) as [
		CpuReading,
		CpuReading,
		CpuReading,
		CpuReading,
	];
	const check = await checkSale(admin, shop, sellable, await (caughtUp ?? watchOrderBook()), settings.shards);
	log(
		`Order book caught up ${check.orderBookCatchUpMs === null ? "never" : `${Math.round(check.orderBookCatchUpMs)} ms`} after the last order.`,
	);

	const samples = shop.samples;
	const span = spanOf(samples, "rush");
	const end = Math.max(span.to, startsAt);
	const sellOut: number = soldOutAt ?? end;
	const phases: [Window, CpuReading, CpuReading][] = [
		[{ name: "before start", from: Math.min(rushStart, startsAt), to: startsAt }, begin, started],
		[{ name: "live", from: startsAt, to: Math.max(startsAt, sellOut) }, started, sold],
		[{ name: "after sell-out", from: sellOut, to: end }, sold, done],
	];
	const whole: Window = { name: "rush", from: Math.min(rushStart, span.from), to: end };
	const remaining: [number, number][] = [[whole.from - startsAt, settings.stock]];
	for (const [at, units] of shop.ledger.stockSteps) remaining.push([at - startsAt, settings.stock - units]);
	remaining.push([end - startsAt, settings.stock - shop.ledger.units]);
	return {
		...check,
		demandUnits,
		sellOutMs: soldOutAt === null ? null : (soldOutAt as number) - startsAt,
		phases: phases
			.filter(([w]) => w.to > w.from)
			.map(([w, from, to]) =>
				withCpu(
					figuresOf(samples, w, startsAt),
					from.workerdMs === null || to.workerdMs === null ? null : to.workerdMs - from.workerdMs,
					to.clientMs - from.clientMs,
				),
			),
		series: seriesOf(samples, whole, startsAt),
		remaining,
		histograms: Object.fromEntries(
			phases.flatMap(([w]) =>
				(["purchase-token", "purchase"] as const).map((endpoint) => [
					`${w.name}: ${endpoint}`,
					histogramOf(samples, w, endpoint),
				]),
			),
		),
	};
}

export async function runSteady(
	runtime: Runtime,
	admin: Admin,
	shop: Shop,
	settings: Settings,
	log: (line: string) => void,
): Promise<StampedeResult["steady"]> {
	const units = settings.steadyBuyers * settings.quantity;
	const startsAt = Date.now() + 500;
	await admin.createSale(shop.saleId, {
		totalStock: units,
		startsAt,
		maxPerUser: settings.quantity,
		shards: settings.shards,
		relays: settings.relays,
	});
	await sleep(startsAt - Date.now() + 10);
	const tokenSamples = new Samples();
	const tokens = new Account(runtime);
	const purchases = new Account(runtime);
	await steadyPurchases(shop, settings.steadyBuyers, settings.concurrency, settings.chunk, tokenSamples, {
		tokens: tokens.meter,
		purchases: purchases.meter,
	});
	const caughtUpAt = await admin.waitForOrderBook(
		shop.saleId,
		settings.steadyBuyers,
		settings.drainTimeoutMs,
	);
	const check = await checkSale(admin, shop, units, caughtUpAt, settings.shards);
	log(
		`Order book caught up ${check.orderBookCatchUpMs === null ? "never" : `${Math.round(check.orderBookCatchUpMs)} ms`} after the last order.`,
	);
	return {
		...check,
		tokens: tokens.figures(tokenSamples, "steady tokens"),
		purchases: purchases.figures(shop.samples, "steady purchases"),
		histogram: histogramOf(shop.samples, spanOf(shop.samples, "steady"), "purchase"),
	};
}
