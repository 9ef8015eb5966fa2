import * as z from "zod";
import type { Order } from "../domain/order";
import { COUNTED_OUTCOMES } from "../domain/outcome";
import type { Sale } from "../domain/sale";
import type { Entrant } from "../draw/entrant-list";
import type { DrawView, EntrantsPage, Entry, GateStats, SalesSeries } from "../sale-object";

/*
 * The bodies the API answers with, as zod schemas, for the OpenAPI document
 * only: handlers return the TypeScript types of src/domain, and the
 * `Exactly` checks below fail to compile if a schema and its type part, so
 * the document cannot describe an answer the code no longer gives.
 */

/**
 * A type as plain nested objects, so that an interface, an intersection and
 * zod's inferred object compare by their fields alone.
 */
type Plain<T> = T extends readonly (infer Item)[]
	? Plain<Item>[]
	: T extends object
		? { [Key in keyof T]: Plain<T[Key]> }
		: T;
/**
 * Compiles only when A and B are the same type, field for field, optional
 * fields included: mutual assignability alone would let a schema leave out
 * an optional field its type has (or add one), and the document lie.
 */
type Exactly<A, B> =
	(<T>() => T extends Plain<A> ? 1 : 2) extends <T>() => T extends Plain<B> ? 1 : 2 ? true : false;
function sameShape<_ extends true>(): void {}

const epochMillis = z.number().int().describe("Milliseconds since the Unix epoch");

/** `Order` (shared/API.md "Buying" and "Orders"). */
export const orderSchema = z.object({
	id: z.string(),
	saleId: z.string(),
	userId: z.string(),
	variantId: z.string(),
	quantity: z.number().int(),
	amountCents: z.number().int().describe("priceCents × quantity, in minor units of currency"),
	currency: z.string(),
	status: z.enum(["held", "confirmed", "expired", "cancelled"]),
	createdAt: epochMillis,
	holdExpiresAt: epochMillis.nullable().describe("While held: when the unpaid hold expires"),
	paidAt: epochMillis.nullable(),
});
sameShape<Exactly<z.infer<typeof orderSchema>, Order>>();

/** A sale as the public and admin views show it. */
export const saleSchema = z.object({
	id: z.string(),
	name: z.string(),
	description: z.string(),
	priceCents: z.number().int(),
	currency: z.string(),
	totalStock: z.number().int(),
	remaining: z.number().int(),
	startsAt: epochMillis,
	endsAt: epochMillis,
	maxPerUser: z.number().int(),
	imageUrl: z.string().nullable(),
	holdSeconds: z.number().int(),
	mode: z.enum(["first_come", "draw"]),
	shards: z.number().int(),
	relays: z.number().int().describe("Relay objects per shard that batch its purchases; 0: none"),
	variants: z.array(
		z.object({ id: z.string(), name: z.string(), totalStock: z.number().int(), remaining: z.number().int() }),
	),
	held: z.number().int().describe("Units of held orders"),
	waitlist: z.number().int().describe("Buyers waiting for a unit to come back"),
	paymentProvider: z.string().nullable(),
	status: z.enum(["upcoming", "live", "sold_out", "ended"]),
});
sameShape<Exactly<z.infer<typeof saleSchema>, Sale>>();

const count = z.number().int();

/** A sale's live figures (`GateStats`), v2 fields present for a sale with sizes or holds. */
const gateStatsSchema = z.object({
	sold: count.describe("Units taken: held + confirmed"),
	remaining: count,
	buyers: count,
	outcomes: z.object(
		Object.fromEntries(["confirmed", ...COUNTED_OUTCOMES].map((outcome) => [outcome, count])) as Record<
			"confirmed" | (typeof COUNTED_OUTCOMES)[number],
			typeof count
		>,
	),
	held: count.optional(),
	confirmed: count.optional(),
	expired: count.optional(),
	cancelled: count.optional(),
	waitlist: count.optional(),
	revenueCents: count.optional(),
	refundsPending: count.optional().describe("Refunds owed and not yet taken by the payment provider"),
	refundsFailed: count.optional().describe("Refunds the provider refused for good; settled by hand"),
	variants: z
		.array(z.object({ id: z.string(), sold: count, confirmed: count, held: count, remaining: count }))
		.optional(),
	shards: z
		.array(z.object({ remaining: count, sold: count, held: count }))
		.optional()
		.describe("A sale with more than one shard: each shard's units left to sell, taken and held"),
	coordinatorRequests: count
		.optional()
		.describe("A sale with more than one shard: calls from its shards its coordinator has served"),
});
sameShape<Exactly<z.infer<typeof gateStatsSchema>, GateStats>>();

