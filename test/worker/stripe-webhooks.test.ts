import { createExecutionContext } from "cloudflare:test";
import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import type { Order } from "../../src/domain/order";
import { shardName, shardOf } from "../../src/domain/shards";
import worker from "../../src/index";
import { Buyer, call, errorCode, saleGateWith, uniqueSaleId } from "./helpers";
import { createHoldSale, orderOf, runAlarmsUntil, truth } from "./hold-helpers";
import {
	checkOut,
	checkoutOpen,
	completedEvent,
	configureStripe,
	deliver,
	deliverPaid,
	holdFor,
	refundFigures,
	type Session,
	StripeAccount,
	WEBHOOK_SECRET,
} from "./stripe-account";

configureStripe();

/** Runs the sale's alarm until every refund owed is made. */
async function refundsSent(saleId: string): Promise<void> {
	await runAlarmsUntil(saleId, async () => (await refundFigures(saleId)).refundsPending === 0);
}

describe("POST /webhooks/stripe", () => {
	it("confirms the held order when Stripe reports its session paid, at the event's time", async () => {
		const { account, sale, buyer, order, session } = await checkoutOpen("paid");
		expect(session.metadata).toEqual({ saleId: sale.id, orderId: order.id });
		expect([session.amount_total, session.currency]).toEqual([order.amountCents, "usd"]);

		const body = completedEvent(account.pay(session.id));
		const response = await deliver(body);

		expect(response.status).toBe(200);
		const confirmed = await orderOf(buyer, sale.id);
		expect(confirmed).toMatchObject({ id: order.id, status: "confirmed", holdExpiresAt: null });
		expect(confirmed?.paidAt).toBe(JSON.parse(body).created * 1000);
		expect((await truth(sale.id)).held).toBe(0);
		await refundsSent(sale.id);
		expect(account.refunds).toEqual([]);
	});

	it("applies an event id once: a replay of it, even carrying another payment, changes nothing", async () => {
		const { account, sale, buyer, session } = await checkoutOpen("replay");
		const paid = account.pay(session.id);
		expect((await deliverPaid(paid, { id: "evt_replayed" })).status).toBe(200);

		// The same event id again, now carrying a second payment that would be refunded.
		const second = account.paidElsewhere(paid);
		expect((await deliverPaid(second, { id: "evt_replayed" })).status).toBe(200);
		await refundsSent(sale.id);

		expect(account.refunds).toEqual([]);
		expect((await orderOf(buyer, sale.id))?.status).toBe("confirmed");
	});

	it("confirms whichever way the order's own payment and a second one arrive, and refunds only the second", async () => {
		const { account, sale, buyer, session } = await checkoutOpen("reordered");
		const first = account.pay(session.id);
		const second = account.paidElsewhere(first);

		// The second payment's event arrives first, while the order is still held.
		expect((await deliverPaid(second)).status).toBe(200);
		expect((await orderOf(buyer, sale.id))?.status).toBe("held");
		expect((await deliverPaid(first)).status).toBe(200);
		// Stripe delivers both again.
		expect((await deliverPaid(second)).status).toBe(200);
		expect((await deliverPaid(first)).status).toBe(200);
		await refundsSent(sale.id);

		expect((await orderOf(buyer, sale.id))?.status).toBe("confirmed");
		expect(account.refunds).toEqual([second.payment_intent]);
	});

	it("refunds a second payment of an order already confirmed, once, never the first", async () => {
		const { account, sale, buyer, session } = await checkoutOpen("double");
		const first = account.pay(session.id);
		await deliverPaid(first);

		const second = account.paidElsewhere(first);
		await deliverPaid(second);
		await deliverPaid(second);
		await refundsSent(sale.id);

		expect(account.refunds).toEqual([second.payment_intent]);
		expect(await orderOf(buyer, sale.id)).toMatchObject({ status: "confirmed" });
		expect(await refundFigures(sale.id)).toEqual({ refundsPending: 0, refundsFailed: 0 });
	});

	it.each([
		["a wrong amount", { amount_total: 100 }],
		["a wrong currency", { currency: "eur" }],
	] as const)("refunds a payment of %s and leaves the order held", async (_, charged) => {
		const { account, sale, buyer, order, session } = await checkoutOpen("wrong-charge");

		const paid = account.pay(session.id, charged);
		expect((await deliverPaid(paid)).status).toBe(200);
		await refundsSent(sale.id);

		expect(account.refunds).toEqual([paid.payment_intent]);
		expect(await orderOf(buyer, sale.id)).toEqual(order);
	});

	it("matches currencies ignoring case", async () => {
		const { account, sale, buyer, session } = await checkoutOpen("currency-case");

		await deliverPaid(account.pay(session.id, { currency: "USD" }));

		expect((await orderOf(buyer, sale.id))?.status).toBe("confirmed");
	});

	it("refunds a payment that lands after the buyer cancelled, once however often it is delivered", async () => {
		const { account, sale, buyer, session } = await checkoutOpen("after-cancel");
		// The buyer paid in one tab and cancelled in another before the event came.
		const paid = account.pay(session.id);
		expect((await buyer.post(sale.id, "order/cancel")).status).toBe(200);

		await deliverPaid(paid);
		await deliverPaid(paid);
		await refundsSent(sale.id);

		expect(account.refunds).toEqual([paid.payment_intent]);
		expect((await orderOf(buyer, sale.id))?.status).toBe("cancelled");
		const sizes = (await truth(sale.id)).variants;
		expect(sizes.find((size) => size.id === "us-9")?.remaining).toBe(2);
	});

	it("answers 503 while the sale cannot be reached, so Stripe retries, and applies the retry", async () => {
		const { account, sale, buyer, session } = await checkoutOpen("unreachable");
		const body = completedEvent(account.pay(session.id));
		const down = saleGateWith(() => {
			throw Object.assign(new Error("Durable Object reset because its code was updated."), {
				retryable: false,
			});
		});
		const signature = await Stripe.webhooks.generateTestHeaderStringAsync({
			payload: body,
			secret: WEBHOOK_SECRET,
			cryptoProvider: Stripe.createSubtleCryptoProvider(),
		});
		const request = new Request("https://doorbuster.test/webhooks/stripe", {
			method: "POST",
			headers: { "content-type": "application/json", "stripe-signature": signature },
			body,
		});

		const refused = await worker.fetch(request, down.bindings, createExecutionContext());

		expect(refused.status).toBe(503);
		expect(refused.headers.get("retry-after")).not.toBeNull();
		expect((await orderOf(buyer, sale.id))?.status).toBe("held");
		expect((await deliver(body)).status).toBe(200);
		expect((await orderOf(buyer, sale.id))?.status).toBe("confirmed");
	});

	it("reaches the order's shard in a sale of shards: confirms the order there, and refunds a second payment from there", async () => {
		const account = StripeAccount.open();
		const sale = await createHoldSale("stripe-shards", { shards: 4 });
		const buyer = await Buyer.named(uniqueSaleId("stripe-shards-buyer"));
		const order = await holdFor(buyer, sale.id);
		const session = await checkOut(account, buyer, sale.id);
		const shard = shardOf(sale.id, buyer.userId, 4);
		expect(session.metadata).toEqual({ saleId: sale.id, orderId: order.id, shard: String(shard) });

		const paid = account.pay(session.id);
		expect((await deliverPaid(paid)).status).toBe(200);
		expect((await orderOf(buyer, sale.id))?.status).toBe("confirmed");

		const second = account.paidElsewhere(paid);
		expect((await deliverPaid(second)).status).toBe(200);
		await runAlarmsUntil(shardName(sale.id, shard), async () => account.refunds.length > 0);
		expect(account.refunds).toEqual([second.payment_intent]);
	});
});

