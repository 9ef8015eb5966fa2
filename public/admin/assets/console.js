import { formatDateTime, formatMoney } from "/assets/format.js";
import {
	adminCall,
	adminFetch,
	failureOf,
	forgetToken,
	NETWORK_FAILURE,
	storedToken,
	storeToken,
} from "./admin-api.js";
import { Poller } from "./poller.js";
import { formValuesOf, parsePrice, readSaleForm, SALE_ID_PATTERN, toLocalInput } from "./sale-form.js";
import { drawChart } from "./sales-chart.js";

/**
 * The admin console, `/admin/`: sign in with the admin token, list the
 * sales, create or edit one before it starts, and watch one live.
 * Addresses inside the console are fragments (`#sale/<id>`, `#edit/<id>`,
 * `#new`), so the back button works and the token is never in one.
 *
 * @typedef {import("./admin-api.js").AdminFailure} AdminFailure
 * @typedef {import("./sale-form.js").Field} Field
 * @typedef {import("./sale-form.js").FormValues} FormValues
 * @typedef {import("./sale-form.js").FieldErrors} FieldErrors
 * @typedef {import("./sales-chart.js").Series} Series
 * @typedef {"upcoming" | "live" | "sold_out" | "ended"} Status
 * @typedef {{ id: string, name: string, description: string, priceCents: number, currency: string,
 *             totalStock: number, remaining: number, startsAt: number, endsAt: number,
 *             maxPerUser: number, status: Status }} Sale
 * @typedef {{ sold: number, remaining: number, buyers: number, ordersRecorded: number,
 *             ordersPending: number, outcomes: Record<string, number> }} Stats
 * @typedef {{ sale: Sale, stats: Stats, series: Series }} LiveFigures
 * @typedef {"info" | "success" | "warning" | "error"} Tone
 */

const LIVE_PERIOD_MS = 3_000;
const LIST_PERIOD_MS = 15_000;

const STATUS_BADGES = /** @type {const} */ ({
	upcoming: ["Upcoming", "neutral"],
	live: ["Live", "live"],
	sold_out: ["Sold out", "over"],
	ended: ["Ended", "over"],
});

/** Every outcome the sale counts, in the order an operator reads them. */
const OUTCOMES = /** @type {const} */ ([
	["confirmed", "Confirmed"],
	["duplicate", "Already had an order"],
	["sold_out", "Sold out"],
	["not_started", "Too early"],
	["ended", "Too late"],
	["invalid_token", "Invalid purchase token"],
	["overloaded", "Shed under load"],
]);

/** @type {Field[]} */
const FIELDS = [
	"id",
	"name",
	"description",
	"price",
	"currency",
	"totalStock",
	"maxPerUser",
	"startsAt",
	"endsAt",
];

/** Field names in the API's `invalid_request` messages ("currency: …"), as the form names them. */
const API_FIELDS = /** @type {Record<string, Field>} */ ({
	saleId: "id",
	name: "name",
	description: "description",
	priceCents: "price",
	currency: "currency",
	totalStock: "totalStock",
	maxPerUser: "maxPerUser",
	startsAt: "startsAt",
	endsAt: "endsAt",
});

