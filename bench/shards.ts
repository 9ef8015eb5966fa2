import os from "node:os";
import { InsideSale, PROBE_PURCHASES } from "./inside-do.ts";
import { type Latency, median } from "./measure.ts";
import {
	Bench,
	machineOf,
	type Ratio,
	ratio,
	runRush,
	runSteady,
	type SaleCheck,
	type Settings,
	type StampedeOptions,
	type StampedeResult,
	settingsOf,
	warmUp,
} from "./run-stampede.ts";

/** Buyers filled into the measured shard before its purchases are timed, as `--inside-do`'s smallest level. */
const INSIDE_FILL = 10_000;
/** The CPU per purchase at K = 16 may be at most this many times that at K = 1 (issue 13). */
const CPU_RATIO_TARGET = 1.2;
/** Steady purchases are measured this many times at each K, the rounds interleaved across K. */
const STEADY_ROUNDS = 3;
/** Buyers of each steady round, at most. */
const STEADY_BUYERS = 5_000;

const fixed = (value: number | null | undefined, digits: number) =>
	value === null || value === undefined ? "–" : value.toFixed(digits);

/** What the coordinator served per 1,000 units sold: lease requests and figure reports. */
function perThousand(check: SaleCheck): number | null {
	if (check.coordinatorRequests === undefined) return null;
	return (check.coordinatorRequests * 1000) / Math.max(1, check.soldUnits);
}

/** One round of steady purchases on a sale of its own. */
export interface SteadyRound extends SaleCheck {
	purchasesPerSecond: number;
	latencyMs: Latency | null;
	/** workerd's CPU time (all isolates and threads) per purchase, every one of which took a unit, ms. */
	workerdCpuMsPerPurchase: number | null;
	clientCpuMsPerPurchase: number;
	coordinatorRequestsPer1000: number | null;
}

/** The figures of one K. */
export interface ShardRun {
	shards: number;
	rush: SaleCheck & {
		/** From the start to the last unit confirmed, ms; null if it never sold out. */
		sellOutMs: number | null;
		coordinatorRequestsPer1000: number | null;
	};
	/** The median over the rounds of each figure, and the rounds. */
	steady: {
		purchasesPerSecond: number;
		workerdCpuMsPerPurchase: number | null;
		workerdCpuMsRange: [number, number] | null;
		coordinatorRequestsPer1000: number | null;
		rounds: SteadyRound[];
	};
	/** One purchase inside the object that takes it (shard 0, or the sale's only object), µs per purchase over calls of 100. */
	hold: Latency;
}

export interface ShardsResult {
	ok: boolean;
	failures: { message: string; count: number }[];
	startedAt: string;
	options: Omit<Settings, "shards"> & { shards: number[] };
	machine: StampedeResult["machine"];
	runs: ShardRun[];
	/** workerd CPU per steady purchase at K = 16 ÷ at K = 1, when both were run. */
	cpuPerPurchase16vs1: Ratio | null;
	note: string;
}

/**
 * `--shards 1,4,16,64`: for each K, on fresh sales of K shards in one local
 * workerd, the stampede (with every check of the normal run, and that the
 * shards' figures add up to the sale's), steady purchases for the CPU per
 * purchase, the coordinator's calls per 1,000 units sold, and how long one
 * purchase holds the object that takes it.
 */
