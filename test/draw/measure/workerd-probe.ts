import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { build } from "esbuild";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";

/** Rows inserted per call while filling: one transaction each. */
const FILL_BATCH = 100_000;
const MIB = 1024 * 1024;

interface MemoryProbes {
	peakRss(pid: number): Promise<number>;
	resetPeakRss(pid: number): Promise<void>;
}

/**
 * Runs the draw inside a Durable Object in local workerd: bundles the probe
 * object, fills its SQLite storage with `entrants` rows, then times each
 * phase from outside (workerd's clocks stand still while a request computes)
 * and reads workerd's CPU time and peak RSS around the draw.
 */
export async function measureInWorkerd(entrants: number, runs: number, memory: MemoryProbes): Promise<void> {
	const dir = await mkdtemp(path.join(os.tmpdir(), "doorbuster-draw-probe-"));
	try {
		const bundle = await build({
			entryPoints: [path.join(import.meta.dirname, "draw-probe.worker.ts")],
			bundle: true,
			format: "esm",
			platform: "neutral",
			external: ["cloudflare:workers"],
			write: false,
		});
		const mf = new Miniflare(
			convertV4MiniflareOptions({
				resourcePersistencePath: path.join(dir, "state"),
				workers: [
					{
						name: "draw-probe",
						modules: [{ type: "ESModule", path: "probe.js", contents: bundle.outputFiles[0]?.text ?? "" }],
						compatibilityDate: "2026-11-01",
						durableObjects: { PROBE: { className: "DrawProbe", useSQLite: true } },
					},
				],
			}),
		);
		try {
			await mf.ready;
			const pid = await workerdPid();
			const call = async (pathname: string) => {
				const cpuBefore = await cpuMs(pid);
				const start = performance.now();
				const response = await mf.dispatchFetch(`http://probe${pathname}`);
				const body = await response.text();
				if (!response.ok) throw new Error(`${pathname}: ${response.status} ${body}`);
				return { ms: performance.now() - start, cpuMs: (await cpuMs(pid)) - cpuBefore };
			};
			const fillStart = performance.now();
			for (let from = 0; from < entrants; from += FILL_BATCH) {
				await call(`/fill?from=${from}&count=${Math.min(FILL_BATCH, entrants - from)}`);
			}
			console.log(
				`workerd: filled ${entrants} rows in ${((performance.now() - fillStart) / 1000).toFixed(1)} s`,
			);
			for (let run = 1; run <= runs; run++) {
				await call("/forget");
				const rssBefore = await rss(pid);
				await memory.resetPeakRss(pid);
				const phases = {
					read: await call("/read"),
					root: await call("/root"),
					shuffle: await call("/shuffle"),
					winners: await call("/winners"),
				};
				const peak = (await memory.peakRss(pid)) - rssBefore;
				const reference = await call("/reference");
				const draw = phases.root.ms + phases.shuffle.ms + phases.winners.ms;
				const all = draw + phases.read.ms;
				const fmt = (p: { ms: number; cpuMs: number }) => `${p.ms.toFixed(0)} ms (cpu ${p.cpuMs.toFixed(0)})`;
				console.log(
					`workerd run ${run}: read list from SQLite ${fmt(phases.read)}, root ${fmt(phases.root)}, ` +
						`shuffle ${fmt(phases.shuffle)}, winners ${fmt(phases.winners)} -> draw ${draw.toFixed(0)} ms, ` +
						`all ${all.toFixed(0)} ms; workerd peak RSS +${(peak / MIB).toFixed(1)} MiB; ` +
						`reference SHA-256 of 64 MiB ${fmt(reference)} (draw/reference ${(draw / reference.ms).toFixed(2)})`,
				);
			}
		} finally {
			await mf.dispose();
		}
	} finally {
		await rm(dir, { recursive: true, force: true });
	}
}

/** Miniflare's workerd child process. */
async function workerdPid(): Promise<number> {
	for (const entry of await readdir("/proc")) {
		if (!/^\d+$/.test(entry)) continue;
		const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => "");
		const match = stat.match(/^\d+ \((.*)\) \S (\d+)/);
		if (match?.[1]?.startsWith("workerd") && Number(match[2]) === process.pid) return Number(entry);
	}
	throw new Error("workerd's process was not found");
}

async function rss(pid: number): Promise<number> {
	const status = await readFile(`/proc/${pid}/status`, "utf8");
	return Number(status.match(/^VmRSS:\s+(\d+) kB/m)?.[1]) * 1024;
}

/** CPU time of the process so far, user and system, in ms (clock ticks of 10 ms). */
async function cpuMs(pid: number): Promise<number> {
	const stat = await readFile(`/proc/${pid}/stat`, "utf8");
	const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
	return (Number(fields[11]) + Number(fields[12])) * 10;
}
