import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { SaleGate } from "../../src/sale-object";
import { SCHEMA_VERSION } from "../../src/sale-object/schema";
import { SaleGateV1 } from "./fixtures/sale-gate-v1";
import { orderBookRows, saleInput, uniqueSaleId } from "./helpers";

afterEach(() => {
	vi.restoreAllMocks();
});

/** The env the object was given, whose queue binding a test can make fail. */
function objectEnv(instance: SaleGate): Env {
	return (instance as unknown as { env: Env }).env;
}

describe("the sale object's storage", () => {
	it("upgrades an object made before storage versions in place, keeping its orders, outbox and counts", async () => {
		const saleId = uniqueSaleId("v1-upgrade");
		const gate = env.SALE_GATE.getByName(saleId);
		const buyers = ["v1-a", "v1-b", "v1-c", "v1-d"];

		// The code deployed before versions, selling on this object's own
		// storage while the queue is down, so every order is still in its outbox.
		const before = await runInDurableObject(gate, (instance, state) => {
			vi.spyOn(objectEnv(instance).ORDER_QUEUE, "sendBatch").mockRejectedValue(
				new Error("Queue send failed"),
			);
			const v1 = new SaleGateV1(state, objectEnv(instance));
			expect(v1.configure(saleId, saleInput({ totalStock: 6, maxPerUser: 2 })).ok).toBe(true);
			const orders = buyers.map((buyer, i) => {
				const result = v1.purchase(buyer, i === 0 ? 2 : 1);
				if (!result.ok) throw new Error(`v1 purchase refused: ${result.reason}`);
				return result.order;
			});
			expect(v1.purchase("v1-a", 1)).toMatchObject({ ok: true, created: false });
			v1.recordEdgeOutcomes({ invalid_token: 3, overloaded: 2, sold_out: 1 });
			return { orders, stats: v1.stats(), ordersAfter: v1.ordersAfter(0, 100) };
		});
		expect(before.stats).toMatchObject({ sold: 5, remaining: 1, buyers: 4 });

		// The next instance runs this code over those tables.
		await evictDurableObject(gate);
		expect(await gate.stats()).toEqual(before.stats);
		// Every order keeps what v1 showed of it, and shows what orders show now.
		for (const [i, buyer] of buyers.entries()) {
			expect(await gate.orderOf(buyer)).toEqual(expect.objectContaining(before.orders[i]));
		}
		expect(await gate.ordersAfter(0, 100)).toEqual(
			before.ordersAfter.map((message) =>
				expect.objectContaining({ ...message, variantId: "default", version: 1 }),
			),
		);
		expect(
			await runInDurableObject(gate, (_, state) =>
				state.storage.sql.exec<{ version: number }>("SELECT version FROM schema_version").one(),
			),
		).toEqual({ version: SCHEMA_VERSION });

		// It keeps selling: old orders stay theirs, the last unit goes once.
		expect(await gate.purchase("v1-b", 1, "some-attempt")).toEqual({
			ok: true,
			order: expect.objectContaining(before.orders[1]),
			created: false,
			remaining: 1,
		});
		const last = await gate.purchase("v2-e", 1, "attempt-e");
		expect(last).toMatchObject({ ok: true, created: true, remaining: 0 });
		expect(await gate.purchase("v2-e", 1, "attempt-e")).toEqual(last);
		expect(await gate.purchase("v2-f", 1)).toMatchObject({ ok: false, reason: "sold_out" });
		expect((await gate.holders())?.sort()).toEqual([...buyers, "v2-e"].sort());
		expect(await gate.stats()).toMatchObject({
			sold: 6,
			remaining: 0,
			buyers: 5,
			outcomes: { confirmed: 5, duplicate: 2, sold_out: 2, invalid_token: 3, overloaded: 2 },
		});

		// The queue is back: the outbox v1 filled reaches the order book, each order once.
		vi.restoreAllMocks();
		await runDurableObjectAlarm(gate);
		// Orders v1 made reach it with every field an order has now.
		const expected = [...before.orders, ...(last.ok ? [last.order] : [])];
		await vi.waitFor(
			async () =>
				expect(await orderBookRows(saleId)).toEqual(expected.map((order) => expect.objectContaining(order))),
			{
				timeout: 20_000,
				interval: 100,
			},
		);
	});

	it("reads and writes nothing for a sale id nobody configured", async () => {
		const gate = env.SALE_GATE.getByName(uniqueSaleId("made-up"));
		expect(await gate.purchase("someone", 1, "attempt")).toEqual({ ok: false, reason: "sale_not_found" });
		expect(await gate.view()).toBeNull();
		expect(await gate.overview()).toBeNull();
		expect(await gate.stats()).toBeNull();
		expect(await gate.holders()).toBeNull();
		expect(await gate.orderOf("someone")).toBeNull();
		expect(await gate.ordersAfter(0, 10)).toEqual([]);
		expect(await gate.resend([1])).toBe(0);
		await gate.recordEdgeOutcomes({ invalid_token: 5 });
		await runInDurableObject(gate, async (_, state) => {
			const tables = state.storage.sql
				.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
				.toArray()
				.map((row) => row.name);
			expect(tables.filter((name) => !name.startsWith("_cf_"))).toEqual([]);
			expect(await state.storage.getAlarm()).toBeNull();
		});
	});
});
