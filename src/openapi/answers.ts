import * as z from "zod";
import type { Order } from "../domain/order";
import { COUNTED_OUTCOMES } from "../domain/outcome";
import type { Sale } from "../domain/sale";
import type { GateStats, SalesSeries } from "../sale-object";

/*
 * The bodies the API answers with, as zod schemas, for the OpenAPI document
 * only: handlers return the TypeScript types of src/domain, and the
 * `Exactly` checks below fail to compile if a schema and its type part, so
 * the document cannot describe an answer the code no longer gives.
 */

/** Compiles only when A and B are the same type, field for field. */
type Exactly<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
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
	variants: z
		.array(z.object({ id: z.string(), sold: count, confirmed: count, held: count, remaining: count }))
		.optional(),
});
sameShape<Exactly<z.infer<typeof gateStatsSchema>, GateStats>>();

const seriesSchema = z.object({ startsAt: epochMillis, bucketMs: count, confirmed: z.array(count) });
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
