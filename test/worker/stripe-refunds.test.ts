import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { admin, Buyer, errorCode, saleInput, uniqueSaleId } from "./helpers";
import { createHoldSale, expectUnitsAddUp, orderOf, runAlarmsUntil, truth } from "./hold-helpers";
import {
	checkOut,
	checkoutOpen,
	configureStripe,
	deliverPaid,
	holdFor,
	refundFigures,
	StripeAccount,
} from "./stripe-account";

configureStripe();

const refundCalls = (account: StripeAccount) =>
	account.calls.filter((call) => call === "POST /v1/refunds").length;

describe("checkout with Stripe", () => {
	it("answers 503 payment_unavailable while Stripe is down, leaving the hold untouched, and makes one session once it is back", async () => {
		const account = StripeAccount.open();
		const sale = await createHoldSale("checkout-outage");
		const buyer = await Buyer.named(uniqueSaleId("checkout-outage-buyer"));
		const order = await holdFor(buyer, sale.id);
		account.outage = "network_error";

		const refused = await buyer.post(sale.id, "order/checkout");

		expect(refused.status).toBe(503);
		expect(await errorCode(refused)).toBe("payment_unavailable");
		expect(refused.headers.get("retry-after")).not.toBeNull();
		expect(await orderOf(buyer, sale.id)).toEqual(order);
		expect((await truth(sale.id)).held).toBe(1);

		account.outage = null;
		await checkOut(account, buyer, sale.id);
		await checkOut(account, buyer, sale.id);
		expect(account.sessions.size).toBe(1);
	});

	it("answers about the order a session was made for, even when the buyer holds another one by then", async () => {
		StripeAccount.open();
		const sale = await createHoldSale("keep-named-order");
		const buyer = await Buyer.named(uniqueSaleId("keep-named-order-buyer"));
		const first = await holdFor(buyer, sale.id);
		await buyer.post(sale.id, "order/cancel");
		const second = await holdFor(buyer, sale.id, "us-10");

		// The session Stripe made for the first order comes back after the buyer held the second.
		const answer = await env.SALE_GATE.getByName(sale.id).keepCheckout(
			buyer.userId,
			first.id,
			"cs_test_late",
		);

		expect(answer).toMatchObject({
			ok: false,
			reason: "not_held",
			order: { id: first.id, status: "cancelled" },
		});
		expect(await orderOf(buyer, sale.id)).toMatchObject({ id: second.id, status: "held" });
	});

	it("answers 409 not_held for an order the buyer cancelled, and opens no session", async () => {
		const account = StripeAccount.open();
		const sale = await createHoldSale("checkout-cancelled");
		const buyer = await Buyer.named(uniqueSaleId("checkout-cancelled-buyer"));
		await holdFor(buyer, sale.id);
		await buyer.post(sale.id, "order/cancel");

		const refused = await buyer.post(sale.id, "order/checkout");

		expect(refused.status).toBe(409);
		expect(await errorCode(refused)).toBe("not_held");
		expect(account.sessions.size).toBe(0);
	});

	it.each([
		["49 US cents", { priceCents: 49, currency: "USD" }, 400],
		["29 pence", { priceCents: 29, currency: "GBP" }, 400],
		["49 yen", { priceCents: 49, currency: "JPY" }, 400],
		["50 US cents", { priceCents: 50, currency: "USD" }, 201],
	])("refuses a sale with holds priced below Stripe's minimum charge: %s", async (_, price, status) => {
		const response = await admin(
			"PUT",
			`/sales/${uniqueSaleId("minimum")}`,
			saleInput({ holdSeconds: 60, ...price }),
		);

		expect(response.status).toBe(status);
		if (status === 400) expect(await errorCode(response)).toBe("invalid_request");
	});
});

