import { csvRecord } from "./csv";
import { type OrderBookDb, readOrderPage } from "./queries";

/**
 * Today's first six columns keep their names and places, so readers of the
 * v1 export still work; the v2 fields follow. Amounts are in cents of
 * `currency`; times are ISO 8601, empty when the order has none.
 */
const CSV_HEADER = [
	"order_id",
	"sale_id",
	"user_id",
	"quantity",
	"status",
	"created_at",
	"variant_id",
	"amount_cents",
	"currency",
	"hold_expires_at",
	"paid_at",
];
/** Orders read from D1 per page while exporting. */
const CSV_PAGE_SIZE = 1_000;

/**
 * A sale's whole order book as CSV, in the order the order book recorded
 * the orders (so an order recorded while the export runs is not skipped),
 * read page by page as the client consumes it, so memory stays flat
 * however many orders there are.
 * If D1 fails midway the stream errors rather than ending early, so a
 * truncated export can never pass for a complete one.
 */
export function orderBookCsv(db: OrderBookDb, saleId: string): ReadableStream<Uint8Array> {
	const encoder = new TextEncoder();
	let afterPosition: number | null = null;
	return new ReadableStream({
		start(controller) {
			controller.enqueue(encoder.encode(csvRecord(CSV_HEADER)));
			afterPosition = 0;
		},
		async pull(controller) {
			if (afterPosition === null) return;
			const page = await readOrderPage(db, saleId, afterPosition, CSV_PAGE_SIZE);
			const records = page.orders.map((order) =>
				csvRecord([
					order.id,
					order.saleId,
					order.userId,
					order.quantity,
					order.status,
					isoTime(order.createdAt),
					order.variantId,
					order.amountCents,
					order.currency,
					order.holdExpiresAt === null ? "" : isoTime(order.holdExpiresAt),
					order.paidAt === null ? "" : isoTime(order.paidAt),
				]),
			);
			if (records.length > 0) controller.enqueue(encoder.encode(records.join("")));
			afterPosition = page.nextCursor === null ? null : Number(page.nextCursor);
			if (afterPosition === null) controller.close();
		},
	});
}

function isoTime(epochMs: number): string {
	return new Date(epochMs).toISOString();
}
