import type { Sale, SaleRecord } from "./domain/sale";
import { saleStatus, withStatus } from "./domain/sale";
import { ApiError } from "./http-error";
import type { SaleGate } from "./sale-gate";

/** The contract lets the public view of a sale lag the truth by up to 2 s. */
const VIEW_TTL_MS = 1_000;

interface CachedView {
	sale: SaleRecord;
	fetchedAt: number;
	/** Once the sale is sold out: its final holders, asked for once (null if the object would not say). */
	holders?: Promise<Set<string> | null>;
}

/** Per-isolate memory of what each sale looked like a moment ago. */
const views = new Map<string, CachedView>();

function saleGate(env: Env, saleId: string): DurableObjectStub<SaleGate> {
	return env.SALE_GATE.getByName(saleId);
}

/**
 * Calls a sale's Durable Object, turning platform failures into contract
 * answers. An overloaded object is not retried (more calls would only add
 * to its queue); an error the platform marks retryable is retried once with
 * jitter. Purchases are safe to retry: the buyer is the idempotency key.
 */
export async function callGate<T>(
	env: Env,
	saleId: string,
	call: (gate: ReturnType<typeof saleGate>) => T,
): Promise<Awaited<T>> {
	for (let attempt = 0; ; attempt++) {
		try {
			return await call(saleGate(env, saleId));
		} catch (error) {
			const flags = error as { overloaded?: boolean; retryable?: boolean };
			if (flags.overloaded) {
				throw new ApiError(
					"overloaded",
					"This sale is too busy right now; nothing was taken. Try again shortly.",
					{
						retryAfterSeconds: 1,
					},
				);
			}
			if (!flags.retryable || attempt > 0) {
				console.error(JSON.stringify({ event: "sale_gate_error", saleId, error: String(error) }));
				throw new ApiError("unavailable", "This sale cannot be reached right now. Try again shortly.", {
					retryAfterSeconds: 1,
				});
			}
			await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 80));
		}
	}
}

/**
 * The sale as this isolate last saw it, if that is still good enough to
 * answer from without asking its object: seen at most VIEW_TTL_MS ago, or
 * sold out, which a sale stays (stock only goes down and a started sale
 * cannot be edited). Undefined if this isolate has no such copy.
 */
export function knownSale(saleId: string, now: number): Sale | undefined {
	const cached = views.get(saleId);
	if (!cached) return undefined;
	const sale = withStatus(cached.sale, now);
	return now - cached.fetchedAt <= VIEW_TTL_MS || sale.remaining === 0 ? sale : undefined;
}

/** The sale as seen from this isolate, asking its object when it has no good copy; throws if there is none. */
export async function viewSale(env: Env, saleId: string, now: number): Promise<Sale> {
	const known = knownSale(saleId, now);
	if (known) return known;
	const sale = await callGate(env, saleId, (gate) => gate.view());
	if (!sale) throw new ApiError("sale_not_found", `There is no sale "${saleId}".`);
	// Only real sales are remembered: ids anyone can make up must not grow this map.
	views.set(saleId, { sale, fetchedAt: now });
	return withStatus(sale, now);
}

/** Remembers a fresher copy of a sale, e.g. one the gate just returned. */
export function rememberSale(sale: SaleRecord, now: number): void {
	views.set(sale.id, { sale, fetchedAt: now });
}

/**
 * Remembers the stock a purchase left behind. Stock only ever goes down, so
 * the lower figure is the fresher one; the buyer who takes the last unit
 * teaches this isolate that the sale is sold out.
 */
export function rememberRemaining(saleId: string, remaining: number): void {
	const cached = views.get(saleId);
	if (cached && remaining < cached.sale.remaining) {
		cached.sale = { ...cached.sale, remaining };
	}
}

/**
 * True when this isolate can tell on its own that a purchase by `buyerId`
 * would be refused as sold out: it knows the sale is sold out, and the
 * buyer is not among its holders. The first purchase after the isolate
 * learns the sale sold out fetches the final list of holders from the
 * object; a holder always goes on to the object and gets the order back,
 * as the contract promises a retry.
 */
export async function soldOutFor(
	env: Env,
	saleId: string,
	buyerId: string,
	quantity: number,
	now: number,
): Promise<boolean> {
	const cached = views.get(saleId);
	// Too many units is the object's `400` to give, before it says sold out.
	if (!cached || saleStatus(cached.sale, now) !== "sold_out" || quantity > cached.sale.maxPerUser)
		return false;
	cached.holders ??= callGate(env, saleId, (gate) => gate.holders())
		.then((list) => (list ? new Set(list) : null))
		.catch(() => {
			// Asked again by a later purchase; until then the object answers.
			cached.holders = undefined;
			return null;
		});
	const holders = await cached.holders;
	return holders !== null && !holders.has(buyerId);
}
