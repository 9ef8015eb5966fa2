import { createExecutionContext, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { issuePurchaseToken } from "../../src/auth/purchase-token";
import type { Sale } from "../../src/domain/sale";
import {
	admin,
	Buyer,
	call,
	createSale,
	errorCode,
	type GateCall,
	saleGateWith,
	uniqueSaleId,
} from "./helpers";

/** An isolate answers a sale's view from memory for this long (src/edge/sale-client.ts). */
const VIEW_TTL_MS = 1_000;

const overloaded = () =>
	Object.assign(new Error("Durable Object is overloaded. Too many requests queued."), { overloaded: true });

function callsOf(calls: GateCall[], saleId: string, method: string): number {
	return calls.filter((gateCall) => gateCall.saleId === saleId && gateCall.method === method).length;
}

/** A late buyer with a valid purchase token for the sale. */
async function lateBuyer(saleId: string, name: string): Promise<{ buyer: Buyer; token: string }> {
	const buyer = await Buyer.named(name);
	return { buyer, token: await issuePurchaseToken(env.SESSION_SECRET, saleId, name, Date.now() + 60_000) };
}

/** Fails the test, instead of hanging it, if `answer` does not settle in time. */
function within<T>(ms: number, answer: Promise<T>): Promise<T> {
	return Promise.race([
		answer,
		scheduler.wait(ms).then(() => Promise.reject(new Error(`no answer within ${ms} ms`))),
	]);
}

describe("the edge's memory of a sale", () => {
	it("never makes a late buyer wait on another request's call for the holders, even one that never settles", async () => {
		const sale = await createSale("cancelled-holders", { totalStock: 1 });
		expect((await (await Buyer.named("only-buyer")).buy(sale.id)).status).toBe(201);

		// The first late purchase asks for the holders; its call never settles,
		// as happens when its client disconnects and the runtime cancels it.
		const stalled = Promise.withResolvers<never>();
		const { bindings } = saleGateWith((gateCall, proceed) =>
			gateCall.method === "holders" ? stalled.promise : proceed(),
		);
		const first = await lateBuyer(sale.id, "late-first");
		void first.buyer.purchase(sale.id, first.token, undefined, { bindings });

		for (const name of ["late-second", "late-third"]) {
			const late = await lateBuyer(sale.id, name);
			const answer = await within(5_000, late.buyer.purchase(sale.id, late.token, undefined, { bindings }));
			expect(answer.status).toBe(409);
			expect(await errorCode(answer)).toBe("sold_out");
		}
		stalled.reject(new Error("cancelled"));
	});

	it("asks the object for the holders of a sale too big to hand them out once, not once per late purchase", async () => {
		const saleId = uniqueSaleId("many-holders");
		const buyers = 10_001;
		const created = await admin("PUT", `/sales/${saleId}`, {
			name: "Many holders",
			priceCents: 100,
			currency: "USD",
			totalStock: buyers,
			startsAt: Date.now() - 1_000,
			endsAt: Date.now() + 3_600_000,
		});
		expect(created.status).toBe(201);
		await runInDurableObject(env.SALE_GATE.getByName(saleId), async (gate) => {
			for (let i = 0; i < buyers; i++) expect((await gate.purchase(`holder-${i}`, 1)).ok).toBe(true);
		});

		const { bindings, calls } = saleGateWith();
		for (let i = 0; i < 4; i++) {
			const late = await lateBuyer(saleId, `late-${i}`);
			const answer = await late.buyer.purchase(saleId, late.token, undefined, { bindings });
			expect(answer.status).toBe(409);
		}
		expect(callsOf(calls, saleId, "holders")).toBe(1);
	});

	it("spends no Durable Object call on a sale id someone made up", async () => {
		const { bindings, calls } = saleGateWith();
		const ctx = createExecutionContext();
		const madeUp = uniqueSaleId("made-up");
		const buyer = await Buyer.named("forger");
		for (let i = 0; i < 3; i++) {
			const answer = await buyer.purchase(madeUp, "forged.token", undefined, { bindings, ctx });
			expect(answer.status).toBe(403);
		}
		await waitOnExecutionContext(ctx);
		expect(calls.filter((gateCall) => gateCall.saleId === madeUp)).toEqual([]);
	});
});

describe("lists of sales while one sale's object is overloaded", () => {
	async function oneOverloaded() {
		const healthy = await createSale("healthy-in-list");
		const busy = await createSale("busy-in-list");
		// Past the time this isolate answers from memory, so lists ask the objects.
		await scheduler.wait(VIEW_TTL_MS + 100);
		const { bindings } = saleGateWith((gateCall, proceed) =>
			gateCall.saleId === busy.id ? Promise.reject(overloaded()) : proceed(),
		);
		return { healthy, busy, bindings };
	}

	it("the front page lists every other sale and names the one it could not read", async () => {
		const { healthy, busy, bindings } = await oneOverloaded();
		const answer = await call("GET", "/api/sales", { bindings });
		expect(answer.status).toBe(200);
		const body = await answer.json<{ sales: Sale[]; unavailable: string[] }>();
		expect(body.sales.map((sale) => sale.id)).toContain(healthy.id);
		expect(body.sales.map((sale) => sale.id)).not.toContain(busy.id);
		expect(body.unavailable).toEqual([busy.id]);
	});

	it("the admin list and the metrics answer too, and say which sale they could not read", async () => {
		const { healthy, busy, bindings } = await oneOverloaded();
		const headers = { authorization: `Bearer ${env.ADMIN_TOKEN}` };
		const list = await call("GET", "/admin/sales", { bindings, headers });
		expect(list.status).toBe(200);
		const body = await list.json<{ sales: Sale[]; unavailable: string[] }>();
		expect(body.sales.map((sale) => sale.id)).toContain(healthy.id);
		expect(body.unavailable).toEqual([busy.id]);

		const metrics = await call("GET", "/admin/metrics", { bindings, headers });
		expect(metrics.status).toBe(200);
		const lines = (await metrics.text()).split("\n");
		expect(lines).toContain(`doorbuster_sale_up{sale="${busy.id}"} 0`);
		expect(lines).toContain(`doorbuster_sale_up{sale="${healthy.id}"} 1`);
		expect(lines).toContain(`doorbuster_units_remaining{sale="${healthy.id}"} 10`);
		expect(
			lines.some((line) => line.includes(`sale="${busy.id}"`) && !line.startsWith("doorbuster_sale_up")),
		).toBe(false);
	});
});
