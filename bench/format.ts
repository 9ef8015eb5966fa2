import type { WindowFigures } from "./measure.ts";
import type { Ratio, StampedeResult } from "./run-stampede.ts";

const int = (n: number) => Math.round(n).toLocaleString("en-US");
const ms = (n: number | undefined) =>
	n === undefined ? "" : n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : int(n);

export interface Row {
	phase: string;
	endpoint: string;
	requests: number;
	perSecond: number;
	p50: number;
	p90: number;
	p99: number;
	max: number;
	outcomes: string;
}

/** One row per endpoint of each window, the table both the console and the report show. */
export function rowsOf(result: StampedeResult): Row[] {
	const rows: Row[] = [];
	const add = (phase: string, figures: WindowFigures) => {
		for (const [endpoint, f] of Object.entries(figures.endpoints)) {
			rows.push({
				phase,
				endpoint,
				requests: f.requests,
				perSecond: f.perSecond,
				...f.latencyMs,
				outcomes: Object.entries(f.outcomes)
					.sort((a, b) => b[1] - a[1])
					.map(([outcome, n]) => `${outcome} ×${int(n)}`)
					.join(", "),
			});
		}
	};
	for (const phase of result.rush.phases) add(`rush: ${phase.name}`, phase);
	add("steady: tokens", result.steady.tokens);
	add("steady: purchases", result.steady.purchases);
	for (const [i, figures] of result.references.bare.entries()) add(`reference #${i + 1}`, figures);
	for (const [i, figures] of result.references.durableObject.entries()) add(`reference #${i + 1}`, figures);
	for (const [i, figures] of result.references.rateLimitedDurableObject.entries())
		add(`reference #${i + 1}`, figures);
	return rows;
}

export function ratioText(ratio: Ratio): string {
	return `${ratio.value.toFixed(2)} (target ${ratio.target < 1 ? "≥" : "≤"} ${ratio.target}) ${ratio.met ? "met" : "NOT MET"}`;
}

/** The console summary: the table, the ratios, the checks. */
export function formatSummary(result: StampedeResult): string {
	const rows = rowsOf(result);
	const header = [
		"phase",
		"endpoint",
		"requests",
		"req/s",
		"p50 ms",
		"p90 ms",
		"p99 ms",
		"max ms",
		"outcomes",
	];
	const cells = rows.map((r) => [
		r.phase,
		r.endpoint,
		int(r.requests),
		int(r.perSecond),
		ms(r.p50),
		ms(r.p90),
		ms(r.p99),
		ms(r.max),
		r.outcomes,
	]);
	const widths = header.map((h, c) => Math.max(h.length, ...cells.map((row) => (row[c] ?? "").length)));
	const line = (row: string[]) =>
		row
			.map((cell, c) => (c >= 2 && c <= 7 ? cell.padStart(widths[c] ?? 0) : cell.padEnd(widths[c] ?? 0)))
			.join("  ");
	const { rush, steady, ratios } = result;
	const lines = [
		line(header),
		...cells.map(line),
		"",
		`Rush: ${int(result.options.buyers)} buyers, ${int(result.options.stock)} units, ${int(result.options.concurrency)} connections.`,
		`  Sold ${int(rush.soldUnits)} of ${int(rush.expectedUnits)} expected; sold out ${rush.sellOutMs === null ? "never" : `${int(rush.sellOutMs)} ms`} after the start; order book caught up ${rush.orderBookCatchUpMs === null ? "never" : `${int(rush.orderBookCatchUpMs)} ms`} after the last order (${int(rush.orderBookRows)} rows).`,
		`Steady: ${int(steady.orders)} orders; order book caught up ${steady.orderBookCatchUpMs === null ? "never" : `${int(steady.orderBookCatchUpMs)} ms`} after the last order (${int(steady.orderBookRows)} rows).`,
		"",
		`Live purchase throughput / minimal Durable Object:  ${ratioText(ratios.livePurchaseVsDurableObject)}`,
		`Sold-out answers / bare Worker route:               ${ratioText(ratios.soldOutVsBareRoute)}`,
		`Live purchase p99 / minimal Durable Object p99:     ${ratioText(ratios.liveP99VsDurableObjectP99)}`,
		`Context, not a target: live purchase throughput / one rate-limit call + minimal Durable Object: ${result.context.livePurchaseVsRateLimitedDurableObject.value.toFixed(2)}`,
		"",
		`workerd RSS (MiB): ${Object.entries(result.memory.workerdRssMiB)
			.map(([at, v]) => `${at} ${v ?? "?"}`)
			.join(", ")}; client RSS ${result.memory.clientRssMiB} MiB.`,
		`Worker log lines: ${Object.entries(result.workerLogs.counts)
			.map(([kind, n]) => `${kind} ×${int(n)}`)
			.join(", ")}`,
		...result.workerLogs.errors.slice(0, 5).map((line) => `  ${line}`),
		result.machine.note,
		"",
		result.ok
			? "All checks passed: nothing oversold, duplicated or lost; no 5xx; every answer in the contract."
			: `FAILED:\n${result.failures.map((f) => `  ${f.message} (×${f.count})`).join("\n")}`,
	];
	return lines.join("\n");
}
