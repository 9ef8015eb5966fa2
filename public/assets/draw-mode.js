import {
	drawSummary,
	focusEntry,
	renderDraw,
	showDrawSale,
	showEntry,
	showVerifyCommand,
} from "./draw-view.js";
import { NETWORK_FAILURE, pollDelayMs } from "./lib/api-client.js";

/**
 * The draw side of a draw sale's page (shared/API.md "Draws"): the buyer's
 * entry, made through the purchase protocol; from the close, the draw
 * watched until it is done; then the outcome: a winner's order goes to the
 * sale page, which shows it as any order (with the pay step for holds).
 *
 * @typedef {import("./lib/shop-api.js").ShopApi} ShopApi
 * @typedef {import("./lib/shop-api.js").Sale} Sale
 * @typedef {import("./lib/shop-api.js").Order} Order
 * @typedef {import("./lib/shop-api.js").Entry} Entry
 * @typedef {import("./lib/shop-api.js").DrawView} DrawView
 * @typedef {import("./lib/purchase-protocol.js").PurchaseProtocol} PurchaseProtocol
 * @typedef {import("./lib/purchase-protocol.js").EntryResult} EntryResult
 * @typedef {import("./lib/server-clock.js").ServerClock} ServerClock
 * @typedef {import("./sale-view.js").Tone} Tone
 * @typedef {import("./draw-view.js").DrawStage} DrawStage
 *
 * @typedef {object} DrawModeOptions
 * @property {ShopApi} api
 * @property {string} saleId
 * @property {ServerClock} clock
 * @property {PurchaseProtocol} protocol
 * @property {() => Sale} sale the sale as last heard
 * @property {(tone: Tone, message: string) => void} say the status line
 * @property {() => Order | null} liveOrder the order the page shows, if live (held or confirmed)
 * @property {(order: Order, message: [Tone, string]) => void} onWon shows a winner's order
 * @property {() => void} onChange asks the page to redraw
 * @property {() => void} onDrawn the draw is done: the stock figures have changed
 */

/** While the draw is awaited it is looked at this often: the contract draws within 5 s. */
const DRAWING_POLL_MS = 2_000;
/**
 * In a draw with holds, a unit nobody paid for goes to the next entrant in
 * drawn order: someone not drawn looks again this often for such an offer.
 */
const RUNNER_UP_POLL_MS = 10_000;
/** Offers to runners-up stop this long after the close (the contract's 24 h). */
const OFFERS_FOR_MS = 24 * 3_600_000;
/** Where this browser keeps the guest id it signed in as, for the verifier's command line. */
const USER_ID_KEY = "doorbuster.userId";

export const WON = /** @type {[Tone, string]} */ (["success", "You won! Your order is below."]);
export const WON_HELD = /** @type {[Tone, string]} */ ([
	"success",
	"You won! Pay before the hold runs out, or the unit goes to the next entrant in the draw.",
]);

export class DrawMode {
	#options;
	/** @type {DrawStage} */
	#stage = "open";
	/** @type {Entry | null} */
	#entry = null;
	/** @type {ReturnType<typeof setTimeout> | undefined} */
	#timer;
	/** @type {Promise<string | null> | null} The draw's beacon, asked for once. */
	#beaconKind = null;

	/** @param {DrawModeOptions} options */
	constructor(options) {
		this.#options = options;
		showDrawSale();
		void this.#showVerify(null);
	}

	/** Whether a press of the button may enter: not once entered, nor after the close. */
	get canEnter() {
		return this.#stage === "open" && this.#options.clock.now() < this.#options.sale().endsAt;
	}

