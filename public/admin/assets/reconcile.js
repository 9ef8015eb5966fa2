import { byId } from "/assets/lib/dom.js";
import { plural } from "/assets/lib/format.js";

/**
 * The "Reconcile order book" button of the live panel: sends every confirmed
 * order the order book lacks again, and says how many there were.
 *
 * @typedef {import("./console-host.js").ConsoleHost} ConsoleHost
 */

/**
 * @param {ConsoleHost} host
 * @param {() => string | null} saleShown the sale of the live panel
 * @param {() => void} onReconciled
 */
export function setUpReconcile(host, saleShown, onReconciled) {
	const button = /** @type {HTMLButtonElement} */ (byId("reconcile"));
	button.addEventListener("click", async () => {
		const saleId = saleShown();
		if (!saleId) return;
		button.disabled = true;
		button.setAttribute("aria-busy", "true");
		const outcome = await host.api.reconcile(saleId);
		button.disabled = false;
		button.setAttribute("aria-busy", "false");
		if (!outcome.ok) {
			if (outcome.code === "unauthenticated") host.tokenRefused();
			else host.say("error", `Reconcile failed: ${outcome.message}`);
			return;
		}
		const { resent } = outcome.data;
		host.say(
			"success",
			resent === 0
				? "Reconciled: the order book already holds every confirmed order."
				: `Reconciled: sent ${plural(resent, "missing order")} to the order book again.`,
		);
		onReconciled();
	});
}
