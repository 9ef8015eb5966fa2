import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { Buyer, createSale, errorCode, saleStats } from "./helpers";

/** Errors as the platform raises them when a Durable Object call fails. */
const platformErrors = {
	overloaded: () =>
		Object.assign(new Error("Durable Object is overloaded. Too many requests queued."), { overloaded: true }),
	retryable: () => Object.assign(new Error("Network connection lost."), { retryable: true }),
};

/**
 * The real SALE_GATE namespace, except that the next `failures` purchase
 * calls fail with `fault` before reaching the object, as they do when the
 * platform sheds or drops them. Counts the purchase calls made.
 */
function failingPurchases(fault: () => Error, failures: number) {
	const calls = { made: 0 };
	let left = failures;
	const namespace = new Proxy(env.SALE_GATE, {
		get(target, property) {
			if (property !== "getByName") return Reflect.get(target, property);
			return (name: string) => {
				const gate = target.getByName(name);
				return new Proxy(gate, {
					get(stub, method) {
						if (method !== "purchase") return Reflect.get(stub, method);
						return (...args: [string, number]) => {
							calls.made += 1;
							if (left-- > 0) return Promise.reject(fault());
							return stub.purchase(...args);
						};
					},
				});
			};
		},
	});
	return { bindings: { ...env, SALE_GATE: namespace }, calls };
}

async function purchaseThrough(bindings: Env, buyer: Buyer, saleId: string): Promise<Response> {
	const purchaseToken = await buyer.purchaseToken(saleId);
	const request = new Request(`https://doorbuster.test/api/sales/${saleId}/purchase`, {
		method: "POST",
		headers: { "content-type": "application/json", authorization: `Bearer ${buyer.session}` },
		body: JSON.stringify({ purchaseToken }),
	});
	return await worker.fetch(request, bindings, createExecutionContext());
}

describe("an overloaded or flaky sale gate", () => {
	it("answers 503 overloaded with Retry-After, does not retry, and takes nothing", async () => {
		const sale = await createSale("overloaded");
		const { bindings, calls } = failingPurchases(platformErrors.overloaded, 1);
		const response = await purchaseThrough(bindings, await Buyer.named("shed"), sale.id);
		expect(response.status).toBe(503);
		expect(await errorCode(response)).toBe("overloaded");
		expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
		expect(calls.made).toBe(1);
		expect((await saleStats(sale.id)).sold).toBe(0);
	});

	it("retries a retryable failure once and then buys", async () => {
		const sale = await createSale("retryable");
		const { bindings, calls } = failingPurchases(platformErrors.retryable, 1);
		const response = await purchaseThrough(bindings, await Buyer.named("persistent"), sale.id);
		expect(response.status).toBe(201);
		expect(calls.made).toBe(2);
		expect((await saleStats(sale.id)).sold).toBe(1);
	});

	it("gives up after one retry with 503 and Retry-After, never a 500", async () => {
		const sale = await createSale("broken-link");
		const { bindings, calls } = failingPurchases(platformErrors.retryable, 2);
		const response = await purchaseThrough(bindings, await Buyer.named("unlucky"), sale.id);
		expect(response.status).toBe(503);
		expect(await errorCode(response)).toBe("unavailable");
		expect(response.headers.get("retry-after")).not.toBeNull();
		expect(calls.made).toBe(2);
	});
});
