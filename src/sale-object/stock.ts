import type { Order, OrderMessage, OrderStatus } from "../domain/order";
import type { SaleInput, SaleRow, VariantView } from "../domain/sale";
import { columns, type Row } from "./columns";

/** An order as this object keeps it: its place in the sale, the attempt that created it, its version. */
type OrderRow = {
	seq: number;
	id: string;
	userId: string;
	variantId: string;
	quantity: number;
	status: OrderStatus;
	createdAt: number;
	holdExpiresAt: number | null;
	paidAt: number | null;
	attemptId: string | null;
	version: number;
};

/** One variant's stock: `remaining + held + confirmed = totalStock`. */
export interface VariantStock extends VariantView {
	held: number;
}

/** A variant as its row holds it: its place in the sale is the row's key. */
type VariantRow = VariantStock & { position: number };

/** A buyer's order, its seq, and the attempt that created it (null for orders older than attempt ids). */
export interface HeldOrder {
	seq: number;
	order: Order;
	attemptId: string | null;
}

/** Every order of one buyer in this sale: the live one if any, and the rest. */
export interface BuyerOrders {
	/** The buyer's `held` or `confirmed` order; there is at most one. */
	live: HeldOrder | null;
	/** The live order, or else the latest one. */
	latest: HeldOrder | null;
	/** The order a given attempt created, if any. */
	byAttempt(attemptId: string): HeldOrder | null;
	/** The buyer's order with this id, if any. */
	byId(orderId: string): HeldOrder | null;
	/** Whether the buyer ever had an order here. */
	any: boolean;
}

/** The sale as its row holds it: its units left are its variants'. */
type StoredSale = Omit<SaleRow, "remaining">;

const SALE = columns<StoredSale>({
	id: "id",
	name: "name",
	description: "description",
	priceCents: "price_cents",
	currency: "currency",
	totalStock: "total_stock",
	startsAt: "starts_at",
	endsAt: "ends_at",
	maxPerUser: "max_per_user",
	imageUrl: "image_url",
	holdSeconds: "hold_seconds",
	mode: "mode",
	shards: "shards",
	relays: "relays",
});
const VARIANT = columns<VariantStock>({
	id: "id",
	name: "name",
	totalStock: "total_stock",
	remaining: "remaining",
	held: "held",
});
const ORDER = columns<OrderRow>({
	seq: "seq",
	id: "id",
	userId: "user_id",
	variantId: "variant_id",
	quantity: "quantity",
	status: "status",
	createdAt: "created_at",
	holdExpiresAt: "hold_expires_at",
	paidAt: "paid_at",
	attemptId: "attempt_id",
	version: "version",
});
const NEW_ORDER = columns<Omit<OrderRow, "seq" | "version" | "paidAt">>({
	id: "id",
	userId: "user_id",
	variantId: "variant_id",
	quantity: "quantity",
	status: "status",
	createdAt: "created_at",
	holdExpiresAt: "hold_expires_at",
	attemptId: "attempt_id",
});

const SELECT_SALE = `SELECT ${SALE.select} FROM sale`;
const SELECT_VARIANTS = `SELECT position, ${VARIANT.select} FROM variants ORDER BY position`;
const COUNT_BUYERS = "SELECT IFNULL(SUM(buyers), 0) AS buyers FROM variants";
const REPLACE_SALE = `INSERT OR REPLACE INTO sale (singleton, ${SALE.names}) VALUES (1, ${SALE.placeholders})`;
const INSERT_VARIANT = `INSERT INTO variants (position, ${VARIANT.names}) VALUES (?, ${VARIANT.placeholders})`;
// Usually no row or one: sorted here rather than by the query.
const SELECT_ORDERS_OF = `SELECT ${ORDER.select} FROM orders WHERE user_id = ?`;
// The new seq is read with last_insert_rowid() rather than RETURNING, which
// costs the statement about twice as much inside the object. That holds only
// while the read comes right after a plain INSERT: with OR IGNORE or an
// upsert that writes nothing, it would answer an earlier row.
const INSERT_ORDER = `INSERT INTO orders (${NEW_ORDER.names}) VALUES (${NEW_ORDER.placeholders})`;
/** A shard's order, numbered `step` after its last one (see `numberOrders`). */
const INSERT_SHARD_ORDER = `INSERT INTO orders (seq, ${NEW_ORDER.names}) VALUES ((SELECT IFNULL(MAX(seq), ?) + ? FROM orders), ${NEW_ORDER.placeholders})`;
const INSERTED_SEQ = "SELECT last_insert_rowid() AS seq";
// By position, the row's key, so the purchase costs no lookup in the ids' index.
const TAKE_FROM_VARIANT =
	"UPDATE variants SET remaining = remaining - ?, held = held + ?, buyers = buyers + ? WHERE position = ?";
