import { describe, expect, it } from "vitest";
import type { Order } from "../../src/domain/order";
import { Buyer } from "./helpers";
import { createHoldSale, expectUnitsAddUp, orderOf, runAlarmsUntil, truth } from "./hold-helpers";

describe("a rush on a sale with sizes and holds", () => {
	it("keeps remaining + held + confirmed = total per size through races, cancels, payments, waits and expiries", async () => {
		const sale = await createHoldSale("hold-rush", {
			variants: [
				{ id: "us-9", name: "US 9", totalStock: 3 },
				{ id: "us-10", name: "US 10", totalStock: 2 },
			],
			totalStock: 5,
		});
		const buyers = await Promise.all(Array.from({ length: 30 }, (_, i) => Buyer.named(`rush-${i}`)));
		const sizeOf = (i: number) => (i % 2 === 0 ? "us-9" : "us-10");

		// Everyone presses Buy at once, twice.
		const answers = await Promise.all(
			buyers.flatMap((buyer, i) => [
				buyer.buyVariant(sale.id, sizeOf(i)),
				buyer.buyVariant(sale.id, sizeOf(i)),
			]),
		);
		const statuses = answers.map((answer) => answer.status);
		expect(statuses.filter((status) => status === 201)).toHaveLength(5);
		expect(statuses.every((status) => [200, 201, 409].includes(status))).toBe(true);
		await expectUnitsAddUp(sale.id, buyers);

		const orders = await Promise.all(buyers.map((buyer) => orderOf(buyer, sale.id)));
		const winners = buyers.filter((_, i) => orders[i]?.status === "held");
		const losers = buyers.filter((_, i) => orders[i] === null);
		expect(winners).toHaveLength(5);

		// Losers wait for their size; winners pay, cancel or let the hold run out.
		const waits = await Promise.all(
			losers.map((buyer) => buyer.joinWaitlist(sale.id, sizeOf(buyers.indexOf(buyer)))),
		);
		expect(waits.every((answer) => answer.status === 202)).toBe(true);
		const [payer, canceller] = winners;
		expect((await payer?.post(sale.id, "order/test-payment", { outcome: "paid" }))?.status).toBe(200);
		expect((await canceller?.post(sale.id, "order/cancel"))?.status).toBe(200);
		await expectUnitsAddUp(sale.id, buyers);
		expect((await truth(sale.id)).remaining).toBe(0);

		// Every unpaid hold expires in turn and goes to a waiting buyer, until the waitlists run dry.
		await runAlarmsUntil(sale.id, async () => {
			await expectUnitsAddUp(sale.id, buyers);
			return (await truth(sale.id)).held === 0;
		});
		const final = await Promise.all(buyers.map((buyer) => orderOf(buyer, sale.id)));
		const live = final.filter(
			(order): order is Order => order?.status === "confirmed" || order?.status === "held",
		);
		expect(live).toHaveLength(1);
		expect(await truth(sale.id)).toMatchObject({ held: 0, remaining: 4, waitlist: 0 });
	}, 60_000);
});
