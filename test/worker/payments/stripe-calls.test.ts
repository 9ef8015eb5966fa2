import { afterEach, describe, expect, it, vi } from "vitest";
import type { CheckoutOrder } from "../../../src/payments/payment";
import { paymentProvider } from "../../../src/payments/payment-provider";
import type { StripePayments } from "../../../src/payments/stripe-payments";
import { checkoutSession, type StripeRequest, stripeError, stripeJson, stubStripe } from "./stripe-double";

afterEach(() => {
	vi.restoreAllMocks();
});

const SECRET_KEY = "sk_test_doorbuster";

function stripe(): StripePayments {
	const provider = paymentProvider({
		PAYMENT_PROVIDER: "stripe",
		STRIPE_SECRET_KEY: SECRET_KEY,
		STRIPE_WEBHOOK_SECRET: "whsec_doorbuster",
	});
	if (provider?.name !== "stripe") throw new Error("expected the Stripe provider");
	return provider;
}

const HOLD_EXPIRES_AT = Date.UTC(2026, 10, 23, 12, 2, 0);

function order(fields: Partial<CheckoutOrder> = {}): CheckoutOrder {
	return {
		saleId: "spring-drop",
		orderId: "order-1",
		itemName: "Runner 2 · US 9",
		quantity: 2,
		amountCents: 5000,
		currency: "USD",
		holdExpiresAt: HOLD_EXPIRES_AT,
		...fields,
	};
}

const outage = {
	"a network error": () => "network_error" as const,
	"a 500": () => stripeError(500, { type: "api_error", message: "Something went wrong." }),
	"a 503 with an unreadable body": () => new Response("<html>upstream down</html>", { status: 503 }),
	"a 429": () =>
		stripeError(429, { type: "invalid_request_error", code: "rate_limit", message: "Too many." }),
	"a 409 while a request with the same key is in flight": () =>
		stripeError(409, {
			type: "idempotency_error",
			message: "There is currently another in-progress request.",
		}),
	"a lock timeout": () =>
		stripeError(409, { type: "invalid_request_error", code: "lock_timeout", message: "Locked." }),
};

describe("Stripe checkout", () => {
	it("creates a card-only session for the order's amount, currency, sale and order, returning to the sale page", async () => {
		const requests = stubStripe(() => stripeJson(200, checkoutSession({ id: "cs_test_new" })));

		const outcome = await stripe().startCheckout(order(), "https://shop.example");

		expect(outcome).toEqual({
			ok: true,
			sessionId: "cs_test_new",
			url: "https://checkout.stripe.com/c/pay/cs_test_a1",
		});
		expect(requests).toHaveLength(1);
		const [request] = requests as [StripeRequest];
		expect(`${request.method} ${request.url}`).toBe("POST https://api.stripe.com/v1/checkout/sessions");
		expect(request.headers.get("authorization")).toBe(`Bearer ${SECRET_KEY}`);
		expect(request.headers.get("idempotency-key")).toBe("checkout-order-1");
		const form = request.form;
		expect(form.get("mode")).toBe("payment");
		expect(form.getAll("allowed_payment_method_types[0]")).toEqual(["card"]);
		expect(form.has("allowed_payment_method_types[1]")).toBe(false);
		// Stripe charges unit_amount × quantity: the order's whole amount.
		const quantity = Number(form.get("line_items[0][quantity]"));
		const unitAmount = Number(form.get("line_items[0][price_data][unit_amount]"));
		expect([quantity, unitAmount * quantity]).toEqual([2, 5000]);
		expect(form.has("line_items[1][quantity]")).toBe(false);
		expect(form.get("line_items[0][price_data][currency]")).toBe("usd");
		expect(form.get("line_items[0][price_data][product_data][name]")).toBe("Runner 2 · US 9");
		expect(form.get("metadata[saleId]")).toBe("spring-drop");
		expect(form.get("metadata[orderId]")).toBe("order-1");
		expect(form.get("payment_intent_data[metadata][orderId]")).toBe("order-1");
		expect(form.get("success_url")).toBe("https://shop.example/sales/spring-drop?checkout=success");
		expect(form.get("cancel_url")).toBe("https://shop.example/sales/spring-drop?checkout=cancel");
		// Stripe's own expiry backs up ours: at least 30 minutes after the hold ends.
		const expiresAt = Number(form.get("expires_at")) * 1000;
		expect(expiresAt - HOLD_EXPIRES_AT).toBeGreaterThanOrEqual(30 * 60_000);
		expect(expiresAt - HOLD_EXPIRES_AT).toBeLessThanOrEqual(32 * 60_000);
	});

	it("sends a retried checkout as the very same request, so Stripe makes no second session", async () => {
		let answered = 0;
		const requests = stubStripe(() => {
			answered += 1;
			// The first answer is lost on the way back.
			return answered === 1 ? "network_error" : stripeJson(200, checkoutSession());
		});
		const provider = stripe();

		expect(await provider.startCheckout(order(), "https://shop.example")).toMatchObject({
			ok: false,
			reason: "unavailable",
		});
		expect(await provider.startCheckout(order(), "https://shop.example")).toMatchObject({ ok: true });
		await provider.startCheckout(order({ orderId: "order-2" }), "https://shop.example");

		const [first, retry, other] = requests as [StripeRequest, StripeRequest, StripeRequest];
		expect(retry.headers.get("idempotency-key")).toBe(first.headers.get("idempotency-key"));
		expect(retry.form.toString()).toBe(first.form.toString());
		expect(other.headers.get("idempotency-key")).not.toBe(first.headers.get("idempotency-key"));
	});

	it.each(Object.entries(outage))("answers unavailable, to retry, on %s", async (_, answer) => {
		stubStripe(answer);

		const outcome = await stripe().startCheckout(order(), "https://shop.example");

		expect(outcome).toMatchObject({ ok: false, reason: "unavailable" });
	});

	it("answers rejected when Stripe refuses the request for good", async () => {
		stubStripe(() =>
			stripeError(400, {
				type: "invalid_request_error",
				code: "amount_too_small",
				message: "Amount must be at least $0.50 usd",
			}),
		);

		const outcome = await stripe().startCheckout(order({ amountCents: 20 }), "https://shop.example");

		expect(outcome).toEqual({
			ok: false,
			reason: "rejected",
			detail: expect.stringContaining("Amount must be at least"),
		});
	});
});