export async function runShards(
	ks: number[],
	input: StampedeOptions,
	log: (line: string) => void,
): Promise<ShardsResult> {
	const startedAt = new Date().toISOString();
	const loadAverageBefore = os.loadavg();
	const settings = settingsOf({ ...input, steadyBuyers: Math.min(input.buyers, STEADY_BUYERS) });
	const tag = Date.now().toString(36);
	log("Bundling Doorbuster and the reference worker, starting workerd…");
	const bench = await Bench.start(settings);
	const insideFailures: string[] = [];
	try {
		log("Warming up…");
		await warmUp(bench.admin, bench.shop(`warmup-${tag}`, "w", 13), settings);
		const rushes: ShardRun["rush"][] = [];
		for (const [index, shards] of ks.entries()) {
			log(`\nK = ${shards}: stampede of ${settings.buyers} buyers for ${settings.stock} units…`);
			const rush = await runRush(
				bench.runtime,
				bench.admin,
				bench.shop(`shards${shards}-rush-${tag}`, `r${shards}-`, 20 + index),
				{ ...settings, shards },
				log,
			);
			rushes.push({
				...rushCheck(rush),
				sellOutMs: rush.sellOutMs,
				coordinatorRequestsPer1000: perThousand(rush),
			});
		}
		const rounds: SteadyRound[][] = ks.map(() => []);
		for (let round = 1; round <= STEADY_ROUNDS; round++) {
			for (const [index, shards] of ks.entries()) {
				log(
					`K = ${shards}: steady purchases, round ${round}, ${settings.steadyBuyers} buyers, every one buys…`,
				);
				const steady = await runSteady(
					bench.runtime,
					bench.admin,
					bench.shop(`shards${shards}-steady${round}-${tag}`, `s${shards}-${round}-`, 100 + index),
					{ ...settings, shards },
					log,
				);
				const figures = steadyRound(steady);
				rounds[index]?.push(figures);
				log(
					`  ${Math.round(figures.purchasesPerSecond)} purchases/s, workerd ${fixed(figures.workerdCpuMsPerPurchase, 3)} ms CPU each`,
				);
			}
		}
		const runs: ShardRun[] = [];
		let insideOrders = 0;
		for (const [index, shards] of ks.entries()) {
			const inside = new InsideSale(bench.client, insideFailures, `shards${shards}-inside-${tag}`, {
				shards,
				shard: 0,
			});
			await inside.call("configure");
			await inside.purchases("fill-", 0, INSIDE_FILL);
			insideOrders += INSIDE_FILL;
			if ((await inside.outboxDrained(insideOrders)) === null)
				insideFailures.push(`K = ${shards}: the measured shard's outbox did not drain`);
			const hold = await inside.probe("probe-");
			insideOrders += PROBE_PURCHASES;
			const rush = rushes[index];
			if (!rush) continue;
			const run: ShardRun = { shards, rush, steady: medianOf(rounds[index] ?? []), hold };
			runs.push(run);
			log(`K = ${shards}: a purchase holds its object ${hold.mean.toFixed(1)} µs (mean; p50 ${hold.p50} µs)`);
		}
		const failures = [
			...bench.failures(),
			...insideFailures.map((message) => ({ message: `inside a shard: ${message}`, count: 1 })),
		];
		const cpuAt = (k: number) => runs.find((run) => run.shards === k)?.steady.workerdCpuMsPerPurchase;
		const [cpu1, cpu16] = [cpuAt(1), cpuAt(16)];
		return {
			ok: failures.length === 0,
			failures,
			startedAt,
			options: { ...settings, shards: ks },
			machine: await machineOf(loadAverageBefore),
			runs,
			cpuPerPurchase16vs1:
				cpu1 && cpu16
					? ratio(cpu16, cpu1, CPU_RATIO_TARGET, false, [
							"workerd CPU per steady purchase, K = 16",
							"the same, K = 1",
						])
					: null,
			note: `One local workerd for every K, warmed up first; each K gets fresh sales. Rush: ${settings.buyers} distinct buyers for ${settings.stock} units at ${settings.concurrency} connections, checked as the normal stampede is. Steady: ${settings.steadyBuyers} buyers for as many units, every purchase takes one, so the last ones need units recalled from other shards, ${STEADY_ROUNDS} rounds interleaved across K, the median reported; CPU per purchase is workerd's own (from /proc, all threads: the edge, the shards, the coordinator, the rate limits, the queue and D1) over the purchase requests only. Coordinator requests are lease requests and figure reports, from admin stats, per 1,000 units sold; they include the reports of refusals counted after a sell-out. Hold: SaleGate.purchase inside shard 0 (or the only object at K = 1) in the reference worker, ${INSIDE_FILL.toLocaleString("en-US")} buyers in, after its outbox drained, in calls of 100, the commit that follows a call not included.`,
		};
	} finally {
		await bench.dispose();
	}
}

