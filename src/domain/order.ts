import type { SaleRow } from "./sale";

/** Where an order is in its life (shared/API.md "Orders"); `held` and `confirmed` are live. */
export type OrderStatus = "held" | "confirmed" | "expired" | "cancelled";

/** An order as the contract shows it (shared/API.md "Buying" and "Orders"). */
export interface Order {
	id: string;
	saleId: string;
	userId: string;
	variantId: string;
	quantity: number;
	/** `priceCents × quantity`, in `currency`. */
	amountCents: number;
	currency: string;
	status: OrderStatus;
	createdAt: number;
	/** When an unpaid hold expires, while the order is `held`; else null. */
	holdExpiresAt: number | null;
	/** When it was paid, once paid; else null. */
	paidAt: number | null;
}

/**
 * What a sale's object puts on the queue for the order book: the order as
 * it is now, its place in the sale, and its version, which grows with every
 * change so a redelivered or reordered message never moves it backwards.
 */
export interface OrderMessage extends Order {
	seq: number;
	version: number;
}

/**
 * Several orders in one queue message. Queues take 5,000 messages a second
 * per queue (https://developers.cloudflare.com/queues/platform/limits/), so
 * a drop that confirms thousands of orders a second sends them packed.
 */
export interface OrderPack {
	orders: OrderMessage[];
}

/**
 * What one message on the order queue carries: a pack, or a lone order as
 * every message did before packs (such messages may still wait in the queue
 * when a new version deploys, and a lone order is still sent that way).
 */
export type OrderQueueBody = OrderMessage | OrderPack;

/** The orders a queue message carries, whichever shape it has. */
export function ordersIn(body: OrderQueueBody): readonly OrderMessage[] {
	return "orders" in body ? body.orders : [body];
}

/** A new order for the buyer: held for the sale's hold time if it has one, else confirmed at once (v1). */
export function newOrder(
	sale: Pick<SaleRow, "id" | "priceCents" | "currency" | "holdSeconds">,
	userId: string,
	variantId: string,
	quantity: number,
	now: number,
): Order {
	const held = sale.holdSeconds > 0;
	return {
		id: crypto.randomUUID(),
		saleId: sale.id,
		userId,
		variantId,
		quantity,
		amountCents: sale.priceCents * quantity,
		currency: sale.currency,
		status: held ? "held" : "confirmed",
		createdAt: now,
		holdExpiresAt: held ? now + sale.holdSeconds * 1000 : null,
		paidAt: null,
	};
}
