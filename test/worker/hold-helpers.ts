import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { Order } from "../../src/domain/order";
import type { Sale, SaleInput } from "../../src/domain/sale";
import { admin, type Buyer, createSale } from "./helpers";

/** Sizes for a sale with holds: two of one, one of the other. */
export const SIZES = [
	{ id: "us-9", name: "US 9", totalStock: 2 },
	{ id: "us-10", name: "US 10", totalStock: 1 },
];

/** A live sale with sizes and a one-minute hold, paid through the test provider. */
export function createHoldSale(label: string, overrides: Partial<SaleInput> = {}): Promise<Sale> {
	return createSale(label, { variants: SIZES, totalStock: 3, holdSeconds: 60, ...overrides });
}

/** The sale as its object has it now (the public view may lag by up to 2 s). */
export async function truth(saleId: string): Promise<Sale> {
	return (await (await admin("GET", `/sales/${saleId}`)).json<{ sale: Sale }>()).sale;
}

/** The buyer's order as `GET …/order` answers it, or null on 404. */
export async function orderOf(buyer: Buyer, saleId: string): Promise<Order | null> {
	const response = await buyer.order(saleId);
	return response.status === 404 ? null : (await response.json<{ order: Order }>()).order;
}

/**
 * Runs the sale object's alarm, one delivery at a time, until `done` holds;
 * each delivery stands for the time it was set for, so holds expire without
 * anyone waiting for them. Other work shares the alarm (outbox retries, order
 * book audits), so it may take a few deliveries. Fails if the alarm runs out first.
 */
export async function runAlarmsUntil(saleId: string, done: () => Promise<boolean>): Promise<void> {
	const gate = env.SALE_GATE.getByName(saleId);
	for (let run = 0; run < 200; run++) {
		if (await done()) return;
		if (!(await runDurableObjectAlarm(gate))) break;
	}
	if (!(await done())) throw new Error("the alarm ran out before the expected change");
}

/** Per variant, at this moment: remaining + held + confirmed units = totalStock, from the buyers' orders. */
export async function expectUnitsAddUp(saleId: string, buyers: Buyer[]): Promise<void> {
	const sale = await truth(saleId);
	const orders = (await Promise.all(buyers.map((buyer) => orderOf(buyer, saleId)))).filter(
		(order): order is Order => order !== null,
	);
	for (const variant of sale.variants) {
		const units = (status: Order["status"]) =>
			orders
				.filter((order) => order.variantId === variant.id && order.status === status)
				.reduce((sum, order) => sum + order.quantity, 0);
		const counted = variant.remaining + units("held") + units("confirmed");
		if (counted !== variant.totalStock) {
			throw new Error(`${variant.id}: remaining + held + confirmed = ${counted}, not ${variant.totalStock}`);
		}
	}
	const held = orders
		.filter((order) => order.status === "held")
		.reduce((sum, order) => sum + order.quantity, 0);
	if (held !== sale.held) throw new Error(`held ${sale.held} in the view, ${held} in the orders`);
}