	/**
	 * On arrival: the entry this buyer already has, and, if the entries have
	 * closed, the draw.
	 */
	async load() {
		const outcome = await this.#options.api.entry(this.#options.saleId);
		if (outcome.ok) this.#adoptEntry(outcome.data.entry);
		if (this.#options.clock.now() >= this.#options.sale().endsAt) this.closed();
		this.#options.onChange();
	}

	/**
	 * One press of "Enter the draw".
	 * @param {number} quantity
	 * @param {string | null} variantId
	 * @returns {Promise<{ outcome: "refused", failure: import("./lib/api-client.js").ApiFailure }
	 *                   | { outcome: "no_bot_check" } | null>} a refusal for the page to explain, or null
	 */
	async enter(quantity, variantId) {
		const result = await this.#options.protocol.enter(quantity, variantId);
		if (result.outcome === "entered" || result.outcome === "already_entered") {
			this.#adoptEntry(result.entry);
			this.#options.say(
				"success",
				result.outcome === "entered"
					? "You are in the draw. Come back after the close to see if you won; this page shows it."
					: "You had already entered this draw; this is your entry.",
			);
			focusEntry();
			return null;
		}
		if (result.outcome === "refused" && result.failure.code === NETWORK_FAILURE) {
			this.#options.say(
				"error",
				"Network problem: we could not tell whether your entry arrived. Press Enter the draw again; you cannot enter twice.",
			);
			return null;
		}
		return result;
	}

	/** The entries have closed: watch the draw until it is done. */
	closed() {
		if (this.#stage === "open" || this.#stage === "entered") {
			this.#stage = "drawing";
			if (this.#entry) this.#options.say("info", "Entries are closed. Drawing the winners…");
		}
		this.#watch(0);
	}

	/**
	 * @param {boolean} busy
	 */
	render(busy) {
		renderDraw({ sale: this.#options.sale(), now: this.#options.clock.now(), stage: this.#stage, busy });
	}

	/** @param {Entry} entry */
	#adoptEntry(entry) {
		this.#entry = entry;
		if (this.#stage === "open") this.#stage = "entered";
		showEntry(entry, this.#options.sale());
		void this.#showVerify(entry);
	}

	/** @param {number} delay */
	#watch(delay) {
		clearTimeout(this.#timer);
		this.#timer = setTimeout(() => void this.#look(), delay);
	}

	async #look() {
		const outcome = await this.#options.api.draw(this.#options.saleId);
		if (!outcome.ok || outcome.data.draw.status !== "drawn") {
			this.#watch(pollDelayMs(outcome, DRAWING_POLL_MS));
			return;
		}
		await this.#settle(outcome.data.draw);
	}

	/**
	 * The draw is done: is this buyer among the winners, or a runner-up
	 * offered a returned unit since?
	 * @param {DrawView} draw
	 */
	async #settle(draw) {
		if (this.#stage === "drawing") this.#options.onDrawn();
		const entry = this.#entry;
		const sale = this.#options.sale();
		if (!entry) {
			this.#stage = "drawn";
			this.#options.say("info", `The draw is done: ${drawSummary(draw)}`);
			this.#options.onChange();
			return;
		}
		const chosen = [...(draw.winners ?? []), ...(draw.runnersUp ?? [])].includes(entry.commitment);
		const shown = this.#options.liveOrder();
		if (chosen && shown) {
			// Already on the page (found on arrival, or back from paying): it says how it stands.
			this.#stage = "won";
			this.#options.onChange();
			void this.#showVerify(entry, shown.userId);
			return;
		}
		if (chosen) {
			const order = await this.#options.api.order(this.#options.saleId);
			if (!order.ok) {
				this.#watch(pollDelayMs(order, DRAWING_POLL_MS));
				return;
			}
			if (this.#stage !== "won") {
				this.#stage = "won";
				const won = order.data.order;
				this.#options.onWon(won, won.status === "held" ? WON_HELD : WON);
				void this.#showVerify(entry, won.userId);
			}
			return;
		}
		if (this.#stage !== "lost") {
			this.#stage = "lost";
			this.#options.say("info", "Not this time: your entry was not drawn.");
			this.#options.onChange();
		}
		const holds = (sale.holdSeconds ?? 0) > 0;
		if (holds && this.#options.clock.now() < sale.endsAt + OFFERS_FOR_MS) this.#watch(RUNNER_UP_POLL_MS);
	}

	/**
	 * The verifier's command line: for the local (offline) beacon it needs
	 * `--allow-local`; with an entry, `--entry` and `--user` check that the
	 * entry is in the list. The guest id is shown only once it is proven to
	 * be this entry's, by recomputing the commitment from it.
	 * @param {Entry | null} entry
	 * @param {string} [knownUserId] the id on a winner's order
	 */
	async #showVerify(entry, knownUserId) {
		const { saleId, protocol } = this.#options;
		const signedInAs = protocol.userId;
		if (signedInAs) localStorage.setItem(USER_ID_KEY, signedInAs);
		const local = (await this.#beacon()) === "local";
		let command = `npx doorbuster-verify ${location.origin} ${saleId}${local ? " --allow-local" : ""}`;
		let note = local
			? "This sale uses the offline test beacon, a secret the operator committed to in advance, so the verifier needs --allow-local. Real sales use drand."
			: "";
		if (entry) {
			const candidates = [knownUserId, signedInAs, localStorage.getItem(USER_ID_KEY)];
			let userId = null;
			for (const candidate of candidates) {
				if (candidate && (await commitmentOf(saleId, candidate, entry.nonce)) === entry.commitment) {
					userId = candidate;
					break;
				}
			}
			command += ` --entry ${entry.nonce} --user ${userId ?? "<your user id>"}`;
			note =
				`${note} ${entry.nonce} is your entry's secret number: keep it private, since with your user id it tells which entry is yours.`.trim();
		}
		showVerifyCommand(command, note);
	}

	/** The draw's beacon, asked for once: it is fixed when the sale is created. */
	#beacon() {
		this.#beaconKind ??= this.#options.api
			.draw(this.#options.saleId)
			.then((outcome) => (outcome.ok ? outcome.data.draw.beacon : null));
		return this.#beaconKind;
	}
}

/**
 * The contract's commitment, `hex(SHA-256(saleId \n userId \n nonce))`;
 * null where the browser has no SubtleCrypto (a page that is not a secure context).
 * @param {string} saleId
 * @param {string} userId
 * @param {string} nonce
 */
async function commitmentOf(saleId, userId, nonce) {
	if (!globalThis.crypto?.subtle) return null;
	const digest = await crypto.subtle.digest(
		"SHA-256",
		new TextEncoder().encode(`${saleId}\n${userId}\n${nonce}`),
	);
	return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
}
