import { vi } from "vitest";

/** One request the code under test sent towards Stripe. */
export interface StripeRequest {
	method: string;
	url: URL;
	headers: Headers;
	/** The form-encoded body, e.g. `form.get("metadata[orderId]")`. */
	form: URLSearchParams;
}

/** What the double answers: a response, or a connection that fails before one. */
export type StripeAnswer = Response | "network_error";

/**
 * Stands in for Stripe (api.stripe.com, or a test double's address) at the
 * fetch boundary: records every request and answers with `answer`. Returns
 * the requests, in order.
 */
export function stubStripe(answer: (request: StripeRequest) => StripeAnswer): StripeRequest[] {
	const requests: StripeRequest[] = [];
	vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
		const request = new Request(input, init);
		const recorded = {
			method: request.method,
			url: new URL(request.url),
			headers: request.headers,
			form: new URLSearchParams(new TextDecoder().decode(await request.arrayBuffer())),
		};
		requests.push(recorded);
		const reply = answer(recorded);
		if (reply === "network_error") throw new TypeError("Network connection lost.");
		return reply;
	});
	return requests;
}

/** A JSON answer as Stripe sends it. */
export function stripeJson(status: number, body: unknown): Response {
	return new Response(JSON.stringify(body), {
		status,
		headers: { "content-type": "application/json", "request-id": "req_double" },
	});
}

/** Stripe's error shape: https://docs.stripe.com/api/errors */
export function stripeError(
	status: number,
	error: { type: string; code?: string; message: string },
): Response {
	return stripeJson(status, { error });
}

/** A Checkout Session as Stripe shows it, with the fields the provider reads. */
export function checkoutSession(fields: Record<string, unknown> = {}): Record<string, unknown> {
	return {
		id: "cs_test_a1",
		object: "checkout.session",
		status: "open",
		payment_status: "unpaid",
		amount_total: 5000,
		currency: "usd",
		payment_intent: null,
		livemode: false,
		metadata: { saleId: "spring-drop", orderId: "order-1" },
		url: "https://checkout.stripe.com/c/pay/cs_test_a1",
		...fields,
	};
}
