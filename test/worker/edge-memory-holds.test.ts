import { afterEach, describe, expect, it, vi } from "vitest";
import type { Order } from "../../src/domain/order";
import type { Sale } from "../../src/domain/sale";
import { Buyer, call, createSale, errorCode } from "./helpers";
import { orderOf, runAlarmsUntil } from "./hold-helpers";

/** An isolate answers a sale's view from memory for this long (src/edge/sale-client.ts). */
const VIEW_TTL_MS = 1_000;

afterEach(() => {
	vi.useRealTimers();
});

/** The public view once this isolate's copy is too old to answer from: the object's figures, remembered. */
async function freshPublicView(saleId: string): Promise<Sale> {
	vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + VIEW_TTL_MS + 1 });
	return (await (await call("GET", `/api/sales/${saleId}`)).json<{ sale: Sale }>()).sale;
}

describe("the edge's memory of a sale with holds", () => {
	it("never refuses a buyer from memory while a held unit can still come back", async () => {
		const sale = await createSale("edge-holds", { totalStock: 1, holdSeconds: 60 });
		const holder = await Buyer.named("edge-holder");
		expect((await holder.buy(sale.id)).status).toBe(201);

		// This isolate now remembers the sale sold out, with the unit held.
		expect(await freshPublicView(sale.id)).toMatchObject({ status: "sold_out", remaining: 0, held: 1 });

		// Sold out while held is not final: tokens are still issued, and the object answers.
		const hopeful = await Buyer.named("edge-hopeful");
		const token = await hopeful.purchaseToken(sale.id);
		const early = await hopeful.purchase(sale.id, token);
		expect(early.status).toBe(409);
		expect(await errorCode(early)).toBe("sold_out");

		await runAlarmsUntil(sale.id, async () => (await orderOf(holder, sale.id))?.status === "expired");

		// The unit came back: the same isolate lets the next buyer through to it.
		const bought = await hopeful.purchase(sale.id, await hopeful.purchaseToken(sale.id));
		expect(bought.status).toBe(201);
		expect((await bought.json<{ order: Order }>()).order.status).toBe("held");
	});

	it("still refuses from memory once a sale is sold out and nothing is held", async () => {
		const sale = await createSale("edge-holds-final", { totalStock: 1, holdSeconds: 60 });
		const holder = await Buyer.named("edge-payer");
		expect((await holder.buy(sale.id)).status).toBe(201);
		expect((await holder.post(sale.id, "order/test-payment", { outcome: "paid" })).status).toBe(200);
		expect(await freshPublicView(sale.id)).toMatchObject({ status: "sold_out", held: 0 });
		const late = await (await Buyer.named("edge-too-late")).requestToken(sale.id);
		expect(late.status).toBe(409);
		expect(await errorCode(late)).toBe("sold_out");
	});
});
