import { isLive } from "./lib/sale-sizes.js";
import { arrivalMessage, endMessage, heldMessage, PAID } from "./order-messages.js";
import { focusOrder, showHoldClock, showOrder, showOrderBusy, showOrderStage } from "./sale-view.js";

/**
 * A held order on the sale page (shared/API.md "Holds and payment"): the
 * "pay within m:ss" clock, Pay and Cancel, the return from a checkout, and
 * the wait for the payment's confirmation. The page owns which order is
 * shown; this flow shows it and asks the server how it stands.
 *
 * @typedef {import("./lib/shop-api.js").ShopApi} ShopApi
 * @typedef {import("./lib/shop-api.js").Sale} Sale
 * @typedef {import("./lib/shop-api.js").Order} Order
 * @typedef {import("./lib/server-clock.js").ServerClock} ServerClock
 * @typedef {import("./lib/purchase-protocol.js").PurchaseProtocol} PurchaseProtocol
 * @typedef {import("./order-messages.js").Message} Message
 * @typedef {import("./order-messages.js").CheckoutReturn} CheckoutReturn
 * @typedef {import("./order-watch.js").OrderWatch} OrderWatch
 *
 * @typedef {object} HoldHost what the flow needs of the page
 * @property {ShopApi} api
 * @property {string} saleId
 * @property {ServerClock} clock
 * @property {PurchaseProtocol} protocol
 * @property {OrderWatch} watch
 * @property {() => Sale} sale the sale as last heard
 * @property {() => boolean} saleOver whether the sale has ended, on the server's clock
 * @property {() => Order | null} order the order the page shows
 * @property {(order: Order, message: Message) => void} adoptOrder shows an order as it now stands
 * @property {(tone: import("./sale-view.js").Tone, message: string) => void} say the status line
 */

export class HoldFlow {
	#host;
	/**
	 * How the page was reached back from a checkout (the Stripe success and
	 * cancel URLs, and the test payment page): `?checkout=success|cancel`.
	 */
	#returnedFrom = new URLSearchParams(location.search).get("checkout");
	/** Back from a checkout: the order is paid and its confirmation is awaited. */
	#confirming = false;
	/** Pay or Cancel is under way. */
	#busy = false;
	/** @type {ReturnType<typeof setTimeout> | undefined} The hold's clock. */
	#timer;

	/** @param {HoldHost} host */
	constructor(host) {
		this.#host = host;
	}

	/** Whether the payment's confirmation is awaited. */
	get confirming() {
		return this.#confirming;
	}

