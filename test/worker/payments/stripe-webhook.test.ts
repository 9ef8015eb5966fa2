import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { paymentProvider } from "../../../src/payments/payment-provider";
import type { StripePayments } from "../../../src/payments/stripe-payments";
import { checkoutSession } from "./stripe-double";

const WEBHOOK_SECRET = "whsec_doorbuster";

function stripe(secretKey = "sk_test_doorbuster"): StripePayments {
	const provider = paymentProvider({
		PAYMENT_PROVIDER: "stripe",
		STRIPE_SECRET_KEY: secretKey,
		STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
	});
	if (provider?.name !== "stripe") throw new Error("expected the Stripe provider");
	return provider;
}

const CREATED = Math.floor(Date.now() / 1000);

/** A paid `checkout.session.completed` event for order-1 of spring-drop, as Stripe sends it. */
function paidEvent(fields: Record<string, unknown> = {}, session: Record<string, unknown> = {}): string {
	return JSON.stringify({
		id: "evt_paid_1",
		object: "event",
		api_version: "2026-10-28.endive",
		type: "checkout.session.completed",
		created: CREATED,
		livemode: false,
		data: {
			object: checkoutSession({
				status: "complete",
				payment_status: "paid",
				payment_intent: "pi_paid_1",
				...session,
			}),
		},
		...fields,
	});
}

/** The `Stripe-Signature` header Stripe would send with `payload`, signed by the package's own helper. */
function sign(payload: string, options: { secret?: string; secondsAgo?: number } = {}): Promise<string> {
	return Stripe.webhooks.generateTestHeaderStringAsync({
		payload,
		secret: options.secret ?? WEBHOOK_SECRET,
		timestamp: Math.floor(Date.now() / 1000) - (options.secondsAgo ?? 0),
		cryptoProvider: Stripe.createSubtleCryptoProvider(),
	});
}

describe("Stripe webhook", () => {
	it("reads a signed, paid checkout.session.completed as a payment for its sale and order", async () => {
		const body = paidEvent();

		const outcome = await stripe().readWebhook(body, await sign(body));

		expect(outcome).toEqual({
			kind: "payment",
			eventId: "evt_paid_1",
			payment: {
				saleId: "spring-drop",
				orderId: "order-1",
				shard: null,
				sessionId: "cs_test_a1",
				amountCents: 5000,
				currency: "usd",
				paymentIntentId: "pi_paid_1",
				paidAt: CREATED * 1000,
				livemode: false,
			},
		});
	});

	it("reads the intent's id when Stripe sends the payment intent expanded", async () => {
		const body = paidEvent({}, { payment_intent: { id: "pi_expanded", object: "payment_intent" } });

		const outcome = await stripe().readWebhook(body, await sign(body));

		expect(outcome.kind === "payment" && outcome.payment.paymentIntentId).toBe("pi_expanded");
	});

	it("accepts a signature just inside the 300 s tolerance", async () => {
		const body = paidEvent();

		const outcome = await stripe().readWebhook(body, await sign(body, { secondsAgo: 290 }));

		expect(outcome.kind).toBe("payment");
	});

	describe("answers invalid_signature, never a throw,", () => {
		it("for a signature made with another secret", async () => {
			const body = paidEvent();

			const outcome = await stripe().readWebhook(body, await sign(body, { secret: "whsec_someone_else" }));

			expect(outcome).toEqual({ kind: "invalid_signature" });
		});

		it("for a body changed after signing", async () => {
			const signature = await sign(paidEvent());
			const tampered = paidEvent({}, { amount_total: 1 });

			expect(await stripe().readWebhook(tampered, signature)).toEqual({ kind: "invalid_signature" });
		});

		it("for a signature older than 300 s, replayed", async () => {
			const body = paidEvent();

			const outcome = await stripe().readWebhook(body, await sign(body, { secondsAgo: 301 }));

			expect(outcome).toEqual({ kind: "invalid_signature" });
		});

		it.each([
			["no header", null],
			["an empty header", ""],
			["a header that is not a signature", "hello"],
			["a header with no v1 signature", `t=${CREATED}`],
		])("for %s", async (_, header) => {
			expect(await stripe().readWebhook(paidEvent(), header)).toEqual({ kind: "invalid_signature" });
		});

		it("for an empty body", async () => {
			expect(await stripe().readWebhook("", await sign(""))).toEqual({ kind: "invalid_signature" });
		});
	});

	describe("ignores a signed event that is not a payment for us", () => {
		it("when it is from live mode and the key is a test key", async () => {
			const body = paidEvent({ livemode: true }, { livemode: true });

			const outcome = await stripe().readWebhook(body, await sign(body));

			expect(outcome).toEqual({ kind: "ignored", eventId: "evt_paid_1", reason: "livemode_mismatch" });
		});

		it("when it is from test mode and the key is a live key", async () => {
			const body = paidEvent();

			const outcome = await stripe("sk_live_doorbuster").readWebhook(body, await sign(body));

			expect(outcome).toEqual({ kind: "ignored", eventId: "evt_paid_1", reason: "livemode_mismatch" });
		});

		it.each([
			"checkout.session.expired",
			"checkout.session.async_payment_succeeded",
			"payment_intent.succeeded",
			"charge.refunded",
		])("when it is %s", async (type) => {
			const body = paidEvent({ type });

			const outcome = await stripe().readWebhook(body, await sign(body));

			expect(outcome).toEqual({ kind: "ignored", eventId: "evt_paid_1", reason: "event_type" });
		});

		it("when the session completed unpaid", async () => {
			const body = paidEvent({}, { payment_status: "unpaid", payment_intent: null });

			const outcome = await stripe().readWebhook(body, await sign(body));

			expect(outcome).toEqual({ kind: "ignored", eventId: "evt_paid_1", reason: "unpaid" });
		});

		it.each([
			["no metadata", null],
			["no order id", { saleId: "spring-drop" }],
			["no sale id", { orderId: "order-1" }],
			["a sale id that is not a slug", { saleId: "../admin", orderId: "order-1" }],
		])("when the session has %s", async (_, metadata) => {
			const body = paidEvent({}, { metadata });

			const outcome = await stripe().readWebhook(body, await sign(body));

			expect(outcome).toEqual({ kind: "ignored", eventId: "evt_paid_1", reason: "not_ours" });
		});

		it("when the signed body is not JSON", async () => {
			const body = "not json";

			const outcome = await stripe().readWebhook(body, await sign(body));

			expect(outcome).toEqual({ kind: "ignored", eventId: null, reason: "unreadable" });
		});
	});
});
