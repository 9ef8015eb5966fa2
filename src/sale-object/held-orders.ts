import { newOrder } from "../domain/order";
import type { SaleRow } from "../domain/sale";
import type { Lease } from "./coordinator";
import type { DrawRunner } from "./draw-runner";
import type { Holds } from "./holds";
import type { Outbox } from "./outbox";
import type { Payments } from "./payments";
import type { OrderResult } from "./results";
import type { ShardLease } from "./shard-lease";
import type { Stock } from "./stock";
import type { Waitlist } from "./waitlist";

/** What the held orders need from the object around them. */
export interface HeldOrdersHost {
	storage: DurableObjectStorage;
	stock: Pick<
		Stock,
		"sale" | "load" | "ordersOf" | "messages" | "place" | "release" | "confirm" | "remainingOf"
	>;
	waitlist: Pick<Waitlist, "load" | "firstFitting" | "leave">;
	outbox: Pick<Outbox, "add" | "committed">;
	holds: Pick<Holds, "resume">;
	payments: Pick<Payments, "cancelled" | "keepCheckout">;
	lease: Pick<ShardLease, "apply" | "reportSoon" | "returned">;
	/** A draw gives returned units to its runners-up. */
	draw: Pick<DrawRunner, "offer">;
}

/**
 * What happens to a held order once it is placed (shared/API.md "Orders"
 * and "Waitlist"): it is paid and confirmed, cancelled or expired, and the
 * units of one that ends go at once to the buyers waiting for them. Each
 * change is one transaction across the stock, the waitlist and the outbox,
 * after which the stock's mirror, the holds' deadline and the shard's
 * report catch up. Owns no table: it coordinates the capabilities that do.
 * The caller has settled the holds that are due.
 */
export class HeldOrders {
	readonly #host: HeldOrdersHost;

	constructor(host: HeldOrdersHost) {
		this.#host = host;
	}

	/** The buyer's held order, to pay for; or why there is none. */
	held(userId: string): OrderResult {
		return this.#change(userId, () => {});
	}

	/** Cancels the buyer's held order: its units return at once (to the waitlist first), its checkout session is closed. */
	cancel(userId: string): OrderResult {
		return this.#change(userId, (seq) => {
			this.release([seq], "cancelled");
			this.#host.payments.cancelled(seq, Date.now());
		});
	}

	/** The test provider's payment: `paid` confirms the held order as a payment would; `declined` changes nothing. */
	testPayment(userId: string, outcome: "paid" | "declined"): OrderResult {
		return this.#change(userId, (seq) => {
			if (outcome === "paid") this.confirm(seq, Date.now());
		});
	}

	/**
	 * Keeps the checkout session just started for the buyer's order, so only
	 * a payment through it confirms the order; the payments close it at once
	 * if the order is no longer held.
	 */
	keepCheckout(userId: string, orderId: string, sessionId: string, now: number): OrderResult {
		const named = this.#host.stock.ordersOf(userId).byId(orderId);
		const held = named?.order.status === "held" ? named : null;
		this.#host.payments.keepCheckout(
			orderId,
			held?.seq ?? null,
			sessionId,
			held?.order.holdExpiresAt ?? null,
			now,
		);
		if (!named) return { ok: false, reason: "no_order" };
		if (!held) return { ok: false, reason: "not_held", order: named.order };
		return { ok: true, order: held.order };
	}

	/**
	 * Ends held orders as expired or cancelled, returns their units, and
	 * hands them to waiting buyers, all in one transaction: at no moment is
	 * a returned unit `remaining` while a waiting buyer's quantity fits it.
	 */
	release(seqs: readonly number[], status: "expired" | "cancelled"): void {
		const { storage, stock, waitlist, outbox, holds, lease } = this.#host;
		const now = Date.now();
		const returned = new Set<string>();
		storage.transactionSync(() => {
			for (const { seq, variantId } of stock.release(seqs, status)) {
				outbox.add(seq);
				returned.add(variantId);
			}
			for (const variantId of returned) this.#handOver(variantId, now);
		});
		stock.load();
		waitlist.load();
		holds.resume();
		outbox.committed();
		lease.reportSoon();
		// In a sale with shards the one waitlist is the coordinator's.
		lease.returned([...returned]);
	}

	/** Confirms a held order as paid at `paidAt`; one no longer held is left as it is. */
	confirm(seq: number, paidAt: number): void {
		const { storage, stock, outbox, lease } = this.#host;
		storage.transactionSync(() => {
			if (stock.confirm(seq, paidAt)) outbox.add(seq);
		});
		stock.load();
		outbox.committed();
		lease.reportSoon();
	}

	/**
	 * In a shard: takes units the coordinator hands over for a waiting buyer
	 * and places the buyer's held order, in one transaction; false if the
	 * buyer has a live order by now (the units stay here for anyone).
	 */
	receiveHandover(
		sale: SaleRow,
		variantId: string,
		lease: Lease,
		userId: string,
		quantity: number,
		now: number,
	): boolean {
		const { storage, stock, outbox, holds } = this.#host;
		let placed = false;
		storage.transactionSync(() => {
			this.#host.lease.apply(variantId, lease);
			const orders = stock.ordersOf(userId);
			const units = stock.remainingOf(variantId);
			if (orders.live || units < quantity) return;
			const order = newOrder(sale, userId, variantId, quantity, now);
			outbox.add(stock.place(order, null, !orders.any));
			placed = true;
		});
		stock.load();
		holds.resume();
		outbox.committed();
		this.#host.lease.reportSoon();
		return placed;
	}

	/** Looks up the buyer's latest order and, if it is held, runs `change` on it and answers it as it is then. */
	#change(userId: string, change: (seq: number) => void): OrderResult {
		const latest = this.#host.stock.ordersOf(userId).latest;
		if (!latest) return { ok: false, reason: "no_order" };
		if (latest.order.status !== "held") return { ok: false, reason: "not_held", order: latest.order };
		change(latest.seq);
		const order = this.#host.stock.messages([latest.seq])[0];
		if (!order) throw new Error(`order ${latest.seq} vanished`);
		const { seq: _seq, version: _version, ...shown } = order;
		return { ok: true, order: shown };
	}

	/** Gives a variant's units, while any waiting buyer's quantity fits them, to the earliest such buyer as a fresh hold. */
	#handOver(variantId: string, now: number): void {
		const { stock, waitlist, outbox } = this.#host;
		const sale = stock.sale;
		if (!sale) throw new Error("the sale is not configured");
		// A draw has no waitlist: its returned units go to the runners-up.
		if (sale.mode === "draw") {
			this.#host.draw.offer(variantId, now);
			return;
		}
		if (now >= sale.endsAt) return;
		for (;;) {
			const units = stock.remainingOf(variantId);
			const waiter = waitlist.firstFitting(variantId, units);
			if (!waiter) return;
			waitlist.leave(waiter.userId);
			const order = newOrder(sale, waiter.userId, variantId, waiter.quantity, now);
			const seq = stock.place(order, null, !stock.ordersOf(waiter.userId).any);
			outbox.add(seq);
		}
	}
}
