import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createSale, orderBookRows } from "./helpers";

afterEach(() => {
	vi.useRealTimers();
});

describe("the sale object's RPC", () => {
	it("tells a retry of the attempt that bought that it bought, and anyone else that they already had an order", async () => {
		const sale = await createSale("attempts", { totalStock: 5 });
		const gate = env.SALE_GATE.getByName(sale.id);

		const first = await gate.purchase("attempt-buyer", 1, "press-1");
		expect(first).toMatchObject({ ok: true, created: true, remaining: 4 });
		if (!first.ok) return;
		// The order as the contract shows it: the attempt id stays inside the object.
		expect(Object.keys(first.order).sort()).toEqual([
			"amountCents",
			"createdAt",
			"currency",
			"holdExpiresAt",
			"id",
			"paidAt",
			"quantity",
			"saleId",
			"status",
			"userId",
			"variantId",
		]);

		expect(await gate.purchase("attempt-buyer", 1, "press-1")).toEqual(first);
		expect(await gate.purchase("attempt-buyer", 1, "press-2")).toEqual({ ...first, created: false });
		expect(await gate.purchase("attempt-buyer", 1)).toEqual({ ...first, created: false });

		// A buyer who sent no attempt id is never told it bought twice.
		const plain = await gate.purchase("plain-buyer", 1);
		expect(plain).toMatchObject({ ok: true, created: true, remaining: 3 });
		expect(await gate.purchase("plain-buyer", 1)).toMatchObject({ ok: true, created: false });

		// One order per buyer, whatever the attempts; repeats of other attempts count as duplicates.
		expect(await gate.stats()).toMatchObject({
			sold: 2,
			buyers: 2,
			outcomes: { confirmed: 2, duplicate: 3 },
		});
		await expect
			.poll(async () => (await orderBookRows(sale.id)).map((order) => order.userId), { timeout: 20_000 })
			.toEqual(["attempt-buyer", "plain-buyer"]);
	});

	it("gives the admin view of a sale in one call", async () => {
		const sale = await createSale("overview", { totalStock: 3 });
		const gate = env.SALE_GATE.getByName(sale.id);
		await gate.purchase("overview-buyer", 1);
		await gate.purchase("overview-buyer", 1);

		// One clock for the four calls, so the series has as many buckets in each.
		vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
		const overview = await gate.overview();
		expect(overview).toEqual({
			sale: await gate.view(),
			stats: await gate.stats(),
			series: await gate.series(),
		});
		expect(overview?.stats).toMatchObject({
			sold: 1,
			remaining: 2,
			outcomes: { confirmed: 1, duplicate: 1 },
		});
		expect(overview?.series.confirmed.reduce((sum, n) => sum + n, 0)).toBe(1);
	});
});
