import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import { readdir, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { promisify } from "node:util";
import { convertV4MiniflareOptions, Miniflare, type V4WorkerOptions } from "miniflare";
import { unstable_getMiniflareWorkerOptions, unstable_splitSqlQuery } from "wrangler";

const ROOT = path.resolve(import.meta.dirname, "..");
const REFERENCE_CONFIG = path.join(ROOT, "bench", "workers", "wrangler.toml");
const REFERENCE_ASSETS_CONFIG = path.join(ROOT, "bench", "workers", "wrangler-assets.toml");

/** The local test secrets (see vitest.config.ts); the Turnstile one passes offline. */
export const SECRETS = {
	SESSION_SECRET: "test-session-secret-0123456789abcdef",
	ADMIN_TOKEN: "test-admin-token",
	TURNSTILE_SECRET_KEY: "1x0000000000000000000000000000000AA",
} as const;

export interface Runtime {
	/** Where the workers answer: Doorbuster on every path, the references on `/ref/*` and `/ref-assets/*`. */
	origin: string;
	/** What the workers logged, counted by level and `event`, with the first few errors verbatim. */
	logs: WorkerLogs;
	/** workerd's resident memory now, in bytes (Linux), or null if it cannot be read. */
	workerdRss(): Promise<number | null>;
	/** CPU time workerd has used so far, all threads, user and system, in ms (Linux), or null. */
	workerdCpuMs(): Promise<number | null>;
	dispose(): Promise<void>;
}

export interface WorkerLogs {
	counts: Record<string, number>;
	errors: string[];
}

const run = promisify(execFile);
const KEPT_ERRORS = 20;
/** USER_HZ, the unit of /proc/<pid>/stat times; 100 on every Linux this runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * Counts workerd's log lines instead of printing them: the Worker logs a
 * line per purchase, and printing tens of thousands of them would load the
 * client's CPU, which the benchmark shares with workerd.
 */
function logCollector(): { logs: WorkerLogs; handle: (log: { level: string; message: string }) => void } {
	const logs: WorkerLogs = { counts: {}, errors: [] };
	const handle = ({ level, message }: { level: string; message: string }) => {
		let event = "";
		try {
			const parsed = JSON.parse(message) as { event?: unknown };
			if (typeof parsed.event === "string") event = ` ${parsed.event}`;
		} catch {
			// A plain-text line: counted by level only.
		}
		const key = `${level}${event}`;
		logs.counts[key] = (logs.counts[key] ?? 0) + 1;
		if ((level === "error" || level === "warn") && logs.errors.length < KEPT_ERRORS)
			logs.errors.push(message.slice(0, 500));
	};
	return { logs, handle };
}

/**
 * Bundles a Worker exactly as a deploy would (`wrangler deploy --dry-run`)
 * into `outDir`.
 */
export async function bundle(configPath: string, outDir: string): Promise<string> {
	const wrangler = path.join(
		path.dirname(createRequire(import.meta.url).resolve("wrangler/package.json")),
		"bin",
		"wrangler.js",
	);
	await run(process.execPath, [wrangler, "deploy", "--dry-run", "--outdir", outDir, "--config", configPath], {
		cwd: ROOT,
		env: { ...process.env, ...SECRETS, WRANGLER_SEND_METRICS: "false" },
		maxBuffer: 16 * 1024 * 1024,
	});
	return outDir;
}

/**
 * The bindings wrangler itself derives from a config file (Durable Objects
 * with SQLite, queue producer and consumer with its dead-letter queue, D1,
 * rate limits, static assets, vars), pointed at a bundle built beforehand.
 */
export function workerFromConfig(configPath: string, name: string, bundleDir: string): V4WorkerOptions {
	const { workerOptions, main } = unstable_getMiniflareWorkerOptions(configPath);
	// Wrangler types these options through an Omit<> that loses every key to its index signature.
	const w = workerOptions as V4WorkerOptions;
	return {
		name,
		rootPath: bundleDir,
		modules: bundleModules(bundleDir, `${path.parse(main ?? "index").name}.js`),
		compatibilityDate: w.compatibilityDate,
		compatibilityFlags: w.compatibilityFlags,
		bindings: w.bindings,
		durableObjects: w.durableObjects,
		d1Databases: w.d1Databases,
		queueProducers: w.queueProducers,
		queueConsumers: w.queueConsumers,
		ratelimits: w.ratelimits,
		assets: w.assets,
	};
}

/**
 * The bundle's modules, entry first: it is named after the entry module
 * (src/index.ts gives index.js), and the modules it imports by the
 * config's rules (wrangler.jsonc as text) sit beside it.
 */
function bundleModules(bundleDir: string, entry: string): { type: "ESModule" | "Text"; path: string }[] {
	const others = readdirSync(bundleDir).filter((file) => file !== entry && /\.(js|jsonc)$/.test(file));
	return [
		{ type: "ESModule", path: path.join(bundleDir, entry) },
		...others.map((file) => ({
			type: file.endsWith(".js") ? ("ESModule" as const) : ("Text" as const),
			path: path.join(bundleDir, file),
		})),
	];
}

export async function applyMigrations(mf: Miniflare): Promise<void> {
	const db = await mf.getD1Database("DB", "doorbuster");
	const dir = path.join(ROOT, "migrations");
	const files = (await readdir(dir)).filter((file) => file.endsWith(".sql")).sort();
	for (const file of files) {
		const statements = unstable_splitSqlQuery(await readFile(path.join(dir, file), "utf8"));
		await db.batch(statements.map((sql) => db.prepare(sql)));
	}
}

/** workerd is Miniflare's child process; its RSS is where every isolate, SQLite cache and queue lives. */
export async function findWorkerdPid(): Promise<number | null> {
	for (const entry of await readdir("/proc").catch(() => [])) {
		if (!/^\d+$/.test(entry)) continue;
		const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => "");
		const match = stat.match(/^\d+ \((.*)\) \S (\d+)/);
		if (match?.[1]?.startsWith("workerd") && Number(match[2]) === process.pid) return Number(entry);
	}
	return null;
}

