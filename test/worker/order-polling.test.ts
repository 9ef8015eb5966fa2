import { afterEach, describe, expect, it, vi } from "vitest";
import type { Order } from "../../src/domain/order";
import {
	Buyer,
	type CallOptions,
	call,
	createSale,
	errorCode,
	type GateCall,
	limiterPeriod,
	saleGateWith,
} from "./helpers";
import { createHoldSale } from "./hold-helpers";

afterEach(() => {
	vi.useRealTimers();
});

/** The per-buyer limit on polls that reach a sale's object (wrangler.jsonc POLL_RATE_LIMITER). */
const POLLS_PER_PERIOD = 120;

function callsOf(calls: GateCall[], saleId: string, method: string): number {
	return calls.filter((gateCall) => gateCall.saleId === saleId && gateCall.method === method).length;
}

/** One poll of a waiting page: `GET /api/sales/{saleId}/{path}` as this buyer. */
function poll(buyer: Buyer, saleId: string, path: "order" | "waitlist", options: CallOptions = {}) {
	return call("GET", `/api/sales/${saleId}/${path}`, { ...options, token: buyer.session });
}

/** Polls `times` times in a row, as a page left open does, and answers the statuses. */
async function pollRepeatedly(
	buyer: Buyer,
	saleId: string,
	path: "order" | "waitlist",
	times: number,
	bindings: Env,
): Promise<Response[]> {
	const answers: Response[] = [];
	for (let i = 0; i < times; i++) answers.push(await poll(buyer, saleId, path, { bindings }));
	return answers;
}

