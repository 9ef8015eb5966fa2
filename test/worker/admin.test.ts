import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import type { Order } from "../../src/domain/order";
import type { Sale } from "../../src/domain/sale";
import { admin, Buyer, call, createSale, errorCode, saleInput, saleStats, uniqueSaleId } from "./helpers";

describe("admin authentication", () => {
	it("answers 401 unauthenticated, with no hint why, to anything but the admin token", async () => {
		const answers = [];
		for (const authorization of [
			undefined,
			"Bearer wrong-token",
			`Basic ${env.ADMIN_TOKEN}`,
			"Bearer",
			"bearer  ",
		]) {
			const headers: Record<string, string> = authorization ? { authorization } : {};
			const response = await call("GET", "/admin/sales", { headers });
			expect(response.status).toBe(401);
			answers.push(await response.json());
		}
		expect(new Set(answers.map((answer) => JSON.stringify(answer))).size).toBe(1);
		expect(answers[0]).toEqual({ error: { code: "unauthenticated", message: expect.any(String) } });
	});

	it("keeps unknown admin paths behind the same 401", async () => {
		expect((await call("GET", "/admin/secret-plans")).status).toBe(401);
		const known = await admin("GET", "/secret-plans");
		expect(known.status).toBe(404);
		expect(await errorCode(known)).toBe("not_found");
	});
});

describe("creating and replacing sales", () => {
	it("creates a sale (201), replaces it before the start (200) and refuses once started (409)", async () => {
		const saleId = uniqueSaleId("lifecycle");
		const startsAt = Date.now() + 60_000;
		const created = await admin(
			"PUT",
			`/sales/${saleId}`,
			saleInput({ startsAt, endsAt: startsAt + 60_000 }),
		);
		expect(created.status).toBe(201);
		expect((await created.json<{ sale: Sale }>()).sale).toMatchObject({
			id: saleId,
			status: "upcoming",
			remaining: 10,
			totalStock: 10,
		});

		const replaced = await admin(
			"PUT",
			`/sales/${saleId}`,
			saleInput({ startsAt, endsAt: startsAt + 60_000, totalStock: 50, name: "Renamed" }),
		);
		expect(replaced.status).toBe(200);
		expect((await replaced.json<{ sale: Sale }>()).sale).toMatchObject({ name: "Renamed", remaining: 50 });

		const live = await createSale("started");
		const refused = await admin("PUT", `/sales/${live.id}`, saleInput({ totalStock: 99 }));
		expect(refused.status).toBe(409);
		expect(await errorCode(refused)).toBe("sale_started");
		expect((await saleStats(live.id)).remaining).toBe(live.totalStock);
	});

	it("refuses bad fields with 400 invalid_request", async () => {
		const now = Date.now();
		const bad = [
			saleInput({ endsAt: now - 10_000, startsAt: now }),
			saleInput({ totalStock: -1 }),
			saleInput({ totalStock: 1.5 }),
			saleInput({ priceCents: -100 }),
			saleInput({ currency: "dollars" }),
			saleInput({ maxPerUser: 0 }),
			{ ...saleInput(), name: "" },
			{ ...saleInput(), startsAt: "tomorrow" },
			{ name: "only a name" },
		];
		for (const body of bad) {
			const response = await admin("PUT", `/sales/${uniqueSaleId("bad")}`, body);
			expect(response.status).toBe(400);
			expect(await errorCode(response)).toBe("invalid_request");
		}
		const badId = await admin("PUT", "/sales/Not_A_Slug", saleInput());
		expect(badId.status).toBe(400);
	});

	it("lists every sale it created", async () => {
		const a = await createSale("listed-a");
		const b = await createSale("listed-b");
		const response = await admin("GET", "/sales");
		expect(response.status).toBe(200);
		const ids = (await response.json<{ sales: Sale[] }>()).sales.map((sale) => sale.id);
		expect(ids).toEqual(expect.arrayContaining([a.id, b.id]));
	});

	it("answers 404 sale_not_found for figures of an unknown sale", async () => {
		for (const [method, path] of [
			["GET", "/sales/never-made"],
			["GET", "/sales/never-made/orders"],
			["POST", "/sales/never-made/reconcile"],
		] as const) {
			const response = await admin(method, path);
			expect(response.status).toBe(404);
			expect(await errorCode(response)).toBe("sale_not_found");
		}
	});
});

describe("the order book listing", () => {
	it("pages through the orders oldest first", async () => {
		const sale = await createSale("pages", { totalStock: 10 });
		const bought: string[] = [];
		for (let i = 0; i < 5; i++) {
			const response = await (await Buyer.named(`pager-${i}`)).buy(sale.id);
			bought.push((await response.json<{ order: Order }>()).order.id);
		}
		await vi.waitFor(async () => expect((await saleStats(sale.id)).ordersRecorded).toBe(5), {
			timeout: 20_000,
			interval: 100,
		});

		const seen: string[] = [];
		let cursor: string | null = null;
		let pages = 0;
		do {
			const query: string = cursor ? `?limit=2&cursor=${cursor}` : "?limit=2";
			const response = await admin("GET", `/sales/${sale.id}/orders${query}`);
			expect(response.status).toBe(200);
			const page = await response.json<{ orders: Order[]; nextCursor: string | null }>();
			expect(page.orders.length).toBeLessThanOrEqual(2);
			seen.push(...page.orders.map((order) => order.id));
			cursor = page.nextCursor;
			pages += 1;
		} while (cursor);
		expect(pages).toBe(3);
		expect(seen).toEqual(bought);
	});

	it("refuses a limit outside 1..1000 or a cursor it never gave", async () => {
		const sale = await createSale("bad-pages");
		for (const query of ["?limit=0", "?limit=1001", "?limit=ten", "?cursor=abc", "?cursor=-5"]) {
			const response = await admin("GET", `/sales/${sale.id}/orders${query}`);
			expect(response.status).toBe(400);
			expect(await errorCode(response)).toBe("invalid_request");
		}
	});
});
