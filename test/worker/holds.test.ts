import { evictDurableObject, runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Order } from "../../src/domain/order";
import { admin, Buyer, call, errorCode, orderBookRows, saleInput, uniqueSaleId } from "./helpers";
import { createHoldSale, expectUnitsAddUp, orderOf, runAlarmsUntil, truth } from "./hold-helpers";

afterEach(() => {
	vi.useRealTimers();
});

async function held(response: Response): Promise<Order> {
	expect(response.status).toBe(201);
	const { order } = await response.json<{ order: Order }>();
	expect(order.status).toBe("held");
	return order;
}

describe("holds", () => {
	it("takes the unit for a held order with its deadline, and counts it as held", async () => {
		const sale = await createHoldSale("hold-take");
		const buyer = await Buyer.named("holder");
		const before = Date.now();
		const order = await held(await buyer.buyVariant(sale.id, "us-9"));
		expect(order).toMatchObject({ variantId: "us-9", amountCents: 12_900, paidAt: null });
		expect(order.holdExpiresAt).toBeGreaterThanOrEqual(before + 60_000);
		expect(order.holdExpiresAt).toBeLessThanOrEqual(Date.now() + 60_000);
		expect(await truth(sale.id)).toMatchObject({ remaining: 2, held: 1, status: "live" });
		await expectUnitsAddUp(sale.id, [buyer]);
		// A repeat while the hold lives is the same order.
		const again = await buyer.buyVariant(sale.id, "us-10");
		expect(again.status).toBe(200);
		expect((await again.json<{ order: Order }>()).order.id).toBe(order.id);
	});

	it("expires an unpaid hold on the alarm, returns its unit, and lets the buyer buy again", async () => {
		const sale = await createHoldSale("hold-expire");
		const buyer = await Buyer.named("late-payer");
		const first = await held(await buyer.buyVariant(sale.id, "us-10"));
		expect((await truth(sale.id)).variants[1]).toMatchObject({ id: "us-10", remaining: 0 });

		await runAlarmsUntil(sale.id, async () => (await orderOf(buyer, sale.id))?.status === "expired");
		expect(await orderOf(buyer, sale.id)).toMatchObject({ id: first.id, holdExpiresAt: null });
		expect((await truth(sale.id)).variants[1]).toMatchObject({ remaining: 1 });
		expect(await truth(sale.id)).toMatchObject({ held: 0, remaining: 3 });
		await expectUnitsAddUp(sale.id, [buyer]);

		// Alarms come at least once: another delivery changes nothing.
		await runDurableObjectAlarm(env.SALE_GATE.getByName(sale.id));
		expect(await truth(sale.id)).toMatchObject({ held: 0, remaining: 3 });

		const second = await held(await buyer.buyVariant(sale.id, "us-10"));
		expect(second.id).not.toBe(first.id);
		expect(await orderOf(buyer, sale.id)).toMatchObject({ id: second.id, status: "held" });
		// The order book follows: the first order ends expired, the second is held.
		await vi.waitFor(
			async () =>
				expect((await orderBookRows(sale.id)).map((row) => [row.id, row.status])).toEqual([
					[first.id, "expired"],
					[second.id, "held"],
				]),
			{ timeout: 20_000, interval: 100 },
		);
	});

	it("expires a hold that comes due while the object was evicted", async () => {
		const sale = await createHoldSale("hold-evicted");
		const buyer = await Buyer.named("evicted-holder");
		await held(await buyer.buyVariant(sale.id, "us-9"));
		await evictDurableObject(env.SALE_GATE.getByName(sale.id));
		await runAlarmsUntil(sale.id, async () => (await truth(sale.id)).held === 0);
		expect(await orderOf(buyer, sale.id)).toMatchObject({ status: "expired" });
		expect((await truth(sale.id)).remaining).toBe(3);
	});

	it("shows a hold past its deadline as expired on the next call, before the alarm runs", async () => {
		const sale = await createHoldSale("hold-settle");
		const buyer = await Buyer.named("clock-watcher");
		const order = await held(await buyer.buyVariant(sale.id, "us-9"));
		vi.useFakeTimers({ toFake: ["Date"], now: (order.holdExpiresAt ?? 0) + 1 });
		expect(await orderOf(buyer, sale.id)).toMatchObject({ id: order.id, status: "expired" });
		expect(await truth(sale.id)).toMatchObject({ held: 0, remaining: 3 });
	});

	it("cancels a held order, returning its unit at once; an order not held cannot be cancelled", async () => {
		const sale = await createHoldSale("hold-cancel");
		const buyer = await Buyer.named("canceller");
		const order = await held(await buyer.buyVariant(sale.id, "us-10"));
		const cancelled = await buyer.post(sale.id, "order/cancel");
		expect(cancelled.status).toBe(200);
		expect((await cancelled.json<{ order: Order }>()).order).toMatchObject({
			id: order.id,
			status: "cancelled",
			holdExpiresAt: null,
		});
		expect((await truth(sale.id)).variants[1]).toMatchObject({ remaining: 1 });

		const again = await buyer.post(sale.id, "order/cancel");
		expect(again.status).toBe(409);
		expect((await again.json<{ error: { code: string; order: Order } }>()).error).toMatchObject({
			code: "not_held",
			order: { id: order.id, status: "cancelled" },
		});
		const stranger = await Buyer.named("no-order-to-cancel");
		expect(await errorCode(await stranger.post(sale.id, "order/cancel"))).toBe("no_order");
	});

	it("refuses a sale with holds when there is no payment provider", async () => {
		const saleId = uniqueSaleId("hold-no-provider");
		const response = await call("PUT", `/admin/sales/${saleId}`, {
			token: env.ADMIN_TOKEN,
			body: saleInput({ holdSeconds: 60 }),
			bindings: { ...env, PAYMENT_PROVIDER: "" },
		});
		expect(response.status).toBe(400);
		expect((await response.json<{ error: { message: string } }>()).error.message).toMatch(/holdSeconds/);
		expect((await call("GET", `/api/sales/${saleId}`)).status).toBe(404);
	});
});