const view = {
	status: byId("console-status"),
	signOut: /** @type {HTMLButtonElement} */ (byId("sign-out")),
	signIn: byId("sign-in"),
	signInForm: /** @type {HTMLFormElement} */ (byId("sign-in-form")),
	token: /** @type {HTMLInputElement} */ (byId("token")),
	tokenError: byId("token-error"),
	signInButton: /** @type {HTMLButtonElement} */ (byId("sign-in-button")),
	workspace: byId("workspace"),
	salesList: byId("sales-list"),
	salesNote: byId("sales-note"),
	placeholder: byId("placeholder"),
	editor: byId("editor"),
	editorTitle: byId("editor-title"),
	form: /** @type {HTMLFormElement} */ (byId("sale-form")),
	formError: byId("form-error"),
	idPreview: byId("f-id-preview"),
	priceHint: byId("f-price-hint"),
	zoneHint: byId("zone-hint"),
	save: /** @type {HTMLButtonElement} */ (byId("save-sale")),
	cancel: /** @type {HTMLButtonElement} */ (byId("cancel-edit")),
	live: byId("live"),
	liveBadge: byId("live-badge"),
	liveName: byId("live-name"),
	liveMeta: byId("live-meta"),
	liveWindow: byId("live-window"),
	editSale: /** @type {HTMLAnchorElement} */ (byId("edit-sale")),
	editNote: byId("edit-note"),
	downloadCsv: /** @type {HTMLButtonElement} */ (byId("download-csv")),
	reconcile: /** @type {HTMLButtonElement} */ (byId("reconcile")),
	publicLink: /** @type {HTMLAnchorElement} */ (byId("public-link")),
	sold: byId("stat-sold"),
	stock: byId("stat-stock"),
	remaining: byId("stat-remaining"),
	buyers: byId("stat-buyers"),
	recorded: byId("stat-recorded"),
	pending: byId("stat-pending"),
	fill: byId("live-fill"),
	chart: /** @type {SVGSVGElement} */ (/** @type {unknown} */ (byId("chart"))),
	chartSummary: byId("chart-summary"),
	outcomeRows: byId("outcome-rows"),
	updated: byId("live-updated"),
};

const state = {
	/** @type {Sale[]} */
	sales: [],
	/** The sale shown live, by id; answers about any other sale are stale and dropped. */
	watchedId: /** @type {string | null} */ (null),
	/** @type {LiveFigures | null} */
	figures: null,
	/** The sale being edited; null while creating one. */
	editingId: /** @type {string | null} */ (null),
	/** Redraws the list when a listed sale opens or closes. */
	listTimer: /** @type {ReturnType<typeof setTimeout> | undefined} */ (undefined),
};

const listPoller = new Poller(refreshList, LIST_PERIOD_MS);
const livePoller = new Poller(refreshLive, LIVE_PERIOD_MS);

view.signInForm.addEventListener("submit", (event) => {
	event.preventDefault();
	void signIn();
});
view.signOut.addEventListener("click", () => signOut("You are signed out."));
view.form.addEventListener("submit", (event) => {
	event.preventDefault();
	void saveSale();
});
view.form.addEventListener("input", onFormInput);
view.cancel.addEventListener("click", () => {
	location.hash = state.editingId ? `#sale/${state.editingId}` : "";
});
view.downloadCsv.addEventListener("click", () => void downloadCsv());
view.reconcile.addEventListener("click", () => void reconcile());
window.addEventListener("hashchange", () => route(true));
new ResizeObserver(() => {
	if (state.figures && !view.live.hidden) drawSeries(state.figures);
}).observe(view.chart);
view.zoneHint.textContent = `Times are in your time zone, ${Intl.DateTimeFormat().resolvedOptions().timeZone}.`;

if (storedToken()) enterWorkspace();
else showSignIn();

function showSignIn() {
	view.workspace.hidden = true;
	view.signOut.hidden = true;
	view.signIn.hidden = false;
	document.title = "Sign in · Admin · Doorbuster";
	view.token.focus();
}

async function signIn() {
	const token = view.token.value.trim();
	if (!token) {
		fieldError(view.token, view.tokenError, "Enter the admin token.");
		return;
	}
	view.signInButton.disabled = true;
	const outcome = await adminCall("/admin/sales", { token });
	view.signInButton.disabled = false;
	if (!outcome.ok) {
		const message =
			outcome.code === "unauthenticated"
				? "That token was not accepted. Check it and try again."
				: `Could not sign in: ${outcome.message}`;
		fieldError(view.token, view.tokenError, message);
		view.token.focus();
		return;
	}
	storeToken(token);
	view.token.value = "";
	fieldError(view.token, view.tokenError, "");
	say("success", "Signed in.");
	enterWorkspace();
}