	/**
	 * On arrival (after a reload, in a second tab, or back from a checkout):
	 * shows the shopper's live order and, back from a checkout, awaits its
	 * confirmation. The `?checkout=` mark leaves the address either way.
	 * @param {Order | null} order the shopper's order, if any
	 * @returns {boolean} whether a live order is shown
	 */
	arrive(order) {
		if (this.#returnedFrom !== null) history.replaceState(null, "", location.pathname);
		if (!order || !isLive(order)) return false;
		this.#host.adoptOrder(order, arrivalMessage(order, this.left(order), this.#checkoutReturn()));
		if (order.status === "held" && this.#returnedFrom === "success") this.#awaitConfirmation();
		return true;
	}

	/**
	 * What to say about an order that is over, on this page as it stands.
	 * @param {Order} order
	 * @returns {Message}
	 */
	endMessage(order) {
		return endMessage(order, this.#checkoutReturn(), this.#host.saleOver());
	}

	/**
	 * The page adopted `order`: a live one is shown, and while held its clock
	 * runs; one that is over ends any wait for a confirmation.
	 * @param {Order} order
	 */
	adopt(order) {
		clearTimeout(this.#timer);
		if (!isLive(order)) {
			this.#confirming = false;
			return;
		}
		this.#confirming = this.#confirming && order.status === "held";
		showOrder(order, this.#host.sale());
		showOrderStage(order.status !== "held" ? "confirmed" : this.#confirming ? "confirming" : "held");
		if (order.status === "held") this.#tick();
	}

	/**
	 * Milliseconds until the hold runs out, on the server's clock.
	 * @param {Order} order
	 */
	left(order) {
		return (order.holdExpiresAt ?? 0) - this.#host.clock.now();
	}

	/**
	 * Asks how the shopper's order stands now and shows it; while the answer
	 * is "still held" past the deadline (clocks a hair apart), asks again.
	 */
	async refresh() {
		const { api, saleId, watch } = this.#host;
		watch.stop();
		const outcome = await api.order(saleId);
		if (!outcome.ok) {
			if (outcome.code !== "no_order") watch.again(() => this.refresh(), outcome);
			return;
		}
		const order = outcome.data.order;
		const was = this.#host.order();
		if (order.status === "held") {
			if (was?.id !== order.id) {
				// A unit came back to this shopper from the waitlist.
				this.#host.adoptOrder(order, heldMessage("handed_over", this.left(order)));
				focusOrder();
			} else if (this.left(order) <= 0) {
				watch.again(() => this.refresh(), outcome);
			}
			return;
		}
		if (was?.id === order.id && was.status === order.status) return;
		this.#host.adoptOrder(order, order.status === "confirmed" ? PAID : this.endMessage(order));
	}

	/** The page is shown again: a hold may have been paid or cancelled in another tab meanwhile. */
	visible() {
		if (this.#host.order()?.status === "held" && !this.#confirming) void this.refresh();
	}

	/**
	 * Back from the payment page through the browser's history: the page
	 * comes from its cache as it was left, with Pay still busy.
	 */
	restored() {
		this.#busy = false;
		showOrderBusy(null);
		void this.refresh();
	}

	async pay() {
		if (this.#busy || this.#host.order()?.status !== "held") return;
		this.#busy = true;
		showOrderBusy("pay");
		const outcome = await this.#host.protocol.checkout();
		if (outcome.ok) {
			// Leaving for the payment page; Pay stays busy until then.
			location.assign(outcome.data.checkoutUrl);
			return;
		}
		this.#busy = false;
		showOrderBusy(null);
		if (outcome.code === "not_held") await this.refresh();
		else if (outcome.code === "payment_unavailable") {
			this.#host.say(
				"error",
				"Payment is not available right now. Your hold keeps running: try Pay again in a moment.",
			);
		} else this.#host.say("error", `The payment could not be started: ${outcome.message}`);
	}

	async cancel() {
		if (this.#busy || this.#host.order()?.status !== "held") return;
		this.#busy = true;
		showOrderBusy("cancel");
		const outcome = await this.#host.protocol.cancel();
		this.#busy = false;
		showOrderBusy(null);
		if (outcome.ok) this.#host.adoptOrder(outcome.data.order, this.endMessage(outcome.data.order));
		else if (outcome.code === "not_held") await this.refresh();
		else this.#host.say("error", `The hold could not be cancelled: ${outcome.message}`);
	}

	/** @returns {CheckoutReturn} */
	#checkoutReturn() {
		return this.#returnedFrom === "success" || this.#returnedFrom === "cancel" ? this.#returnedFrom : null;
	}

	/**
	 * Redraws "pay within m:ss" and sleeps until it next changes. At zero the
	 * server is asked how the hold ended: it settles a hold due before it
	 * answers, and a payment may have come in at the last moment.
	 */
	#tick() {
		clearTimeout(this.#timer);
		const order = this.#host.order();
		if (order?.status !== "held" || this.#confirming) return;
		const left = this.left(order);
		showHoldClock(left);
		if (left <= 0) {
			void this.refresh();
			return;
		}
		this.#timer = setTimeout(() => this.#tick(), (left % 1000 || 1000) + 1);
	}

	/**
	 * Back from a checkout with the order still held: the payment's result
	 * (Stripe's webhook) is on its way. Ask until the order is confirmed, or
	 * expired because no payment came.
	 */
	#awaitConfirmation() {
		this.#confirming = true;
		showOrderStage("confirming");
		clearTimeout(this.#timer);
		this.#host.watch.again(() => this.#confirmation(), null);
	}

	async #confirmation() {
		const outcome = await this.#host.api.order(this.#host.saleId);
		if (!outcome.ok || outcome.data.order.status === "held") {
			this.#host.watch.again(() => this.#confirmation(), outcome);
			return;
		}
		const order = outcome.data.order;
		this.#host.adoptOrder(order, order.status === "confirmed" ? PAID : this.endMessage(order));
		focusOrder();
	}
}
