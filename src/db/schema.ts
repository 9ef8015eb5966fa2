import { integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/** Every sale an admin has created; the sale itself lives in its Durable Object. */
export const sales = sqliteTable("sales", {
	id: text("id").primaryKey(),
	createdAt: integer("created_at").notNull(),
});

/**
 * The order book: a copy of each sale's confirmed orders, fed by the queue.
 * `seq` is the order's position in its sale, so pages come out oldest first.
 */
export const orders = sqliteTable(
	"orders",
	{
		id: text("id").primaryKey(),
		saleId: text("sale_id").notNull(),
		seq: integer("seq").notNull(),
		userId: text("user_id").notNull(),
		quantity: integer("quantity").notNull(),
		status: text("status", { enum: ["confirmed"] }).notNull(),
		createdAt: integer("created_at").notNull(),
	},
	(table) => [
		uniqueIndex("orders_sale_buyer").on(table.saleId, table.userId),
		uniqueIndex("orders_sale_seq").on(table.saleId, table.seq),
	],
);