function enterWorkspace() {
	view.signIn.hidden = true;
	view.workspace.hidden = false;
	view.signOut.hidden = false;
	listPoller.start();
	route(false);
}

/**
 * Forgets the token and everything shown with it.
 * @param {string} message
 */
function signOut(message) {
	forgetToken();
	listPoller.stop();
	livePoller.stop();
	state.sales = [];
	state.watchedId = null;
	state.figures = null;
	clearTimeout(state.listTimer);
	view.salesList.replaceChildren();
	history.replaceState(null, "", location.pathname);
	say("info", message);
	showSignIn();
}

/**
 * Shows what the address fragment names.
 * @param {boolean} moveFocus whether the operator just navigated, so focus follows
 */
function route(moveFocus) {
	if (!storedToken()) return;
	const [where, ...rest] = location.hash.slice(1).split("/");
	const saleId = decoded(rest.join("/"));
	if (where === "new") void openEditor(null, moveFocus);
	else if (where === "edit" && SALE_ID_PATTERN.test(saleId)) void openEditor(saleId, moveFocus);
	else if (where === "sale" && SALE_ID_PATTERN.test(saleId)) watch(saleId, moveFocus);
	else showPanel("placeholder");
	renderSales();
}

/** @param {"placeholder" | "editor" | "live"} panel */
function showPanel(panel) {
	view.placeholder.hidden = panel !== "placeholder";
	view.editor.hidden = panel !== "editor";
	view.live.hidden = panel !== "live";
	if (panel !== "editor") state.editingId = null;
	if (panel !== "live") {
		livePoller.stop();
		state.watchedId = null;
		state.figures = null;
	}
	if (panel === "placeholder") document.title = "Admin · Doorbuster";
}

/** @returns {Promise<number | undefined>} */
async function refreshList() {
	const outcome = await adminCall("/admin/sales");
	if (!outcome.ok) return refused(outcome, view.salesNote);
	state.sales = outcome.data.sales;
	renderSales();
	return undefined;
}

function renderSales() {
	// Newest drop first: the one being set up or run is nearly always at the top.
	const sales = [...state.sales].sort((a, b) => b.startsAt - a.startsAt);
	view.salesList.replaceChildren(...sales.map(saleItem));
	view.salesNote.textContent = sales.length === 0 ? "No sales yet. Create the first one." : "";
	const now = Date.now();
	const next = Math.min(...sales.flatMap((sale) => [sale.startsAt, sale.endsAt]).filter((at) => at > now));
	clearTimeout(state.listTimer);
	if (Number.isFinite(next)) state.listTimer = setTimeout(renderSales, Math.min(next - now + 50, 3_600_000));
}

/**
 * The status the server would give now. The list is fetched only now and
 * then, and a badge must not say "Upcoming" for a sale that has opened.
 * @param {Sale} sale
 * @param {number} now
 * @returns {Status}
 */
function statusNow(sale, now) {
	if (now < sale.startsAt) return "upcoming";
	if (now >= sale.endsAt) return "ended";
	return sale.remaining === 0 ? "sold_out" : "live";
}

/** @param {Sale} sale */
function saleItem(sale) {
	const link = element("a", "sale-row");
	/** @type {HTMLAnchorElement} */ (link).href = `#sale/${encodeURIComponent(sale.id)}`;
	if (sale.id === state.watchedId || sale.id === state.editingId) link.setAttribute("aria-current", "true");
	const sold = sale.totalStock - sale.remaining;
	const status = statusNow(sale, Date.now());
	const when =
		status === "upcoming"
			? `opens ${formatDateTime(sale.startsAt)}`
			: `closes ${formatDateTime(sale.endsAt)}`;
	// Sale names come from whoever set the sale up: text, never markup.
	link.append(
		badge(status),
		element("span", "row-name", sale.name),
		element("span", "row-id mono", sale.id),
		element("span", "row-figures", `${count(sold)} of ${count(sale.totalStock)} sold · ${when}`),
	);
	const item = document.createElement("li");
	item.append(link);
	return item;
}

