/** An order as the contract shows it (shared/API.md "Buying"). */
export interface Order {
	id: string;
	saleId: string;
	userId: string;
	quantity: number;
	status: "confirmed";
	createdAt: number;
}

/** What a sale's object puts on the queue for the order book: the order and its place in the sale. */
export interface OrderMessage extends Order {
	seq: number;
}
