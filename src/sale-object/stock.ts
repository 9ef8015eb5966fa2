import type { Order, OrderMessage } from "../domain/order";
import type { SaleInput, SaleRecord } from "../domain/sale";
import { columns, type Row } from "./columns";

/** An order as this object keeps it: its place in the sale and the attempt that created it. */
type OrderRow = {
	seq: number;
	id: string;
	userId: string;
	quantity: number;
	createdAt: number;
	attemptId: string | null;
};

/** A buyer's order, and the attempt that created it (null for orders older than attempt ids). */
export interface HeldOrder {
	order: Order;
	attemptId: string | null;
}

const SALE = columns<SaleRecord>({
	id: "id",
	name: "name",
	description: "description",
	priceCents: "price_cents",
	currency: "currency",
	totalStock: "total_stock",
	remaining: "remaining",
	startsAt: "starts_at",
	endsAt: "ends_at",
	maxPerUser: "max_per_user",
});
const ORDER = columns<OrderRow>({
	seq: "seq",
	id: "id",
	userId: "user_id",
	quantity: "quantity",
	createdAt: "created_at",
	attemptId: "attempt_id",
});
const NEW_ORDER = columns<Omit<OrderRow, "seq">>({
	id: "id",
	userId: "user_id",
	quantity: "quantity",
	createdAt: "created_at",
	attemptId: "attempt_id",
});

const SELECT_SALE = `SELECT ${SALE.select}, buyers FROM sale`;
const REPLACE_SALE = `INSERT OR REPLACE INTO sale (singleton, buyers, ${SALE.names}) VALUES (1, 0, ${SALE.placeholders})`;
const SELECT_ORDER_OF = `SELECT ${ORDER.select} FROM orders WHERE user_id = ?`;
const INSERT_ORDER = `INSERT INTO orders (${NEW_ORDER.names}) VALUES (${NEW_ORDER.placeholders}) RETURNING seq`;
const TAKE_STOCK = "UPDATE sale SET remaining = remaining - ?, buyers = buyers + 1";

/**
 * The sale's stock and its buyers: tables `sale` (one row: the sale, its
 * stock left and how many buyers hold an order) and `orders` (one per
 * buyer, `user_id` unique). The sale row is mirrored in memory; the mirror
 * changes only after a write commits.
 */
export class Stock {
	readonly #storage: DurableObjectStorage;
	#sale: SaleRecord | null = null;
	#buyers = 0;

	constructor(storage: DurableObjectStorage) {
		this.#storage = storage;
	}

	/** Reads the sale row, once the object has tables. */
	load(): void {
		const row = this.#storage.sql.exec<Row<SaleRecord & { buyers: number }>>(SELECT_SALE).toArray()[0];
		if (!row) return;
		const { buyers, ...sale } = row;
		this.#sale = sale;
		this.#buyers = buyers;
	}

	/** The sale, or null if it was never configured. */
	get sale(): SaleRecord | null {
		return this.#sale;
	}

	/** How many buyers hold an order. */
	get buyers(): number {
		return this.#buyers;
	}

	/** Creates the sale with all its stock, or replaces it (callers allow that only before it starts). */
	configure(saleId: string, input: SaleInput): SaleRecord {
		const sale: SaleRecord = { ...input, id: saleId, remaining: input.totalStock };
		this.#storage.sql.exec(REPLACE_SALE, ...SALE.values(sale));
		// Read back rather than kept, so the mirror holds exactly the columns and nothing else the caller sent.
		this.load();
		return this.#sale ?? sale;
	}

	/** The order this buyer holds, if any. */
	orderOf(userId: string): HeldOrder | null {
		const sale = this.#sale;
		if (!sale) return null;
		const row = this.#storage.sql.exec<OrderRow>(SELECT_ORDER_OF, userId).toArray()[0];
		return row ? { order: toOrder(sale, row), attemptId: row.attemptId } : null;
	}