describe("pages polling their order and waitlist place", () => {
	it("answers a confirmed order from the edge after the object said it once", async () => {
		const sale = await createSale("poll-confirmed", { totalStock: 5 });
		const buyer = await Buyer.named("confirmed-poller");
		expect((await buyer.buy(sale.id)).status).toBe(201);

		const { bindings, calls } = saleGateWith();
		const answers = await pollRepeatedly(buyer, sale.id, "order", 50, bindings);
		expect(answers.map((answer) => answer.status)).toEqual(Array(50).fill(200));
		const orders = await Promise.all(answers.map((answer) => answer.json<{ order: Order }>()));
		expect(new Set(orders.map(({ order }) => `${order.id} ${order.status}`))).toEqual(
			new Set([`${orders[0]?.order.id} confirmed`]),
		);
		expect(callsOf(calls, sale.id, "orderOf")).toBe(1);
		expect(answers[1]?.headers.get("cache-control")).toBe("private, max-age=2");
	});

	it("answers before the start that nobody has an order or a waitlist place, without the object", async () => {
		const startsAt = Date.now() + 3_600_000;
		const sale = await createSale("poll-upcoming", {
			startsAt,
			endsAt: startsAt + 3_600_000,
			holdSeconds: 60,
		});
		const buyer = await Buyer.named("early-poller");
		const { bindings, calls } = saleGateWith();
		// The first answer teaches this isolate the sale; from then on it answers itself.
		await call("GET", `/api/sales/${sale.id}`, { bindings });
		const orders = await pollRepeatedly(buyer, sale.id, "order", 30, bindings);
		const places = await pollRepeatedly(buyer, sale.id, "waitlist", 30, bindings);
		expect(await Promise.all(orders.map(errorCode))).toEqual(Array(30).fill("no_order"));
		expect(await Promise.all(places.map(errorCode))).toEqual(Array(30).fill("not_waiting"));
		expect(callsOf(calls, sale.id, "orderOf") + callsOf(calls, sale.id, "waitlistPosition")).toBe(0);
	});

	it("answers that a sale without holds has no waitlist place, without the object", async () => {
		const sale = await createSale("poll-no-holds", { totalStock: 5 });
		const buyer = await Buyer.named("no-hold-poller");
		const { bindings, calls } = saleGateWith();
		await call("GET", `/api/sales/${sale.id}`, { bindings });
		const places = await pollRepeatedly(buyer, sale.id, "waitlist", 30, bindings);
		expect(await Promise.all(places.map(errorCode))).toEqual(Array(30).fill("not_waiting"));
		expect(callsOf(calls, sale.id, "waitlistPosition")).toBe(0);
	});

	it("reaches the object for a held order at most the per-buyer limit, then answers 429 with Retry-After", async () => {
		const sale = await createHoldSale("poll-held");
		const [holder, neighbour] = await Promise.all([
			Buyer.named("held-poller"),
			Buyer.named("held-neighbour"),
		]);
		expect((await holder.buyVariant(sale.id, "us-9")).status).toBe(201);
		expect((await neighbour.buyVariant(sale.id, "us-9")).status).toBe(201);

		const { bindings, calls } = saleGateWith();
		const answers = await pollRepeatedly(holder, sale.id, "order", POLLS_PER_PERIOD + 10, bindings);
		const statuses = answers.map((answer) => answer.status);
		expect(statuses.slice(0, POLLS_PER_PERIOD)).toEqual(Array(POLLS_PER_PERIOD).fill(200));
		expect(statuses.slice(POLLS_PER_PERIOD)).toEqual(Array(10).fill(429));
		const refused = answers[POLLS_PER_PERIOD];
		if (!refused) throw new Error("no refused poll");
		expect(refused.headers.get("retry-after")).toBe(String(limiterPeriod("POLL_RATE_LIMITER")));
		expect(await errorCode(refused)).toBe("rate_limited");
		// However fast the page polls, the object saw no more than the limit.
		expect(callsOf(calls, sale.id, "orderOf")).toBe(POLLS_PER_PERIOD);

		// The limit is the buyer's own: another buyer of the sale is answered.
		expect((await poll(neighbour, sale.id, "order", { bindings })).status).toBe(200);
	});

	it("lets the browser reuse a held order only briefly and never past its deadline", async () => {
		const sale = await createHoldSale("poll-held-age");
		const buyer = await Buyer.named("deadline-poller");
		const { order } = await (await buyer.buyVariant(sale.id, "us-10")).json<{ order: Order }>();
		const deadline = order.holdExpiresAt ?? 0;

		const fresh = await poll(buyer, sale.id, "order");
		expect(fresh.headers.get("cache-control")).toBe("private, max-age=2");
		vi.useFakeTimers({ toFake: ["Date"], now: deadline - 1_500 });
		const closeToDeadline = await poll(buyer, sale.id, "order");
		expect((await closeToDeadline.json<{ order: Order }>()).order.status).toBe("held");
		expect(closeToDeadline.headers.get("cache-control")).toBe("private, max-age=1");
		vi.setSystemTime(deadline - 500);
		expect((await poll(buyer, sale.id, "order")).headers.get("cache-control")).toBe("no-store");
		vi.setSystemTime(deadline + 1);
		const past = await poll(buyer, sale.id, "order");
		expect((await past.json<{ order: Order }>()).order.status).toBe("expired");
		expect(past.headers.get("cache-control")).toBe("no-store");
	});

	it("reaches the object for a waitlist place at most the per-buyer limit, then answers 429 with Retry-After", async () => {
		const sale = await createHoldSale("poll-waitlist", {
			variants: [{ id: "one", name: "One", totalStock: 1 }],
			totalStock: 1,
		});
		const [holder, waiter] = await Promise.all([Buyer.named("wl-holder"), Buyer.named("wl-waiter")]);
		expect((await holder.buy(sale.id)).status).toBe(201);
		expect((await waiter.joinWaitlist(sale.id)).status).toBe(202);

		const { bindings, calls } = saleGateWith();
		const answers = await pollRepeatedly(waiter, sale.id, "waitlist", POLLS_PER_PERIOD + 5, bindings);
		const statuses = answers.map((answer) => answer.status);
		expect(statuses.slice(0, POLLS_PER_PERIOD)).toEqual(Array(POLLS_PER_PERIOD).fill(200));
		expect(await answers[0]?.json()).toEqual({ position: 1 });
		expect(statuses.slice(POLLS_PER_PERIOD)).toEqual(Array(5).fill(429));
		expect(answers[POLLS_PER_PERIOD]?.headers.get("retry-after")).toBe(
			String(limiterPeriod("POLL_RATE_LIMITER")),
		);
		expect(callsOf(calls, sale.id, "waitlistPosition")).toBe(POLLS_PER_PERIOD);
	});
});