describe("Stripe session expiry at a hold's end", () => {
	const expirePath = "/v1/checkout/sessions/cs_test_a1/expire";
	const sessionPath = "/v1/checkout/sessions/cs_test_a1";
	const notOpen = stripeError(400, {
		type: "invalid_request_error",
		message: 'Only Checkout Sessions with a status in ["open"] can be expired.',
	});

	it("reports expired when Stripe expires the open session", async () => {
		const requests = stubStripe(() => stripeJson(200, checkoutSession({ status: "expired" })));

		expect(await stripe().expireCheckout("cs_test_a1")).toEqual({ outcome: "expired" });
		expect(requests.map((request) => `${request.method} ${request.url.pathname}`)).toEqual([
			`POST ${expirePath}`,
		]);
	});

	it("reports the payment when the session was already paid, so the order is confirmed instead", async () => {
		const requests = stubStripe((request) =>
			request.url.pathname === expirePath
				? notOpen.clone()
				: stripeJson(
						200,
						checkoutSession({ status: "complete", payment_status: "paid", payment_intent: "pi_paid" }),
					),
		);
		const before = Date.now();

		const outcome = await stripe().expireCheckout("cs_test_a1");

		expect(outcome).toMatchObject({
			outcome: "complete",
			payment: {
				saleId: "spring-drop",
				orderId: "order-1",
				sessionId: "cs_test_a1",
				amountCents: 5000,
				currency: "usd",
				paymentIntentId: "pi_paid",
				livemode: false,
			},
		});
		expect(outcome.outcome === "complete" && outcome.payment.paidAt).toBeGreaterThanOrEqual(before);
		expect(requests.map((request) => `${request.method} ${request.url.pathname}`)).toEqual([
			`POST ${expirePath}`,
			`GET ${sessionPath}`,
		]);
	});

	it("reports expired when the session had already expired", async () => {
		stubStripe((request) =>
			request.url.pathname === expirePath
				? notOpen.clone()
				: stripeJson(200, checkoutSession({ status: "expired" })),
		);

		expect(await stripe().expireCheckout("cs_test_a1")).toEqual({ outcome: "expired" });
	});

	it("reports expired for a session this Stripe account does not have", async () => {
		stubStripe(() =>
			stripeError(404, {
				type: "invalid_request_error",
				code: "resource_missing",
				message: "No such session",
			}),
		);

		expect(await stripe().expireCheckout("cs_test_a1")).toEqual({ outcome: "expired" });
	});

	it.each(Object.entries(outage))("reports unreachable on %s", async (_, answer) => {
		stubStripe(answer);

		expect(await stripe().expireCheckout("cs_test_a1")).toMatchObject({ outcome: "unreachable" });
	});

	it("reports unreachable when Stripe refuses to expire and then cannot be asked about the session", async () => {
		stubStripe((request) => (request.url.pathname === expirePath ? notOpen.clone() : "network_error"));

		expect(await stripe().expireCheckout("cs_test_a1")).toMatchObject({ outcome: "unreachable" });
	});
});

describe("Stripe refunds", () => {
	it("refunds the payment intent in full, keyed by the intent's id", async () => {
		const requests = stubStripe(() =>
			stripeJson(200, { id: "re_1", object: "refund", payment_intent: "pi_late", status: "succeeded" }),
		);

		expect(await stripe().refund("pi_late")).toEqual({ outcome: "refunded" });
		expect(requests).toHaveLength(1);
		const [request] = requests as [StripeRequest];
		expect(`${request.method} ${request.url}`).toBe("POST https://api.stripe.com/v1/refunds");
		expect(request.headers.get("idempotency-key")).toBe("pi_late");
		// No amount: a refund without one is for the whole payment.
		expect([...request.form]).toEqual([["payment_intent", "pi_late"]]);
	});

	it.each(Object.entries(outage))("asks to retry later on %s", async (_, answer) => {
		stubStripe(answer);

		expect(await stripe().refund("pi_late")).toMatchObject({ outcome: "retry" });
	});

	it("asks to retry later when the key is refused, since an operator can fix it", async () => {
		stubStripe(() =>
			stripeError(401, { type: "invalid_request_error", message: "Invalid API Key provided" }),
		);

		expect(await stripe().refund("pi_late")).toMatchObject({ outcome: "retry" });
	});

	it("reports a refund Stripe refuses for good", async () => {
		stubStripe(() =>
			stripeError(400, {
				type: "invalid_request_error",
				code: "charge_disputed",
				message: "Charge ch_1 has been charged back; cannot issue a refund.",
			}),
		);

		const outcome = await stripe().refund("pi_late");

		expect(outcome).toEqual({ outcome: "refused", detail: expect.stringContaining("charged back") });
	});

	it("counts a payment Stripe has already refunded as refunded", async () => {
		stubStripe(() =>
			stripeError(400, {
				type: "invalid_request_error",
				code: "charge_already_refunded",
				message: "Charge ch_1 has already been refunded.",
			}),
		);

		expect(await stripe().refund("pi_late")).toEqual({ outcome: "refunded" });
	});
});