	/**
	 * Records the order and takes its units, in one synchronous transaction
	 * with no await inside: the object's input gate keeps other requests out,
	 * and its output gate holds the reply until the write is durable. `alsoWrite`
	 * joins the transaction with what other capabilities record about the order.
	 * The caller has checked that the units are there.
	 */
	take(order: Order, attemptId: string | null, alsoWrite: (seq: number) => void): SaleRecord {
		const sale = this.#sale;
		if (!sale) throw new Error("take() before configure()");
		this.#storage.transactionSync(() => {
			const { seq } = this.#storage.sql
				.exec<{ seq: number }>(
					INSERT_ORDER,
					...NEW_ORDER.values({
						id: order.id,
						userId: order.userId,
						quantity: order.quantity,
						createdAt: order.createdAt,
						attemptId,
					}),
				)
				.one();
			this.#storage.sql.exec(TAKE_STOCK, order.quantity);
			alsoWrite(seq);
		});
		this.#sale = { ...sale, remaining: sale.remaining - order.quantity };
		this.#buyers += 1;
		return this.#sale;
	}

	/** Every buyer holding an order. */
	holders(): string[] {
		return this.#storage.sql
			.exec<{ user_id: string }>("SELECT user_id FROM orders")
			.toArray()
			.map((row) => row.user_id);
	}

	/** Which of these seqs are orders of this sale. */
	knownSeqs(seqs: readonly number[]): number[] {
		return this.#storage.sql
			.exec<{ seq: number }>(
				"SELECT seq FROM orders WHERE seq IN (SELECT value FROM json_each(?))",
				JSON.stringify(seqs),
			)
			.toArray()
			.map((row) => row.seq);
	}

	/** Orders in commit order after `afterSeq`, as the order book receives them. */
	ordersAfter(afterSeq: number, limit: number): OrderMessage[] {
		return this.#messages(
			this.#storage.sql.exec<OrderRow>(
				`SELECT ${ORDER.select} FROM orders WHERE seq > ? ORDER BY seq LIMIT ?`,
				afterSeq,
				limit,
			),
		);
	}

	/** The orders with these seqs, in seq order, as the order book receives them; unknown seqs are skipped. */
	messages(seqs: readonly number[]): OrderMessage[] {
		return this.#messages(
			this.#storage.sql.exec<OrderRow>(
				`SELECT ${ORDER.select} FROM orders WHERE seq IN (SELECT value FROM json_each(?)) ORDER BY seq`,
				JSON.stringify(seqs),
			),
		);
	}

	/**
	 * Confirmed orders after `afterSeq` per bucket of `bucketMs` counted from
	 * `origin`, with the last seq counted in each.
	 */
	ordersPerBucket(
		afterSeq: number,
		origin: number,
		bucketMs: number,
	): Iterable<{ bucket: number; n: number; last: number }> {
		return this.#storage.sql.exec<{ bucket: number; n: number; last: number }>(
			`SELECT CAST((created_at - ?) / ? AS INTEGER) AS bucket, COUNT(*) AS n, MAX(seq) AS last
			 FROM orders WHERE seq > ? GROUP BY bucket`,
			origin,
			bucketMs,
			afterSeq,
		);
	}

	/** Orders as the order book records them; an order that never changes is at version 1. */
	#messages(rows: Iterable<OrderRow>): OrderMessage[] {
		const sale = this.#sale;
		if (!sale) return [];
		return Array.from(rows, (row) => ({ ...toOrder(sale, row), seq: row.seq, version: 1 }));
	}
}

/** Every order in this object belongs to its sale, and an order here is confirmed once it exists. */
/** Every order of a sale without variants or holds is of its one variant, confirmed when taken. */
function toOrder(sale: SaleRecord, row: OrderRow): Order {
	return {
		id: row.id,
		saleId: sale.id,
		userId: row.userId,
		variantId: "default",
		quantity: row.quantity,
		amountCents: sale.priceCents * row.quantity,
		currency: sale.currency,
		status: "confirmed",
		createdAt: row.createdAt,
		holdExpiresAt: null,
		paidAt: null,
	};
}
