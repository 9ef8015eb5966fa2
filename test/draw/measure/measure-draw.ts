// Time and peak memory of doorbuster-draw-v1 at 1,000,000 entrants, in Node
// and inside a Durable Object in workerd (not a test: the figures depend on
// the machine). Run with the project's Node 22:
//   npx node --expose-gc test/draw/measure/measure-draw.ts [--entrants 1000000] [--runs 3] [--runtime node|workerd|both]
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { sha256 } from "@noble/hashes/sha2.js";
import { drawSeed, pickWinners } from "../../../src/draw/draw-v1.ts";
import { EntrantListBuilder, entrantsRoot } from "../../../src/draw/entrant-list.ts";
import { shuffledOrder } from "../../../src/draw/shuffle.ts";
import { forEachRow, RANDOMNESS, STOCK, VARIANT_IDS } from "./synthetic-entrants.ts";
import { measureInWorkerd } from "./workerd-probe.ts";

const { values } = parseArgs({
	options: {
		entrants: { type: "string", default: "1000000" },
		runs: { type: "string", default: "3" },
		runtime: { type: "string", default: "both" },
	},
});
const entrants = Number(values.entrants);
const runs = Number(values.runs);

const MIB = 1024 * 1024;
const mib = (bytes: number) => `${(bytes / MIB).toFixed(1)} MiB`;
const ms = (value: number) => `${value.toFixed(0)} ms`;

/** The process's peak RSS since the last reset, in bytes (Linux). */
async function peakRss(pid: number | "self" = "self"): Promise<number> {
	const status = await readFile(`/proc/${pid}/status`, "utf8");
	return Number(status.match(/^VmHWM:\s+(\d+) kB/m)?.[1]) * 1024;
}

/** Resets the peak RSS to the current RSS (Linux: writing 5 to clear_refs). */
async function resetPeakRss(pid: number | "self" = "self"): Promise<void> {
	const { writeFile } = await import("node:fs/promises");
	await writeFile(`/proc/${pid}/clear_refs`, "5");
}

/** A reference workload in the same process: SHA-256 of 64 MiB with the same library. */
function reference(): number {
	const data = new Uint8Array(64 * MIB).fill(7);
	const start = performance.now();
	sha256(data);
	return performance.now() - start;
}

function gc(): void {
	(globalThis as { gc?: () => void }).gc?.();
}

async function measureInNode(): Promise<void> {
	for (let run = 1; run <= runs; run++) {
		gc();
		const before = process.memoryUsage();
		await resetPeakRss();
		const rssBefore = (await peakRss()) as number;
		const t0 = performance.now();
		const builder = new EntrantListBuilder(VARIANT_IDS, entrants);
		forEachRow(0, entrants, ([commitment, variantId, quantity]) =>
			builder.add(commitment, variantId, quantity),
		);
		const list = builder.build();
		const t1 = performance.now();
		const root = entrantsRoot(list);
		const t2 = performance.now();
		const order = shuffledOrder(list.count, drawSeed(RANDOMNESS, root));
		const t3 = performance.now();
		const winners = pickWinners(list, order, STOCK);
		const t4 = performance.now();
		const peak = (await peakRss()) - rssBefore;
		const after = process.memoryUsage();
		const referenceMs = reference();
		console.log(
			`node run ${run}: list ${ms(t1 - t0)} (incl. generating rows), root ${ms(t2 - t1)}, shuffle ${ms(t3 - t2)}, ` +
				`winners ${ms(t4 - t3)} -> draw ${ms(t4 - t1)}, all ${ms(t4 - t0)}; ${winners.length} winners; ` +
				`array buffers +${mib(after.arrayBuffers - before.arrayBuffers)}, heap +${mib(after.heapUsed - before.heapUsed)}, ` +
				`peak RSS +${mib(peak)}; reference SHA-256 of 64 MiB ${ms(referenceMs)} (draw/reference ${((t4 - t1) / referenceMs).toFixed(2)})`,
		);
	}
}

console.log(`doorbuster-draw-v1 at ${entrants.toLocaleString("en")} entrants, ${runs} runs`);
if (values.runtime !== "workerd") await measureInNode();
if (values.runtime !== "node") await measureInWorkerd(entrants, runs, { peakRss, resetPeakRss });
