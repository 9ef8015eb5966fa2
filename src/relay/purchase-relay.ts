import { DurableObject } from "cloudflare:workers";
import { callObject } from "../object-call";
import type { PurchaseRequest, PurchaseResult } from "../sale-object";

/** The most purchases one call to a sale's object carries. */
const MAX_BATCH = 100;
/**
 * The most purchases a relay keeps waiting for its next calls: past this
 * its object is not keeping up, and a buyer is better told to retry
 * (`overloaded`) than left waiting without bound. bench/capacity-sim.ts
 * models the same bound.
 */
const MAX_WAITING = 10 * MAX_BATCH;

/** A relayed purchase's answer: the object's, or why the object could not give one. */
export type RelayedPurchase = PurchaseResult | { ok: false; reason: "overloaded" };

interface Waiting {
	request: PurchaseRequest;
	answer: (result: RelayedPurchase) => void;
}

/**
 * A relay in front of one sale object (docs/API.md "Relays").
 * One object serves about a thousand requests a second, whatever each one
 * carries; a crowd bigger than that over all of a sale's shards would fill
 * their queues. A relay keeps at most one call in flight to its object and
 * sends the purchases that arrived meanwhile together in the next, so the
 * object never has more requests waiting than it has relays. It decides
 * nothing and keeps nothing: the object runs each purchase as its own
 * transaction, in the order the relay took them in, and a buyer whose
 * answer was lost on the way retries and gets their order back, as with no
 * relay.
 */
export class PurchaseRelay extends DurableObject<Env> {
	/** Purchases taken in while a call was on its way, by the object they are for. */
	readonly #waiting = new Map<string, Waiting[]>();

	/** Passes one purchase to the sale object `objectName` and answers what it answered. */
	purchase(objectName: string, request: PurchaseRequest): Promise<RelayedPurchase> {
		return new Promise((answer) => {
			const waiting = this.#waiting.get(objectName);
			if (!waiting) {
				this.#waiting.set(objectName, []);
				void this.#relay(objectName, [{ request, answer }]);
			} else if (waiting.length >= MAX_WAITING) {
				answer({ ok: false, reason: "overloaded" });
			} else {
				waiting.push({ request, answer });
			}
		});
	}

	/** Sends `batch`, then whatever came in meanwhile, one call at a time, until nothing waits. */
	async #relay(objectName: string, batch: Waiting[]): Promise<void> {
		const waiting = this.#waiting.get(objectName) ?? [];
		let next = batch;
		try {
			for (; next.length > 0; next = waiting.splice(0, MAX_BATCH)) {
				const results = await this.#call(
					objectName,
					next.map((purchase) => purchase.request),
				);
				for (const [i, purchase] of next.entries())
					purchase.answer(results[i] ?? { ok: false, reason: "unavailable" });
			}
		} finally {
			// Nothing a relay does should throw; if something does, no buyer is left waiting and the object's line opens again.
			for (const purchase of [...next, ...waiting.splice(0)])
				purchase.answer({ ok: false, reason: "unavailable" });
			this.#waiting.delete(objectName);
		}
	}

	/**
	 * One call to the object, turning platform failures into every
	 * purchase's answer, as the edge does for a purchase of its own
	 * (`callObject`: a retryable failure is tried once more).
	 */
	async #call(objectName: string, requests: PurchaseRequest[]): Promise<RelayedPurchase[]> {
		const outcome = await callObject(() => this.env.SALE_GATE.getByName(objectName).purchaseEach(requests));
		if (outcome.ok) return outcome.value;
		console.error(
			JSON.stringify({ event: "relay_call_failed", object: objectName, error: String(outcome.error) }),
		);
		const reason = outcome.overloaded ? "overloaded" : "unavailable";
		return requests.map(() => ({ ok: false, reason }));
	}
}
