import type { SaleClient } from "../edge/sale-client";
import { ApiError } from "../http-error";

/**
 * Makes the order book catch up with a sale's object: the object compares
 * what D1 has recorded of the sale with its own orders and sends again
 * every order D1 lacks or holds at a lower version. One call is one bounded
 * run of the object's audit (a single subrequest from here, however large
 * the sale); the object's alarm carries on from where it stopped until D1
 * has everything. Safe to repeat. Answers how many orders were sent again.
 */
export async function reconcile(sale: SaleClient): Promise<number> {
	const result = await sale.reconcileOrderBook();
	if (!result) throw new ApiError("sale_not_found");
	return result.resent;
}
