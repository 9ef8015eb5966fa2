import { execFile } from "node:child_process";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { clientAddress, sessionToken } from "../../bench/identity.ts";
import { applyMigrations, SECRETS, workerFromConfig } from "../../bench/runtime.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
const TURNSTILE_TEST_TOKEN = "XXXX.DUMMY.TOKEN.XXXX";

/** Doorbuster, bundled as deployed, alone in a local workerd; `vars` override its configuration. */
export interface LocalWorker {
	origin: string;
	close(): Promise<void>;
}

export async function startWorker(bundleDir: string, stateDir: string, vars: Record<string, string>) {
	const app = workerFromConfig(path.join(ROOT, "wrangler.jsonc"), "doorbuster", bundleDir);
	app.bindings = { ...app.bindings, ...SECRETS, ...vars };
	const mf = new Miniflare(
		convertV4MiniflareOptions({
			host: "127.0.0.1",
			port: 0,
			cf: false,
			logRequests: false,
			handleStructuredLogs: () => {},
			resourcePersistencePath: stateDir,
			workers: [app],
		}),
	);
	const url = await mf.ready;
	await applyMigrations(mf);
	return { origin: url.origin, close: () => mf.dispose() } satisfies LocalWorker;
}

/** A JSON request to the Worker, as the admin or a buyer. */
export async function request(
	origin: string,
	method: string,
	pathname: string,
	options: { body?: unknown; token?: string; ip?: string } = {},
): Promise<Response> {
	return fetch(`${origin}${pathname}`, {
		method,
		headers: {
			"content-type": "application/json",
			"cf-connecting-ip": options.ip ?? "10.0.0.1",
			...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
		},
		body: options.body === undefined ? undefined : JSON.stringify(options.body),
	});
}

/** Creates a sale through the admin API; throws unless it was created. */
export async function createSale(
	origin: string,
	saleId: string,
	sale: Record<string, unknown>,
): Promise<void> {
	const response = await request(origin, "PUT", `/admin/sales/${saleId}`, {
		token: SECRETS.ADMIN_TOKEN,
		body: sale,
	});
	if (response.status !== 201)
		throw new Error(`create ${saleId}: ${response.status} ${await response.text()}`);
}

/** Buyer `i` signs in, takes a purchase token and enters; answers the entry's status. */
export async function enterAs(origin: string, saleId: string, i: number, variantId: string): Promise<number> {
	const token = sessionToken(`verify-entrant-${i}`, SECRETS.SESSION_SECRET);
	const ip = clientAddress(10, i);
	const issued = await request(origin, "POST", `/api/sales/${saleId}/purchase-token`, {
		token,
		ip,
		body: { turnstileToken: TURNSTILE_TEST_TOKEN },
	});
	if (issued.status !== 200) return issued.status;
	const { purchaseToken } = (await issued.json()) as { purchaseToken: string };
	const entry = await request(origin, "POST", `/api/sales/${saleId}/entry`, {
		token,
		ip,
		body: { purchaseToken, variantId },
	});
	return entry.status;
}

/** A tiny HTTP server for a test: relays that serve recorded rounds, or a proxy that tampers. */
export async function serve(
	handle: (request: IncomingMessage, response: ServerResponse) => Promise<void>,
): Promise<{ origin: string; close(): Promise<void> }> {
	const server: Server = createServer((req, res) => {
		handle(req, res).catch((error: unknown) => {
			res.statusCode = 502;
			res.end(String(error));
		});
	});
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	const { port } = server.address() as AddressInfo;
	return {
		origin: `http://127.0.0.1:${port}`,
		close: () => new Promise<void>((resolve) => server.close(() => resolve())),
	};
}

/**
 * A proxy to `origin` that hands every JSON answer to `tamper` first, as a
 * dishonest operator (or a man in the middle) would serve it.
 */
export function tamperingProxy(origin: string, tamper: (pathname: string, body: unknown) => unknown) {
	return serve(async (req, res) => {
		const url = new URL(req.url ?? "/", origin);
		const upstream = await fetch(url, { headers: { accept: "application/json" } });
		const body = tamper(url.pathname, await upstream.json());
		res.writeHead(upstream.status, { "content-type": "application/json" });
		res.end(JSON.stringify(body));
	});
}

const run = promisify(execFile);

/** Runs `doorbuster-verify` as a buyer would, with this Node; answers its exit code and what it printed. */
export async function verifyCommand(
	args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
	try {
		const { stdout, stderr } = await run(
			process.execPath,
			[path.join(ROOT, "bin", "doorbuster-verify.js"), ...args],
			{
				cwd: ROOT,
			},
		);
		return { code: 0, stdout, stderr };
	} catch (error) {
		const failed = error as { code?: number; stdout?: string; stderr?: string };
		return { code: failed.code ?? -1, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
	}
}