/** The sale check of a rush, without the series and histograms the shards report does not show. */
function rushCheck(rush: StampedeResult["rush"]): SaleCheck {
	const { demandUnits, sellOutMs, phases, series, remaining, histograms, ...check } = rush;
	return check;
}

function steadyRound(steady: StampedeResult["steady"]): SteadyRound {
	const { tokens, purchases, histogram, ...check } = steady;
	const purchase = purchases.endpoints.purchase;
	return {
		...check,
		purchasesPerSecond: purchase?.perSecond ?? 0,
		latencyMs: purchase?.latencyMs ?? null,
		workerdCpuMsPerPurchase: purchases.cpuPerRequest?.workerdMs ?? null,
		clientCpuMsPerPurchase: purchases.cpuPerRequest?.clientMs ?? 0,
		coordinatorRequestsPer1000: perThousand(check),
	};
}

/** Each figure's median over the rounds; a figure some round lacks is null. */
function medianOf(rounds: SteadyRound[]): ShardRun["steady"] {
	const figure = (pick: (round: SteadyRound) => number | null) => {
		const values = rounds.map(pick);
		return values.every((value) => value !== null) && values.length > 0 ? median(values as number[]) : null;
	};
	const cpu = rounds.flatMap((round) => round.workerdCpuMsPerPurchase ?? []);
	return {
		purchasesPerSecond: figure((round) => round.purchasesPerSecond) ?? 0,
		workerdCpuMsPerPurchase: figure((round) => round.workerdCpuMsPerPurchase),
		workerdCpuMsRange:
			cpu.length === rounds.length && cpu.length > 0 ? [Math.min(...cpu), Math.max(...cpu)] : null,
		coordinatorRequestsPer1000: figure((round) => round.coordinatorRequestsPer1000),
		rounds,
	};
}

/** The console table of a shards run, and its verdicts. */
export function formatShards(result: ShardsResult): string {
	const header = [
		"K",
		"sell-out ms",
		"steady/s",
		"CPU ms/purchase (range)",
		"÷ K=1",
		"hold µs mean/p50",
		"coord/1k rush",
		"coord/1k steady",
	];
	const cpu1 = result.runs.find((run) => run.shards === 1)?.steady.workerdCpuMsPerPurchase ?? null;
	const rows = result.runs.map((run) => [
		String(run.shards),
		fixed(run.rush.sellOutMs, 0),
		String(Math.round(run.steady.purchasesPerSecond)),
		`${fixed(run.steady.workerdCpuMsPerPurchase, 2)} (${run.steady.workerdCpuMsRange?.map((ms) => ms.toFixed(2)).join("–") ?? "–"})`,
		cpu1 && run.steady.workerdCpuMsPerPurchase ? (run.steady.workerdCpuMsPerPurchase / cpu1).toFixed(2) : "–",
		`${run.hold.mean.toFixed(1)} / ${run.hold.p50.toFixed(0)}`,
		fixed(run.rush.coordinatorRequestsPer1000, 1),
		fixed(run.steady.coordinatorRequestsPer1000, 1),
	]);
	const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]?.length ?? 0)));
	const line = (cells: string[]) => cells.map((cell, i) => cell.padStart(widths[i] ?? 0)).join("  ");
	const ratio = result.cpuPerPurchase16vs1;
	return [
		line(header),
		...rows.map(line),
		"",
		ratio
			? `CPU per purchase, K = 16 ÷ K = 1: ${ratio.value.toFixed(2)} (target ≤ ${ratio.target}) ${ratio.met ? "met" : "NOT MET"}`
			: "CPU per purchase, K = 16 ÷ K = 1: not measured (run K = 1 and K = 16)",
		result.ok
			? "Every check passed."
			: `CHECKS FAILED:\n${result.failures.map((f) => `  ${f.message} (×${f.count})`).join("\n")}`,
	].join("\n");
}
