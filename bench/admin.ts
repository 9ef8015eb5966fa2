import type { OrderShape } from "./contract.ts";
import type { HttpClient } from "./http-client.ts";
import { sleep } from "./rush.ts";

/** One shard's figures in the admin stats of a sale with shards (API.md "Live figures"). */
export interface ShardFigures {
	remaining: number;
	sold: number;
	held: number;
}

export interface SaleStats {
	sold: number;
	remaining: number;
	buyers: number;
	ordersRecorded: number;
	ordersPending: number;
	/** In a sale with holds or sizes. */
	held?: number;
	/** In a sale with shards: each shard's figures, and the calls its coordinator served. */
	shards?: ShardFigures[];
	coordinatorRequests?: number;
}

/** The admin API (API.md "Admin"), as the shop's back office would use it. */
export class Admin {
	readonly #client: HttpClient;
	readonly #headers: Record<string, string>;

	constructor(client: HttpClient, adminToken: string) {
		this.#client = client;
		this.#headers = { authorization: `Bearer ${adminToken}` };
	}

	async createSale(
		saleId: string,
		sale: { totalStock: number; startsAt: number; maxPerUser: number; shards?: number; relays?: number },
	): Promise<void> {
		const { answer } = await this.#client.send("PUT", `/admin/sales/${saleId}`, this.#headers, {
			name: "Stampede benchmark",
			description: "A sale created by npm run bench.",
			priceCents: 12_900,
			currency: "USD",
			endsAt: sale.startsAt + 3_600_000,
			...sale,
		});
		if (answer.status !== 201)
			throw new Error(`Creating ${saleId} failed: ${answer.status} ${JSON.stringify(answer.body)}`);
	}

	async stats(saleId: string): Promise<SaleStats> {
		const { answer } = await this.#client.send("GET", `/admin/sales/${saleId}`, this.#headers);
		if (answer.status !== 200)
			throw new Error(`Reading ${saleId} failed: ${answer.status} ${JSON.stringify(answer.body)}`);
		return (answer.body as { stats: SaleStats }).stats;
	}

	/** Every order in the D1 order book, page by page. */
	async orderBook(saleId: string): Promise<OrderShape[]> {
		const orders: OrderShape[] = [];
		let cursor: string | null = null;
		do {
			const query: string = cursor === null ? "limit=1000" : `limit=1000&cursor=${cursor}`;
			const { answer } = await this.#client.send(
				"GET",
				`/admin/sales/${saleId}/orders?${query}`,
				this.#headers,
			);
			if (answer.status !== 200) throw new Error(`Reading the order book failed: ${answer.status}`);
			const page = answer.body as { orders: OrderShape[]; nextCursor: string | null };
			orders.push(...page.orders);
			cursor = page.nextCursor;
		} while (cursor !== null);
		return orders;
	}

	/**
	 * Polls (every 100 ms, so as not to load the sale) until the order book (D1) holds `orders` orders for the sale;
	 * returns when that was first seen (performance.now()), or null on timeout.
	 */
	async waitForOrderBook(saleId: string, orders: number, timeoutMs: number): Promise<number | null> {
		const deadline = performance.now() + timeoutMs;
		while (performance.now() < deadline) {
			const stats = await this.stats(saleId);
			if (stats.ordersRecorded >= orders) return performance.now();
			await sleep(100);
		}
		return null;
	}
}
