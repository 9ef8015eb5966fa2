import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/** Every sale an admin has created; the sale itself lives in its Durable Object. */
export const sales = sqliteTable("sales", {
	id: text("id").primaryKey(),
	createdAt: integer("created_at").notNull(),
});

/**
 * The order book: a copy of each sale's orders, fed by the queue. `seq` is
 * the order's position in its sale. `position` is the order's place in the
 * order book: the queue delivers out of order, so an order with a lower seq
 * can arrive after a page past it was read; pages follow `position`, which
 * only grows (AUTOINCREMENT never reuses a value, and as the INTEGER PRIMARY
 * KEY it is the rowid, which VACUUM keeps), so a page read while writes
 * land never skips one. `version` grows with each change of the order in its sale's object, and
 * a row only ever moves to a higher version. A buyer may hold several
 * orders of a sale over time (after one expires or is cancelled), so
 * buyers are indexed, not unique. Rows written before versions are at 0.
 */
export const orders = sqliteTable(
	"orders",
	{
		position: integer("position").primaryKey({ autoIncrement: true }),
		id: text("id").notNull().unique(),
		saleId: text("sale_id").notNull(),
		seq: integer("seq").notNull(),
		userId: text("user_id").notNull(),
		variantId: text("variant_id").notNull().default("default"),
		quantity: integer("quantity").notNull(),
		amountCents: integer("amount_cents").notNull().default(0),
		currency: text("currency").notNull().default(""),
		status: text("status", { enum: ["held", "confirmed", "expired", "cancelled"] }).notNull(),
		createdAt: integer("created_at").notNull(),
		holdExpiresAt: integer("hold_expires_at"),
		paidAt: integer("paid_at"),
		version: integer("version").notNull().default(0),
	},
	(table) => [
		index("orders_sale_buyer").on(table.saleId, table.userId),
		uniqueIndex("orders_sale_seq").on(table.saleId, table.seq),
		index("orders_sale_position").on(table.saleId, table.position),
	],
);