/**
 * @param {string} saleId
 * @param {boolean} moveFocus
 */
function watch(saleId, moveFocus) {
	const switching = state.watchedId !== saleId;
	showPanel("live");
	if (switching) {
		state.watchedId = saleId;
		state.figures = null;
		view.live.setAttribute("aria-busy", "true");
		view.liveName.textContent = "Loading the sale…";
		view.liveBadge.textContent = "Loading";
		view.liveBadge.dataset.tone = "neutral";
		for (const node of [view.liveMeta, view.liveWindow, view.chartSummary, view.updated, view.stock]) {
			node.textContent = "";
		}
		for (const node of [view.sold, view.remaining, view.buyers, view.recorded, view.pending]) {
			node.textContent = "–";
		}
		view.outcomeRows.replaceChildren();
		view.chart.replaceChildren();
	}
	if (moveFocus) view.liveName.focus();
	livePoller.start();
}

/** @returns {Promise<number | undefined>} */
async function refreshLive() {
	const saleId = state.watchedId;
	if (!saleId) return undefined;
	const outcome = await adminCall(`/admin/sales/${encodeURIComponent(saleId)}`);
	if (saleId !== state.watchedId) return undefined;
	if (!outcome.ok) {
		if (outcome.code === "sale_not_found") {
			showMissing(saleId);
			return undefined;
		}
		return refused(outcome, view.updated);
	}
	const figures = /** @type {LiveFigures} */ (outcome.data);
	state.figures = figures;
	renderLive(figures);
	mergeIntoList(figures.sale);
	// Look again just after the opening, so the badge turns live on time.
	const untilStart = figures.sale.startsAt - Date.now();
	if (figures.sale.status === "upcoming" && untilStart < LIVE_PERIOD_MS) return Math.max(0, untilStart) + 150;
	return undefined;
}

/** @param {LiveFigures} figures */
function renderLive(figures) {
	const { sale, stats } = figures;
	document.title = `${sale.name} · Admin · Doorbuster`;
	view.live.setAttribute("aria-busy", "false");
	setBadge(view.liveBadge, sale.status);
	view.liveName.textContent = sale.name;
	view.liveMeta.textContent = [
		sale.id,
		formatMoney(sale.priceCents, sale.currency),
		`at most ${count(sale.maxPerUser)} per buyer`,
	].join(" · ");
	view.liveWindow.textContent = `Opens ${formatDateTime(sale.startsAt)} · closes ${formatDateTime(sale.endsAt)}`;
	const editable = sale.status === "upcoming";
	view.editSale.hidden = !editable;
	view.editSale.href = `#edit/${encodeURIComponent(sale.id)}`;
	view.editNote.hidden = editable;
	view.publicLink.href = `/sales/${encodeURIComponent(sale.id)}`;

	view.sold.textContent = count(stats.sold);
	view.stock.textContent = `of ${count(sale.totalStock)}`;
	view.remaining.textContent = count(stats.remaining);
	view.buyers.textContent = count(stats.buyers);
	view.recorded.textContent = count(stats.ordersRecorded);
	view.pending.textContent = count(stats.ordersPending);
	view.pending.dataset.tone = stats.ordersPending > 0 ? "warning" : "";
	view.fill.style.setProperty("--fill", String(sale.totalStock > 0 ? stats.sold / sale.totalStock : 0));
	renderOutcomes(stats.outcomes);
	drawSeries(figures);
	view.updated.textContent = `Updated ${new Intl.DateTimeFormat(undefined, { timeStyle: "medium" }).format(Date.now())}; refreshes every few seconds while this tab is open.`;
}

/** @param {LiveFigures} figures */
function drawSeries({ sale, series }) {
	const empty = sale.status === "upcoming" ? `Opens at ${formatDateTime(sale.startsAt)}` : "No orders yet";
	view.chartSummary.textContent = drawChart(view.chart, series, empty);
}

