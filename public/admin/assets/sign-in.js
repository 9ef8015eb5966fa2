import { byId } from "/assets/lib/dom.js";
import { AdminApi, storeToken } from "./admin-api.js";

/**
 * The sign-in card: the admin token is checked against the API before it is
 * kept, so a mistyped one never gets as far as the workspace.
 */

const view = {
	card: byId("sign-in"),
	form: /** @type {HTMLFormElement} */ (byId("sign-in-form")),
	token: /** @type {HTMLInputElement} */ (byId("token")),
	error: byId("token-error"),
	button: /** @type {HTMLButtonElement} */ (byId("sign-in-button")),
};

/** @param {() => void} onSignedIn called once a token was accepted and stored */
export function setUpSignIn(onSignedIn) {
	view.form.addEventListener("submit", async (event) => {
		event.preventDefault();
		if (await signIn()) onSignedIn();
	});
}

/** @param {boolean} shown */
export function showSignIn(shown) {
	view.card.hidden = !shown;
	if (!shown) return;
	document.title = "Sign in · Admin · Doorbuster";
	view.token.focus();
}

/** @returns {Promise<boolean>} whether the token was accepted */
async function signIn() {
	const token = view.token.value.trim();
	if (!token) {
		showError("Enter the admin token.");
		return false;
	}
	view.button.disabled = true;
	const outcome = await new AdminApi(() => token).sales();
	view.button.disabled = false;
	if (!outcome.ok) {
		showError(
			outcome.code === "unauthenticated"
				? "That token was not accepted. Check it and try again."
				: `Could not sign in: ${outcome.message}`,
		);
		view.token.focus();
		return false;
	}
	storeToken(token);
	view.token.value = "";
	showError("");
	return true;
}

/** @param {string} text */
function showError(text) {
	view.error.textContent = text;
	if (text) view.token.setAttribute("aria-invalid", "true");
	else view.token.removeAttribute("aria-invalid");
}
