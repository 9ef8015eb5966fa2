import { describe, expect, it } from "vitest";
import type { Order } from "../../src/domain/order";
import type { Sale } from "../../src/domain/sale";
import { admin, Buyer, createSale, type ErrorBody, saleInput, uniqueSaleId } from "./helpers";

const SIZES = [
	{ id: "us-9", name: "US 9", totalStock: 2 },
	{ id: "us-10", name: "US 10", totalStock: 1 },
];

/** The sale as its object has it now (the public view may lag by up to 2 s). */
async function view(saleId: string): Promise<Sale> {
	return (await (await admin("GET", `/sales/${saleId}`)).json<{ sale: Sale }>()).sale;
}

describe("a sale with sizes", () => {
	it("shows each size's stock and the product image, and sums them into the v1 figures", async () => {
		const sale = await createSale("sized-view", {
			variants: SIZES,
			totalStock: 3,
			imageUrl: "https://cdn.example.com/runner.jpg",
		});
		expect(sale).toMatchObject({
			totalStock: 3,
			remaining: 3,
			variants: [
				{ id: "us-9", name: "US 9", totalStock: 2, remaining: 2 },
				{ id: "us-10", name: "US 10", totalStock: 1, remaining: 1 },
			],
			imageUrl: "https://cdn.example.com/runner.jpg",
			holdSeconds: 0,
			mode: "first_come",
			shards: 1,
			paymentProvider: "test",
			held: 0,
			waitlist: 0,
			status: "live",
		});
	});

	it("gives a sale created without sizes one variant, default, named after the sale", async () => {
		const sale = await createSale("unsized", { name: "Plain Tee", totalStock: 4 });
		expect(sale.variants).toEqual([{ id: "default", name: "Plain Tee", totalStock: 4, remaining: 4 }]);
		expect(sale.imageUrl).toBeNull();
		const response = await (await Buyer.named("unsized-buyer")).buy(sale.id);
		expect(response.status).toBe(201);
		expect((await response.json<{ order: Order }>()).order).toMatchObject({
			variantId: "default",
			status: "confirmed",
			amountCents: 12_900,
			currency: "USD",
			holdExpiresAt: null,
			paidAt: null,
		});
	});

	it("takes a size's own stock and, once it is gone, names the sizes still available", async () => {
		const sale = await createSale("sized-buy", { variants: SIZES, totalStock: 3 });
		const first = await (await Buyer.named("size-a")).buyVariant(sale.id, "us-10");
		expect(first.status).toBe(201);
		expect((await first.json<{ order: Order }>()).order).toMatchObject({ variantId: "us-10", quantity: 1 });

		const late = await (await Buyer.named("size-b")).buyVariant(sale.id, "us-10");
		expect(late.status).toBe(409);
		expect((await late.json<ErrorBody & { error: { available: string[] } }>()).error).toMatchObject({
			code: "sold_out",
			available: ["us-9"],
		});
		expect((await view(sale.id)).variants.map((variant) => variant.remaining)).toEqual([2, 0]);

		expect((await (await Buyer.named("size-c")).buyVariant(sale.id, "us-9")).status).toBe(201);
		expect((await (await Buyer.named("size-d")).buyVariant(sale.id, "us-9")).status).toBe(201);
		// Sold out for good: even a purchase token is refused, with nothing available.
		const none = await (await Buyer.named("size-e")).requestToken(sale.id);
		expect(none.status).toBe(409);
		expect((await none.json<{ error: { available: string[] } }>()).error.available).toEqual([]);
		expect(await view(sale.id)).toMatchObject({ remaining: 0, status: "sold_out" });
	});

	it("counts the per-buyer limit across the sale, not per size", async () => {
		const sale = await createSale("sized-limit", { variants: SIZES, totalStock: 3, maxPerUser: 2 });
		const buyer = await Buyer.named("one-pair-only");
		const first = await buyer.buyVariant(sale.id, "us-9");
		expect(first.status).toBe(201);
		const again = await buyer.buyVariant(sale.id, "us-10");
		expect(again.status).toBe(200);
		expect((await again.json<{ order: Order }>()).order).toEqual(
			(await first.json<{ order: Order }>()).order,
		);
		expect((await view(sale.id)).variants.map((variant) => variant.remaining)).toEqual([1, 1]);
	});

	it("refuses a purchase that names no size, or one the sale does not have, and takes nothing", async () => {
		const sale = await createSale("sized-refusals", { variants: SIZES, totalStock: 3 });
		const buyer = await Buyer.named("size-picker");
		const unnamed = await buyer.buy(sale.id);
		expect(unnamed.status).toBe(400);
		expect((await unnamed.json<ErrorBody>()).error).toMatchObject({ code: "invalid_request" });
		const unknown = await buyer.buyVariant(sale.id, "us-11");
		expect(unknown.status).toBe(400);
		expect((await unknown.json<ErrorBody>()).error.message).toMatch(/variantId/);
		expect((await view(sale.id)).remaining).toBe(3);
		expect((await buyer.order(sale.id)).status).toBe(404);
	});

	it("keeps totalStock optional with sizes, and refuses it when it disagrees with their sum", async () => {
		const saleId = uniqueSaleId("sized-sum");
		// Not started yet, so it may be replaced.
		const { totalStock: _, ...withoutTotal } = saleInput({
			variants: SIZES,
			startsAt: Date.now() + 3_600_000,
			endsAt: Date.now() + 7_200_000,
		});
		expect((await admin("PUT", `/sales/${saleId}`, { ...withoutTotal, totalStock: 4 })).status).toBe(400);
		const created = await admin("PUT", `/sales/${saleId}`, withoutTotal);
		expect(created.status).toBe(201);
		expect((await created.json<{ sale: Sale }>()).sale.totalStock).toBe(3);
		expect((await admin("PUT", `/sales/${saleId}`, { ...withoutTotal, totalStock: 3 })).status).toBe(200);
	});
});
