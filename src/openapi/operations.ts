import * as z from "zod";
import { saleInputSchema } from "../domain/sale";
import type { ErrorCode } from "../http-error";
import { orderPageQuery } from "../routes/admin";
import { entrantsQuery, entryBody } from "../routes/draws";
import { purchaseBody, testPaymentBody, waitlistBody } from "../routes/sales";
import { turnstileBody } from "../turnstile";
import {
	drawAnswer,
	entrantsPageSchema,
	entryAnswer,
	orderAnswer,
	orderSchema,
	positionAnswer,
	saleAnswer,
	saleOverviewSchema,
	saleSchema,
} from "./answers";

/**
 * Who may call an operation: anyone, a signed-in buyer (session JWT), an
 * admin, or Stripe (a body signed with the webhook secret).
 */
export type Caller = "anyone" | "buyer" | "admin" | "stripe";

/** One successful answer: its body as a zod schema, a non-JSON media type, or no body. */
export interface Answer {
	description: string;
	json?: z.ZodType;
	mediaType?: string;
}

/**
 * One operation of the HTTP API, next to the very zod schemas its route
 * validates with. The OpenAPI document is built from this list, and a test
 * checks it against the app's route table and docs/API.md, so a route
 * cannot exist without its entry here, nor an entry without its route.
 */
export interface Operation {
	id: string;
	method: "get" | "post" | "put" | "delete";
	/** OpenAPI form: `/api/sales/{saleId}`. */
	path: string;
	summary: string;
	caller: Caller;
	body?: z.ZodType;
	query?: z.ZodObject;
	answers: Partial<Record<200 | 201 | 202 | 204, Answer>>;
	/** Every contract error it can answer; the status comes from src/http-error.ts. */
	errors: readonly ErrorCode[];
}

/** A session is checked: missing or bad is 401; an identity provider's keys out of reach is 503. */
const SIGNED_IN = ["unauthenticated", "session_keys_unavailable"] as const;
/** The bearer ADMIN_TOKEN, or a Cloudflare Access token whose team certificates may be out of reach. */
const ADMIN = ["unauthenticated", "session_keys_unavailable"] as const;
/** A JSON body validated by a zod schema. */
const JSON_BODY = ["invalid_request", "payload_too_large", "unsupported_media_type"] as const;
/** A call to the sale's Durable Object: the sale may not exist, or not be reachable now. */
const SALE_OBJECT = ["sale_not_found", "overloaded", "unavailable"] as const;
/** What a sale that is not live answers. */
const NOT_LIVE = ["not_started", "ended", "sold_out"] as const;
/** The draw paths on a first-come sale. */
const DRAW = [...SALE_OBJECT, "not_a_draw"] as const;

const json = (description: string, schema: z.ZodType): Answer => ({ description, json: schema });

