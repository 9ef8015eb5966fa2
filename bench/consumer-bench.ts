// `npm run bench:consumer`: how many orders a second the order book's queue
// consumer writes to D1, one consumer writing delivery after delivery.
//   npm run bench:consumer -- --orders 50000 --per-message 150 --runs 3
import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { unstable_splitSqlQuery } from "wrangler";
import { median } from "./measure.ts";
import { bundle, workerFromConfig } from "./runtime.ts";

const ROOT = path.resolve(import.meta.dirname, "..");
const CONFIG = path.join(ROOT, "bench", "workers", "order-book-writer.toml");

/** How a sale's orders reach the consumer: see bench/workers/order-book-writer.ts. */
export type WriteShape = "before-packs" | "lone" | "packed";

interface WriteRun {
	shape: WriteShape;
	perMessage: number;
	orders: number;
	rows: number;
	ms: number;
	deliveries: number;
	acked: number;
	retried: number;
}

export interface ConsumerShapeResult {
	shape: WriteShape;
	perMessage: number;
	/** Median over the runs, orders written per second. */
	rowsPerSecond: number;
	/** Every run's rate, in the order run, to show the noise. */
	runs: number[];
	/** Median time of one delivery of 100 messages (ms). */
	msPerDelivery: number;
	/** This shape's median ÷ before-packs' median, from the same run. */
	ratio: number;
}

export interface ConsumerResult {
	ok: boolean;
	failures: string[];
	startedAt: string;
	orders: number;
	shapes: ConsumerShapeResult[];
	note: string;
}

const { values } = parseArgs({
	options: {
		orders: { type: "string", default: "50000" },
		"per-message": { type: "string", default: "150" },
		runs: { type: "string", default: "3" },
		out: { type: "string", default: "bench-results" },
	},
});

const orders = Number(values.orders);
const perMessage = Number(values["per-message"]);
const runs = Number(values.runs);
for (const [name, value] of [
	["orders", orders],
	["per-message", perMessage],
	["runs", runs],
] as const) {
	if (!Number.isInteger(value) || value < 1) {
		console.error(`--${name} must be a whole number of at least 1`);
		process.exit(2);
	}
}

const stateDir = await mkdtemp(path.join(os.tmpdir(), "doorbuster-consumer-"));
const bundleDir = await bundle(CONFIG, path.join(stateDir, "bundle"));
// Named as the app, so the D1 database is the one `doorbuster`'s migrations are applied to.
const writer = workerFromConfig(CONFIG, "doorbuster", bundleDir);
const mf = new Miniflare(
	convertV4MiniflareOptions({
		host: "127.0.0.1",
		port: 0,
		cf: false,
		logRequests: false,
		resourcePersistencePath: path.join(stateDir, "state"),
		workers: [writer],
	}),
);
const failures: string[] = [];
const startedAt = new Date().toISOString();
try {
	const origin = (await mf.ready).origin;
	const db = await mf.getD1Database("DB", "doorbuster");
	for (const file of ["0000_init.sql", "0001_order_versions.sql", "0002_order_book_positions.sql"]) {
		const text = await readFile(path.join(ROOT, "migrations", file), "utf8");
		await db.batch(unstable_splitSqlQuery(text).map((statement) => db.prepare(statement)));
	}
	const shapes: WriteShape[] = ["before-packs", "lone", "packed"];
	const rates = new Map<WriteShape, { rates: number[]; delivery: number[] }>(
		shapes.map((shape) => [shape, { rates: [], delivery: [] }]),
	);
	// Shapes interleave run by run, so that the machine's noise falls on all of them alike.
	for (let run = 0; run < runs; run++) {
		for (const shape of shapes) {
			const response = await fetch(
				`${origin}/write?shape=${shape}&orders=${orders}&perMessage=${perMessage}`,
				{
					method: "POST",
				},
			);
			const result = (await response.json()) as WriteRun;
			if (result.rows !== orders || result.retried > 0)
				failures.push(`${shape}: ${result.rows} of ${orders} rows, ${result.retried} messages retried`);
			const rate = (result.rows / result.ms) * 1000;
			rates.get(shape)?.rates.push(rate);
			rates.get(shape)?.delivery.push(result.ms / result.deliveries);
			console.log(
				`run ${run + 1} ${shape.padEnd(12)} ${Math.round(rate).toLocaleString("en-US").padStart(8)} rows/s  (${result.deliveries} deliveries, ${(result.ms / result.deliveries).toFixed(1)} ms each)`,
			);
		}
	}
	const baseline = median(rates.get("before-packs")?.rates ?? []);
	const summary: ConsumerShapeResult[] = shapes.map((shape) => {
		const { rates: shapeRates, delivery } = rates.get(shape) ?? { rates: [], delivery: [] };
		const rowsPerSecond = median(shapeRates);
		return {
			shape,
			perMessage: shape === "packed" ? perMessage : 1,
			rowsPerSecond: Math.round(rowsPerSecond),
			runs: shapeRates.map(Math.round),
			msPerDelivery: Math.round(median(delivery) * 10) / 10,
			ratio: Math.round((rowsPerSecond / baseline) * 100) / 100,
		};
	});
	const result: ConsumerResult = {
		ok: failures.length === 0,
		failures,
		startedAt,
		orders,
		shapes: summary,
		note: "One consumer writing deliveries of 100 messages one after another into local D1 (SQLite inside workerd), timed inside the Worker. before-packs = one order a message, 7 rows per insert (the consumer before packs); lone = today's consumer with one order a message; packed = today's consumer with packs. Production D1 adds a network round trip per D1 batch, which packing also divides.",
	};
	console.log("");
	for (const shape of summary)
		console.log(
			`${shape.shape.padEnd(12)} ${shape.rowsPerSecond.toLocaleString("en-US").padStart(8)} rows/s  ×${shape.ratio.toFixed(2)}  (runs: ${shape.runs.map((r) => r.toLocaleString("en-US")).join(", ")})`,
		);
	const outDir = path.resolve(values.out);
	await mkdir(outDir, { recursive: true });
	await writeFile(path.join(outDir, "consumer.json"), `${JSON.stringify(result, null, "\t")}\n`);
	console.log(`\nWrote ${path.join(outDir, "consumer.json")}; npm run model reads it.`);
	process.exitCode = result.ok ? 0 : 1;
} finally {
	await mf.dispose();
}
