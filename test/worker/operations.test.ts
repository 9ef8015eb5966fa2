import {
	createExecutionContext,
	evictDurableObject,
	runDurableObjectAlarm,
	waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { issuePurchaseToken } from "../../src/auth/purchase-token";
import type { Order, OrderMessage } from "../../src/domain/order";
import worker from "../../src/index";
import { recordOrders } from "../../src/order-book/consumer";
import { orderBookDb } from "../../src/order-book/queries";
import type { SalesSeries } from "../../src/sale-object";
import { parseCsv } from "../support/parse-csv";
import { admin, Buyer, call, createSale, saleStats, uniqueSaleId } from "./helpers";

afterEach(() => {
	vi.restoreAllMocks();
});

describe("live figures", () => {
	it("counts every purchase outcome, including refusals made at the edge", async () => {
		const now = Date.now();
		const sale = await createSale("outcomes", { totalStock: 1 });
		const upcoming = await createSale("outcomes-upcoming", { startsAt: now + 60_000, endsAt: now + 120_000 });
		const ended = await createSale("outcomes-ended", { startsAt: now - 60_000, endsAt: now - 1 });
		const winner = await Buyer.named("winner");
		const token = await winner.purchaseToken(sale.id);
		expect((await winner.purchase(sale.id, token)).status).toBe(201);
		expect((await winner.purchase(sale.id, token)).status).toBe(200);
		const loser = await Buyer.named("loser");
		expect(
			(
				await loser.purchase(
					sale.id,
					await issuePurchaseToken(env.SESSION_SECRET, sale.id, "loser", now + 60_000),
				)
			).status,
		).toBe(409);
		const tokenFor = (saleId: string) =>
			issuePurchaseToken(env.SESSION_SECRET, saleId, "loser", Date.now() + 60_000);
		expect((await loser.purchase(upcoming.id, await tokenFor(upcoming.id))).status).toBe(425);
		expect((await loser.purchase(ended.id, await tokenFor(ended.id))).status).toBe(410);

		// Forged tokens are refused at the edge; the isolate reports them in a batch.
		const forged = new Request(`https://doorbuster.test/api/sales/${sale.id}/purchase`, {
			method: "POST",
			headers: { "content-type": "application/json", authorization: `Bearer ${loser.session}` },
			body: JSON.stringify({ purchaseToken: "forged.token" }),
		});
		const ctx = createExecutionContext();
		for (let i = 0; i < 3; i++) expect((await worker.fetch(forged.clone(), env, ctx)).status).toBe(403);
		await waitOnExecutionContext(ctx);

		// The late buyer's sold_out was decided at the edge too, which knew the holders by then.
		await vi.waitFor(
			async () =>
				expect((await saleStats(sale.id)).outcomes).toEqual({
					confirmed: 1,
					duplicate: 1,
					sold_out: 1,
					not_started: 0,
					ended: 0,
					invalid_token: 3,
					overloaded: 0,
				}),
			{ timeout: 5_000, interval: 200 },
		);
		expect((await saleStats(upcoming.id)).outcomes.not_started).toBe(1);
		expect((await saleStats(ended.id)).outcomes.ended).toBe(1);
	});

	it("keeps its counts across a restart of the sale's object", async () => {
		const sale = await createSale("durable-counts", { totalStock: 1 });
		const first = await Buyer.named("first-in");
		const token = await first.purchaseToken(sale.id);
		expect((await first.purchase(sale.id, token)).status).toBe(201);
		// Repeats are counted in the object's memory, saved by the alarm.
		for (let i = 0; i < 2; i++) expect((await first.purchase(sale.id, token)).status).toBe(200);
		// Late buyers are refused at the edge, which reports them to the object.
		for (const name of ["late-1", "late-2"]) {
			const buyer = await Buyer.named(name);
			const lateToken = await issuePurchaseToken(env.SESSION_SECRET, sale.id, name, Date.now() + 60_000);
			expect((await buyer.purchase(sale.id, lateToken)).status).toBe(409);
		}
		await vi.waitFor(async () => expect((await saleStats(sale.id)).outcomes.sold_out).toBe(2), {
			timeout: 5_000,
			interval: 200,
		});
		const gate = env.SALE_GATE.getByName(sale.id);
		await runDurableObjectAlarm(gate);
		await evictDurableObject(gate);
		expect((await saleStats(sale.id)).outcomes).toMatchObject({ confirmed: 1, duplicate: 2, sold_out: 2 });
	});

	it("shows confirmed orders per second over the sale's life, in a bounded series", async () => {
		const sale = await createSale("series", {
			totalStock: 10,
			startsAt: Date.now() - 5_000,
			endsAt: Date.now() + 3_000_000,
		});
		for (const name of ["s1", "s2", "s3"])
			expect((await (await Buyer.named(name)).buy(sale.id)).status).toBe(201);
		const body = await (await admin("GET", `/sales/${sale.id}`)).json<{ series: SalesSeries }>();
		expect(body.series.bucketMs).toBe(1_000);
		expect(body.series.startsAt).toBe(sale.startsAt);
		expect(body.series.confirmed.length).toBeGreaterThanOrEqual(5);
		expect(body.series.confirmed.reduce((a, b) => a + b, 0)).toBe(3);
		// Later readings count only the newer orders on top of what was counted.
		for (const name of ["s4", "s5"]) expect((await (await Buyer.named(name)).buy(sale.id)).status).toBe(201);
		const later = await (await admin("GET", `/sales/${sale.id}`)).json<{ series: SalesSeries }>();
		expect(later.series.confirmed.reduce((a, b) => a + b, 0)).toBe(5);
		expect(later.series.confirmed.slice(0, 5)).toEqual(body.series.confirmed.slice(0, 5));

		const month = await createSale("long-series", {
			startsAt: Date.now() - 30 * 86_400_000 + 60_000,
			endsAt: Date.now() + 60_000,
		});
		const long = await (await admin("GET", `/sales/${month.id}`)).json<{ series: SalesSeries }>();
		expect(long.series.bucketMs).toBeGreaterThan(1_000);
		expect(long.series.confirmed.length).toBeLessThanOrEqual(3_600);
	});

	it("logs one structured line per purchase decision, never a token", async () => {
		const sale = await createSale("logs");
		const buyer = await Buyer.named("logged");
		const token = await buyer.purchaseToken(sale.id);
		const log = vi.spyOn(console, "log");
		await buyer.purchase(sale.id, token);
		await buyer.purchase(sale.id, "forged.token");
		const lines = log.mock.calls
			.map(([line]) => String(line))
			.filter((line) => line.includes('"event":"purchase"'))
			.map((line) => JSON.parse(line) as Record<string, unknown>);
		expect(lines).toEqual([
			{
				event: "purchase",
				saleId: sale.id,
				outcome: "confirmed",
				status: 201,
				latencyMs: expect.any(Number),
			},
			{
				event: "purchase",
				saleId: sale.id,
				outcome: "invalid_token",
				status: 403,
				latencyMs: expect.any(Number),
			},
		]);
		const everything = log.mock.calls.flat().join("\n");
		expect(everything).not.toContain(token);
		expect(everything).not.toContain(buyer.session);
	});
});

describe("order export", () => {
	it("streams the order book as RFC 4180 CSV with a header row", async () => {
		const sale = await createSale("csv", { totalStock: 10 });
		const orders: Order[] = [];
		for (const name of ["plain", 'quote "q"', "comma, inc", "new\nline"]) {
			const response = await (await Buyer.named(name)).buy(sale.id);
			orders.push((await response.json<{ order: Order }>()).order);
		}
		await vi.waitFor(async () => expect((await saleStats(sale.id)).ordersRecorded).toBe(4), {
			timeout: 20_000,
		});

		const response = await admin("GET", `/sales/${sale.id}/orders.csv`);
		expect(response.status).toBe(200);
		expect(response.headers.get("content-type")).toMatch(/^text\/csv/);
		expect(response.headers.get("content-disposition")).toBe(`attachment; filename="${sale.id}-orders.csv"`);
		const records = parseCsv(await response.text());
		// v1's columns keep their names and places; the v2 columns follow them.
		expect(records[0]?.slice(0, 6)).toEqual([
			"order_id",
			"sale_id",
			"user_id",
			"quantity",
			"status",
			"created_at",
		]);
		expect(records.slice(1).map((record) => record.slice(0, 6))).toEqual(
			orders.map((order) => [
				order.id,
				sale.id,
				order.userId,
				"1",
				"confirmed",
				new Date(order.createdAt).toISOString(),
			]),
		);
	});

	it("exports 100,000 orders page by page", async () => {
		const saleId = uniqueSaleId("big-export");
		expect(
			(
				await admin("PUT", `/sales/${saleId}`, {
					name: "Big",
					priceCents: 1,
					currency: "USD",
					totalStock: 100_000,
					startsAt: Date.now() + 60_000,
					endsAt: Date.now() + 120_000,
				})
			).status,
		).toBe(201);
		const messages: OrderMessage[] = Array.from({ length: 100_000 }, (_, i) => ({
			id: `order-${String(i).padStart(6, "0")}`,
			saleId,
			userId: `buyer-${i}`,
			variantId: "default",
			quantity: 1,
			amountCents: 12_900,
			currency: "USD",
			status: "confirmed",
			createdAt: 1_700_000_000_000 + i,
			holdExpiresAt: null,
			paidAt: null,
			seq: i + 1,
			version: 1,
		}));
		const db = orderBookDb(env.DB);
		for (let i = 0; i < messages.length; i += 5_000) await recordOrders(db, messages.slice(i, i + 5_000));

		const response = await admin("GET", `/sales/${saleId}/orders.csv`);
		const reader = (response.body as ReadableStream<Uint8Array>)
			.pipeThrough(new TextDecoderStream())
			.getReader();
		let lines = 0;
		let tail = "";
		for (;;) {
			const { done, value } = await reader.read();
			if (done) break;
			const text = tail + value;
			const parts = text.split("\r\n");
			tail = parts.pop() ?? "";
			lines += parts.length;
			if (parts.length > 0) expect(parts.at(-1)).toMatch(/^(order_id|order-\d{6}),/);
		}
		expect(tail).toBe("");
		expect(lines).toBe(100_001);
	}, 120_000);
});

describe("metrics", () => {
	it("exposes each sale's figures in the Prometheus text format", async () => {
		const sale = await createSale("scraped", { totalStock: 3 });
		expect((await (await Buyer.named("scrapee")).buy(sale.id)).status).toBe(201);
		const response = await admin("GET", "/metrics");
		expect(response.status).toBe(200);
		expect(response.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
		const text = await response.text();
		expect(text).toContain("# TYPE doorbuster_units_sold gauge");
		expect(text).toContain(`doorbuster_units_sold{sale="${sale.id}"} 1`);
		expect(text).toContain(`doorbuster_units_remaining{sale="${sale.id}"} 2`);
		expect(text).toMatch(new RegExp(`doorbuster_orders_pending\\{sale="${sale.id}"\\} [01]\\n`));
		expect(text).toContain(`doorbuster_purchase_outcomes_total{sale="${sale.id}",outcome="confirmed"} 1`);
		expect((await call("GET", "/admin/metrics")).status).toBe(401);
	});
});
