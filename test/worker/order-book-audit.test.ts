import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { SaleGate } from "../../src/sale-object";
import { admin, Buyer, createSale, orderBookRows, saleStats } from "./helpers";

afterEach(() => {
	vi.restoreAllMocks();
});

async function waitUntilRecorded(saleId: string, count: number) {
	await vi.waitFor(async () => expect((await saleStats(saleId)).ordersRecorded).toBe(count), {
		timeout: 20_000,
		interval: 100,
	});
}

/** The order book's status and version of each order of a sale, by order id. */
async function recordedVersions(saleId: string): Promise<Map<string, { status: string; version: number }>> {
	const { results } = await env.DB.prepare("SELECT id, status, version FROM orders WHERE sale_id = ?")
		.bind(saleId)
		.all<{ id: string; status: string; version: number }>();
	return new Map(results.map((row) => [row.id, { status: row.status, version: row.version }]));
}

/** When the sale object's alarm is set for, or null. */
function alarmAt(gate: DurableObjectStub<SaleGate>): Promise<number | null> {
	return runInDurableObject(gate, (_, state) => state.storage.getAlarm());
}

async function reconcile(saleId: string): Promise<unknown> {
	const response = await admin("POST", `/sales/${saleId}/reconcile`);
	expect(response.status).toBe(200);
	return response.json();
}

describe("the order book audit on the sale's alarm", () => {
	it("sends again what the order book lost or holds at an older status, with no one asking, then stops", async () => {
		const sale = await createSale("audit", { totalStock: 5 });
		for (const name of ["a1", "a2", "a3"])
			expect((await (await Buyer.named(name)).buy(sale.id)).status).toBe(201);
		await waitUntilRecorded(sale.id, 3);
		const [lost, stale] = await orderBookRows(sale.id);
		// What a queue that dropped a message leaves: one order missing, one at an older version.
		await env.DB.batch([
			env.DB.prepare("DELETE FROM orders WHERE id = ?").bind(lost?.id),
			env.DB.prepare("UPDATE orders SET status = 'held', version = 0 WHERE id = ?").bind(stale?.id),
		]);

		// The object's alarm serves the outbox's short checks first; the audit
		// is due ORDER_BOOK_AUDIT_SECONDS (30 s here) after the orders left.
		const gate = env.SALE_GATE.getByName(sale.id);
		while (((await alarmAt(gate)) ?? 0) < Date.now() + 10_000)
			expect(await runDurableObjectAlarm(gate)).toBe(true);
		expect(await runDurableObjectAlarm(gate)).toBe(true);
		await waitUntilRecorded(sale.id, 3);
		const recorded = await recordedVersions(sale.id);
		expect(recorded.get(lost?.id ?? "")).toEqual({ status: "confirmed", version: 1 });
		expect(recorded.get(stale?.id ?? "")).toEqual({ status: "confirmed", version: 1 });

		// The order book has everything: the next audit finds so and schedules no other.
		let runs = 0;
		while (await runDurableObjectAlarm(gate)) expect(++runs).toBeLessThanOrEqual(3);
		expect(await alarmAt(gate)).toBeNull();
	});
});

describe("the order book audit while D1 is down", () => {
	it("waits the interval and tries again, then repairs once D1 answers", async () => {
		const sale = await createSale("audit-d1-down", { totalStock: 5 });
		expect((await (await Buyer.named("d1-down")).buy(sale.id)).status).toBe(201);
		await waitUntilRecorded(sale.id, 1);
		const [lost] = await orderBookRows(sale.id);
		await env.DB.prepare("DELETE FROM orders WHERE id = ?").bind(lost?.id).run();

		const gate = env.SALE_GATE.getByName(sale.id);
		while (((await alarmAt(gate)) ?? 0) < Date.now() + 10_000)
			expect(await runDurableObjectAlarm(gate)).toBe(true);
		// D1 fails every statement, as during an outage (the object shares the test's binding).
		const outage = await runInDurableObject(gate, (instance: SaleGate) => {
			const db = (instance as unknown as { env: Env }).env.DB;
			return vi.spyOn(db, "prepare").mockImplementation(() => {
				throw new Error("D1_ERROR: simulated outage");
			});
		});
		expect(await runDurableObjectAlarm(gate)).toBe(true);
		expect(outage).toHaveBeenCalled();
		// Not the 5 s retry of failed work: the audit waits its interval before asking D1 again.
		expect(((await alarmAt(gate)) ?? 0) - Date.now()).toBeGreaterThan(25_000);

		outage.mockRestore();
		expect((await orderBookRows(sale.id)).map((row) => row.id)).not.toContain(lost?.id);
		expect(await runDurableObjectAlarm(gate)).toBe(true);
		await waitUntilRecorded(sale.id, 1);
		expect((await orderBookRows(sale.id)).map((row) => row.id)).toEqual([lost?.id]);
	});
});

describe("reconcile", () => {
	it("repairs an order the order book holds at an older version", async () => {
		const sale = await createSale("reconcile-status", { totalStock: 5 });
		const bought = await (await Buyer.named("restored")).buy(sale.id);
		expect(bought.status).toBe(201);
		await waitUntilRecorded(sale.id, 1);
		const [row] = await orderBookRows(sale.id);
		await env.DB.prepare("UPDATE orders SET status = 'held', version = 0 WHERE id = ?").bind(row?.id).run();

		expect(await reconcile(sale.id)).toEqual({ resent: 1 });
		await vi.waitFor(
			async () =>
				expect((await recordedVersions(sale.id)).get(row?.id ?? "")).toEqual({
					status: "confirmed",
					version: 1,
				}),
			{ timeout: 20_000, interval: 100 },
		);
		expect(await reconcile(sale.id)).toEqual({ resent: 0 });
	});

	it("covers a sale of any size in bounded runs, each carrying on where the last stopped", async () => {
		const orders = 5_200;
		const sale = await createSale("reconcile-big", { totalStock: orders });
		const gate = env.SALE_GATE.getByName(sale.id);
		await runInDurableObject(gate, async (instance: SaleGate) => {
			for (let i = 0; i < orders; i++) expect((await instance.purchase(`bulk-${i}`, 1)).ok).toBe(true);
		});
		await waitUntilRecorded(sale.id, orders);
		// The order book loses the whole sale.
		await env.DB.prepare("DELETE FROM orders WHERE sale_id = ?").bind(sale.id).run();

		// One run compares and sends at most 5,000 orders; the next one the rest.
		expect(await reconcile(sale.id)).toEqual({ resent: 5_000 });
		expect(await reconcile(sale.id)).toEqual({ resent: 200 });
		await waitUntilRecorded(sale.id, orders);
		expect(await reconcile(sale.id)).toEqual({ resent: 0 });
	}, 60_000);
});
