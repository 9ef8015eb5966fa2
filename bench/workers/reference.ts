import { DurableObject } from "cloudflare:workers";
import { type OrderQueueBody, ordersIn } from "../../src/domain/order";
import { shardName, shardOf } from "../../src/domain/shards";
import { SaleGate } from "../../src/sale-object";
import { type BatchTiming, timeInGroups } from "./timed-groups";

/**
 * The benchmark's yardsticks, run in the same workerd, behind the same
 * Miniflare entry and measured with the same client as Doorbuster:
 *
 * - `POST /ref/bare`: a Worker route that answers JSON and does nothing else.
 * - `POST /ref/do`: a Worker route that calls a SQLite-backed Durable Object
 *   over RPC, which does one storage write.
 * - `POST /ref/limit`: the bare route plus one rate-limit `limit()` call.
 * - `POST /ref/do-limit`: one `limit()` call, then the minimal Durable
 *   Object: the least a rate-limited purchase can cost.
 * - `POST /ref-assets/bare`: the bare route behind Workers Static Assets with
 *   `run_worker_first`, deployed as Doorbuster is.
 * - `/ref/inside/*`: Doorbuster's own SaleGate class, driven directly, to see
 *   what a purchase costs inside the object as the number of buyers grows,
 *   or inside one shard object of a sale with `shards` (`--shards`).
 * - `POST /ref/app/hold-many`, `POST /ref/app/join-many`: many purchases or
 *   waitlist entries in one of the app's own sale objects, over RPC, for
 *   `--holds` to set up holds that all come due at once.
 */
interface ReferenceEnv {
	REF_WRITER: DurableObjectNamespace<RefWriter>;
	INSIDE_GATE: DurableObjectNamespace<InsideGate>;
	/** The same namespace: a SaleGate reaches its sale's home object and shards through `SALE_GATE`. */
	SALE_GATE: DurableObjectNamespace<InsideGate>;
	/** The app's SaleGate namespace (script "doorbuster" in the same workerd). */
	APP_GATE: DurableObjectNamespace<SaleGate>;
	ORDER_QUEUE: Queue;
	REF_LIMITER: RateLimit;
}

/** The least a Durable Object can do per request and still write to storage. */
export class RefWriter extends DurableObject<ReferenceEnv> {
	readonly #sql: SqlStorage;

	constructor(ctx: DurableObjectState, env: ReferenceEnv) {
		super(ctx, env);
		this.#sql = ctx.storage.sql;
		this.#sql.exec("CREATE TABLE IF NOT EXISTS writes (seq INTEGER PRIMARY KEY, key TEXT NOT NULL)");
	}

	write(key: string): number {
		return this.#sql.exec("INSERT INTO writes (key) VALUES (?)", key).rowsWritten;
	}
}

/**
 * Doorbuster's SaleGate with one extra RPC method for the benchmark: many
 * purchases in one call, timed in groups. Local workerd advances its clock
 * during synchronous code (the production runtime does not), so the timings
 * are the object's own work: the buyer lookup, the transaction and the
 * outbox row, without the commit that follows the call.
 */
export class InsideGate extends SaleGate {
	/**
	 * `count` purchases by the buyers `buyerPrefix + n` this object serves,
	 * from the `from`-th of them: every n in the only object of a sale, in a
	 * shard (`onShard`) only the buyers the edge sends to it, picked before
	 * the timing starts.
	 */
	purchaseMany(
		buyerPrefix: string,
		from: number,
		count: number,
		onShard?: { saleId: string; shard: number; shards: number },
	): BatchTiming {
		const buyers: string[] = [];
		let served = 0;
		for (let n = onShard ? 0 : from; buyers.length < count; n++) {
			const buyer = `${buyerPrefix}${n}`;
			if (onShard && shardOf(onShard.saleId, buyer, onShard.shards) !== onShard.shard) continue;
			if (!onShard || served++ >= from) buyers.push(buyer);
		}
		return timeInGroups(count, (i) => {
			const result = this.purchase(buyers[i] ?? "", 1);
			// A purchase is answered synchronously while its object has the units (a sale of one
			// shard always does); one that must wait for a lease counts as not created.
			return !(result instanceof Promise) && result.ok && result.created;
		});
	}

	storageBytes(): number {
		return this.ctx.storage.sql.databaseSize;
	}
}

const json = (body: unknown, status = 200) => Response.json(body, { status });

/** What `/ref/app/hold-many` placed: orders created, and the first and last of their hold deadlines. */
export interface HoldMany {
	created: number;
	firstDeadline: number | null;
	lastDeadline: number | null;
}

