import type { SaleClient } from "../edge/sale-client";
import { ApiError } from "../http-error";
import { countRecorded, type OrderBookDb, recordedIds } from "./queries";

/** Orders compared per round trip while reconciling; D1 binds at most 100 parameters. */
const RECONCILE_PAGE = 90;

/**
 * Makes the order book catch up with a sale's object: every order the
 * object holds and D1 lacks is sent through the outbox again. Safe to
 * repeat: the consumer skips orders it already recorded. Answers how many
 * orders were sent again.
 */
export async function reconcile(db: OrderBookDb, saleId: string, sale: SaleClient): Promise<number> {
	const stats = await sale.stats();
	if (!stats) throw new ApiError("sale_not_found");
	if ((await countRecorded(db, saleId)) === stats.buyers) return 0;
	let resent = 0;
	let afterSeq = 0;
	for (;;) {
		const page = await sale.ordersAfter(afterSeq, RECONCILE_PAGE);
		const last = page.at(-1);
		if (!last) return resent;
		const recorded = await recordedIds(
			db,
			page.map((order) => order.id),
		);
		const missing = page.filter((order) => !recorded.has(order.id)).map((order) => order.seq);
		if (missing.length > 0) resent += await sale.resend(missing);
		afterSeq = last.seq;
	}
}
