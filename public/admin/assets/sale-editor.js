import { byId, element } from "/assets/lib/dom.js";
import { formatMoney, plural } from "/assets/lib/format.js";
import { formValuesOf, parsePrice, readSaleForm, toLocalInput } from "./sale-form.js";

/**
 * The editor: creates a sale, or changes one before it starts. Every problem
 * is shown at once, next to its field; the API has the last word.
 *
 * @typedef {import("./console-host.js").ConsoleHost} ConsoleHost
 * @typedef {import("./admin-api.js").Sale} Sale
 * @typedef {import("/assets/lib/api-client.js").ApiFailure} ApiFailure
 * @typedef {import("./sale-form.js").Field} Field
 * @typedef {import("./sale-form.js").TextField} TextField
 * @typedef {import("./sale-form.js").SizeValues} SizeValues
 * @typedef {import("./sale-form.js").FormValues} FormValues
 * @typedef {import("./sale-form.js").FieldErrors} FieldErrors
 */

const HOUR_MS = 3_600_000;

/** The fields with one input each, in the order of the form. */
/** @type {TextField[]} */
const TEXT_FIELDS = [
	"id",
	"name",
	"description",
	"price",
	"currency",
	"totalStock",
	"maxPerUser",
	"imageUrl",
	"holdSeconds",
	"shards",
	"relays",
	"startsAt",
	"endsAt",
];
/** Every field, in the order of the form: the first with a problem gets the focus. */
/** @type {Field[]} */
const FIELDS = [
	"id",
	"name",
	"description",
	"price",
	"currency",
	"totalStock",
	"maxPerUser",
	"sizes",
	"imageUrl",
	"holdSeconds",
	"shards",
	"relays",
	"startsAt",
	"endsAt",
];
/** One size's inputs: what each holds, and how it is named to assistive technology. */
const SIZE_INPUTS = /** @type {const} */ ([
	["id", "Id", "us-9"],
	["name", "Name", "US 9"],
	["totalStock", "Units", "40"],
]);

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
	imageUrl: "imageUrl",
	holdSeconds: "holdSeconds",
	shards: "shards",
	relays: "relays",
	variants: "sizes",
});

const view = {
	panel: byId("editor"),
	title: byId("editor-title"),
	form: /** @type {HTMLFormElement} */ (byId("sale-form")),
	formError: byId("form-error"),
	idPreview: byId("f-id-preview"),
	priceHint: byId("f-price-hint"),
	zoneHint: byId("zone-hint"),
	sizes: byId("f-sizes-list"),
	addSize: byId("add-size"),
	save: /** @type {HTMLButtonElement} */ (byId("save-sale")),
	cancel: /** @type {HTMLButtonElement} */ (byId("cancel-edit")),
};

export class SaleEditor {
	#host;
	#onSaved;
	/** The sale being edited; null while creating one. */
	#editingId = /** @type {string | null} */ (null);

	/**
	 * @param {ConsoleHost} host
	 * @param {(sale: Sale) => void} onSaved
	 */
	constructor(host, onSaved) {
		this.#host = host;
		this.#onSaved = onSaved;
		view.form.addEventListener("submit", (event) => {
			event.preventDefault();
			void this.#save();
		});
		view.form.addEventListener("input", showHints);
		view.addSize.addEventListener("click", () => {
			addSizeRow({ id: "", name: "", totalStock: "" });
			showHints();
			view.sizes.querySelector(/** @type {"input"} */ ("li:last-child input"))?.focus();
		});
		view.sizes.addEventListener("click", (event) => {
			const remove = /** @type {Element} */ (event.target).closest("button.remove-size");
			if (!remove) return;
			remove.closest("li")?.remove();
			numberSizeRows();
			showHints();
			view.addSize.focus();
		});
		view.cancel.addEventListener("click", () => {
			location.hash = this.#editingId ? `#sale/${encodeURIComponent(this.#editingId)}` : "";
		});
		view.zoneHint.textContent = `Times are in your time zone, ${Intl.DateTimeFormat().resolvedOptions().timeZone}.`;
	}

	/** The sale being edited, if any. */
	get editingId() {
		return this.#editingId;
	}

	/** Forgets the sale being edited, as the panel closes. */
	close() {
		this.#editingId = null;
	}

