import { NETWORK_FAILURE } from "/assets/lib/api-client.js";
import { byId } from "/assets/lib/dom.js";
import { formatBytes } from "/assets/lib/format.js";

/**
 * The "Download orders (CSV)" button of the live panel. The file is fetched,
 * not linked: a link cannot send the Authorization header, and the token
 * must not travel in the address.
 *
 * @typedef {import("./console-host.js").ConsoleHost} ConsoleHost
 */

/** How long the file's object URL is kept; the download holds its own copy once started. */
const KEEP_URL_MS = 60_000;

/**
 * @param {ConsoleHost} host
 * @param {() => string | null} saleShown the sale of the live panel
 */
export function setUpOrderExport(host, saleShown) {
	const button = /** @type {HTMLButtonElement} */ (byId("download-csv"));
	button.addEventListener("click", async () => {
		const saleId = saleShown();
		if (!saleId) return;
		button.setAttribute("aria-busy", "true");
		button.disabled = true;
		try {
			await download(host, saleId);
		} finally {
			button.disabled = false;
			button.setAttribute("aria-busy", "false");
		}
	});
}

/**
 * @param {ConsoleHost} host
 * @param {string} saleId
 */
async function download(host, saleId) {
	const fileName = `${saleId}-orders.csv`;
	const outcome = await host.api.ordersCsv(saleId);
	if (!outcome.ok) {
		if (outcome.code === "unauthenticated") host.tokenRefused();
		else if (outcome.code === NETWORK_FAILURE)
			host.say("error", "The export did not download: no answer from the server.");
		else host.say("error", `The export did not download: ${outcome.message}`);
		return;
	}
	const url = URL.createObjectURL(outcome.data);
	const link = document.createElement("a");
	link.href = url;
	link.download = fileName;
	document.body.append(link);
	link.click();
	link.remove();
	setTimeout(() => URL.revokeObjectURL(url), KEEP_URL_MS);
	host.say("success", `Downloaded ${fileName} (${formatBytes(outcome.data.size)}).`);
}