/** The buyers `prefix + from` … `prefix + (from + count - 1)` a `/ref/app/*` call names. */
function buyersOf(url: URL): string[] {
	const prefix = url.searchParams.get("prefix") ?? "b";
	const from = Number(url.searchParams.get("from") ?? 0);
	return Array.from({ length: Number(url.searchParams.get("count") ?? 0) }, (_, i) => `${prefix}${from + i}`);
}

/**
 * In the app's sale object (`sale`): each buyer buys `quantity` units of
 * `variant` (`/ref/app/hold-many`), or joins its waitlist for one
 * (`/ref/app/join-many`), every call in flight at once. The waitlist fills
 * far faster this way than through tokens and rate limits over HTTP.
 */
async function app(request: Request, env: ReferenceEnv, path: string): Promise<Response> {
	const url = new URL(request.url);
	const gate = env.APP_GATE.getByName(url.searchParams.get("sale") ?? "");
	const variant = url.searchParams.get("variant") ?? undefined;
	const buyers = buyersOf(url);
	if (path === "/ref/app/join-many") {
		const results = await Promise.all(buyers.map((buyer) => gate.joinWaitlist(buyer, 1, variant)));
		return json({ joined: results.filter((result) => result.ok && result.created).length });
	}
	const quantity = Number(url.searchParams.get("quantity") ?? 1);
	const results = await Promise.all(
		buyers.map((buyer) => gate.purchase(buyer, quantity, undefined, variant)),
	);
	const deadlines = results.flatMap((result) =>
		result.ok && result.created && result.order.holdExpiresAt !== null ? [result.order.holdExpiresAt] : [],
	);
	const placed: HoldMany = {
		created: deadlines.length,
		firstDeadline: deadlines.length > 0 ? Math.min(...deadlines) : null,
		lastDeadline: deadlines.length > 0 ? Math.max(...deadlines) : null,
	};
	return json(placed);
}

/** Orders the inside gate's queue consumer has acknowledged, so a run can wait for its outbox to drain. */
let acknowledged = 0;

async function inside(request: Request, env: ReferenceEnv, path: string): Promise<Response> {
	const url = new URL(request.url);
	const saleId = url.searchParams.get("sale") ?? "inside";
	const number = (name: string) => Number(url.searchParams.get(name) ?? 0);
	const shards = Math.max(1, number("shards"));
	// With `shards` above 1, calls other than configure go to shard `shard` of the sale.
	const gate = env.INSIDE_GATE.getByName(shards > 1 ? shardName(saleId, number("shard")) : saleId);
	switch (path) {
		case "/ref/inside/configure": {
			const now = Date.now();
			const result = await env.INSIDE_GATE.getByName(saleId).configure(saleId, {
				name: "Inside the object",
				description: "",
				priceCents: 100,
				currency: "USD",
				totalStock: 100_000_000,
				startsAt: now - 1,
				endsAt: now + 86_400_000,
				maxPerUser: 1,
				shards,
			});
			return json(result);
		}
		case "/ref/inside/purchase-many":
			return json(
				await gate.purchaseMany(
					url.searchParams.get("prefix") ?? "b",
					number("from"),
					number("count"),
					shards > 1 ? { saleId, shard: number("shard"), shards } : undefined,
				),
			);
		case "/ref/inside/purchase": {
			const result = await gate.purchase(url.searchParams.get("buyer") ?? "", 1);
			return json({ ok: result.ok });
		}
		case "/ref/inside/stats":
			return json({ stats: await gate.stats(), storageBytes: await gate.storageBytes(), acknowledged });
		default:
			return json({ error: "no such reference" }, 404);
	}
}

export default {
	async fetch(request, env) {
		const path = new URL(request.url).pathname;
		if (path === "/ref/bare" || path === "/ref-assets/bare") return json({ ok: true });
		if (path === "/ref/limit") {
			const { success } = await env.REF_LIMITER.limit({ key: request.headers.get("cf-connecting-ip") ?? "" });
			return json({ ok: success });
		}
		if (path === "/ref/do" || path === "/ref/do-limit") {
			const key = request.headers.get("cf-connecting-ip") ?? "";
			if (path === "/ref/do-limit" && !(await env.REF_LIMITER.limit({ key })).success) {
				return json({ ok: false }, 429);
			}
			const written = await env.REF_WRITER.getByName("ref").write(key);
			return json({ ok: written === 1 });
		}
		if (path === "/ref/app/hold-many" || path === "/ref/app/join-many") return app(request, env, path);
		return inside(request, env, path);
	},
	queue(batch) {
		for (const message of batch.messages) acknowledged += ordersIn(message.body as OrderQueueBody).length;
		batch.ackAll();
	},
} satisfies ExportedHandler<ReferenceEnv>;