	/**
	 * @param {string | null} saleId null to create a sale
	 * @param {boolean} moveFocus whether the operator just navigated here
	 */
	async open(saleId, moveFocus) {
		this.#editingId = saleId;
		showErrors({});
		view.form.reset();
		const idInput = input("id");
		idInput.readOnly = saleId !== null;
		if (saleId === null) {
			view.title.textContent = "New sale";
			view.save.textContent = "Create sale";
			fillForm(blankSale());
			document.title = "New sale · Admin · Doorbuster";
			if (moveFocus) idInput.focus();
			return;
		}
		view.title.textContent = "Edit sale";
		view.save.textContent = "Save changes";
		view.save.disabled = true;
		const outcome = await this.#host.api.sale(saleId);
		if (this.#editingId !== saleId || view.panel.hidden) return;
		view.save.disabled = false;
		if (!outcome.ok) {
			if (outcome.code === "unauthenticated") this.#host.tokenRefused();
			else this.#host.say("error", `Could not open the sale: ${outcome.message}`);
			return;
		}
		const { sale } = outcome.data;
		if (sale.status !== "upcoming") {
			this.#host.say("error", `“${sale.name}” has started, so it can no longer be changed.`);
			location.replace(`#sale/${encodeURIComponent(saleId)}`);
			return;
		}
		view.title.textContent = `Edit “${sale.name}”`;
		document.title = `Edit ${sale.name} · Admin · Doorbuster`;
		fillForm(formValuesOf(sale));
		if (moveFocus) view.title.focus();
	}

	async #save() {
		const { errors, input: sale } = readSaleForm(formValues());
		showErrors(errors);
		if (!sale) {
			const problems = Object.keys(errors).length;
			view.formError.textContent = `Check the ${problems === 1 ? "highlighted field" : `${problems} highlighted fields`}.`;
			focusField(/** @type {Field} */ (FIELDS.find((field) => errors[field])));
			return;
		}
		const creating = this.#editingId === null;
		const saleId = this.#editingId ?? input("id").value;
		view.save.disabled = true;
		view.save.setAttribute("aria-busy", "true");
		try {
			// PUT creates or replaces; a new sale must not silently replace one that exists.
			if (creating) {
				const existing = await this.#host.api.sale(saleId);
				if (existing.ok) {
					showErrors({ id: "There is already a sale with this id. Pick another, or edit that sale." });
					view.formError.textContent = "Check the highlighted field.";
					input("id").focus();
					return;
				}
				if (existing.code !== "sale_not_found") return this.#refused(existing);
			}
			const outcome = await this.#host.api.putSale(saleId, sale);
			if (!outcome.ok) return this.#refused(outcome);
			this.#host.say(
				"success",
				creating ? `Created “${sale.name}”.` : `Saved the changes to “${sale.name}”.`,
			);
			this.#editingId = null;
			this.#onSaved(outcome.data.sale);
			location.hash = `#sale/${encodeURIComponent(saleId)}`;
		} finally {
			view.save.disabled = false;
			view.save.setAttribute("aria-busy", "false");
		}
	}

	/**
	 * Shows why the API refused the sale, next to the field it names when it names one.
	 * @param {ApiFailure} failure
	 */
	#refused(failure) {
		if (failure.code === "unauthenticated") {
			this.#host.tokenRefused();
			return;
		}
		const field = API_FIELDS[failure.message.split(":")[0] ?? ""];
		if (failure.code === "invalid_request" && field) showErrors({ [field]: failure.message });
		const prefix = failure.code === "sale_started" ? "Not saved" : "The server refused the sale";
		view.formError.textContent = `${prefix}: ${failure.message}`;
	}
}

/** @returns {FormValues} a sale opening at the next full hour, for an hour */
function blankSale() {
	const opens = Math.ceil((Date.now() + 60_000) / HOUR_MS) * HOUR_MS;
	return {
		id: "",
		name: "",
		description: "",
		price: "",
		currency: "USD",
		totalStock: "100",
		maxPerUser: "1",
		imageUrl: "",
		holdSeconds: "0",
		shards: "1",
		relays: "0",
		sizes: [],
		startsAt: toLocalInput(opens),
		endsAt: toLocalInput(opens + HOUR_MS),
	};
}

