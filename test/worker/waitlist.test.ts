import { afterEach, describe, expect, it, vi } from "vitest";
import type { Order } from "../../src/domain/order";
import { Buyer, createSale, errorCode } from "./helpers";
import { createHoldSale, expectUnitsAddUp, orderOf, runAlarmsUntil, truth } from "./hold-helpers";

afterEach(() => {
	vi.useRealTimers();
});

async function position(response: Response, status: number): Promise<number> {
	expect(response.status).toBe(status);
	return (await response.json<{ position: number }>()).position;
}

async function holds(buyer: Buyer, saleId: string, variantId: string, quantity = 1): Promise<Order> {
	const response = await buyer.buyVariant(saleId, variantId, quantity);
	expect(response.status).toBe(201);
	return (await response.json<{ order: Order }>()).order;
}

describe("the waitlist", () => {
	it("hands an expired hold's unit to the earliest waiting buyer as a fresh hold, in the same alarm run", async () => {
		const sale = await createHoldSale("wait-handoff");
		const holder = await Buyer.named("wait-holder");
		const first = await Buyer.named("wait-first");
		const second = await Buyer.named("wait-second");
		const expired = await holds(holder, sale.id, "us-10");

		expect(await position(await first.joinWaitlist(sale.id, "us-10"), 202)).toBe(1);
		expect(await position(await second.joinWaitlist(sale.id, "us-10"), 202)).toBe(2);
		expect(await position(await first.joinWaitlist(sale.id, "us-10"), 200)).toBe(1);
		expect(await position(await second.waitlist(sale.id), 200)).toBe(2);
		expect(await truth(sale.id)).toMatchObject({ waitlist: 2, held: 1 });

		await runAlarmsUntil(sale.id, async () => (await orderOf(holder, sale.id))?.status === "expired");
		const handed = await orderOf(first, sale.id);
		expect(handed).toMatchObject({ variantId: "us-10", quantity: 1, status: "held" });
		expect(handed?.id).not.toBe(expired.id);
		expect(handed?.holdExpiresAt).toBeGreaterThan((expired.holdExpiresAt ?? 0) - 1);
		// The unit never became `remaining`: it went straight to the waiting buyer.
		expect(await truth(sale.id)).toMatchObject({ waitlist: 1, held: 1 });
		expect((await truth(sale.id)).variants[1]).toMatchObject({ remaining: 0 });
		expect(await errorCode(await first.waitlist(sale.id))).toBe("not_waiting");
		expect(await position(await second.waitlist(sale.id), 200)).toBe(1);
		await expectUnitsAddUp(sale.id, [holder, first, second]);
	});

	it("skips a waiting buyer whose quantity does not fit, and makes units remaining only when nobody's fits", async () => {
		const sale = await createHoldSale("wait-fit", { maxPerUser: 2 });
		const [a, b, big, small] = await Promise.all([
			Buyer.named("fit-a"),
			Buyer.named("fit-b"),
			Buyer.named("fit-big"),
			Buyer.named("fit-small"),
		]);
		await holds(a, sale.id, "us-9");
		await holds(b, sale.id, "us-9");
		expect(await position(await big.joinWaitlist(sale.id, "us-9", 2), 202)).toBe(1);
		expect(await position(await small.joinWaitlist(sale.id, "us-9", 1), 202)).toBe(2);
		expect((await b.post(sale.id, "order/test-payment", { outcome: "paid" })).status).toBe(200);

		// a's unit returns: one unit, so the buyer waiting for two is passed over.
		expect((await a.post(sale.id, "order/cancel")).status).toBe(200);
		expect(await orderOf(small, sale.id)).toMatchObject({ variantId: "us-9", quantity: 1, status: "held" });
		expect(await position(await big.waitlist(sale.id), 200)).toBe(1);

		// small gives it back: still one unit, nobody's quantity fits, so it is for sale again.
		expect((await small.post(sale.id, "order/cancel")).status).toBe(200);
		expect((await truth(sale.id)).variants[0]).toMatchObject({ remaining: 1 });
		expect(await truth(sale.id)).toMatchObject({ status: "live", waitlist: 1 });
		await expectUnitsAddUp(sale.id, [a, b, big, small]);
	});

	it("takes buyers only while their size is sold out with units held", async () => {
		const sale = await createHoldSale("wait-when");
		const [holder, waiter] = await Promise.all([Buyer.named("when-holder"), Buyer.named("when-waiter")]);
		expect(await errorCode(await waiter.joinWaitlist(sale.id, "us-10"))).toBe("not_sold_out");
		await holds(holder, sale.id, "us-10");
		expect(await errorCode(await holder.joinWaitlist(sale.id, "us-9"))).toBe("has_order");
		expect(await errorCode(await waiter.joinWaitlist(sale.id, "us-9"))).toBe("not_sold_out");
		expect((await holder.post(sale.id, "order/test-payment", { outcome: "paid" })).status).toBe(200);
		// Sold out with nothing held: nothing can come back.
		expect(await errorCode(await waiter.joinWaitlist(sale.id, "us-10"))).toBe("sold_out");
		expect(await truth(sale.id)).toMatchObject({ waitlist: 0 });

		const plain = await createSale("wait-no-holds", { totalStock: 1 });
		expect(await errorCode(await waiter.joinWaitlist(plain.id))).toBe("not_sold_out");
	});

	it("lets a buyer leave, and takes off one who buys another way", async () => {
		const sale = await createHoldSale("wait-leave");
		const [holder, leaver, switcher] = await Promise.all([
			Buyer.named("leave-holder"),
			Buyer.named("leave-leaver"),
			Buyer.named("leave-switcher"),
		]);
		await holds(holder, sale.id, "us-10");
		await position(await leaver.joinWaitlist(sale.id, "us-10"), 202);
		await position(await switcher.joinWaitlist(sale.id, "us-10"), 202);

		expect((await leaver.waitlist(sale.id, "DELETE")).status).toBe(204);
		expect(await errorCode(await leaver.waitlist(sale.id))).toBe("not_waiting");
		expect(await errorCode(await leaver.waitlist(sale.id, "DELETE"))).toBe("not_waiting");

		await holds(switcher, sale.id, "us-9");
		expect(await errorCode(await switcher.waitlist(sale.id))).toBe("not_waiting");
		expect(await truth(sale.id)).toMatchObject({ waitlist: 0 });
	});

	it("is emptied at the sale's end, and a unit returned after it is for sale, not handed on", async () => {
		const sale = await createHoldSale("wait-end", { endsAt: Date.now() + 30_000 });
		const [holder, waiter] = await Promise.all([Buyer.named("end-holder"), Buyer.named("end-waiter")]);
		const order = await holds(holder, sale.id, "us-10");
		await position(await waiter.joinWaitlist(sale.id, "us-10"), 202);

		vi.useFakeTimers({ toFake: ["Date"], now: sale.endsAt });
		expect(await errorCode(await waiter.waitlist(sale.id))).toBe("not_waiting");
		expect(await truth(sale.id)).toMatchObject({ waitlist: 0, status: "ended" });
		// Holds outlive the end and may be paid until they expire; this one is not.
		expect(await orderOf(holder, sale.id)).toMatchObject({ status: "held" });
		vi.setSystemTime((order.holdExpiresAt ?? 0) + 1);
		expect(await orderOf(holder, sale.id)).toMatchObject({ status: "expired" });
		expect(await orderOf(waiter, sale.id)).toBeNull();
		expect((await truth(sale.id)).variants[1]).toMatchObject({ remaining: 1 });
	});
});