/** @param {Record<string, number>} outcomes */
function renderOutcomes(outcomes) {
	const total = OUTCOMES.reduce((sum, [key]) => sum + (outcomes[key] ?? 0), 0);
	view.outcomeRows.replaceChildren(
		...OUTCOMES.map(([key, label]) => {
			const n = outcomes[key] ?? 0;
			const row = document.createElement("tr");
			row.dataset.outcome = key;
			const name = element("th", "", label);
			name.setAttribute("scope", "row");
			const bar = element("span", "share-bar");
			bar.style.setProperty("--share", String(total > 0 ? n / total : 0));
			const share = element("td", "share");
			share.append(bar);
			row.append(name, element("td", "count", count(n)), share);
			return row;
		}),
	);
}

/**
 * Keeps the list in step with the live view and the editor between list refreshes.
 * @param {Sale} sale
 */
function mergeIntoList(sale) {
	const index = state.sales.findIndex((listed) => listed.id === sale.id);
	if (index === -1) state.sales.push(sale);
	else state.sales[index] = sale;
	renderSales();
}

/** @param {string} saleId */
function showMissing(saleId) {
	livePoller.stop();
	view.live.setAttribute("aria-busy", "false");
	view.liveBadge.textContent = "Not found";
	view.liveName.textContent = `There is no sale “${saleId}”`;
	view.updated.textContent = "";
}

async function downloadCsv() {
	const saleId = state.watchedId;
	if (!saleId) return;
	const fileName = `${saleId}-orders.csv`;
	view.downloadCsv.setAttribute("aria-busy", "true");
	view.downloadCsv.disabled = true;
	try {
		// fetch, not a link: a link cannot send the Authorization header, and
		// the token must not travel in the address.
		const response = await adminFetch(`/admin/sales/${encodeURIComponent(saleId)}/orders.csv`);
		if (!response) {
			say("error", "The export did not download: no answer from the server.");
			return;
		}
		if (!response.ok) {
			const failure = failureOf(response, await response.json().catch(() => null));
			if (failure.code === "unauthenticated") signOut(tokenRefused());
			else say("error", `The export did not download: ${failure.message}`);
			return;
		}
		const blob = await response.blob();
		const url = URL.createObjectURL(blob);
		const link = document.createElement("a");
		link.href = url;
		link.download = fileName;
		document.body.append(link);
		link.click();
		link.remove();
		// The download holds its own copy once started; the URL only pins memory.
		setTimeout(() => URL.revokeObjectURL(url), 60_000);
		say("success", `Downloaded ${fileName} (${formatBytes(blob.size)}).`);
	} finally {
		view.downloadCsv.disabled = false;
		view.downloadCsv.setAttribute("aria-busy", "false");
	}
}

async function reconcile() {
	const saleId = state.watchedId;
	if (!saleId) return;
	view.reconcile.disabled = true;
	view.reconcile.setAttribute("aria-busy", "true");
	const outcome = await adminCall(`/admin/sales/${encodeURIComponent(saleId)}/reconcile`, { method: "POST" });
	view.reconcile.disabled = false;
	view.reconcile.setAttribute("aria-busy", "false");
	if (!outcome.ok) {
		if (outcome.code === "unauthenticated") signOut(tokenRefused());
		else say("error", `Reconcile failed: ${outcome.message}`);
		return;
	}
	const resent = Number(outcome.data.resent);
	say(
		"success",
		resent === 0
			? "Reconciled: the order book already holds every confirmed order."
			: `Reconciled: sent ${count(resent)} missing order${resent === 1 ? "" : "s"} to the order book again.`,
	);
	livePoller.now();
}

/**
 * @param {string | null} saleId null to create a sale
 * @param {boolean} moveFocus
 */