describe("refunds", () => {
	it("retries a refund Stripe cannot take from the alarm until it is made, once, counting it pending meanwhile", async () => {
		const { account, sale, buyer, session } = await checkoutOpen("refund-outage");
		const paid = account.pay(session.id);
		await buyer.post(sale.id, "order/cancel");
		account.outage = "server_error";

		expect((await deliverPaid(paid)).status).toBe(200);
		await runDurableObjectAlarm(env.SALE_GATE.getByName(sale.id));
		await runDurableObjectAlarm(env.SALE_GATE.getByName(sale.id));

		expect(refundCalls(account)).toBeGreaterThanOrEqual(1);
		expect(account.refunds).toEqual([]);
		expect(await refundFigures(sale.id)).toEqual({ refundsPending: 1, refundsFailed: 0 });
		const metrics = await (await admin("GET", "/metrics")).text();
		expect(metrics).toContain(`doorbuster_refunds_pending{sale="${sale.id}"} 1`);

		account.outage = null;
		await runAlarmsUntil(sale.id, async () => (await refundFigures(sale.id)).refundsPending === 0);

		expect(account.refunds).toEqual([paid.payment_intent]);
		expect(await refundFigures(sale.id)).toEqual({ refundsPending: 0, refundsFailed: 0 });
		expect((await orderOf(buyer, sale.id))?.status).toBe("cancelled");
	});

	it("keeps a refund owed across a restart of the sale's object and makes it after", async () => {
		const { account, sale, session } = await checkoutOpen("refund-restart");
		const first = account.pay(session.id);
		await deliverPaid(first);
		const second = account.paidElsewhere(first);
		account.outage = "network_error";
		await deliverPaid(second);
		const gate = env.SALE_GATE.getByName(sale.id);
		await runAlarmsUntil(sale.id, async () => refundCalls(account) > 0);

		await evictDurableObject(gate);
		account.outage = null;
		await runAlarmsUntil(sale.id, async () => (await refundFigures(sale.id)).refundsPending === 0);

		expect(account.refunds).toEqual([second.payment_intent]);
	});

	it("counts a refund Stripe refuses for good in refundsFailed and stops asking", async () => {
		const { account, sale, buyer, session } = await checkoutOpen("refund-refused");
		const paid = account.pay(session.id);
		account.refusedRefunds.add(paid.payment_intent ?? "");
		await buyer.post(sale.id, "order/cancel");

		await deliverPaid(paid);
		await runAlarmsUntil(sale.id, async () => (await refundFigures(sale.id)).refundsPending === 0);
		await runDurableObjectAlarm(env.SALE_GATE.getByName(sale.id));

		expect(await refundFigures(sale.id)).toEqual({ refundsPending: 0, refundsFailed: 1 });
		expect(refundCalls(account)).toBe(1);
		expect(await (await admin("GET", "/metrics")).text()).toContain(
			`doorbuster_refunds_failed{sale="${sale.id}"} 1`,
		);
	});
});