/**
 * How requests reach the workers. Miniflare sends a request that matches no
 * route to the first worker through its Static Assets router (two more
 * workers), but a routed request straight to the worker. "as-deployed":
 * Doorbuster is first, reached through its router as on Cloudflare, and the
 * references are routed. "worker-only": Doorbuster is routed too, and the
 * reference behind Static Assets is first, to measure what that hop costs.
 */
export type Layout = "as-deployed" | "worker-only";

/**
 * Starts Doorbuster and the reference workers in one local workerd through
 * programmatic Miniflare: no dev proxy, no inspector unless asked for, no
 * request logging in the path. Storage (Durable Objects, D1, queues) lives
 * in `stateDir`.
 */
export async function startRuntime(
	stateDir: string,
	options: { inspectorPort?: number; layout?: Layout; vars?: Record<string, string> } = {},
): Promise<Runtime> {
	const [appDir, refDir] = await Promise.all([
		bundle(path.join(ROOT, "wrangler.jsonc"), path.join(stateDir, "bundle-app")),
		bundle(REFERENCE_CONFIG, path.join(stateDir, "bundle-reference")),
	]);
	const app = workerFromConfig(path.join(ROOT, "wrangler.jsonc"), "doorbuster", appDir);
	app.bindings = { ...app.bindings, ...options.vars, ...SECRETS };
	const reference = { ...workerFromConfig(REFERENCE_CONFIG, "bench-reference", refDir), routes: ["*/ref/*"] };
	const referenceBehindAssets = workerFromConfig(REFERENCE_ASSETS_CONFIG, "bench-reference-assets", refDir);
	const workers =
		options.layout === "worker-only"
			? [referenceBehindAssets, reference, { ...app, routes: ["*/api/*", "*/admin/*"] }]
			: [app, reference, { ...referenceBehindAssets, routes: ["*/ref-assets/*"] }];
	const { logs, handle } = logCollector();
	const mf = new Miniflare(
		convertV4MiniflareOptions({
			handleStructuredLogs: handle,
			host: "127.0.0.1",
			port: 0,
			cf: false,
			logRequests: false,
			...(options.inspectorPort === undefined ? {} : { inspectorPort: options.inspectorPort }),
			resourcePersistencePath: path.join(stateDir, "state"),
			workers,
		}),
	);
	const url = await mf.ready;
	await applyMigrations(mf);
	const pid = await findWorkerdPid();
	return {
		origin: url.origin,
		logs,
		async workerdRss() {
			if (pid === null) return null;
			const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "");
			const kib = status.match(/^VmRSS:\s+(\d+) kB/m)?.[1];
			return kib === undefined ? null : Number(kib) * 1024;
		},
		async workerdCpuMs() {
			if (pid === null) return null;
			const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
			// Fields after the command name; utime and stime are the 12th and 13th, in clock ticks.
			const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
			const ticks = Number(fields[11]) + Number(fields[12]);
			return Number.isFinite(ticks) ? ticks * (1000 / CLOCK_TICKS_PER_SECOND) : null;
		},
		async dispose() {
			await mf.dispose();
			await rm(stateDir, { recursive: true, force: true });
		},
	};
}