/** @param {FormValues} values */
function fillForm(values) {
	for (const field of TEXT_FIELDS) input(field).value = values[field];
	view.sizes.replaceChildren();
	for (const size of values.sizes) addSizeRow(size);
	showHints();
}

/** @returns {FormValues} */
function formValues() {
	const text = /** @type {Record<TextField, string>} */ (
		Object.fromEntries(TEXT_FIELDS.map((field) => [field, input(field).value]))
	);
	return { ...text, sizes: sizeRows() };
}

/**
 * A row of inputs for one size, at the end of the list.
 * @param {SizeValues} values
 */
function addSizeRow(values) {
	const row = element("li", "size-row");
	for (const [key, , placeholder] of SIZE_INPUTS) {
		const field = element("input", `size-${key}`);
		field.value = values[key];
		field.placeholder = placeholder;
		field.autocomplete = "off";
		field.spellcheck = false;
		if (key === "totalStock") {
			field.type = "number";
			field.inputMode = "numeric";
			field.min = "1";
			field.step = "1";
		}
		row.append(field);
	}
	const remove = element("button", "button quiet remove-size", "Remove");
	remove.type = "button";
	row.append(remove);
	view.sizes.append(row);
	numberSizeRows();
}

/** Names each size's inputs by its place, "Size 2 name", for assistive technology. */
function numberSizeRows() {
	for (const [index, row] of [...view.sizes.children].entries()) {
		const inputs = row.querySelectorAll("input");
		for (const [column, [, label]] of SIZE_INPUTS.entries()) {
			inputs[column]?.setAttribute("aria-label", `Size ${index + 1} ${label.toLowerCase()}`);
		}
		row.querySelector("button")?.setAttribute("aria-label", `Remove size ${index + 1}`);
	}
}

/** @returns {SizeValues[]} what the size rows hold, as typed */
function sizeRows() {
	return [...view.sizes.children].map((row) => {
		const [id, name, totalStock] = [...row.querySelectorAll("input")].map((field) => field.value);
		return { id: id ?? "", name: name ?? "", totalStock: totalStock ?? "" };
	});
}

/** @param {Field} field */
function focusField(field) {
	if (field === "sizes") (view.sizes.querySelector("input") ?? view.addSize).focus();
	else input(field).focus();
}

/**
 * Live hints: the page address the id gives, the price as the API will
 * store it, and with sizes, the units in stock as their sum.
 */
function showHints() {
	const sized = view.sizes.children.length > 0;
	const stock = input("totalStock");
	stock.readOnly = sized;
	if (sized) {
		// Units typed so far, even while a size is incomplete.
		const units = sizeRows().map((row) => row.totalStock.trim());
		stock.value = String(
			units.reduce((sum, typed) => sum + (/^\d{1,9}$/.test(typed) ? Number(typed) : 0), 0),
		);
	}
	const currencyInput = input("currency");
	const upper = currencyInput.value.toUpperCase();
	if (currencyInput.value !== upper) currencyInput.value = upper;
	view.idPreview.textContent = `/sales/${input("id").value || "…"}`;
	const currency = upper.trim();
	const priceCents = /^[A-Z]{3}$/.test(currency) ? parsePrice(input("price").value, currency) : null;
	view.priceHint.textContent =
		priceCents === null
			? "In the currency's main unit, e.g. 129.00."
			: `${formatMoney(priceCents, currency)}, stored as ${plural(priceCents, "minor unit")}.`;
}

/** @param {FieldErrors} errors */
function showErrors(errors) {
	view.formError.textContent = "";
	for (const field of FIELDS) {
		const text = errors[field] ?? "";
		byId(`f-${field}-error`).textContent = text;
		const targets = field === "sizes" ? [...view.sizes.querySelectorAll("input")] : [input(field)];
		for (const target of targets) {
			if (text) target.setAttribute("aria-invalid", "true");
			else target.removeAttribute("aria-invalid");
		}
	}
}

/**
 * @param {TextField} field
 * @returns {HTMLInputElement | HTMLTextAreaElement}
 */
function input(field) {
	return /** @type {HTMLInputElement | HTMLTextAreaElement} */ (byId(`f-${field}`));
}
