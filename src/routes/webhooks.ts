import { Hono } from "hono";
import { SaleClient } from "../edge/sale-client";
import { ApiError } from "../http-error";
import { PaymentConfigError, paymentProvider } from "../payments/payment-provider";
import type { StripePayments } from "../payments/stripe-payments";

/**
 * The Stripe provider the webhook is for. With another provider the
 * endpoint does not exist; a misconfigured one cannot verify anything, so
 * the event is `503` and Stripe delivers it again once an operator fixes it.
 */
function stripeOf(env: Env): StripePayments {
	let provider: ReturnType<typeof paymentProvider>;
	try {
		provider = paymentProvider(env);
	} catch (error) {
		if (!(error instanceof PaymentConfigError)) throw error;
		console.error(JSON.stringify({ event: "payment_config_error", error: error.message }));
		throw new ApiError("unavailable", { retryAfterSeconds: 60 });
	}
	if (provider?.name !== "stripe") throw new ApiError("not_found");
	return provider;
}

/**
 * `POST /webhooks/stripe` (shared/API.md "Payment providers"): Stripe's
 * events. The signature is checked on the raw body, exactly as received; a
 * payment goes to its sale's object, which applies each event id at most
 * once. Every event that verifies is `200` unless its sale cannot be reached
 * now (`503`, so Stripe delivers it again).
 */
export const webhookRoutes = new Hono<{ Bindings: Env }>().post("/stripe", async (c) => {
	const stripe = stripeOf(c.env);
	const outcome = await stripe.readWebhook(await c.req.text(), c.req.header("stripe-signature") ?? null);
	if (outcome.kind === "invalid_signature") throw new ApiError("invalid_signature");
	if (outcome.kind === "ignored") {
		console.log(
			JSON.stringify({ event: "stripe_event_ignored", eventId: outcome.eventId, reason: outcome.reason }),
		);
		return c.json({ received: true });
	}
	const { eventId, payment } = outcome;
	const applied = await new SaleClient(c.env, payment.saleId).applyPayment(eventId, payment);
	console.log(
		JSON.stringify({
			event: "stripe_payment",
			eventId,
			saleId: payment.saleId,
			orderId: payment.orderId,
			applied: applied ?? "no_such_sale",
		}),
	);
	return c.json({ received: true });
});
