import type { CheckoutOrder, CheckoutOutcome } from "./payment";

/**
 * The offline provider for development and tests (shared/API.md, "Payment
 * providers"): checkout is this Worker's own page with Pay and Decline
 * buttons, which report through `POST /api/sales/{saleId}/order/test-payment`.
 * It has no sessions to expire and takes no money, so nothing is refunded.
 */
export class TestPayments {
	readonly name = "test";

	/** The test payment page for the order's sale; never fails. */
	async startCheckout(order: CheckoutOrder): Promise<CheckoutOutcome> {
		return { ok: true, sessionId: null, url: `/pay/test?sale=${encodeURIComponent(order.saleId)}` };
	}
}
