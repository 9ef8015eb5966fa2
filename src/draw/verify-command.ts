import { parseArgs } from "node:util";
import { type DrawDocuments, verifyDraw } from "./verify-draw.ts";

const USAGE = `Usage: doorbuster-verify <origin> <saleId> [--allow-local] [--entry <nonce> --user <userId>]

Fetches a draw and all its entrants from a Doorbuster origin, checks the
beacon against the pinned drand quicknet key, recomputes the entrants root
and the winners (doorbuster-draw-v1), and exits 0 only if everything matches.

  --allow-local      accept the offline "local" beacon (development only: its
                     secret was known to the operator in advance)
  --entry <nonce>    also check that your own entry is in the list; its
  --user <userId>    commitment is SHA-256(saleId, userId, nonce), so both are needed`;

const SALE_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** The contract's largest page of entrants. */
const PAGE_LIMIT = 1_000;
const REQUEST_TIMEOUT_MS = 30_000;

/** What the command prints to: lines of its report, and lines about bad usage or failed requests. */
export interface CommandOutput {
	out(line: string): void;
	err(line: string): void;
}

/**
 * `doorbuster-verify`: returns the exit code, 0 only when every check
 * passed, 1 when a check failed or the origin could not be read, 2 for bad
 * usage.
 */
export async function runVerifyCommand(args: string[], output: CommandOutput): Promise<number> {
	let parsed: ReturnType<typeof parseCommandLine>;
	try {
		parsed = parseCommandLine(args);
	} catch (error) {
		output.err(error instanceof Error ? error.message : String(error));
		output.err(USAGE);
		return 2;
	}
	if (parsed === "help") {
		output.out(USAGE);
		return 0;
	}
	const { origin, saleId, allowLocal, entry } = parsed;
	let documents: DrawDocuments;
	try {
		documents = await fetchDocuments(origin, saleId, (line) => output.err(line));
	} catch (error) {
		output.err(`Cannot read the draw: ${describe(error)}`);
		return 1;
	}
	const verdict = verifyDraw(documents, { allowLocal, entry });
	for (const check of verdict.checks)
		output.out(`${check.ok ? "ok  " : "FAIL"}  ${check.name}: ${check.detail}`);
	output.out(verdict.ok ? "The draw verifies." : "The draw does NOT verify.");
	return verdict.ok ? 0 : 1;
}

function parseCommandLine(args: string[]) {
	const { values, positionals } = parseArgs({
		args,
		allowPositionals: true,
		options: {
			"allow-local": { type: "boolean", default: false },
			entry: { type: "string" },
			user: { type: "string" },
			help: { type: "boolean", short: "h", default: false },
		},
	});
	if (values.help) return "help" as const;
	const [origin, saleId, ...extra] = positionals;
	if (origin === undefined || saleId === undefined || extra.length > 0) {
		throw new Error("Expected exactly two arguments: <origin> <saleId>.");
	}
	let url: URL;
	try {
		url = new URL(origin);
	} catch {
		throw new Error(`Not a URL: ${origin}`);
	}
	if (url.protocol !== "https:" && url.protocol !== "http:")
		throw new Error(`Not an http(s) origin: ${origin}`);
	if (!SALE_ID.test(saleId)) throw new Error(`Not a sale id: ${saleId}`);
	if ((values.entry === undefined) !== (values.user === undefined)) {
		throw new Error("--entry and --user go together: the commitment needs both.");
	}
	const entry = values.entry !== undefined && values.user !== undefined;
	return {
		origin: url.origin,
		saleId,
		allowLocal: values["allow-local"],
		entry: entry ? { nonce: values.entry as string, userId: values.user as string } : undefined,
	};
}

/** Reads the sale, the draw and every page of entrants, as the contract serves them. */
async function fetchDocuments(
	origin: string,
	saleId: string,
	log: (line: string) => void,
): Promise<DrawDocuments> {
	const base = `${origin}/api/sales/${saleId}`;
	const sale = await getJson(base);
	const draw = await getJson(`${base}/draw`);
	const entrants: unknown[] = [];
	const seen = new Set<string>();
	let cursor = "";
	for (;;) {
		const query = new URLSearchParams({ cursor, limit: String(PAGE_LIMIT) });
		const page = (await getJson(`${base}/draw/entrants?${query}`)) as {
			entrants?: unknown;
			nextCursor?: unknown;
		};
		if (!Array.isArray(page?.entrants)) throw new Error("an entrants page has no entrants array");
		entrants.push(...page.entrants);
		if (page.nextCursor === null || page.nextCursor === undefined || page.nextCursor === "") break;
		if (typeof page.nextCursor !== "string" || seen.has(page.nextCursor)) {
			throw new Error("the entrants pages loop or give a bad cursor");
		}
		seen.add(page.nextCursor);
		cursor = page.nextCursor;
		if (seen.size % 100 === 0) log(`Read ${entrants.length} entrants…`);
	}
	return { saleId, sale, draw, entrants };
}

/** An error's message, with its cause's: Node's fetch says only "fetch failed" and puts why in `cause`. */
function describe(error: unknown): string {
	if (!(error instanceof Error)) return String(error);
	return error.cause instanceof Error ? `${error.message} (${error.cause.message})` : error.message;
}

async function getJson(url: string): Promise<unknown> {
	const response = await fetch(url, {
		headers: { accept: "application/json" },
		signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
	});
	const text = await response.text();
	if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status} ${text.slice(0, 200)}`);
	try {
		return JSON.parse(text);
	} catch {
		throw new Error(`GET ${url}: the answer is not JSON`);
	}
}