async function openEditor(saleId, moveFocus) {
	showPanel("editor");
	state.editingId = saleId;
	clearErrors();
	view.form.reset();
	const idInput = input("id");
	idInput.readOnly = saleId !== null;
	if (saleId === null) {
		view.editorTitle.textContent = "New sale";
		view.save.textContent = "Create sale";
		fillForm(blankSale());
		document.title = "New sale · Admin · Doorbuster";
		if (moveFocus) idInput.focus();
		return;
	}
	view.editorTitle.textContent = "Edit sale";
	view.save.textContent = "Save changes";
	view.save.disabled = true;
	const outcome = await adminCall(`/admin/sales/${encodeURIComponent(saleId)}`);
	if (state.editingId !== saleId || view.editor.hidden) return;
	view.save.disabled = false;
	if (!outcome.ok) {
		if (outcome.code === "unauthenticated") signOut(tokenRefused());
		else say("error", `Could not open the sale: ${outcome.message}`);
		return;
	}
	const sale = /** @type {Sale} */ (outcome.data.sale);
	if (sale.status !== "upcoming") {
		say("error", `“${sale.name}” has started, so it can no longer be changed.`);
		location.replace(`#sale/${encodeURIComponent(saleId)}`);
		return;
	}
	view.editorTitle.textContent = `Edit “${sale.name}”`;
	document.title = `Edit ${sale.name} · Admin · Doorbuster`;
	fillForm(formValuesOf(sale));
	if (moveFocus) view.editorTitle.focus();
}

/** @returns {FormValues} a sale opening at the next full hour, for an hour */
function blankSale() {
	const opens = Math.ceil((Date.now() + 60_000) / 3_600_000) * 3_600_000;
	return {
		id: "",
		name: "",
		description: "",
		price: "",
		currency: "USD",
		totalStock: "100",
		maxPerUser: "1",
		startsAt: toLocalInput(opens),
		endsAt: toLocalInput(opens + 3_600_000),
	};
}

/** @param {FormValues} values */
function fillForm(values) {
	for (const field of FIELDS) input(field).value = values[field];
	onFormInput();
}

/** @returns {FormValues} */
function formValues() {
	return /** @type {FormValues} */ (Object.fromEntries(FIELDS.map((field) => [field, input(field).value])));
}

/** Live hints: the page address the id gives, and the price as the API will store it. */
function onFormInput() {
	const currencyInput = input("currency");
	const upper = currencyInput.value.toUpperCase();
	if (currencyInput.value !== upper) currencyInput.value = upper;
	const id = input("id").value;
	view.idPreview.textContent = `/sales/${id || "…"}`;
	const currency = upper.trim();
	const priceCents = /^[A-Z]{3}$/.test(currency) ? parsePrice(input("price").value, currency) : null;
	view.priceHint.textContent =
		priceCents === null
			? "In the currency's main unit, e.g. 129.00."
			: `${formatMoney(priceCents, currency)}, stored as ${count(priceCents)} minor unit${priceCents === 1 ? "" : "s"}.`;
}

async function saveSale() {
	const { errors, input: sale } = readSaleForm(formValues());
	showErrors(errors);
	if (!sale) {
		const problems = Object.keys(errors).length;
		view.formError.textContent = `Check the ${problems === 1 ? "highlighted field" : `${problems} highlighted fields`}.`;
		input(/** @type {Field} */ (FIELDS.find((field) => errors[field]))).focus();
		return;
	}
	const creating = state.editingId === null;
	const saleId = creating ? input("id").value : /** @type {string} */ (state.editingId);
	const path = `/admin/sales/${encodeURIComponent(saleId)}`;
	view.save.disabled = true;
	view.save.setAttribute("aria-busy", "true");
	try {
		// PUT creates or replaces; a new sale must not silently replace one that exists.
		if (creating) {
			const existing = await adminCall(path);
			if (existing.ok) {
				showErrors({ id: "There is already a sale with this id. Pick another, or edit that sale." });
				view.formError.textContent = "Check the highlighted field.";
				input("id").focus();
				return;
			}
			if (existing.code !== "sale_not_found") return saveRefused(existing);
		}
		const outcome = await adminCall(path, { method: "PUT", body: sale });
		if (!outcome.ok) return saveRefused(outcome);
		say("success", creating ? `Created “${sale.name}”.` : `Saved the changes to “${sale.name}”.`);
		state.editingId = null;
		mergeIntoList(outcome.data.sale);
		listPoller.now();
		location.hash = `#sale/${encodeURIComponent(saleId)}`;
	} finally {
		view.save.disabled = false;
		view.save.setAttribute("aria-busy", "false");
	}
}

