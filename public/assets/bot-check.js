/**
 * Cloudflare Turnstile on the sale page, rendered before the sale opens so a
 * shopper's first token is ready when the button is. A token is good for one
 * siteverify call, so every spent token is followed by a fresh challenge.
 * https://developers.cloudflare.com/turnstile/get-started/client-side-rendering/
 */

const SCRIPT_URL = "https://challenges.cloudflare.com/turnstile/v0/api.js?render=explicit";
/** A script that has not loaded by then is treated as unreachable. */
const SCRIPT_TIMEOUT_MS = 10_000;

/**
 * Cloudflare's documented test site keys. With one of these the Worker runs
 * with a test secret, which accepts the dummy token below, so the flow works
 * on a machine that cannot reach Cloudflare.
 * https://developers.cloudflare.com/turnstile/troubleshooting/testing/
 */
const TEST_SITE_KEYS = new Set([
	"1x00000000000000000000AA",
	"2x00000000000000000000AB",
	"1x00000000000000000000BB",
	"2x00000000000000000000BB",
	"3x00000000000000000000FF",
]);
export const DUMMY_TOKEN = "XXXX.DUMMY.TOKEN.XXXX";

/**
 * @typedef {"loading" | "widget" | "offline-test" | "unavailable"} BotCheckMode
 * @typedef {"waiting" | "ready" | "error" | BotCheckMode} BotCheckEvent
 */

/**
 * @typedef {object} TurnstileApi
 * @property {(container: HTMLElement, options: Record<string, unknown>) => string} render
 * @property {(widgetId: string) => void} reset
 */

export class BotCheck {
	/** @type {BotCheckMode} */
	mode = "loading";
	/** @type {HTMLElement} */
	#container;
	/** @type {(event: BotCheckEvent) => void} */
	#onEvent;
	/** @type {TurnstileApi | null} */
	#turnstile = null;
	/** @type {string | null} */
	#widgetId = null;
	/** @type {string | null} */
	#token = null;
	/** @type {Array<(token: string | null) => void>} */
	#waiting = [];
	/** @type {() => void} */
	#settle = () => {};
	/** Resolves once the mode is known: widget, offline test or unavailable. */
	#settled = new Promise((resolve) => {
		this.#settle = () => resolve(undefined);
	});

	/**
	 * @param {HTMLElement} container
	 * @param {(event: BotCheckEvent) => void} onEvent
	 */
	constructor(container, onEvent) {
		this.#container = container;
		this.#onEvent = onEvent;
	}

	/**
	 * Loads Turnstile and renders the widget, or falls back as described above.
	 * @param {string} siteKey
	 * @param {string} action what the server expects siteverify to report the token was solved for
	 */
	async start(siteKey, action) {
		try {
			this.#turnstile = await loadTurnstile();
		} catch {
			this.#setMode(TEST_SITE_KEYS.has(siteKey) ? "offline-test" : "unavailable");
			return;
		}
		this.#widgetId = this.#turnstile.render(this.#container, {
			sitekey: siteKey,
			action,
			size: "flexible",
			callback: (/** @type {string} */ token) => this.#receive(token),
			"expired-callback": () => {
				this.#token = null;
			},
			"error-callback": () => {
				this.#onEvent("error");
				// Let Turnstile retry by itself rather than surface its error code.
				return true;
			},
		});
		this.#setMode("widget");
	}

	/**
	 * A token for one API call. Waits for the shopper if the challenge needs
	 * them; resolves to null when there is no bot check to be had.
	 * @returns {Promise<string | null>}
	 */
	async token() {
		await this.#settled;
		if (this.mode === "offline-test") return DUMMY_TOKEN;
		if (this.mode === "unavailable") return null;
		const token = this.#token ?? (await this.#nextToken());
		this.#token = null;
		// The token just taken is spent by the call it is for; start the next one.
		if (this.#turnstile && this.#widgetId !== null) this.#turnstile.reset(this.#widgetId);
		return token;
	}

	/** After `bot_check_failed`: throw away whatever token is held and challenge again. */
	redo() {
		this.#token = null;
		if (this.#turnstile && this.#widgetId !== null) this.#turnstile.reset(this.#widgetId);
	}

	/** @returns {Promise<string | null>} */
	#nextToken() {
		this.#onEvent("waiting");
		return new Promise((resolve) => this.#waiting.push(resolve));
	}

	/** @param {string} token */
	#receive(token) {
		const waiter = this.#waiting.shift();
		if (waiter) waiter(token);
		else this.#token = token;
		this.#onEvent("ready");
	}

	/** @param {BotCheckMode} mode */
	#setMode(mode) {
		this.mode = mode;
		this.#settle();
		this.#onEvent(mode);
	}
}

/** @returns {Promise<TurnstileApi>} */
function loadTurnstile() {
	return new Promise((resolve, reject) => {
		const script = document.createElement("script");
		script.src = SCRIPT_URL;
		script.async = true;
		const timer = setTimeout(() => reject(new Error("Turnstile did not load in time")), SCRIPT_TIMEOUT_MS);
		script.addEventListener("load", () => {
			clearTimeout(timer);
			const turnstile = /** @type {{ turnstile?: TurnstileApi }} */ (/** @type {unknown} */ (window))
				.turnstile;
			if (turnstile) resolve(turnstile);
			else reject(new Error("Turnstile loaded without its API"));
		});
		script.addEventListener("error", () => {
			clearTimeout(timer);
			reject(new Error("Turnstile could not be loaded"));
		});
		document.head.append(script);
	});
}