describe("paying with the test provider", () => {
	it("checks out to the test payment page, and a paid hold is confirmed for good", async () => {
		const sale = await createHoldSale("pay-test");
		const buyer = await Buyer.named("payer");
		const order = await held(await buyer.buyVariant(sale.id, "us-9"));

		const checkout = await buyer.post(sale.id, "order/checkout");
		expect(checkout.status).toBe(200);
		expect(await checkout.json()).toEqual({ checkoutUrl: `/pay/test?sale=${sale.id}`, provider: "test" });

		const declined = await buyer.post(sale.id, "order/test-payment", { outcome: "declined" });
		expect(declined.status).toBe(200);
		expect((await declined.json<{ order: Order }>()).order).toMatchObject({ id: order.id, status: "held" });

		const paidAt = Date.now();
		const paid = await buyer.post(sale.id, "order/test-payment", { outcome: "paid" });
		expect(paid.status).toBe(200);
		const confirmed = (await paid.json<{ order: Order }>()).order;
		expect(confirmed).toMatchObject({ id: order.id, status: "confirmed", holdExpiresAt: null });
		expect(confirmed.paidAt).toBeGreaterThanOrEqual(paidAt);
		expect(await truth(sale.id)).toMatchObject({ held: 0, remaining: 2 });
		await expectUnitsAddUp(sale.id, [buyer]);

		// Its deadline passing changes nothing, and it can be paid, checked out or cancelled no more.
		vi.useFakeTimers({ toFake: ["Date"], now: (order.holdExpiresAt ?? 0) + 1 });
		expect(await orderOf(buyer, sale.id)).toMatchObject({ status: "confirmed" });
		for (const path of ["order/checkout", "order/cancel"]) {
			expect(await errorCode(await buyer.post(sale.id, path))).toBe("not_held");
		}
		expect(await errorCode(await buyer.post(sale.id, "order/test-payment", { outcome: "paid" }))).toBe(
			"not_held",
		);
		vi.useRealTimers();
		await vi.waitFor(
			async () => expect((await orderBookRows(sale.id)).map((row) => row.status)).toEqual(["confirmed"]),
			{ timeout: 20_000, interval: 100 },
		);
	});

	it("has no test payment endpoint with any other provider", async () => {
		const sale = await createHoldSale("pay-test-off");
		const buyer = await Buyer.named("wrong-provider");
		await held(await buyer.buyVariant(sale.id, "us-9"));
		const response = await call("POST", `/api/sales/${sale.id}/order/test-payment`, {
			token: buyer.session,
			body: { outcome: "paid" },
			bindings: { ...env, PAYMENT_PROVIDER: "" },
		});
		expect(response.status).toBe(404);
		expect(await errorCode(response)).toBe("not_found");
		expect(await orderOf(buyer, sale.id)).toMatchObject({ status: "held" });
	});
});

describe("the admin figures of a sale with holds", () => {
	it("counts held, confirmed, expired and cancelled, the waitlist and revenue, per size and in all", async () => {
		const sale = await createHoldSale("hold-figures");
		const [a, b, c, d] = await Promise.all([
			Buyer.named("fig-a"),
			Buyer.named("fig-b"),
			Buyer.named("fig-c"),
			Buyer.named("fig-d"),
		]);
		await held(await a.buyVariant(sale.id, "us-9"));
		await held(await b.buyVariant(sale.id, "us-10"));
		expect((await b.post(sale.id, "order/test-payment", { outcome: "paid" })).status).toBe(200);
		await held(await c.buyVariant(sale.id, "us-9"));
		expect((await d.joinWaitlist(sale.id, "us-9")).status).toBe(202);
		const stats = async () =>
			(await (await admin("GET", `/sales/${sale.id}`)).json<{ stats: object }>()).stats;
		expect(await stats()).toMatchObject({
			sold: 3,
			held: 2,
			confirmed: 1,
			waitlist: 1,
			revenueCents: 12_900,
		});
		const metrics = await (await admin("GET", "/metrics")).text();
		expect(metrics).toContain("# TYPE doorbuster_waitlist_buyers gauge");
		expect(metrics).toContain(`doorbuster_waitlist_buyers{sale="${sale.id}"} 1\n`);

		// c gives back: the unit goes to d, so the size stays sold, still held.
		expect((await c.post(sale.id, "order/cancel")).status).toBe(200);
		expect(await stats()).toMatchObject({
			sold: 3,
			remaining: 0,
			held: 2,
			confirmed: 1,
			expired: 0,
			cancelled: 1,
			waitlist: 0,
			revenueCents: 12_900,
			variants: [
				{ id: "us-9", sold: 2, confirmed: 0, held: 2, remaining: 0 },
				{ id: "us-10", sold: 1, confirmed: 1, held: 0, remaining: 0 },
			],
		});

		// Every hold runs out.
		vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 61_000 });
		expect(await stats()).toMatchObject({
			sold: 1,
			remaining: 2,
			held: 0,
			confirmed: 1,
			expired: 2,
			cancelled: 1,
		});
	});
});
