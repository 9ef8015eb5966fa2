import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Order } from "../../src/domain/order";
import type { PurchaseResult, SaleGate } from "../../src/sale-object";
import { SEND_TIMEOUT_MS } from "../../src/sale-object/outbox";
import { createSale, orderBookRows } from "./helpers";

afterEach(() => {
	vi.useRealTimers();
	vi.restoreAllMocks();
});

type Gate = DurableObjectStub<SaleGate>;

/** Replaces the object's queue send, as a platform outage would; restored after each test. */
function replaceSend(gate: Gate, send: () => Promise<QueueSendBatchResponse>) {
	return runInDurableObject(gate, (instance: SaleGate) => {
		const queue = (instance as unknown as { env: Env }).env.ORDER_QUEUE;
		return vi.spyOn(queue, "sendBatch").mockImplementation(send);
	});
}

const queueDown = () => Promise.reject(new Error("Queue send failed"));

/** Whole seconds until the object's alarm goes off. */
function alarmInSeconds(gate: Gate): Promise<number> {
	return runInDurableObject(gate, async (_, state) => {
		const at = await state.storage.getAlarm();
		if (at === null) throw new Error("no alarm is set");
		return Math.round((at - Date.now()) / 1000);
	});
}

function orderOf(result: PurchaseResult): Order {
	if (!result.ok) throw new Error(`purchase refused: ${result.reason}`);
	return result.order;
}

async function waitUntilBooked(saleId: string, orders: Order[]) {
	await vi.waitFor(async () => expect(await orderBookRows(saleId)).toEqual(orders), {
		timeout: 20_000,
		interval: 100,
	});
}

describe("the outbox", () => {
	it("keeps sending orders after a queue send that never answers", async () => {
		const sale = await createSale("stalled-send", { totalStock: 5 });
		const gate = env.SALE_GATE.getByName(sale.id);
		const send = await replaceSend(gate, () => new Promise<QueueSendBatchResponse>(() => {}));
		vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
		const first = orderOf(await gate.purchase("stall-a", 1));

		// The queue answers again, and the stalled send has had its time.
		send.mockRestore();
		// Inside the object, so the deadline fires where the send was made.
		await runInDurableObject(gate, () => vi.advanceTimersByTime(SEND_TIMEOUT_MS));
		vi.useRealTimers();
		await runDurableObjectAlarm(gate);
		await waitUntilBooked(sale.id, [first]);

		const second = orderOf(await gate.purchase("stall-b", 1));
		await waitUntilBooked(sale.id, [first, second]);
	});

	it("waits twice as long after each failed send, up to a minute, across restarts, and starts over once one succeeds", async () => {
		const sale = await createSale("backoff", { totalStock: 5 });
		const gate = env.SALE_GATE.getByName(sale.id);
		await replaceSend(gate, queueDown);
		const first = orderOf(await gate.purchase("backoff-a", 1));

		const delays: number[] = [];
		for (let i = 0; i < 3; i++) {
			await runDurableObjectAlarm(gate);
			delays.push(await alarmInSeconds(gate));
		}
		// A new instance reads how many sends failed in a row.
		await evictDurableObject(gate);
		await replaceSend(gate, queueDown);
		for (let i = 0; i < 2; i++) {
			await runDurableObjectAlarm(gate);
			delays.push(await alarmInSeconds(gate));
		}
		expect(delays).toEqual([8, 16, 32, 60, 60]);

		vi.restoreAllMocks();
		await runDurableObjectAlarm(gate);
		await waitUntilBooked(sale.id, [first]);

		await replaceSend(gate, queueDown);
		const second = orderOf(await gate.purchase("backoff-b", 1));
		await runDurableObjectAlarm(gate);
		expect(await alarmInSeconds(gate)).toBe(8);
		vi.restoreAllMocks();
		await runDurableObjectAlarm(gate);
		await waitUntilBooked(sale.id, [first, second]);
	});
});

describe("the alarm", () => {
	it("saves refusal counts within seconds while the outbox waits out its backoff, without an early send", async () => {
		const sale = await createSale("one-alarm", { totalStock: 5 });
		const gate = env.SALE_GATE.getByName(sale.id);
		const send = await replaceSend(gate, queueDown);
		orderOf(await gate.purchase("alarm-a", 1));
		await runDurableObjectAlarm(gate);
		await runDurableObjectAlarm(gate);
		expect(await alarmInSeconds(gate)).toBe(16);
		const sends = send.mock.calls.length;

		// A repeat is counted in memory; the count asks for the alarm within 2 s.
		expect(await gate.purchase("alarm-a", 1)).toMatchObject({ ok: true, created: false });
		expect(await alarmInSeconds(gate)).toBe(2);
		await runDurableObjectAlarm(gate);
		expect(send.mock.calls.length).toBe(sends);
		expect(await alarmInSeconds(gate)).toBe(16);

		// Saved by that alarm: a new instance still has it.
		await evictDurableObject(gate);
		expect((await gate.stats())?.outcomes.duplicate).toBe(1);
	});
});