/** Every operation of the API. Adding a route means adding its entry here. */
export const OPERATIONS: readonly Operation[] = [
	{
		id: "getTime",
		method: "get",
		path: "/api/time",
		summary: "The server's clock, for countdown sync",
		caller: "anyone",
		answers: { 200: json("The server's time", z.object({ serverTime: z.number().int() })) },
		errors: [],
	},
	{
		id: "getConfig",
		method: "get",
		path: "/api/config",
		summary: "What the page needs to render the Turnstile widget",
		caller: "anyone",
		answers: {
			200: json("Widget settings", z.object({ turnstileSiteKey: z.string(), turnstileAction: z.string() })),
		},
		errors: [],
	},
	{
		id: "getOpenApi",
		method: "get",
		path: "/api/openapi.json",
		summary: "This document",
		caller: "anyone",
		answers: { 200: json("The OpenAPI 3.1 document of this API", z.looseObject({ openapi: z.string() })) },
		errors: [],
	},
	{
		id: "startGuestSession",
		method: "post",
		path: "/api/session",
		summary: "Guest sign-in behind the bot check; sets the session cookie",
		caller: "anyone",
		body: turnstileBody,
		answers: {
			200: json("Signed in", z.object({ userId: z.string(), expiresAt: z.number().int() })),
		},
		errors: [...JSON_BODY, "rate_limited", "bot_check_failed", "bot_check_unavailable"],
	},
	{
		id: "listSales",
		method: "get",
		path: "/api/sales",
		summary: "Sales that have not ended, soonest first",
		caller: "anyone",
		answers: {
			200: json(
				"The shop's front page; sales that cannot be read now are named in `unavailable`",
				z.object({
					sales: z.array(saleSchema),
					unavailable: z.array(z.string()),
					serverTime: z.number().int(),
				}),
			),
		},
		errors: [],
	},
	{
		id: "getSale",
		method: "get",
		path: "/api/sales/{saleId}",
		summary: "Public view of a sale (may lag the truth by up to 2 s)",
		caller: "anyone",
		answers: { 200: json("The sale", z.object({ sale: saleSchema, serverTime: z.number().int() })) },
		errors: [...SALE_OBJECT],
	},
	{
		id: "issuePurchaseToken",
		method: "post",
		path: "/api/sales/{saleId}/purchase-token",
		summary: "A short-lived token bound to this sale and buyer, only while the sale is live",
		caller: "buyer",
		body: turnstileBody,
		answers: {
			200: json("Issued", z.object({ purchaseToken: z.string(), expiresAt: z.number().int() })),
		},
		errors: [
			...SIGNED_IN,
			...JSON_BODY,
			...SALE_OBJECT,
			...NOT_LIVE,
			"rate_limited",
			"bot_check_failed",
			"bot_check_unavailable",
		],
	},
	{
		id: "purchase",
		method: "post",
		path: "/api/sales/{saleId}/purchase",
		summary: "Buy: takes stock for the buyer (safe to retry)",
		caller: "buyer",
		body: purchaseBody,
		answers: {
			201: json("A new order (or the one this attemptId created)", orderAnswer),
			200: json("The buyer already holds this live order; nothing changed", orderAnswer),
		},
		errors: [
			...SIGNED_IN,
			...JSON_BODY,
			...SALE_OBJECT,
			...NOT_LIVE,
			"draw_sale",
			"invalid_token",
			"rate_limited",
		],
	},
	{
		id: "getOrder",
		method: "get",
		path: "/api/sales/{saleId}/order",
		summary: "The buyer's live order in this sale, or else their latest",
		caller: "buyer",
		answers: { 200: json("The order", orderAnswer) },
		errors: [...SIGNED_IN, ...SALE_OBJECT, "no_order", "rate_limited"],
	},
	{
		id: "startCheckout",
		method: "post",
		path: "/api/sales/{saleId}/order/checkout",
		summary: "Starts payment of the buyer's held order",
		caller: "buyer",
		answers: {
			200: json(
				"Where to pay; the same checkout while one is open",
				z.object({ checkoutUrl: z.string(), provider: z.string() }),
			),
		},
		errors: [...SIGNED_IN, ...SALE_OBJECT, "no_order", "not_held", "payment_unavailable"],
	},
	{
		id: "cancelOrder",
		method: "post",
		path: "/api/sales/{saleId}/order/cancel",
		summary: "Gives back a held order; its units return at once",
		caller: "buyer",
		answers: { 200: json("The cancelled order", orderAnswer) },
		errors: [...SIGNED_IN, ...SALE_OBJECT, "no_order", "not_held"],
	},
	{
		id: "testPayment",
		method: "post",
		path: "/api/sales/{saleId}/order/test-payment",
		summary: "The offline test provider's Pay or Decline (404 not_found with any other provider)",
		caller: "buyer",
		body: testPaymentBody,
		answers: { 200: json("The order: confirmed if paid, still held if declined", orderAnswer) },
		errors: ["not_found", ...SIGNED_IN, ...JSON_BODY, ...SALE_OBJECT, "no_order", "not_held"],
	},
	{
		id: "stripeWebhook",
		method: "post",
		path: "/webhooks/stripe",
		summary:
			"Stripe's events, with the raw body signed in Stripe-Signature (404 not_found with any other provider)",
		caller: "stripe",
		answers: {
			200: json("Verified; whatever it changed, or nothing", z.object({ received: z.literal(true) })),
		},
		// 503 unavailable also when the Stripe configuration is broken, so Stripe delivers it again.
		errors: ["not_found", "invalid_signature", "payload_too_large", "overloaded", "unavailable"],
	},
	{
		id: "joinWaitlist",
		method: "post",
		path: "/api/sales/{saleId}/waitlist",
		summary: "Waits for a held unit of a sold-out variant to come back",
		caller: "buyer",
		body: waitlistBody,
		answers: {
			202: json("On the waitlist", positionAnswer),
			200: json("Already waiting: the current position", positionAnswer),
		},
		errors: [
			...SIGNED_IN,
			...JSON_BODY,
			...SALE_OBJECT,
			...NOT_LIVE,
			"draw_sale",
			"invalid_token",
			"rate_limited",
			"not_sold_out",
			"has_order",
		],
	},
	{
		id: "getWaitlistPosition",
		method: "get",
		path: "/api/sales/{saleId}/waitlist",
		summary: "The buyer's place on the waitlist",
		caller: "buyer",
		answers: { 200: json("The position", positionAnswer) },
		errors: [...SIGNED_IN, ...SALE_OBJECT, "not_waiting", "rate_limited"],
	},
	{
		id: "leaveWaitlist",
		method: "delete",
		path: "/api/sales/{saleId}/waitlist",
		summary: "Leaves the waitlist",
		caller: "buyer",
		answers: { 204: { description: "Left" } },
		errors: [...SIGNED_IN, ...SALE_OBJECT, "not_waiting"],
	},
	{
		id: "enterDraw",
		method: "post",
		path: "/api/sales/{saleId}/entry",
		summary: "Enters the buyer in a live draw sale (safe to retry)",
		caller: "buyer",
		body: entryBody,
		answers: {
			201: json("Entered", entryAnswer),
			200: json("Already entered: the same entry", entryAnswer),
		},
		errors: [...SIGNED_IN, ...JSON_BODY, ...DRAW, "not_started", "ended", "invalid_token", "rate_limited"],
	},
	{
		id: "getEntry",
		method: "get",
		path: "/api/sales/{saleId}/entry",
		summary: "The buyer's entry in the draw, with its nonce",
		caller: "buyer",
		answers: { 200: json("The entry", entryAnswer) },
		errors: [...SIGNED_IN, ...DRAW, "no_entry"],
	},
	{
		id: "getDraw",
		method: "get",
		path: "/api/sales/{saleId}/draw",
		summary: "The draw as published: its beacon, and from endsAt its list's root, once drawn its winners",
		caller: "anyone",
		answers: { 200: json("The draw", drawAnswer) },
		errors: [...DRAW],
	},
	{
		id: "listEntrants",
		method: "get",
		path: "/api/sales/{saleId}/draw/entrants",
		summary: "The frozen entrant list from endsAt, a page at a time, in canonical order",
		caller: "anyone",
		query: entrantsQuery,
		answers: { 200: json("A page of entrants", entrantsPageSchema) },
		errors: ["invalid_request", ...DRAW, "not_started"],
	},
	{
		id: "streamEntrants",
		method: "get",
		path: "/api/sales/{saleId}/draw/entrants.ndjson",
		summary: "The whole frozen entrant list from endsAt, one entrant a line, in canonical order",
		caller: "anyone",
		answers: {
			200: { description: "One JSON entrant object a line", mediaType: "application/x-ndjson" },
		},
		errors: [...DRAW, "not_started"],
	},
	{
		id: "adminSession",
		method: "get",
		path: "/admin/session",
		summary: "Who is signed on: the Cloudflare Access identity, or the admin token",
		caller: "admin",
		answers: {
			200: json("The admin signed on", z.object({ name: z.string(), via: z.enum(["access", "token"]) })),
		},
		errors: [...ADMIN],
	},
	{
		id: "adminListSales",
		method: "get",
		path: "/admin/sales",
		summary: "Every sale; those that cannot be read now are named in `unavailable`",
		caller: "admin",
		answers: {
			200: json("The sales", z.object({ sales: z.array(saleSchema), unavailable: z.array(z.string()) })),
		},
		errors: [...ADMIN],
	},
	{
		id: "adminMetrics",
		method: "get",
		path: "/admin/metrics",
		summary: "Prometheus scrape of every sale's figures",
		caller: "admin",
		answers: { 200: { description: "Prometheus text format", mediaType: "text/plain; version=0.0.4" } },
		errors: [...ADMIN],
	},
	{
		id: "adminPutSale",
		method: "put",
		path: "/admin/sales/{saleId}",
		summary: "Creates a sale, or replaces it before it starts",
		caller: "admin",
		body: saleInputSchema,
		answers: { 201: json("Created", saleAnswer), 200: json("Replaced", saleAnswer) },
		errors: [...ADMIN, ...JSON_BODY, "overloaded", "unavailable", "sale_started"],
	},
	{
		id: "adminGetSale",
		method: "get",
		path: "/admin/sales/{saleId}",
		summary: "Authoritative figures of a sale, with its sales over time",
		caller: "admin",
		answers: { 200: json("The sale, its figures and series", saleOverviewSchema) },
		errors: [...ADMIN, "invalid_request", ...SALE_OBJECT],
	},
	{
		id: "adminListOrders",
		method: "get",
		path: "/admin/sales/{saleId}/orders",
		summary: "The order book (D1), a page at a time, in the order it recorded them",
		caller: "admin",
		query: orderPageQuery,
		answers: {
			200: json(
				"A page of orders",
				z.object({ orders: z.array(orderSchema), nextCursor: z.string().nullable() }),
			),
		},
		errors: [...ADMIN, "invalid_request", ...SALE_OBJECT],
	},
	{
		id: "adminExportOrders",
		method: "get",
		path: "/admin/sales/{saleId}/orders.csv",
		summary: "The whole order book of the sale as CSV, safe to open in a spreadsheet",
		caller: "admin",
		answers: { 200: { description: "RFC 4180 CSV with a header row", mediaType: "text/csv" } },
		errors: [...ADMIN, "invalid_request", ...SALE_OBJECT],
	},
	{
		id: "adminReconcile",
		method: "post",
		path: "/admin/sales/{saleId}/reconcile",
		summary: "One bounded run of the order book audit: sends again what D1 lacks",
		caller: "admin",
		answers: { 200: json("How many orders were sent again", z.object({ resent: z.number().int() })) },
		errors: [...ADMIN, "invalid_request", ...SALE_OBJECT],
	},
];