describe("POST /webhooks/stripe refuses or ignores, changing nothing,", () => {
	/** Delivers `body` as told and checks the answer and that the order and stock did not move. */
	async function unchanged(
		label: string,
		send: (paid: Session) => Promise<Response>,
	): Promise<{ response: Response; order: Order | null }> {
		const { account, sale, buyer, order, session } = await checkoutOpen(label);
		const before = await truth(sale.id);
		const response = await send(account.pay(session.id));
		await runAlarmsUntil(sale.id, async () => (await refundFigures(sale.id)).refundsPending === 0);
		expect(await orderOf(buyer, sale.id)).toEqual(order);
		expect((await truth(sale.id)).variants).toEqual(before.variants);
		expect(account.refunds).toEqual([]);
		return { response, order };
	}

	it.each([
		["a signature made with another secret", { secret: "whsec_someone_else" }],
		["a signature older than 300 s", { signedSecondsAgo: 301 }],
		["no Stripe-Signature header", { signature: null }],
		["a Stripe-Signature that is not one", { signature: "t=1,v1=00" }],
	])("with 400 invalid_signature for %s", async (_, delivery) => {
		const { response } = await unchanged("forged", (paid) => deliverPaid(paid, delivery));

		expect(response.status).toBe(400);
		expect(await errorCode(response)).toBe("invalid_signature");
	});

	it("with 200 for a live-mode event while the key is a test key", async () => {
		const { response } = await unchanged("livemode", (paid) => deliverPaid(paid, { livemode: true }));

		expect(response.status).toBe(200);
	});

	it("with 200 for an event of another type", async () => {
		const { response } = await unchanged("other-type", (paid) =>
			deliverPaid(paid, { type: "checkout.session.async_payment_failed" }),
		);

		expect(response.status).toBe(200);
	});

	it("with 200 for a payment naming an order the sale never had", async () => {
		const { response } = await unchanged("unknown-order", (paid) =>
			deliverPaid({ ...paid, metadata: { ...paid.metadata, orderId: crypto.randomUUID() } }),
		);

		expect(response.status).toBe(200);
	});

	it("with 200 for a payment naming a sale that does not exist", async () => {
		const { response } = await unchanged("unknown-sale", (paid) =>
			deliverPaid({ ...paid, metadata: { ...paid.metadata, saleId: uniqueSaleId("never-made") } }),
		);

		expect(response.status).toBe(200);
	});

	it("with 405 for a GET", async () => {
		const response = await call("GET", "/webhooks/stripe");

		expect(response.status).toBe(405);
		expect(await errorCode(response)).toBe("method_not_allowed");
	});
});
