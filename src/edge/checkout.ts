import type { Order } from "../domain/order";
import type { Sale, SaleInput } from "../domain/sale";
import { shardOf } from "../domain/shards";
import { ApiError, invalidRequest } from "../http-error";
import { stripeMinimumCharge } from "../payments/minimum-charge";
import { PaymentConfigError, type PaymentProvider, paymentProvider } from "../payments/payment-provider";

/**
 * The configured payment provider, or null for none. A provider that is
 * named but misconfigured takes no payments: that is `503
 * payment_unavailable` to a buyer, and logged for the operator.
 */
function configuredProvider(env: Env): PaymentProvider | null {
	try {
		return paymentProvider(env);
	} catch (error) {
		if (!(error instanceof PaymentConfigError)) throw error;
		console.error(JSON.stringify({ event: "payment_config_error", error: error.message }));
		throw new ApiError("payment_unavailable", { retryAfterSeconds: 60 });
	}
}

/** Whether `POST …/order/test-payment` exists: only with the test provider. */
export function testPaymentsEnabled(env: Env): boolean {
	try {
		return paymentProvider(env)?.name === "test";
	} catch {
		return false;
	}
}

/**
 * Refuses a sale with holds that no payment provider could ever confirm
 * (shared/API.md "Sale fields"): its every order would expire. So is one
 * whose price is below the provider's minimum charge in its currency.
 */
export function requirePaymentsFor(
	env: Env,
	{ holdSeconds, priceCents, currency }: Pick<SaleInput, "holdSeconds" | "priceCents" | "currency">,
): void {
	if (!holdSeconds) return;
	let provider: PaymentProvider | null;
	try {
		provider = paymentProvider(env);
	} catch (error) {
		if (!(error instanceof PaymentConfigError)) throw error;
		throw invalidRequest(`holdSeconds: the payment provider is misconfigured (${error.message})`);
	}
	if (!provider) throw invalidRequest("holdSeconds: holds need a payment provider (PAYMENT_PROVIDER)");
	const minimum = provider.name === "stripe" ? stripeMinimumCharge(currency) : null;
	if (minimum !== null && priceCents < minimum) {
		throw invalidRequest(`priceCents: Stripe charges at least ${minimum} in ${currency.toUpperCase()}`);
	}
}

/**
 * Starts payment of a held order with the configured provider: where to
 * send the buyer, and the provider's session, which the sale's object must
 * keep before the buyer is sent. A provider that cannot be reached is `503
 * payment_unavailable`; the hold is untouched and keeps running.
 */
export async function startCheckout(
	env: Env,
	sale: Sale,
	order: Order,
	origin: string,
): Promise<{ checkoutUrl: string; provider: string; sessionId: string | null }> {
	const provider = configuredProvider(env);
	if (!provider || order.holdExpiresAt === null) throw new ApiError("payment_unavailable");
	const variant = sale.variants.find((candidate) => candidate.id === order.variantId);
	const checkoutOrder = {
		saleId: order.saleId,
		orderId: order.id,
		...(sale.shards > 1 ? { shard: shardOf(sale.id, order.userId, sale.shards) } : {}),
		itemName: variant && sale.variants.length > 1 ? `${sale.name} · ${variant.name}` : sale.name,
		quantity: order.quantity,
		amountCents: order.amountCents,
		currency: order.currency,
		holdExpiresAt: order.holdExpiresAt,
	};
	const outcome =
		provider.name === "test"
			? await provider.startCheckout(checkoutOrder)
			: await provider.startCheckout(checkoutOrder, origin);
	if (!outcome.ok) {
		console.error(JSON.stringify({ event: "checkout_failed", saleId: order.saleId, detail: outcome.detail }));
		throw new ApiError("payment_unavailable", { retryAfterSeconds: 5 });
	}
	return { checkoutUrl: outcome.url, provider: provider.name, sessionId: outcome.sessionId };
}
