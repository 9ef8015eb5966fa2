import { byId } from "/assets/lib/dom.js";
import { AdminApi, forgetToken, storedToken } from "./admin-api.js";
import { LivePanel } from "./live-panel.js";
import { setUpOrderExport } from "./order-export.js";
import { setUpReconcile } from "./reconcile.js";
import { routeOf } from "./router.js";
import { SaleEditor } from "./sale-editor.js";
import { SalesList } from "./sales-list.js";
import { setUpSignIn, showSignIn } from "./sign-in.js";

/**
 * The admin console, `/admin/`: sign in with the admin token (or, behind
 * Cloudflare Access, with no token at all), list the sales, create or edit
 * one before it starts, and watch one live. This module wires the parts
 * together and shows the panel the address names.
 *
 * @typedef {import("./console-host.js").ConsoleHost} ConsoleHost
 * @typedef {import("./console-host.js").Tone} Tone
 * @typedef {"placeholder" | "editor" | "live"} Panel
 */

const view = {
	status: byId("console-status"),
	signOut: /** @type {HTMLButtonElement} */ (byId("sign-out")),
	workspace: byId("workspace"),
	placeholder: byId("placeholder"),
	editor: byId("editor"),
	live: byId("live"),
};

/** Where Cloudflare Access ends the browser's sign-on. */
const ACCESS_LOGOUT = "/cdn-cgi/access/logout";

/** Who Cloudflare Access signed on, while the console runs on that sign-on instead of a token. */
let accessAdmin = /** @type {string | null} */ (null);

/** @type {ConsoleHost} */
const host = {
	api: new AdminApi(),
	say,
	tokenRefused: () =>
		signOut(
			accessAdmin === null
				? "The admin token was refused. Sign in again."
				: "Your Cloudflare Access sign-on was not accepted. Reload the page, or sign in with the admin token.",
		),
};
const list = new SalesList(host);
const live = new LivePanel(host, (sale) => list.merge(sale));
const editor = new SaleEditor(host, (sale) => {
	list.merge(sale);
	list.refreshNow();
});
setUpOrderExport(host, () => live.watchedId);
setUpReconcile(
	host,
	() => live.watchedId,
	() => live.refreshNow(),
);
setUpSignIn(() => {
	say("success", "Signed in.");
	enterWorkspace();
});
view.signOut.addEventListener("click", () => {
	if (accessAdmin === null) signOut("You are signed out.");
	else location.assign(ACCESS_LOGOUT);
});
window.addEventListener("hashchange", () => route(true));

if (storedToken()) enterWorkspace();
else void signOnWithAccess();

/**
 * Behind Cloudflare Access the browser is signed on already, and the server
 * accepts that sign-on: no token to ask for. Otherwise, the token prompt.
 */
async function signOnWithAccess() {
	const outcome = await host.api.session();
	if (!outcome.ok || outcome.data.via !== "access") {
		showSignedOut();
		return;
	}
	accessAdmin = outcome.data.name;
	say("success", `Signed in as ${accessAdmin} with Cloudflare Access.`);
	enterWorkspace();
}

function signedIn() {
	return storedToken() !== null || accessAdmin !== null;
}

function showSignedOut() {
	view.workspace.hidden = true;
	view.signOut.hidden = true;
	showSignIn(true);
}

function enterWorkspace() {
	showSignIn(false);
	view.workspace.hidden = false;
	view.signOut.hidden = false;
	list.start();
	route(false);
}

/**
 * Forgets the token (or the Access sign-on) and everything shown with it.
 * @param {string} message
 */
function signOut(message) {
	forgetToken();
	accessAdmin = null;
	list.clear();
	live.stop();
	history.replaceState(null, "", location.pathname);
	say("info", message);
	showSignedOut();
}

/**
 * Shows what the address fragment names.
 * @param {boolean} moveFocus whether the operator just navigated, so focus follows
 */
function route(moveFocus) {
	if (!signedIn()) return;
	const where = routeOf(location.hash);
	if (where.panel === "new" || where.panel === "edit") {
		showPanel("editor");
		void editor.open(where.panel === "edit" ? where.saleId : null, moveFocus);
	} else if (where.panel === "live") {
		showPanel("live");
		live.watch(where.saleId, moveFocus);
	} else {
		showPanel("placeholder");
		document.title = "Admin · Doorbuster";
	}
	list.markCurrent(live.watchedId ?? editor.editingId);
}

/** @param {Panel} panel */
function showPanel(panel) {
	view.placeholder.hidden = panel !== "placeholder";
	view.editor.hidden = panel !== "editor";
	view.live.hidden = panel !== "live";
	if (panel !== "editor") editor.close();
	if (panel !== "live") live.stop();
}

/**
 * The status line, a polite live region.
 * @param {Tone} tone
 * @param {string} text
 */
function say(tone, text) {
	view.status.dataset.tone = tone;
	// Cleared first, so the same words said twice are announced twice.
	view.status.textContent = "";
	requestAnimationFrame(() => {
		view.status.textContent = text;
	});
}
