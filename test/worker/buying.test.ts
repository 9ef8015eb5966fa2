import { describe, expect, it, vi } from "vitest";
import type { Order } from "../../src/domain/order";
import type { Sale } from "../../src/domain/sale";
import { Buyer, call, createSale, errorCode, orderBookRows, saleStats } from "./helpers";

describe("a live sale under a rush", () => {
	it("never sells more than the stock when 500 buyers race for 100 units", async () => {
		const sale = await createSale("race", { totalStock: 100 });
		const buyers = await Promise.all(Array.from({ length: 500 }, (_, i) => Buyer.named(`racer-${i}`)));
		const tokens = await Promise.all(buyers.map((buyer) => buyer.purchaseToken(sale.id)));
		const responses = await Promise.all(buyers.map((buyer, i) => buyer.purchase(sale.id, tokens[i] ?? "")));

		const statuses = responses.map((response) => response.status);
		expect(statuses.filter((status) => status === 201)).toHaveLength(100);
		expect(statuses.filter((status) => status === 409)).toHaveLength(400);

		const orders: Order[] = [];
		for (const response of responses) {
			if (response.status === 201) orders.push((await response.json<{ order: Order }>()).order);
			else expect(await errorCode(response)).toBe("sold_out");
		}
		expect(new Set(orders.map((order) => order.userId)).size).toBe(100);

		await vi.waitFor(async () => expect((await saleStats(sale.id)).ordersPending).toBe(0), {
			timeout: 20_000,
			interval: 100,
		});
		const rows = await orderBookRows(sale.id);
		expect(rows.map((row) => row.id).sort()).toEqual(orders.map((order) => order.id).sort());
		expect(await saleStats(sale.id)).toEqual({
			sold: 100,
			remaining: 0,
			buyers: 100,
			ordersRecorded: 100,
			ordersPending: 0,
			outcomes: {
				confirmed: 100,
				sold_out: 400,
				duplicate: 0,
				not_started: 0,
				ended: 0,
				invalid_token: 0,
				overloaded: 0,
			},
		});
	});

	it("gives a buyer who fires 20 purchases at once one order, returned to all 20", async () => {
		const sale = await createSale("double-click", { totalStock: 5 });
		const buyer = await Buyer.named("eager");
		const token = await buyer.purchaseToken(sale.id);
		const responses = await Promise.all(Array.from({ length: 20 }, () => buyer.purchase(sale.id, token)));

		const statuses = responses.map((response) => response.status);
		expect(statuses.filter((status) => status === 201)).toHaveLength(1);
		expect(statuses.filter((status) => status === 200)).toHaveLength(19);
		const orders = await Promise.all(responses.map((response) => response.json<{ order: Order }>()));
		expect(new Set(orders.map(({ order }) => order.id)).size).toBe(1);
		expect((await saleStats(sale.id)).sold).toBe(1);
	});

	it("tells a buyer whose first answer was lost that the retry of that attempt bought (201), and a second press that it did not (200)", async () => {
		const sale = await createSale("lost-answer", { totalStock: 5 });
		const buyer = await Buyer.named("unlucky-network");
		const purchaseToken = await buyer.purchaseToken(sale.id);
		const press = (attemptId: string) =>
			call("POST", `/api/sales/${sale.id}/purchase`, {
				token: buyer.session,
				ip: buyer.ip,
				body: { purchaseToken, attemptId },
			});

		const first = await press("press-1");
		expect(first.status).toBe(201);
		const { order } = await first.json<{ order: Order }>();
		// The answer to press-1 never reached the page; it retries press-1.
		const retry = await press("press-1");
		expect(retry.status).toBe(201);
		expect((await retry.json<{ order: Order }>()).order).toEqual(order);
		// A genuinely second press is a repeat of someone who already bought.
		const second = await press("press-2");
		expect(second.status).toBe(200);
		expect((await second.json<{ order: Order }>()).order).toEqual(order);
		expect((await saleStats(sale.id)).sold).toBe(1);
	});

	it("shows the buyer's order from the authoritative state, and 404 no_order before buying", async () => {
		const sale = await createSale("my-order");
		const buyer = await Buyer.named("shopper");
		const before = await buyer.order(sale.id);
		expect(before.status).toBe(404);
		expect(await errorCode(before)).toBe("no_order");

		const bought = await (await buyer.buy(sale.id)).json<{ order: Order }>();
		const after = await buyer.order(sale.id);
		expect(after.status).toBe(200);
		expect(await after.json()).toEqual(bought);
		expect(bought.order).toMatchObject({
			saleId: sale.id,
			userId: "shopper",
			quantity: 1,
			status: "confirmed",
		});
	});

	it("sells up to maxPerUser units to one buyer and refuses a larger quantity", async () => {
		const sale = await createSale("quantity", { totalStock: 5, maxPerUser: 2 });
		const greedy = await Buyer.named("greedy");
		const tooMany = await greedy.buy(sale.id, 3);
		expect(tooMany.status).toBe(400);
		expect(await errorCode(tooMany)).toBe("invalid_request");

		const pair = await greedy.buy(sale.id, 2);
		expect(pair.status).toBe(201);
		expect((await pair.json<{ order: Order }>()).order.quantity).toBe(2);
		expect(await saleStats(sale.id)).toMatchObject({ sold: 2, remaining: 3, buyers: 1 });
	});

	it("answers sold_out when fewer units remain than asked, and takes nothing", async () => {
		const sale = await createSale("last-unit", { totalStock: 3, maxPerUser: 2 });
		expect((await (await Buyer.named("first")).buy(sale.id, 2)).status).toBe(201);
		const second = await Buyer.named("second");
		const refused = await second.buy(sale.id, 2);
		expect(refused.status).toBe(409);
		expect(await errorCode(refused)).toBe("sold_out");
		expect((await second.buy(sale.id, 1)).status).toBe(201);
		expect(await saleStats(sale.id)).toMatchObject({ sold: 3, remaining: 0 });
	});
});

describe("the public view of a sale", () => {
	it("shows status, remaining stock and the server's time", async () => {
		const sale = await createSale("view", { totalStock: 2, maxPerUser: 2 });
		const response = await call("GET", `/api/sales/${sale.id}`);
		expect(response.status).toBe(200);
		const body = await response.json<{ sale: Sale; serverTime: number }>();
		expect(body.sale).toMatchObject({ id: sale.id, remaining: 2, totalStock: 2, status: "live" });
		expect(Math.abs(body.serverTime - Date.now())).toBeLessThan(5_000);
	});

	it("says upcoming before the start and ended after the end", async () => {
		const now = Date.now();
		const upcoming = await createSale("upcoming", { startsAt: now + 60_000, endsAt: now + 120_000 });
		const ended = await createSale("ended", { startsAt: now - 120_000, endsAt: now - 60_000 });
		const statusOf = async (saleId: string) =>
			(await (await call("GET", `/api/sales/${saleId}`)).json<{ sale: Sale }>()).sale.status;
		expect(await statusOf(upcoming.id)).toBe("upcoming");
		expect(await statusOf(ended.id)).toBe("ended");
	});

	it("answers 404 sale_not_found for an unknown or malformed sale id", async () => {
		for (const path of ["/api/sales/no-such-sale", "/api/sales/Not_A_Slug", "/api/sales/..%2Fadmin"]) {
			const response = await call("GET", path);
			expect(response.status).toBe(404);
			expect(await errorCode(response)).toBe("sale_not_found");
		}
	});
});