/** Ends held orders, given as a JSON array of seqs; matches none no longer held, so ending twice changes nothing. */
const END_HOLDS =
	"UPDATE orders SET status = ?, paid_at = NULL, version = version + 1 WHERE seq IN (SELECT value FROM json_each(?)) AND status = 'held' RETURNING seq, variant_id AS variantId, quantity";
/** Ends a held order; matches nothing if it is no longer held, so ending twice changes nothing. */
const END_HOLD =
	"UPDATE orders SET status = ?, paid_at = ?, version = version + 1 WHERE seq = ? AND status = 'held' RETURNING variant_id AS variantId, quantity";

const LIVE: ReadonlySet<OrderStatus> = new Set(["held", "confirmed"]);

/**
 * The sale's stock and its buyers: tables `sale` (one row: the sale),
 * `variants` (stock per variant, and how many buyers had their first order
 * in it) and `orders`. The sale row and the variants are mirrored in
 * memory, the sale's units left summed from its variants'; the mirror
 * changes only after a write commits.
 */
export class Stock {
	readonly #storage: DurableObjectStorage;
	/** The storage's SQL handle, taken once: the hot path reads it on every statement. */
	readonly #sql: SqlStorage;
	#sale: SaleRow | null = null;
	#variants: VariantRow[] = [];
	#buyers = 0;
	/** The statement that records an order, and its leading arguments: how this object numbers orders. */
	#insertOrder: { query: string; numbering: number[] } = { query: INSERT_ORDER, numbering: [] };

	constructor(storage: DurableObjectStorage) {
		this.#storage = storage;
		this.#sql = storage.sql;
	}

	/** Reads the sale row and the variants, once the object has tables, and after a write the mirror did not follow. */
	load(): void {
		const sql = this.#sql;
		const sale = sql.exec<Row<StoredSale>>(SELECT_SALE).toArray()[0];
		if (!sale) return;
		this.#variants = sql.exec<Row<VariantRow>>(SELECT_VARIANTS).toArray();
		this.#sale = { ...sale, remaining: this.#variants.reduce((sum, variant) => sum + variant.remaining, 0) };
		this.#buyers = sql.exec<{ buyers: number }>(COUNT_BUYERS).one().buyers;
	}

	/** The sale, or null if it was never configured. */
	get sale(): SaleRow | null {
		return this.#sale;
	}

	/** The variants in the order the sale lists them. */
	get variants(): readonly VariantStock[] {
		return this.#variants;
	}

	/** Units of held orders, in all variants. */
	get held(): number {
		return this.#variants.reduce((sum, variant) => sum + variant.held, 0);
	}

	/** How many buyers ever had an order. */
	get buyers(): number {
		return this.#buyers;
	}

	/**
	 * Numbers this shard's orders interleaved with the other shards' (shard i
	 * of K takes seqs i + 1, i + 1 + K, …), so seqs stay unique within the
	 * sale, as the order book's `(sale, seq)` key needs, without asking anyone.
	 */
	numberOrders(shard: number, shards: number): void {
		this.#insertOrder =
			shards > 1
				? { query: INSERT_SHARD_ORDER, numbering: [shard + 1 - shards, shards] }
				: { query: INSERT_ORDER, numbering: [] };
	}

