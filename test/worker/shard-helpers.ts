import { env, runDurableObjectAlarm } from "cloudflare:test";
import type { Order } from "../../src/domain/order";
import { shardName, shardOf } from "../../src/domain/shards";
import { orderBookRows } from "./helpers";

/** Every shard reports its figures to the coordinator now, as its alarm would within 250 ms. */
export async function reportAll(saleId: string, shards: number): Promise<void> {
	for (let shard = 0; shard < shards; shard++) {
		await runDurableObjectAlarm(env.SALE_GATE.getByName(shardName(saleId, shard)));
	}
}

/** Buyer ids, `count` of them, that the sale's shards spread as `pick` says (all, or those of one shard). */
export function buyerIds(
	saleId: string,
	shards: number,
	count: number,
	pick: (shard: number) => boolean,
): string[] {
	const ids: string[] = [];
	for (let i = 0; ids.length < count; i++) {
		const id = `shopper-${i}`;
		if (pick(shardOf(saleId, id, shards))) ids.push(id);
	}
	return ids;
}

/** The sale's orders in the order book once it has `orders` of them, or what it has after about 5 s. */
export async function waitForOrderBook(saleId: string, orders: number): Promise<Order[]> {
	for (let attempt = 0; attempt < 100; attempt++) {
		const rows = await orderBookRows(saleId);
		if (rows.length >= orders) return rows;
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
	return orderBookRows(saleId);
}
