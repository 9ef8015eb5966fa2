import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/** Every sale an admin has created; the sale itself lives in its Durable Object. */
export const sales = sqliteTable("sales", {
	id: text("id").primaryKey(),
	createdAt: integer("created_at").notNull(),
});

/**
 * The order book: a copy of each sale's orders, fed by the queue. `seq` is
 * the order's position in its sale, so pages come out oldest first;
 * `version` grows with each change of the order in its sale's object, and
 * a row only ever moves to a higher version. A buyer may hold several
 * orders of a sale over time (after one expires or is cancelled), so
 * buyers are indexed, not unique. Rows written before versions are at 0.
 */
export const orders = sqliteTable(
	"orders",
	{
		id: text("id").primaryKey(),
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
	],
);
