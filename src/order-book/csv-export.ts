import { csvRecord } from "./csv";
import { type OrderBookDb, readOrderPage } from "./queries";

const CSV_HEADER = ["order_id", "sale_id", "user_id", "quantity", "status", "created_at"];
/** Orders read from D1 per page while exporting. */
const CSV_PAGE_SIZE = 1_000;

/**
 * A sale's whole order book as CSV, oldest first, read page by page as the
 * client consumes it, so memory stays flat however many orders there are.
 * If D1 fails midway the stream errors rather than ending early, so a
 * truncated export can never pass for a complete one.
 */
export function orderBookCsv(db: OrderBookDb, saleId: string): ReadableStream<Uint8Array> {
	const encoder = new TextEncoder();
	let afterSeq: number | null = null;
	return new ReadableStream({
		start(controller) {
			controller.enqueue(encoder.encode(csvRecord(CSV_HEADER)));
			afterSeq = 0;
		},
		async pull(controller) {
			if (afterSeq === null) return;
			const page = await readOrderPage(db, saleId, afterSeq, CSV_PAGE_SIZE);
			const records = page.orders.map((order) =>
				csvRecord([
					order.id,
					order.saleId,
					order.userId,
					order.quantity,
					order.status,
					new Date(order.createdAt).toISOString(),
				]),
			);
			if (records.length > 0) controller.enqueue(encoder.encode(records.join("")));
			afterSeq = page.nextCursor === null ? null : Number(page.nextCursor);
			if (afterSeq === null) controller.close();
		},
	});
}
