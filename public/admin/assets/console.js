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
 * The admin console, `/admin/`: sign in with the admin token, list the
 * sales, create or edit one before it starts, and watch one live. This
 * module wires the parts together and shows the panel the address names.
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

/** @type {ConsoleHost} */
const host = {
	api: new AdminApi(),
	say,
	tokenRefused: () => signOut("The admin token was refused. Sign in again."),
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
view.signOut.addEventListener("click", () => signOut("You are signed out."));
window.addEventListener("hashchange", () => route(true));

if (storedToken()) enterWorkspace();
else showSignedOut();

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
 * Forgets the token and everything shown with it.
 * @param {string} message
 */
function signOut(message) {
	forgetToken();
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
	if (!storedToken()) return;
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
