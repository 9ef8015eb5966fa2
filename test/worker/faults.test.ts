import {
	abortAllDurableObjects,
	createExecutionContext,
	evictDurableObject,
	runDurableObjectAlarm,
	runInDurableObject,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { issuePurchaseToken } from "../../src/auth/purchase-token";
import type { Order } from "../../src/domain/order";
import worker from "../../src/index";
import type { SaleGate } from "../../src/sale-object";
import { Buyer, createSale, errorCode, orderBookRows, saleStats } from "./helpers";

afterEach(() => {
	vi.useRealTimers();
	vi.restoreAllMocks();
});

async function waitUntilRecorded(saleId: string, count: number) {
	await vi.waitFor(async () => expect((await saleStats(saleId)).ordersRecorded).toBe(count), {
		timeout: 20_000,
		interval: 100,
	});
}

/** Makes the sale gate's queue sends fail until the returned spy is restored. */
function breakQueue(saleId: string) {
	return runInDurableObject(env.SALE_GATE.getByName(saleId), (instance) => {
		const queue = (instance as unknown as { env: Env }).env.ORDER_QUEUE;
		return vi.spyOn(queue, "sendBatch").mockRejectedValue(new Error("Queue send failed"));
	});
}

/** Every buyer who was told 201 holds exactly that order, and the books add up. */
async function expectConsistent(saleId: string, totalStock: number, confirmed: Map<Buyer, Order>) {
	const { sold, remaining, buyers } = await saleStats(saleId);
	expect(sold + remaining).toBe(totalStock);
	for (const [buyer, order] of confirmed) {
		const held = await buyer.order(saleId);
		expect(held.status).toBe(200);
		expect((await held.json<{ order: Order }>()).order.id).toBe(order.id);
	}
	await waitUntilRecorded(saleId, buyers);
	const rows = await orderBookRows(saleId);
	expect(new Set(rows.map((row) => row.userId)).size).toBe(rows.length);
	expect(rows.reduce((units, row) => units + row.quantity, 0)).toBe(sold);
	return saleStats(saleId);
}

describe("faults", () => {
	it("loses no order and records none twice while the queue is down for a while", async () => {
		const sale = await createSale("queue-outage", { totalStock: 10 });
		const sendBatch = await breakQueue(sale.id);
		const confirmed = new Map<Buyer, Order>();
		for (let i = 0; i < 5; i++) {
			const buyer = await Buyer.named(`outage-${i}`);
			const response = await buyer.buy(sale.id);
			expect(response.status).toBe(201);
			confirmed.set(buyer, (await response.json<{ order: Order }>()).order);
		}
		const gate = env.SALE_GATE.getByName(sale.id);
		expect(await runDurableObjectAlarm(gate)).toBe(true);
		expect(await runDurableObjectAlarm(gate)).toBe(true);
		expect((await saleStats(sale.id)).ordersRecorded).toBe(0);

		sendBatch.mockRestore();
		expect(await runDurableObjectAlarm(gate)).toBe(true);
		const stats = await expectConsistent(sale.id, 10, confirmed);
		expect(stats).toMatchObject({ sold: 5, ordersRecorded: 5, ordersPending: 0 });
	});

	it("sends each order once even when the alarm runs twice for the same work", async () => {
		const sale = await createSale("double-alarm", { totalStock: 5 });
		const sendBatch = await breakQueue(sale.id);
		const confirmed = new Map<Buyer, Order>();
		for (const name of ["twice-a", "twice-b"]) {
			const buyer = await Buyer.named(name);
			confirmed.set(buyer, (await (await buyer.buy(sale.id)).json<{ order: Order }>()).order);
		}
		sendBatch.mockRestore();
		await runInDurableObject(env.SALE_GATE.getByName(sale.id), async (instance: SaleGate) => {
			await Promise.all([instance.alarm(), instance.alarm()]);
		});
		await expectConsistent(sale.id, 5, confirmed);
		expect(await orderBookRows(sale.id)).toHaveLength(2);
	});

	it("keeps every confirmed order when the object is evicted and aborted in the middle of a burst", async () => {
		const totalStock = 30;
		const sale = await createSale("restarts", { totalStock });
		const gate = env.SALE_GATE.getByName(sale.id);
		const buyers = await Promise.all(Array.from({ length: 60 }, (_, i) => Buyer.named(`restart-${i}`)));
		const tokens = await Promise.all(buyers.map((buyer) => buyer.purchaseToken(sale.id)));

		const burst = buyers.map((buyer, i) => buyer.purchase(sale.id, tokens[i] ?? ""));
		await evictDurableObject(gate).catch(() => undefined);
		const secondBurst = buyers.map((buyer, i) => buyer.purchase(sale.id, tokens[i] ?? ""));
		await abortAllDurableObjects();
		const responses = await Promise.all([...burst, ...secondBurst]);

		const confirmed = new Map<Buyer, Order>();
		for (const [i, response] of responses.entries()) {
			expect([200, 201, 409, 503]).toContain(response.status);
			if (response.status === 200 || response.status === 201) {
				const { order } = await response.json<{ order: Order }>();
				const buyer = buyers[i % buyers.length] as Buyer;
				const earlier = confirmed.get(buyer);
				if (earlier) expect(order.id).toBe(earlier.id);
				confirmed.set(buyer, order);
			}
		}
		const stats = await expectConsistent(sale.id, totalStock, confirmed);
		expect(stats.buyers).toBeGreaterThanOrEqual(confirmed.size);
		expect(stats.sold).toBeLessThanOrEqual(totalStock);
	});

	it("fails closed within a bounded time when siteverify hangs", async () => {
		vi.spyOn(globalThis, "fetch").mockImplementation(
			(_url, init) =>
				new Promise((_resolve, reject) => {
					// Hangs forever unless the caller gives up: a request sent without
					// a deadline would hang this test until it times out.
					init?.signal?.addEventListener("abort", () => reject(init.signal?.reason));
				}),
		);
		const request = new Request("https://doorbuster.test/api/session", {
			method: "POST",
			headers: { "content-type": "application/json", "cf-connecting-ip": "198.51.100.9" },
			body: JSON.stringify({ turnstileToken: "XXXX.DUMMY.TOKEN.XXXX" }),
		});
		const response = await worker.fetch(
			request,
			{ ...env, TURNSTILE_SECRET_KEY: "0x-real-secret" },
			createExecutionContext(),
		);
		expect(response.status).toBe(503);
		expect(await errorCode(response)).toBe("bot_check_unavailable");
	});
});

describe("the sale window's edges", () => {
	it("is live at exactly startsAt and ended at exactly endsAt", async () => {
		// Within the buyers' one-hour sessions, so only the sale's clock matters.
		const startsAt = Date.now() + 600_000;
		const endsAt = startsAt + 60_000;
		const sale = await createSale("edges", { startsAt, endsAt, totalStock: 5 });
		const early = await Buyer.named("edge-early");
		const onTime = await Buyer.named("edge-on-time");
		const late = await Buyer.named("edge-late");
		const tokenFor = (buyer: Buyer) =>
			issuePurchaseToken(env.SESSION_SECRET, sale.id, buyer.userId, endsAt + 60_000);

		vi.useFakeTimers({ toFake: ["Date"] });
		vi.setSystemTime(startsAt - 1);
		expect((await early.purchase(sale.id, await tokenFor(early))).status).toBe(425);
		vi.setSystemTime(startsAt);
		expect((await onTime.purchase(sale.id, await tokenFor(onTime))).status).toBe(201);
		vi.setSystemTime(endsAt - 1);
		expect((await early.purchase(sale.id, await tokenFor(early))).status).toBe(201);
		vi.setSystemTime(endsAt);
		const tooLate = await late.purchase(sale.id, await tokenFor(late));
		expect(tooLate.status).toBe(410);
		expect(await errorCode(tooLate)).toBe("ended");
	});
});