const seriesSchema = z.object({
	startsAt: epochMillis,
	bucketMs: count,
	confirmed: z.array(count),
	entered: z
		.array(count)
		.optional()
		.describe("Draw sales only: entries per bucket, over the same buckets as `confirmed`"),
});
sameShape<Exactly<z.infer<typeof seriesSchema>, SalesSeries>>();

/** `GET /admin/sales/{saleId}`: the object's figures plus what the order book (D1) has recorded. */
export const saleOverviewSchema = z.object({
	sale: saleSchema,
	stats: gateStatsSchema.extend({
		ordersRecorded: count.describe("Orders present in the order book (D1)"),
		ordersPending: count.describe("Orders confirmed but not yet in the order book"),
	}),
	series: seriesSchema,
});

/** A SHA-256 digest in lowercase hex. */
const digest = z.string().regex(/^[0-9a-f]{64}$/);
const commitment = digest.describe('hex(SHA-256(saleId + "\\n" + userId + "\\n" + nonce))');

/** A buyer's entry in a draw (`Entry`); only its owner ever sees the nonce. */
const entrySchema = z.object({
	commitment,
	nonce: z
		.string()
		.regex(/^[0-9a-f]{32}$/)
		.describe("Drawn by the server for this entry"),
	variantId: z.string(),
	quantity: count,
	createdAt: epochMillis,
});
sameShape<Exactly<z.infer<typeof entrySchema>, Entry>>();

/** The draw as published (`DrawView`): more fields appear as it goes from open to drawn. */
const drawViewSchema = z.object({
	beacon: z.enum(["drand-quicknet", "local"]),
	chainHash: z.string().nullable().describe("The drand chain's hash; null for the local beacon"),
	round: count.describe("The drand round that draws; 0 for the local beacon"),
	status: z.enum(["open", "waiting", "drawn"]),
	commitment: digest.optional().describe("Local beacon only: hex(SHA-256(secret)), shown from creation"),
	entrants: count.optional().describe("From endsAt: how many entered"),
	entrantsRoot: digest.optional().describe("From endsAt: the root of the frozen entrant list"),
	randomness: z.string().optional().describe("Once drawn"),
	signature: z.string().optional().describe("Once drawn"),
	winners: z.array(digest).optional().describe("Once drawn: winning commitments in drawn order"),
	runnersUp: z.array(digest).optional().describe("Entrants offered returned units, in that order"),
	algorithm: z.string().optional().describe("Once drawn: doorbuster-draw-v1"),
});
sameShape<Exactly<z.infer<typeof drawViewSchema>, DrawView>>();

/** One entrant of the frozen list (`Entrant`). */
const entrantSchema = z.object({ commitment, variantId: z.string(), quantity: count });
sameShape<Exactly<z.infer<typeof entrantSchema>, Entrant>>();

/** `GET …/draw/entrants`: a page of the frozen list in canonical order. */
export const entrantsPageSchema = z.object({
	entrants: z.array(entrantSchema),
	nextCursor: digest.nullable().describe("The cursor of the next page; null on the last"),
});
sameShape<Exactly<z.infer<typeof entrantsPageSchema>, Omit<Extract<EntrantsPage, { ok: true }>, "ok">>>();

export const entryAnswer = z.object({ entry: entrySchema });
export const drawAnswer = z.object({ draw: drawViewSchema });
export const orderAnswer = z.object({ order: orderSchema });
export const saleAnswer = z.object({ sale: saleSchema });
export const positionAnswer = z.object({ position: count.min(1).describe("1 = next") });

/** Answers several operations share, named once as components of the document. */
export const SHARED_ANSWERS: readonly [z.ZodType, string][] = [
	[saleSchema, "Sale"],
	[orderSchema, "Order"],
	[saleAnswer, "SaleAnswer"],
	[orderAnswer, "OrderAnswer"],
	[positionAnswer, "WaitlistPosition"],
	[entryAnswer, "EntryAnswer"],
	[saleOverviewSchema, "SaleOverview"],
];

/** The one error shape; `code` lists the codes the answer can carry. */
export function errorAnswer(codes: readonly string[]) {
	return z.object({
		error: z.looseObject({
			code: z.enum(codes),
			message: z.string(),
		}),
	});
}
