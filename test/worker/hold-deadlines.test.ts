import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Order } from "../../src/domain/order";
import { Buyer, createSale } from "./helpers";
import { orderOf, runAlarmsUntil, truth } from "./hold-helpers";

afterEach(() => {
	vi.useRealTimers();
});

/** When the sale object's one alarm is set for, or null. */
function alarmOf(saleId: string): Promise<number | null> {
	return runInDurableObject(env.SALE_GATE.getByName(saleId), (_, state) => state.storage.getAlarm());
}

/**
 * The invariant expiry rests on: while any order is held, the object's alarm
 * is set no later than the earliest hold's deadline. If it were not, nothing
 * but a buyer's call would ever expire that hold and hand its unit on.
 */
async function expectAlarmCoversHolds(saleId: string, buyers: Buyer[]): Promise<void> {
	const orders = await Promise.all(buyers.map((buyer) => orderOf(buyer, saleId)));
	const deadlines = orders.flatMap((order) => (order?.status === "held" ? [order.holdExpiresAt ?? 0] : []));
	if (deadlines.length === 0) return;
	const earliest = Math.min(...deadlines);
	const alarm = await alarmOf(saleId);
	if (alarm === null || alarm > earliest) {
		throw new Error(`the alarm is set for ${alarm}, after the hold that ends at ${earliest}`);
	}
}

/** Ways the earliest hold can leave before its deadline comes on the alarm. */
const interleavings: [string, (buyer: Buyer, saleId: string, order: Order) => Promise<void>][] = [
	[
		"cancelled",
		async (buyer, saleId) => {
			expect((await buyer.post(saleId, "order/cancel")).status).toBe(200);
		},
	],
	[
		"paid",
		async (buyer, saleId) => {
			expect((await buyer.post(saleId, "order/test-payment", { outcome: "paid" })).status).toBe(200);
		},
	],
	[
		"expired by a buyer's call",
		async (buyer, saleId, order) => {
			// Any call settles the holds due by its clock; here one comes 1 ms after the deadline.
			vi.useFakeTimers({ toFake: ["Date"], now: (order.holdExpiresAt ?? 0) + 1 });
			expect(await orderOf(buyer, saleId)).toMatchObject({ status: "expired" });
			vi.useRealTimers();
		},
	],
];

describe("hold deadlines on the one alarm", () => {
	it.each(interleavings)(
		"expires every later hold on the alarm alone when the earliest hold was %s before its alarm came",
		async (_, leaveEarly) => {
			const sale = await createSale("hold-deadlines", { totalStock: 3, holdSeconds: 60 });
			const buyers = await Promise.all(["first", "second", "third"].map((name) => Buyer.named(name)));
			const orders: Order[] = [];
			for (const buyer of buyers) {
				const response = await buyer.buy(sale.id);
				expect(response.status).toBe(201);
				orders.push((await response.json<{ order: Order }>()).order);
			}
			const [first, second, third] = orders.map((order) => order.holdExpiresAt ?? 0);
			// Deadlines in order of purchase, so the first hold is the one the alarm was asked for.
			expect(first).toBeLessThan(second ?? 0);
			expect(second).toBeLessThan(third ?? 0);
			const [earliest] = buyers;
			if (!earliest || !orders[0]) throw new Error("no first buyer");

			await leaveEarly(earliest, sale.id, orders[0]);
			await expectAlarmCoversHolds(sale.id, buyers);

			// Alarm deliveries only, each standing for the time it was set for.
			await runAlarmsUntil(sale.id, async () => {
				await expectAlarmCoversHolds(sale.id, buyers);
				return (await truth(sale.id)).held === 0;
			});
			const final = await Promise.all(buyers.slice(1).map((buyer) => orderOf(buyer, sale.id)));
			expect(final.map((order) => order?.status)).toEqual(["expired", "expired"]);
		},
	);
});
