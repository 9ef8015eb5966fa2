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
