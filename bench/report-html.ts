import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Breakdown } from "./breakdown.ts";
import { ratioText, rowsOf } from "./format.ts";
import type { InsideResult } from "./inside-do.ts";
import type { Histogram } from "./measure.ts";
import type { Ratio, StampedeResult } from "./run-stampede.ts";

const PALETTE = [
	"#2563eb",
	"#16a34a",
	"#ea580c",
	"#9333ea",
	"#dc2626",
	"#0891b2",
	"#ca8a04",
	"#db2777",
	"#4b5563",
	"#65a30d",
];
const COLORS: Record<string, string> = {
	"purchase-token 200": "#2563eb",
	"purchase 201": "#16a34a",
	"purchase 200": "#0891b2",
	"purchase-token 425 not_started": "#9ca3af",
	"purchase-token 409 sold_out": "#ea580c",
	"purchase 409 sold_out": "#f59e0b",
	"purchase 403 invalid_token": "#dc2626",
	"purchase-token 401 unauthenticated": "#9333ea",
};

const html = (text: string) =>
	text.replace(
		/[&<>"']/g,
		(c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
	);
const int = (n: number) => Math.round(n).toLocaleString("en-US");
const ms = (n: number) => (n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : int(n));

interface Frame {
	width: number;
	height: number;
	left: number;
	right: number;
	top: number;
	bottom: number;
}

const FRAME: Frame = { width: 1040, height: 300, left: 70, right: 20, top: 16, bottom: 40 };

/** "Nice" tick values covering [low, high]. */
function ticks(low: number, high: number, count = 6): number[] {
	const span = high - low || 1;
	const raw = span / count;
	const magnitude = 10 ** Math.floor(Math.log10(raw));
	const step = ([1, 2, 5, 10].find((f) => f * magnitude >= raw) ?? 10) * magnitude;
	const out: number[] = [];
	for (let v = Math.ceil(low / step) * step; v <= high + step * 1e-9; v += step)
		out.push(Number(v.toPrecision(12)));
	return out;
}

function axes(
	frame: Frame,
	x: { low: number; high: number; label: string; log?: boolean },
	y: { low: number; high: number; label: string },
) {
	const plotW = frame.width - frame.left - frame.right;
	const plotH = frame.height - frame.top - frame.bottom;
	const sx = (v: number) =>
		frame.left +
		(x.log
			? ((Math.log10(v) - Math.log10(x.low)) / (Math.log10(x.high) - Math.log10(x.low))) * plotW
			: ((v - x.low) / (x.high - x.low || 1)) * plotW);
	const sy = (v: number) => frame.top + plotH - ((v - y.low) / (y.high - y.low || 1)) * plotH;
	const xTicks = x.log
		? ticksLog(x.low, x.high)
		: ticks(x.low, x.high).filter((v) => v >= x.low && v <= x.high);
	const parts = [
		`<rect x="${frame.left}" y="${frame.top}" width="${plotW}" height="${plotH}" fill="#fff" stroke="#d1d5db"/>`,
		...ticks(y.low, y.high, 5).map(
			(v) =>
				`<line x1="${frame.left}" x2="${frame.left + plotW}" y1="${sy(v)}" y2="${sy(v)}" stroke="#eef0f3"/><text x="${frame.left - 6}" y="${sy(v) + 4}" text-anchor="end">${int(v)}</text>`,
		),
		...xTicks.map(
			(v) =>
				`<line x1="${sx(v)}" x2="${sx(v)}" y1="${frame.top + plotH}" y2="${frame.top + plotH + 4}" stroke="#6b7280"/><text x="${sx(v)}" y="${frame.top + plotH + 16}" text-anchor="middle">${x.log ? formatLog(v) : int(v)}</text>`,
		),
		`<text x="${frame.left + plotW / 2}" y="${frame.height - 6}" text-anchor="middle" class="label">${html(x.label)}</text>`,
		`<text transform="translate(14 ${frame.top + plotH / 2}) rotate(-90)" text-anchor="middle" class="label">${html(y.label)}</text>`,
	];
	return { sx, sy, plotW, plotH, parts };
}

function ticksLog(low: number, high: number): number[] {
	const out: number[] = [];
	for (let e = Math.floor(Math.log10(low)); e <= Math.ceil(Math.log10(high)); e++) {
		for (const m of [1, 3]) {
			const v = m * 10 ** e;
			if (v >= low && v <= high) out.push(v);
		}
	}
	return out;
}

const formatLog = (v: number) =>
	v >= 1_000_000 ? `${v / 1_000_000}M` : v >= 1000 ? `${v / 1000}k` : String(v);

function svg(frame: Frame, parts: string[]): string {
	return `<svg viewBox="0 0 ${frame.width} ${frame.height}" width="100%" role="img">${parts.join("")}</svg>`;
}

function legend(entries: [string, string][]): string {
	return `<div class="legend">${entries
		.map(([name, color]) => `<span><i style="background:${color}"></i>${html(name)}</span>`)
		.join("")}</div>`;
}

function marker(sx: (v: number) => number, frame: Frame, at: number, label: string): string {
	const x = sx(at);
	return `<line x1="${x}" x2="${x}" y1="${frame.top}" y2="${frame.height - frame.bottom}" stroke="#111827" stroke-dasharray="4 3"/><text x="${x + 4}" y="${frame.top + 12}" class="marker">${html(label)}</text>`;
}

/** Stacked areas: answers per second over time, one band per endpoint and outcome. */
function throughputChart(result: StampedeResult): string {
	const { series, sellOutMs } = result.rush;
	const keys = Object.keys(series.perSecond).sort((a, b) => a.localeCompare(b));
	const n = Math.max(0, ...keys.map((k) => series.perSecond[k]?.length ?? 0));
	const xs = Array.from({ length: n }, (_, i) => series.fromMs + (i + 0.5) * series.bucketMs);
	const totals = xs.map((_, i) => keys.reduce((sum, k) => sum + (series.perSecond[k]?.[i] ?? 0), 0));
	const { sx, sy, parts } = axes(
		FRAME,
		{ low: series.fromMs, high: series.fromMs + n * series.bucketMs, label: "ms since the sale started" },
		{ low: 0, high: Math.max(1, ...totals) * 1.05, label: "answers / s" },
	);
	const base = new Array<number>(n).fill(0);
	const colors: [string, string][] = [];
	keys.forEach((key, k) => {
		const row = series.perSecond[key] ?? [];
		const top = base.map((b, i) => b + (row[i] ?? 0));
		const color = COLORS[key] ?? PALETTE[k % PALETTE.length] ?? "#000";
		const upper = xs.map((x, i) => `${sx(x)},${sy(top[i] ?? 0)}`);
		const lower = xs.map((x, i) => `${sx(x)},${sy(base[i] ?? 0)}`).reverse();
		parts.push(`<polygon points="${[...upper, ...lower].join(" ")}" fill="${color}" fill-opacity="0.85"/>`);
		top.forEach((v, i) => {
			base[i] = v;
		});
		colors.push([key, color]);
	});
	parts.push(marker(sx, FRAME, 0, "start"));
	if (sellOutMs !== null) parts.push(marker(sx, FRAME, sellOutMs, "sold out"));
	return svg(FRAME, parts) + legend(colors);
}

/** Units left, stepping down at every confirmed order. */
function stockChart(result: StampedeResult): string {
	const { remaining, sellOutMs } = result.rush;
	const first = remaining[0]?.[0] ?? 0;
	// Zoomed on the selling: up to a little after the sell-out, not the whole sold-out tail.
	const end = remaining.at(-1)?.[0] ?? 1;
	const last = sellOutMs === null ? end : Math.min(end, sellOutMs + Math.max(1_000, sellOutMs * 0.5));
	const frame = { ...FRAME, height: 240 };
	const { sx, sy, parts } = axes(
		frame,
		{ low: first, high: last, label: "ms since the sale started" },
		{ low: 0, high: Math.max(1, result.options.stock), label: "units remaining" },
	);
	const points: string[] = [];
	let previous = remaining[0]?.[1] ?? 0;
	for (const [at, units] of remaining) {
		const x = sx(Math.min(at, last));
		points.push(`${x},${sy(previous)}`, `${x},${sy(units)}`);
		previous = units;
	}
	parts.push(`<polyline points="${points.join(" ")}" fill="none" stroke="#16a34a" stroke-width="2"/>`);
	parts.push(marker(sx, frame, 0, "start"));
	if (sellOutMs !== null) parts.push(marker(sx, frame, sellOutMs, "sold out"));
	return svg(frame, parts);
}

/** One latency histogram, log-scaled milliseconds. */
function histogramChart(title: string, histogram: Histogram, color: string): string {
	const frame: Frame = { width: 500, height: 200, left: 56, right: 12, top: 12, bottom: 36 };
	if (histogram.counts.length === 0) return "";
	const firstEdge = (histogram.edgesMs[0] ?? 1) / 10 ** 0.1;
	const { sx, sy, parts } = axes(
		frame,
		{ low: firstEdge, high: histogram.edgesMs.at(-1) ?? 1, label: "latency, ms (log scale)", log: true },
		{ low: 0, high: Math.max(1, ...histogram.counts) * 1.05, label: "requests" },
	);
	histogram.counts.forEach((count, i) => {
		const low = i === 0 ? firstEdge : (histogram.edgesMs[i - 1] ?? firstEdge);
		const high = histogram.edgesMs[i] ?? low;
		parts.push(
			`<rect x="${sx(low) + 0.5}" y="${sy(count)}" width="${Math.max(1, sx(high) - sx(low) - 1)}" height="${sy(0) - sy(count)}" fill="${color}"/>`,
		);
	});
	return `<figure><figcaption>${html(title)}</figcaption>${svg(frame, parts)}</figure>`;
}

function histograms(result: StampedeResult): string {
	const figures: string[] = [];
	for (const [name, histogram] of Object.entries(result.rush.histograms)) {
		figures.push(
			histogramChart(`Rush, ${name}`, histogram, name.endsWith("purchase") ? "#16a34a" : "#2563eb"),
		);
	}
	figures.push(histogramChart("Steady live purchases", result.steady.histogram, "#16a34a"));
	figures.push(
		histogramChart(
			"Reference: bare Worker route",
			result.references.histograms["ref-bare"] ?? { edgesMs: [], counts: [] },
			"#6b7280",
		),
	);
	figures.push(
		histogramChart(
			"Reference: minimal Durable Object",
			result.references.histograms["ref-do"] ?? { edgesMs: [], counts: [] },
			"#6b7280",
		),
	);
	figures.push(
		histogramChart(
			"Reference: one rate-limit call + minimal Durable Object",
			result.references.histograms["ref-do-limit"] ?? { edgesMs: [], counts: [] },
			"#6b7280",
		),
	);
	return `<div class="grid">${figures.join("")}</div>`;
}

function figuresTable(result: StampedeResult): string {
	const cpu = new Map<string, string>();
	const cpuOf = (figures: {
		name: string;
		cpuPerRequest?: { workerdMs: number | null; clientMs: number };
	}) =>
		figures.cpuPerRequest
			? `${figures.cpuPerRequest.workerdMs?.toFixed(2) ?? "?"} / ${figures.cpuPerRequest.clientMs.toFixed(2)}`
			: "";
	for (const phase of result.rush.phases) cpu.set(`rush: ${phase.name}`, cpuOf(phase));
	cpu.set("steady: tokens", cpuOf(result.steady.tokens));
	cpu.set("steady: purchases", cpuOf(result.steady.purchases));
	for (const [i, f] of result.references.bare.entries()) cpu.set(`reference #${i + 1} ref-bare`, cpuOf(f));
	for (const [i, f] of result.references.durableObject.entries())
		cpu.set(`reference #${i + 1} ref-do`, cpuOf(f));
	for (const [i, f] of result.references.rateLimitedDurableObject.entries())
		cpu.set(`reference #${i + 1} ref-do-limit`, cpuOf(f));
	const body = rowsOf(result)
		.map((row) => {
			const cpuCell =
				cpu.get(row.phase.startsWith("reference") ? `${row.phase} ${row.endpoint}` : row.phase) ?? "";
			return `<tr><td>${html(row.phase)}</td><td>${html(row.endpoint)}</td><td>${int(row.requests)}</td><td>${int(row.perSecond)}</td><td>${ms(row.p50)}</td><td>${ms(row.p90)}</td><td>${ms(row.p99)}</td><td>${ms(row.max)}</td><td>${cpuCell}</td><td class="outcomes">${html(row.outcomes)}</td></tr>`;
		})
		.join("");
	return `<table><thead><tr><th>phase</th><th>endpoint</th><th>requests</th><th>req/s</th><th>p50 ms</th><th>p90 ms</th><th>p99 ms</th><th>max ms</th><th title="CPU ms per request of the whole phase: workerd / load generator">CPU ms/req<br>workerd / client</th><th>outcomes</th></tr></thead><tbody>${body}</tbody></table>`;
}

function ratioCard(title: string, ratio: Ratio): string {
	return `<div class="card ${ratio.met ? "met" : "missed"}"><div class="big">${ratio.value.toFixed(2)}</div><div>${html(title)}</div><div class="small">${html(ratio.numerator)} ÷ ${html(ratio.denominator)}; target ${ratio.target < 1 ? "≥" : "≤"} ${ratio.target}: ${ratio.met ? "met" : "not met"}</div></div>`;
}

function insideSection(inside: InsideResult | null): string {
	if (!inside) {
		return "<p>No inside-the-object measurement in this directory; <code>npm run bench -- --inside-do</code> makes one.</p>";
	}
	const rows = inside.levels
		.map(
			(l) =>
				`<tr><td>${int(l.buyers)}</td><td>${l.insideMeanUs.toFixed(1)}</td><td>${l.insideP99Us.toFixed(0)}</td><td>${l.fillMeanUs.toFixed(1)}</td><td>${ms(l.roundTripP50Ms)}</td><td>${ms(l.roundTripP99Ms)}</td><td>${l.outboxDrainMs === null ? "never" : int(l.outboxDrainMs)}</td><td>${l.isolateHeapMiB}</td><td>${l.workerdRssMiB ?? "?"}</td><td>${l.sqliteMiB}</td></tr>`,
		)
		.join("");
	const frame = { ...FRAME, height: 260 };
	const maxUs = Math.max(1, ...inside.curve.map(([, us]) => us));
	const maxRss = Math.max(1, ...inside.curve.map(([, , rss]) => rss ?? 0));
	const first = inside.curve[0]?.[0] ?? 1;
	const last = inside.curve.at(-1)?.[0] ?? 10;
	const { sx, sy, parts } = axes(
		frame,
		{ low: first, high: last, label: "buyers holding an order (log scale)", log: true },
		{ low: 0, high: maxUs * 1.2, label: "µs per purchase, calls of 10,000" },
	);
	parts.push(
		`<polyline points="${inside.curve.map(([b, us]) => `${sx(b)},${sy(us)}`).join(" ")}" fill="none" stroke="#2563eb" stroke-width="2"/>`,
		`<polyline points="${inside.curve
			.filter(([, , rss]) => rss !== null)
			.map(([b, , rss]) => `${sx(b)},${sy(((rss ?? 0) / maxRss) * maxUs)}`)
			.join(" ")}" fill="none" stroke="#ea580c" stroke-width="2" stroke-dasharray="5 3"/>`,
	);
	return `<p>${html(inside.note)} Measured ${html(inside.startedAt)}.</p>
<table><thead><tr><th>buyers</th><th>µs per purchase inside, calls of 100 (mean)</th><th>p99 over the calls, µs</th><th>µs per purchase while filling, calls of 10,000</th><th>round trip p50 ms</th><th>round trip p99 ms</th><th>outbox drained after, ms</th><th>isolate heap MiB (after GC)</th><th>workerd RSS MiB</th><th>SQLite MiB</th></tr></thead><tbody>${rows}</tbody></table>
${svg(frame, parts)}${legend([
	["µs per purchase inside the object", "#2563eb"],
	[`workerd RSS (scaled; max ${maxRss} MiB)`, "#ea580c"],
])}`;
}

function breakdownSection(breakdown: Breakdown | null): string {
	if (!breakdown) {
		return "<p>No breakdown in this directory; <code>npm run bench -- --breakdown</code> makes one.</p>";
	}
	const bare = (layout: string) =>
		breakdown.ladder.find((rung) => rung.layout === layout && rung.name === "bare Worker route")
			?.workerdCpuMs ?? 0;
	const ladder = breakdown.ladder
		.map(
			(rung) =>
				`<tr><td>${html(rung.name)}</td><td>${rung.layout}</td><td>${rung.workerdCpuMs?.toFixed(3) ?? "?"} <span class="muted">(${rung.workerdCpuMsRange?.map((v) => v.toFixed(2)).join("–") ?? "?"})</span></td><td>${rung.workerdCpuMs === null ? "" : `+${(rung.workerdCpuMs - bare(rung.layout)).toFixed(3)}`}</td><td>${rung.clientCpuMs.toFixed(3)}</td><td>${int(rung.perSecond)}</td></tr>`,
		)
		.join("");
	const shareTables = breakdown.shares
		.map(
			(s) =>
				`<table><thead><tr><th>${html(s.scenario)}: module</th><th>share</th></tr></thead><tbody>${s.byModule
					.slice(0, 10)
					.map((m) => `<tr><td>${html(m.module)}</td><td>${(m.share * 100).toFixed(1)}%</td></tr>`)
					.join("")}</tbody></table>`,
		)
		.join("");
	const functionTables = breakdown.shares
		.map(
			(s) =>
				`<table><thead><tr><th>${html(s.scenario)}: function (self time)</th><th>share</th></tr></thead><tbody>${s.byFunction
					.slice(0, 12)
					.map((f) => `<tr><td>${html(f.where)}</td><td>${(f.share * 100).toFixed(1)}%</td></tr>`)
					.join("")}</tbody></table>`,
		)
		.join("");
	return `<p>${html(breakdown.note)} Measured ${html(breakdown.startedAt)}, ${int(breakdown.requests)} requests per rung at ${int(breakdown.concurrency)} connections.</p>
<table><thead><tr><th>request</th><th>layout</th><th>workerd CPU ms / request (range)</th><th>over the bare route</th><th>client CPU ms / request</th><th>requests/s</th></tr></thead><tbody>${ladder}</tbody></table>
<div class="grid">${shareTables}</div><div class="grid">${functionTables}</div>`;
}

async function readJson<T>(file: string): Promise<T | null> {
	return readFile(file, "utf8")
		.then((text) => JSON.parse(text) as T)
		.catch(() => null);
}

/**
 * The report: one self-contained HTML file (inline SVG and CSS, nothing
 * fetched), with the inside-the-object and breakdown measurements found next
 * to it when there are any.
 */
export async function renderReport(result: StampedeResult, dir: string): Promise<string> {
	const inside = await readJson<InsideResult>(path.join(dir, "inside-do.json"));
	const breakdown = await readJson<Breakdown>(path.join(dir, "breakdown.json"));
	const { rush, steady, machine, options, ratios } = result;
	const failures = result.failures.map((f) => `<li>${html(f.message)} (×${f.count})</li>`).join("");
	const logLines = Object.entries(result.workerLogs.counts)
		.map(([kind, n]) => `${html(kind)} ×${int(n)}`)
		.join(", ");
	return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Doorbuster stampede benchmark</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1100px;color:#111827;padding:0 16px}
h1{margin-bottom:4px}h2{margin-top:32px;border-bottom:1px solid #e5e7eb;padding-bottom:4px}
table{border-collapse:collapse;margin:8px 0;font-size:13px}td,th{border:1px solid #e5e7eb;padding:3px 7px;text-align:right;vertical-align:top}
th{background:#f9fafb}td:first-child,td:nth-child(2),td.outcomes,th:last-child{text-align:left}td.outcomes{font-size:12px;color:#374151}
.banner{padding:10px 14px;border-radius:6px;font-weight:600}.ok{background:#dcfce7}.bad{background:#fee2e2}
.cards{display:flex;gap:12px;flex-wrap:wrap}.card{flex:1;min-width:260px;padding:12px;border-radius:8px;border:2px solid}
.card.met{border-color:#16a34a;background:#f0fdf4}.card.missed{border-color:#dc2626;background:#fef2f2}.big{font-size:30px;font-weight:700}.small{font-size:12px;color:#4b5563}
svg text{font-size:11px;fill:#374151}svg text.label{font-size:12px}svg text.marker{font-size:11px;fill:#111827}
.legend{display:flex;flex-wrap:wrap;gap:10px;font-size:12px;margin:4px 0 12px}.legend i{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:-2px}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:8px}figure{margin:0}figcaption{font-weight:600;font-size:13px}
.muted{color:#4b5563}
</style></head><body>
<h1>Doorbuster stampede benchmark</h1>
<p class="muted">${html(result.startedAt)} · ${int(options.buyers)} buyers, ${int(options.stock)} units, ${int(options.concurrency)} connections, quantity ${options.quantity} · steady phase ${int(options.steadyBuyers)} buyers · references ${int(options.referenceRequests)} requests × 2 rounds</p>
<p class="muted">${html(machine.cpuModel)}, ${machine.cpus} cores, ${machine.memoryGiB} GiB · ${html(machine.platform)} · Node ${html(machine.node)} · workerd ${html(machine.workerd)} · load average ${machine.loadAverageBefore.map((v) => v.toFixed(1)).join("/")} before, ${machine.loadAverageAfter.map((v) => v.toFixed(1)).join("/")} after</p>
<p class="muted">${html(machine.note)}</p>
<div class="banner ${result.ok ? "ok" : "bad"}">${result.ok ? "All checks passed: nothing oversold, duplicated or lost; no 5xx; every answer in the contract." : `Checks failed:<ul>${failures}</ul>`}</div>

<h2>Targets</h2>
<div class="cards">
${ratioCard("Live purchase throughput ÷ minimal Durable Object", ratios.livePurchaseVsDurableObject)}
${ratioCard("Sold-out answers ÷ bare Worker route", ratios.soldOutVsBareRoute)}
${ratioCard("Live purchase p99 ÷ minimal Durable Object p99", ratios.liveP99VsDurableObjectP99)}
</div>
<p>Context, not a target: live purchase throughput ÷ one rate-limit call + the minimal Durable Object (the least a rate-limited purchase can cost in this runtime, where the rate-limit binding is simulated by a Durable Object reached over HTTP) = <b>${result.context.livePurchaseVsRateLimitedDurableObject.value.toFixed(2)}</b>.</p>
<p class="muted">${html(ratioText(ratios.livePurchaseVsDurableObject))} · ${html(ratioText(ratios.soldOutVsBareRoute))} · ${html(ratioText(ratios.liveP99VsDurableObjectP99))}</p>

<h2>The rush</h2>
<p>Sold ${int(rush.soldUnits)} of ${int(rush.expectedUnits)} units expected (demand ${int(rush.demandUnits)}); sold out ${rush.sellOutMs === null ? "never" : `${int(rush.sellOutMs)} ms`} after the start. The D1 order book held every order ${rush.orderBookCatchUpMs === null ? "never" : `${int(rush.orderBookCatchUpMs)} ms`} after the last one was confirmed (${int(rush.orderBookRows)} rows).
Steady phase: ${int(steady.orders)} orders; order book caught up ${steady.orderBookCatchUpMs === null ? "never" : `${int(steady.orderBookCatchUpMs)} ms`} after the last (${int(steady.orderBookRows)} rows).</p>
<h3>Answers per second, by endpoint and outcome</h3>
${throughputChart(result)}
<h3>Remaining stock</h3>
${stockChart(result)}

<h2>Figures per phase and endpoint</h2>
${figuresTable(result)}
<p class="muted">Phases are by the time a request was sent. "Steady" is a second sale with a unit for every buyer, bought at full concurrency in pieces of ${int(options.chunk)} (each piece first fetches its purchase tokens); the references were sent the same way, before and after.</p>

<h2>Latency histograms</h2>
${histograms(result)}

<h2>Memory</h2>
<p>workerd resident memory (MiB): ${Object.entries(result.memory.workerdRssMiB)
		.map(([at, v]) => `${html(at)} ${v ?? "?"}`)
		.join(" · ")}. Load generator: ${result.memory.clientRssMiB} MiB.</p>
<p class="muted">Worker log lines during the run: ${logLines || "none"}.</p>

<h2>Inside the Durable Object, as buyers grow</h2>
${insideSection(inside)}

<h2>Where the time goes</h2>
${breakdownSection(breakdown)}
</body></html>
`;
}
