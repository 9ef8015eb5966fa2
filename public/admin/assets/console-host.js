import { NETWORK_FAILURE } from "/assets/lib/api-client.js";

/**
 * What every part of the console may ask of the whole.
 *
 * @typedef {import("/assets/lib/api-client.js").ApiFailure} ApiFailure
 * @typedef {import("./admin-api.js").AdminApi} AdminApi
 * @typedef {"info" | "success" | "warning" | "error"} Tone
 * @typedef {object} ConsoleHost
 * @property {AdminApi} api
 * @property {(tone: Tone, text: string) => void} say the console's status line
 * @property {() => void} tokenRefused signs out, saying the token was refused
 */

/**
 * What to do after a refused call made in the background: sign out on a bad
 * token, otherwise say so where the figures are and ask again later.
 * @param {ConsoleHost} host
 * @param {ApiFailure} failure
 * @param {HTMLElement} where
 * @returns {number | undefined} how long to wait before asking again
 */
export function refusedInBackground(host, failure, where) {
	if (failure.code === "unauthenticated") {
		host.tokenRefused();
		return undefined;
	}
	where.textContent =
		failure.code === NETWORK_FAILURE
			? "Can't reach the server right now; trying again."
			: `The server answered: ${failure.message} Trying again.`;
	return failure.retryAfterMs ?? undefined;
}