/**
 * Shows why the API refused the sale, next to the field it names when it names one.
 * @param {AdminFailure} failure
 */
function saveRefused(failure) {
	if (failure.code === "unauthenticated") {
		signOut(tokenRefused());
		return;
	}
	const field = API_FIELDS[failure.message.split(":")[0] ?? ""];
	if (failure.code === "invalid_request" && field) showErrors({ [field]: failure.message });
	const prefix = failure.code === "sale_started" ? "Not saved" : "The server refused the sale";
	view.formError.textContent = `${prefix}: ${failure.message}`;
}

/** @param {FieldErrors} errors */
function showErrors(errors) {
	view.formError.textContent = "";
	for (const field of FIELDS) fieldError(input(field), byId(`f-${field}-error`), errors[field] ?? "");
}

function clearErrors() {
	showErrors({});
}

/**
 * What to do after a refused call made in the background: sign out on a bad
 * token, otherwise say so where the figures are and ask again later.
 * @param {AdminFailure} failure
 * @param {HTMLElement} where
 * @returns {number | undefined} how long to wait before asking again
 */
function refused(failure, where) {
	if (failure.code === "unauthenticated") {
		signOut(tokenRefused());
		return undefined;
	}
	where.textContent =
		failure.code === NETWORK_FAILURE
			? "Can't reach the server right now; trying again."
			: `The server answered: ${failure.message} Trying again.`;
	return failure.retryAfterMs ?? undefined;
}

function tokenRefused() {
	return "The admin token was refused. Sign in again.";
}

/**
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

/**
 * @param {HTMLInputElement | HTMLTextAreaElement} control
 * @param {HTMLElement} message
 * @param {string} text
 */
function fieldError(control, message, text) {
	message.textContent = text;
	if (text) control.setAttribute("aria-invalid", "true");
	else control.removeAttribute("aria-invalid");
}

/**
 * @param {HTMLElement} node
 * @param {Status} status
 */
function setBadge(node, status) {
	const [label, tone] = STATUS_BADGES[status] ?? STATUS_BADGES.upcoming;
	node.textContent = label;
	node.dataset.tone = tone;
}

/** @param {Status} status */
function badge(status) {
	const node = element("span", "badge");
	setBadge(node, status);
	return node;
}

/** @param {number} n */
function count(n) {
	return n.toLocaleString();
}

/** @param {number} bytes */
function formatBytes(bytes) {
	if (bytes < 1024) return `${bytes} bytes`;
	const units = ["KB", "MB", "GB"];
	let value = bytes / 1024;
	let unit = 0;
	while (value >= 1024 && unit < units.length - 1) {
		value /= 1024;
		unit++;
	}
	return `${value.toFixed(1)} ${units[unit]}`;
}

/**
 * @param {Field} field
 * @returns {HTMLInputElement | HTMLTextAreaElement}
 */
function input(field) {
	return /** @type {HTMLInputElement | HTMLTextAreaElement} */ (byId(`f-${field}`));
}

/**
 * @param {string} tag
 * @param {string} className
 * @param {string} [text]
 */
function element(tag, className, text) {
	const node = document.createElement(tag);
	if (className) node.className = className;
	if (text !== undefined) node.textContent = text;
	return node;
}

/**
 * @param {string} text
 * @returns {string} empty if it is not valid percent-encoding, which no sale id needs
 */
function decoded(text) {
	try {
		return decodeURIComponent(text);
	} catch {
		return "";
	}
}

/** @param {string} id */
function byId(id) {
	const node = document.getElementById(id);
	if (!node) throw new Error(`#${id} is missing from the page`);
	return node;
}