describe("a hold's end with Stripe", () => {
	it("expires the session through Stripe first, then the order, and the unit returns", async () => {
		const { account, sale, buyer, session } = await checkoutOpen("expire-session");

		await runAlarmsUntil(sale.id, async () => (await orderOf(buyer, sale.id))?.status === "expired");

		expect(account.sessions.get(session.id)?.status).toBe("expired");
		expect(account.calls).toContain(`POST /v1/checkout/sessions/${session.id}/expire`);
		expect((await truth(sale.id)).variants.find((size) => size.id === "us-9")?.remaining).toBe(2);
	});

	it("confirms the order instead when Stripe answers that its session was paid, and a late event refunds nothing", async () => {
		const { account, sale, buyer, session } = await checkoutOpen("expire-complete");
		// Paid in the last second; the event has not come yet.
		const paid = account.pay(session.id);

		await runAlarmsUntil(sale.id, async () => (await orderOf(buyer, sale.id))?.status !== "held");

		expect(await orderOf(buyer, sale.id)).toMatchObject({ status: "confirmed" });
		expect((await deliverPaid(paid)).status).toBe(200);
		await runAlarmsUntil(sale.id, async () => (await refundFigures(sale.id)).refundsPending === 0);
		expect(account.refunds).toEqual([]);
		expect((await orderOf(buyer, sale.id))?.status).toBe("confirmed");
	});

	it("expires the order at once when Stripe says its session was paid for the wrong amount, and refunds that payment", async () => {
		const { account, sale, buyer, session } = await checkoutOpen("expire-wrong-amount");
		const paid = account.pay(session.id, { amount_total: 1 });

		// The alarm run that hears Stripe's answer ends the hold, not one at the end of its 5 minutes' grace.
		await runAlarmsUntil(sale.id, async () => account.calls.some((call) => call.endsWith("/expire")));
		expect((await orderOf(buyer, sale.id))?.status).toBe("expired");
		await expectUnitsAddUp(sale.id, [buyer]);
		await runAlarmsUntil(sale.id, async () => (await refundFigures(sale.id)).refundsPending === 0);
		expect(account.refunds).toEqual([paid.payment_intent]);
	});

	it("keeps the hold while Stripe cannot be reached, expires it 5 minutes on, and refunds a payment Stripe took meanwhile", async () => {
		const { account, sale, buyer, session } = await checkoutOpen("expire-outage");
		const paid = account.pay(session.id);
		account.outage = "network_error";

		// The hold's end: Stripe does not answer, so the order stays held and its unit with it.
		await runAlarmsUntil(sale.id, async () => account.calls.some((call) => call.endsWith("/expire")));
		expect((await orderOf(buyer, sale.id))?.status).toBe("held");
		await expectUnitsAddUp(sale.id, [buyer]);

		await runAlarmsUntil(sale.id, async () => (await orderOf(buyer, sale.id))?.status === "expired");
		await expectUnitsAddUp(sale.id, [buyer]);
		expect((await truth(sale.id)).held).toBe(0);

		account.outage = null;
		await runAlarmsUntil(sale.id, async () => account.refunds.length > 0);
		await deliverPaid(paid);
		await runAlarmsUntil(sale.id, async () => (await refundFigures(sale.id)).refundsPending === 0);

		expect(account.refunds).toEqual([paid.payment_intent]);
		expect((await orderOf(buyer, sale.id))?.status).toBe("expired");
	});

	it("finds the next hold's end after a cancel without reading every held order while a session waits to close", async () => {
		const holds = 60;
		const account = StripeAccount.open();
		const sale = await createHoldSale("cancel-among-many", {
			variants: [{ id: "us-9", name: "US 9", totalStock: holds }],
			totalStock: holds,
		});
		const buyers: Buyer[] = [];
		for (let i = 0; i < holds; i++) {
			const buyer = await Buyer.named(uniqueSaleId(`cancel-among-many-${i}`));
			await holdFor(buyer, sale.id);
			buyers.push(buyer);
		}
		const [paying, cancelling] = buyers as [Buyer, Buyer];
		const session = await checkOut(account, paying, sale.id);

		// Rows read, as the platform's SQL cursors count them, by everything the cancel runs.
		const cursors: SqlStorageCursor<Record<string, SqlStorageValue>>[] = [];
		const spy = await runInDurableObject(env.SALE_GATE.getByName(sale.id), (_instance, state) => {
			const exec = state.storage.sql.exec.bind(state.storage.sql);
			return vi.spyOn(state.storage.sql, "exec").mockImplementation((query, ...bindings) => {
				const cursor = exec(query, ...bindings);
				cursors.push(cursor);
				return cursor;
			});
		});
		expect((await cancelling.post(sale.id, "order/cancel")).status).toBe(200);
		spy.mockRestore();
		const rowsRead = cursors.reduce((sum, cursor) => sum + cursor.rowsRead, 0);
		expect(rowsRead).toBeLessThan(holds);

		// The deadline it found is still the right one: the paying buyer's session closes, then the holds end.
		await runAlarmsUntil(sale.id, async () => (await truth(sale.id)).held === 0);
		expect(account.sessions.get(session.id)?.status).toBe("expired");
		expect((await orderOf(paying, sale.id))?.status).toBe("expired");
		expect((await truth(sale.id)).variants[0]?.remaining).toBe(holds);
	});

	it("expires the session of an order the buyer cancels", async () => {
		const { account, sale, buyer, session } = await checkoutOpen("cancel-session");

		await buyer.post(sale.id, "order/cancel");
		await runDurableObjectAlarm(env.SALE_GATE.getByName(sale.id));

		expect(account.sessions.get(session.id)?.status).toBe("expired");
	});
});
