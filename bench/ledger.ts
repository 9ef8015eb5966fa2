import { contractBreach, type OrderShape, orderOf } from "./contract.ts";
import { type Exchange, type Headers, type HttpClient, outcomeOf } from "./http-client.ts";
import type { Samples } from "./samples.ts";

/** At most this many distinct failure messages are kept; the rest are only counted. */
const MAX_FAILURE_KINDS = 50;

/**
 * Everything a run must prove, written down as answers come in: each new
 * order, each replayed one, and every answer that is wrong for the request
 * that got it.
 */
export class Ledger {
	readonly failures = new Map<string, number>();
	/** Orders by buyer id, from 201 answers. */
	readonly orders = new Map<string, OrderShape>();
	/** 200 answers to a purchase: the buyer's existing order, which must be the one the 201 gave. */
	readonly replays: { buyerId: string; orderId: string }[] = [];
	/** `[answer time, units confirmed so far]` at every 201. */
	readonly stockSteps: [number, number][] = [];
	units = 0;

	fail(message: string): void {
		if (this.failures.size >= MAX_FAILURE_KINDS && !this.failures.has(message)) message = "(other failures)";
		this.failures.set(message, (this.failures.get(message) ?? 0) + 1);
	}

	/** Records a new order; a buyer who gets a second one is the worst thing a run can find. */
	confirm(order: OrderShape, at: number): void {
		if (this.orders.has(order.userId)) this.fail("a buyer was given two new orders");
		this.orders.set(order.userId, order);
		this.units += order.quantity;
		this.stockSteps.push([at, this.units]);
	}

	/** Checks every 200 replay against the buyer's 201, once all answers are in. */
	checkReplays(): void {
		for (const { buyerId, orderId } of this.replays) {
			const order = this.orders.get(buyerId);
			if (!order) this.fail("a buyer was told of an order nobody created");
			else if (order.id !== orderId) this.fail("a buyer's repeated purchase returned a different order");
		}
	}
}

export interface Call {
	endpoint: "purchase-token" | "purchase";
	path: string;
	headers: Headers;
	body: unknown;
	/** The answers this request may get; anything else the contract allows is still a failure here. */
	expected: ReadonlySet<string>;
	/** Who sent it, for failure messages: "a buyer", "a bot with a forged token", … */
	who: string;
}

export interface Answered extends Exchange {
	outcome: string;
}

/** Sends one request, records its sample, and judges the answer against the contract and the scenario. */
export async function call(
	client: HttpClient,
	samples: Samples,
	ledger: Ledger,
	request: Call,
): Promise<Answered> {
	const exchange = await client.send("POST", request.path, request.headers, request.body);
	const outcome = outcomeOf(exchange.answer);
	samples.add(request.endpoint, outcome, exchange.start, exchange.end);
	const { answer } = exchange;
	if (answer.status === 0) {
		ledger.fail(`${request.endpoint}: connection failed (${String(answer.body).slice(0, 120)})`);
	} else {
		if (answer.status >= 500) ledger.fail(`${request.endpoint} answered ${outcome} (5xx)`);
		const breach = contractBreach(request.endpoint, outcome, answer);
		if (breach) ledger.fail(breach);
		else if (!request.expected.has(outcome))
			ledger.fail(`${request.who} got ${outcome} from ${request.endpoint}`);
	}
	return { ...exchange, outcome };
}

/** The order in a purchase answer, checked against who asked and what for. */
export function checkedOrder(
	ledger: Ledger,
	answered: Answered,
	expect: { saleId: string; buyerId: string; quantity: number },
): OrderShape | null {
	const order = orderOf(answered.answer);
	if (!order) return null;
	if (
		order.saleId !== expect.saleId ||
		order.userId !== expect.buyerId ||
		order.quantity !== expect.quantity
	) {
		ledger.fail("an order names another sale, buyer or quantity than was asked for");
		return null;
	}
	return order;
}
