import { sign } from "hono/jwt";
import type { Order, Shop } from "./shop";

/**
 * A shopper who buys through the API rather than a page: a shop with its own
 * login mints the session JWT, as the contract's "Identity" allows. For tests
 * that watch what others' buying does to a page or the console.
 */
export interface ApiBuyer {
	userId: string;
	/** Buys `variantId`; answers the order. */
	buy(saleId: string, variantId?: string): Promise<Order>;
	/** Joins the waitlist for `variantId`; answers the place in line. */
	joinWaitlist(saleId: string, variantId?: string): Promise<number>;
	leaveWaitlist(saleId: string): Promise<void>;
	/** Pays for the held order through the test provider. */
	pay(saleId: string): Promise<Order>;
	cancel(saleId: string): Promise<Order>;
	/** The buyer's order, or null without one. */
	order(saleId: string): Promise<Order | null>;
}

let buyerCount = 0;

export async function apiBuyer(shop: Shop, userId: string): Promise<ApiBuyer> {
	const secret = process.env.SESSION_SECRET;
	if (!secret) throw new Error("SESSION_SECRET is not set; vitest.config.ts sets it for the tests.");
	const now = Math.floor(Date.now() / 1000);
	const session = await sign({ sub: userId, iat: now, exp: now + 600 }, secret, "HS256");
	const headers = {
		authorization: `Bearer ${session}`,
		"content-type": "application/json",
		"cf-connecting-ip": `203.0.113.${++buyerCount % 250}`,
	};
	const call = async (method: string, pathname: string, body?: unknown) => {
		const response = await fetch(`${shop.origin}${pathname}`, {
			method,
			headers,
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		return { status: response.status, json: (await response.json()) as Record<string, unknown> };
	};
	const expectOk = async (method: string, pathname: string, body?: unknown) => {
		const answer = await call(method, pathname, body);
		if (answer.status >= 300)
			throw new Error(`${method} ${pathname}: ${answer.status} ${JSON.stringify(answer.json)}`);
		return answer.json;
	};
	const purchaseToken = async (saleId: string) =>
		(
			await expectOk("POST", `/api/sales/${saleId}/purchase-token`, {
				turnstileToken: "XXXX.DUMMY.TOKEN.XXXX",
			})
		).purchaseToken;
	return {
		userId,
		async buy(saleId, variantId) {
			const token = await purchaseToken(saleId);
			const body = { purchaseToken: token, variantId };
			return (await expectOk("POST", `/api/sales/${saleId}/purchase`, body)).order as Order;
		},
		async joinWaitlist(saleId, variantId) {
			const token = await purchaseToken(saleId);
			const body = { purchaseToken: token, variantId };
			return (await expectOk("POST", `/api/sales/${saleId}/waitlist`, body)).position as number;
		},
		async leaveWaitlist(saleId) {
			const answer = await fetch(`${shop.origin}/api/sales/${saleId}/waitlist`, {
				method: "DELETE",
				headers,
			});
			if (answer.status !== 204) throw new Error(`DELETE waitlist: ${answer.status}`);
		},
		async pay(saleId) {
			const body = { outcome: "paid" };
			return (await expectOk("POST", `/api/sales/${saleId}/order/test-payment`, body)).order as Order;
		},
		async cancel(saleId) {
			return (await expectOk("POST", `/api/sales/${saleId}/order/cancel`)).order as Order;
		},
		async order(saleId) {
			const answer = await call("GET", `/api/sales/${saleId}/order`);
			return answer.status === 404 ? null : (answer.json.order as Order);
		},
	};
}
