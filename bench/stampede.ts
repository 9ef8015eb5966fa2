// `npm run bench`: the stampede benchmark. See README "Performance".
//   npm run bench -- --buyers 20000 --stock 100 --concurrency 1000 --quantity 1
//   npm run bench -- --layout as-deployed    Doorbuster behind the Static Assets router, as deployed
//   npm run bench -- --inside-do            purchase cost inside the object at 10k/100k/1M buyers
//   npm run bench -- --draw                 draws: entries/s inside the object and through the flow at 10k/100k/1M, the draw at 1M
//   npm run bench -- --breakdown            where the time goes: CPU per request, layer by layer, and a profile
//   npm run bench -- --render               rebuild the HTML report from the JSON files in --out
//   npm run bench -- --holds                the hold scenario: holds, payments, expiry to the waitlist
//     (--hold-buyers 2000 --hold-stock 400 --hold-concurrency 100 --mass-holds 10000)
//   npm run bench -- --shards 1,4,16,64     sales of K shards: the stampede and its checks at each K, CPU per
//     purchase (K = 16 ÷ K = 1), how long a purchase holds its shard, coordinator requests per 1,000 sold
//     (--buyers, --concurrency as above; --stock defaults to 2000 here, so every shard's leases run dry;
//     --relays M puts M relays in front of every sale object, API.md "Relays")
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { runBreakdown } from "./breakdown.ts";
import { runDrawBench } from "./draw.ts";
import { formatSummary } from "./format.ts";
import { runHolds } from "./holds.ts";
import { type InsideResult, runInside } from "./inside-do.ts";
import { renderReport } from "./report-html.ts";
import { runStampede, type StampedeResult } from "./run-stampede.ts";
import { formatShards, runShards } from "./shards.ts";

const MAX_BUYERS = 1_000_000;

const { values } = parseArgs({
	options: {
		buyers: { type: "string", default: "20000" },
		stock: { type: "string" },
		concurrency: { type: "string", default: "1000" },
		quantity: { type: "string", default: "1" },
		layout: { type: "string", default: "worker-only" },
		"inside-do": { type: "boolean", default: false },
		draw: { type: "boolean", default: false },
		flow: { type: "string", default: "2000" },
		"flow-concurrency": { type: "string", default: "32" },
		breakdown: { type: "boolean", default: false },
		render: { type: "boolean", default: false },
		holds: { type: "boolean", default: false },
		"hold-buyers": { type: "string", default: "2000" },
		"hold-stock": { type: "string", default: "400" },
		"hold-concurrency": { type: "string", default: "100" },
		"mass-holds": { type: "string", default: "10000" },
		levels: { type: "string", default: "10000,100000,1000000" },
		shards: { type: "string" },
		relays: { type: "string", default: "0" },
		out: { type: "string", default: "bench-results" },
	},
});

function count(name: string, raw: string, max: number): number {
	const value = Number(raw);
	if (!Number.isInteger(value) || value < 1 || value > max) {
		console.error(`--${name} must be a whole number from 1 to ${max.toLocaleString("en-US")}; got ${raw}`);
		process.exit(2);
	}
	return value;
}

const outDir = path.resolve(values.out);
await mkdir(outDir, { recursive: true });
const log = (line: string) => console.log(line);

if (values["inside-do"]) {
	const levels = values.levels.split(",").map((level) => count("levels", level, 10_000_000));
	const inside: InsideResult = await runInside(levels, log);
	await writeFile(path.join(outDir, "inside-do.json"), `${JSON.stringify(inside, null, "\t")}\n`);
	console.log(`\nWrote ${path.join(outDir, "inside-do.json")}; the next full run includes it in its report.`);
	process.exit(inside.ok ? 0 : 1);
}