	/**
	 * Creates the sale with all its stock, or replaces it (callers allow that
	 * only before it starts). A shard is given `allotted`: the units of each
	 * variant lent to it, in place of the variant's whole stock.
	 */
	configure(saleId: string, input: SaleInput, allotted?: ReadonlyMap<string, number>): SaleRow {
		const sale: SaleRow = {
			id: saleId,
			name: input.name,
			description: input.description,
			priceCents: input.priceCents,
			currency: input.currency,
			totalStock: input.totalStock,
			remaining: input.totalStock,
			startsAt: input.startsAt,
			endsAt: input.endsAt,
			maxPerUser: input.maxPerUser,
			imageUrl: input.imageUrl ?? null,
			holdSeconds: input.holdSeconds ?? 0,
			mode: input.mode ?? "first_come",
			shards: input.shards ?? 1,
			relays: input.relays ?? 0,
		};
		const variants = (
			input.variants ?? [{ id: "default", name: input.name, totalStock: input.totalStock }]
		).map((variant) => (allotted ? { ...variant, totalStock: allotted.get(variant.id) ?? 0 } : variant));
		if (allotted) {
			sale.totalStock = variants.reduce((sum, variant) => sum + variant.totalStock, 0);
			sale.remaining = sale.totalStock;
		}
		this.#storage.transactionSync(() => {
			this.#sql.exec(REPLACE_SALE, ...SALE.values(sale));
			this.#sql.exec("DELETE FROM variants");
			for (const [position, variant] of variants.entries()) {
				this.#sql.exec(
					INSERT_VARIANT,
					position,
					...VARIANT.values({ ...variant, remaining: variant.totalStock, held: 0 }),
				);
			}
		});
		this.load();
		return this.#sale ?? sale;
	}

	/** One buyer's orders. */
	ordersOf(userId: string): BuyerOrders {
		const sale = this.#sale;
		const rows = sale ? this.#sql.exec<OrderRow>(SELECT_ORDERS_OF, userId).toArray() : [];
		if (rows.length > 1) rows.sort((a, b) => b.seq - a.seq);
		const held = (row: OrderRow | undefined): HeldOrder | null =>
			sale && row ? { seq: row.seq, order: toOrder(sale, row), attemptId: row.attemptId } : null;
		const live = held(rows.find((row) => LIVE.has(row.status)));
		return {
			live,
			latest: live ?? held(rows[0]),
			byAttempt: (attemptId) => held(rows.find((row) => row.attemptId === attemptId)),
			byId: (orderId) => held(rows.find((row) => row.id === orderId)),
			any: rows.length > 0,
		};
	}

	/**
	 * Records the order and takes its units, in one synchronous transaction
	 * with no await inside: the object's input gate keeps other requests out,
	 * and its output gate holds the reply until the write is durable. `alsoWrite`
	 * joins the transaction with what other capabilities record about the order.
	 * The caller has checked that the units are there.
	 */
	take(order: Order, attemptId: string | null, newBuyer: boolean, alsoWrite: (seq: number) => void): SaleRow {
		const sale = this.#sale;
		if (!sale) throw new Error("take() before configure()");
		this.#storage.transactionSync(() => alsoWrite(this.place(order, attemptId, newBuyer)));
		const held = order.status === "held" ? order.quantity : 0;
		this.#variants = this.#variants.map((variant) =>
			variant.id === order.variantId
				? { ...variant, remaining: variant.remaining - order.quantity, held: variant.held + held }
				: variant,
		);
		this.#sale = { ...sale, remaining: sale.remaining - order.quantity };
		if (newBuyer) this.#buyers += 1;
		return this.#sale;
	}

	/**
	 * Records an order and takes its units inside the caller's transaction;
	 * returns its seq. The caller reloads the mirror once it commits.
	 */
	place(order: Order, attemptId: string | null, newBuyer: boolean): number {
		const sql = this.#sql;
		const insert = this.#insertOrder;
		sql.exec(
			insert.query,
			...insert.numbering,
			...NEW_ORDER.values({
				id: order.id,
				userId: order.userId,
				variantId: order.variantId,
				quantity: order.quantity,
				status: order.status,
				createdAt: order.createdAt,
				holdExpiresAt: order.holdExpiresAt,
				attemptId,
			}),
		);
		const { seq } = sql.exec<{ seq: number }>(INSERTED_SEQ).one();
		const held = order.status === "held" ? order.quantity : 0;
		const variant = this.#variants.find((candidate) => candidate.id === order.variantId);
		if (!variant) throw new Error(`no variant ${order.variantId}`);
		sql.exec(TAKE_FROM_VARIANT, order.quantity, held, newBuyer ? 1 : 0, variant.position);
		return seq;
	}

	/**
	 * Ends held orders as expired or cancelled and returns their units to
	 * `remaining`, inside the caller's transaction. Answers the orders that
	 * ended; one no longer held is left as it is. A mass expiry ends its
	 * orders in one statement and returns units once per variant, so the
	 * object is back for buyers sooner.
	 */
	release(seqs: readonly number[], status: "expired" | "cancelled"): { seq: number; variantId: string }[] {
		const sql = this.#sql;
		const ended = sql
			.exec<{ seq: number; variantId: string; quantity: number }>(END_HOLDS, status, JSON.stringify(seqs))
			.toArray();
		const returned = new Map<string, number>();
		for (const { variantId, quantity } of ended) {
			returned.set(variantId, (returned.get(variantId) ?? 0) + quantity);
		}
		for (const [variantId, quantity] of returned) {
			sql.exec(
				"UPDATE variants SET held = held - ?, remaining = remaining + ? WHERE id = ?",
				quantity,
				quantity,
				variantId,
			);
		}
		return ended;
	}

	/**
	 * Sets a variant's stock in this shard to `total` units lent to it, inside
	 * the caller's transaction: `remaining` moves by the difference, what is
	 * held or confirmed stays. The caller never sets less than that.
	 */
	allot(variantId: string, total: number): void {
		const variant = this.#variants.find((candidate) => candidate.id === variantId);
		if (!variant) throw new Error(`no variant ${variantId}`);
		const change = total - variant.totalStock;
		if (variant.remaining + change < 0)
			throw new Error(`${variantId}: cannot lend back units that are taken`);
		this.#sql.exec(
			"UPDATE variants SET total_stock = total_stock + ?, remaining = remaining + ? WHERE position = ?",
			change,
			change,
			variant.position,
		);
		this.#sql.exec("UPDATE sale SET total_stock = total_stock + ?", change);
	}

	/** Confirms a held order as paid at `paidAt`, inside the caller's transaction; false if it was not held. */
	confirm(seq: number, paidAt: number): boolean {
		const sql = this.#sql;
		const ended = sql
			.exec<{ variantId: string; quantity: number }>(END_HOLD, "confirmed", paidAt, seq)
			.toArray()[0];
		if (!ended) return false;
		sql.exec("UPDATE variants SET held = held - ? WHERE id = ?", ended.quantity, ended.variantId);
		return true;
	}

	/** A variant's units left, as storage has them inside a transaction that changed them. */
	remainingOf(variantId: string): number {
		return (
			this.#sql
				.exec<{ remaining: number }>("SELECT remaining FROM variants WHERE id = ?", variantId)
				.toArray()[0]?.remaining ?? 0
		);
	}

	/** Seqs of held orders whose hold ends by `dueBy`, earliest first. */
	dueHolds(dueBy: number, limit: number): number[] {
		return this.#sql
			.exec<{ seq: number }>(
				"SELECT seq FROM orders WHERE status = 'held' AND hold_expires_at <= ? ORDER BY hold_expires_at LIMIT ?",
				dueBy,
				limit,
			)
			.toArray()
			.map((row) => row.seq);
	}

	/** When the earliest pending hold ends, or null if nothing is held. */
	earliestHoldExpiry(): number | null {
		return this.#sql
			.exec<{ at: number | null }>("SELECT MIN(hold_expires_at) AS at FROM orders WHERE status = 'held'")
			.one().at;
	}

	/** How many orders expired and how many were cancelled. */
	endedOrders(): { expired: number; cancelled: number } {
		const counts = { expired: 0, cancelled: 0 };
		for (const { status, n } of this.#sql.exec<{ status: "expired" | "cancelled"; n: number }>(
			"SELECT status, COUNT(*) AS n FROM orders WHERE status IN ('expired', 'cancelled') GROUP BY status",
		)) {
			counts[status] = n;
		}
		return counts;
	}

	/** Every buyer holding a live order. */
	holders(): string[] {
		return this.#sql
			.exec<{ user_id: string }>("SELECT user_id FROM orders WHERE status IN ('held', 'confirmed')")
			.toArray()
			.map((row) => row.user_id);
	}

	/** Which of these seqs are orders of this sale. */
	knownSeqs(seqs: readonly number[]): number[] {
		return this.#sql
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
			this.#sql.exec<OrderRow>(
				`SELECT ${ORDER.select} FROM orders WHERE seq > ? ORDER BY seq LIMIT ?`,
				afterSeq,
				limit,
			),
		);
	}

	/** The orders with these seqs, in seq order, as the order book receives them; unknown seqs are skipped. */
	messages(seqs: readonly number[]): OrderMessage[] {
		return this.#messages(
			this.#sql.exec<OrderRow>(
				`SELECT ${ORDER.select} FROM orders WHERE seq IN (SELECT value FROM json_each(?)) ORDER BY seq`,
				JSON.stringify(seqs),
			),
		);
	}

	/**
	 * Orders after `afterSeq` per bucket of `bucketMs` counted from
	 * `origin`, with the last seq counted in each.
	 */
	ordersPerBucket(
		afterSeq: number,
		origin: number,
		bucketMs: number,
	): Iterable<{ bucket: number; n: number; last: number }> {
		return this.#sql.exec<{ bucket: number; n: number; last: number }>(
			`SELECT CAST((created_at - ?) / ? AS INTEGER) AS bucket, COUNT(*) AS n, MAX(seq) AS last
			 FROM orders WHERE seq > ? GROUP BY bucket`,
			origin,
			bucketMs,
			afterSeq,
		);
	}

	/** Orders as the order book records them, each at its current version. */
	#messages(rows: Iterable<OrderRow>): OrderMessage[] {
		const sale = this.#sale;
		if (!sale) return [];
		return Array.from(rows, (row) => ({ ...toOrder(sale, row), seq: row.seq, version: row.version }));
	}
}

/** Every order in this object belongs to its sale; a hold's deadline shows only while it is held. */
function toOrder(sale: SaleRow, row: OrderRow): Order {
	return {
		id: row.id,
		saleId: sale.id,
		userId: row.userId,
		variantId: row.variantId,
		quantity: row.quantity,
		amountCents: sale.priceCents * row.quantity,
		currency: sale.currency,
		status: row.status,
		createdAt: row.createdAt,
		holdExpiresAt: row.status === "held" ? row.holdExpiresAt : null,
		paidAt: row.paidAt,
	};
}