if (values.draw) {
	const levels = values.levels.split(",").map((level) => count("levels", level, 10_000_000));
	const result = await runDrawBench(
		levels,
		{
			flow: count("flow", values.flow, 100_000),
			concurrency: count("flow-concurrency", values["flow-concurrency"], 1_000),
		},
		log,
	);
	await writeFile(path.join(outDir, "draw.json"), `${JSON.stringify(result, null, "\t")}\n`);
	console.log(`\nWrote ${path.join(outDir, "draw.json")}.`);
	if (!result.ok) console.error(result.failures.slice(0, 20).join("\n"));
	process.exit(result.ok ? 0 : 1);
}

if (values.breakdown) {
	const breakdown = await runBreakdown(
		{
			requests: count("buyers", values.buyers, MAX_BUYERS),
			concurrency: count("concurrency", values.concurrency, 10_000),
		},
		log,
	);
	await writeFile(path.join(outDir, "breakdown.json"), `${JSON.stringify(breakdown, null, "\t")}\n`);
	console.log(`\nWrote ${path.join(outDir, "breakdown.json")}; the next full run includes it in its report.`);
	process.exit(0);
}

if (values.holds) {
	const holds = await runHolds({
		buyers: count("hold-buyers", values["hold-buyers"], MAX_BUYERS),
		stock: count("hold-stock", values["hold-stock"], 100_000),
		massHolds: count("mass-holds", values["mass-holds"], 100_000),
		concurrency: count("hold-concurrency", values["hold-concurrency"], 10_000),
		payShare: 0.3,
		log,
	});
	await writeFile(path.join(outDir, "holds.json"), `${JSON.stringify(holds, null, "\t")}\n`);
	console.log(
		`\n${JSON.stringify({ throughput: holds.throughput, handoff: holds.handoff, massExpiry: holds.massExpiry, orderBook: holds.orderBook, failures: holds.failures }, null, 2)}`,
	);
	console.log(`\nWrote ${path.join(outDir, "holds.json")}.`);
	process.exit(holds.ok ? 0 : 1);
}

if (values.shards !== undefined) {
	const ks = [...new Set(values.shards.split(",").map((k) => count("shards", k, 64)))];
	const result = await runShards(
		ks,
		{
			buyers: count("buyers", values.buyers, MAX_BUYERS),
			stock: count("stock", values.stock ?? "2000", 100_000_000),
			concurrency: count("concurrency", values.concurrency, 10_000),
			quantity: count("quantity", values.quantity, 1_000),
			relays: values.relays === "0" ? 0 : count("relays", values.relays, 8),
		},
		log,
	);
	await writeFile(path.join(outDir, "shards.json"), `${JSON.stringify(result, null, "\t")}\n`);
	console.log(`\n${formatShards(result)}`);
	console.log(`\nWrote ${path.join(outDir, "shards.json")}.`);
	process.exit(result.ok ? 0 : 1);
}

if (values.render) {
	const saved = JSON.parse(await readFile(path.join(outDir, "stampede.json"), "utf8")) as StampedeResult;
	await writeFile(path.join(outDir, "stampede.html"), await renderReport(saved, outDir));
	console.log(`Wrote ${path.join(outDir, "stampede.html")}.`);
	process.exit(0);
}

if (values.layout !== "worker-only" && values.layout !== "as-deployed") {
	console.error(`--layout must be worker-only or as-deployed; got ${values.layout}`);
	process.exit(2);
}
const result = await runStampede({
	layout: values.layout,
	buyers: count("buyers", values.buyers, MAX_BUYERS),
	stock: count("stock", values.stock ?? "100", 100_000_000),
	concurrency: count("concurrency", values.concurrency, 10_000),
	quantity: count("quantity", values.quantity, 1_000),
	log,
});
const jsonPath = path.join(outDir, "stampede.json");
const htmlPath = path.join(outDir, "stampede.html");
await writeFile(jsonPath, `${JSON.stringify(result, null, "\t")}\n`);
await writeFile(htmlPath, await renderReport(result, outDir));
console.log(`\n${formatSummary(result)}`);
console.log(`\nWrote ${jsonPath} and ${htmlPath}.`);
process.exit(result.ok ? 0 : 1);
