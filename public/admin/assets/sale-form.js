import { minorDigits } from "/assets/lib/format.js";
import { sizesOf } from "/assets/lib/sale-sizes.js";

/**
 * The sale form's values and the body of `PUT /admin/sales/{id}`. The checks
 * mirror the API's schema (src/domain/sale.ts, saleInputSchema) so an operator sees
 * every problem at once, next to its field; the API still has the last word.
 * The v2 fields (sizes, picture, hold), shards and relays are sent only when set, so
 * a sale made without them is exactly a v1 sale.
 *
 * @typedef {{ id: string, name: string, totalStock: number }} SizeInput
 * @typedef {{ name: string, description: string, priceCents: number, currency: string,
 *             totalStock: number, startsAt: number, endsAt: number, maxPerUser: number,
 *             variants?: SizeInput[], imageUrl?: string, holdSeconds?: number,
 *             shards?: number, relays?: number }} SaleInput
 * @typedef {"id" | "name" | "description" | "price" | "currency" | "totalStock" | "maxPerUser"
 *           | "startsAt" | "endsAt" | "imageUrl" | "holdSeconds" | "shards" | "relays"} TextField
 * @typedef {TextField | "sizes"} Field
 * @typedef {{ id: string, name: string, totalStock: string }} SizeValues one size's inputs, as typed
 * @typedef {Record<TextField, string> & { sizes: SizeValues[] }} FormValues what the inputs hold, as typed
 * @typedef {Partial<Record<Field, string>>} FieldErrors
 */

export const SALE_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
const CURRENCY_PATTERN = /^[A-Z]{3}$/;
const MAX_NAME = 200;
const MAX_DESCRIPTION = 5_000;
const MAX_STOCK = 100_000_000;
const MAX_PER_USER = 1_000;
const MAX_SIZES = 50;
const MAX_HOLD_SECONDS = 3_600;
const MAX_SHARDS = 64;
const MAX_RELAYS = 8;
const MAX_IMAGE_URL = 2_048;
/** The largest moment a JavaScript Date can hold, as the API's schema allows. */
const MAX_EPOCH_MS = 8_640_000_000_000_000;

/**
 * Checks the form as the API would and builds the request body.
 * @param {FormValues} values
 * @returns {{ errors: FieldErrors, input: SaleInput | null }}
 */
export function readSaleForm(values) {
	/** @type {FieldErrors} */
	const errors = {};
	if (!SALE_ID_PATTERN.test(values.id)) {
		errors.id = values.id
			? "Use lowercase letters, digits and hyphens (up to 63), starting with a letter or digit."
			: "Give the sale an id; it becomes its address, /sales/<id>.";
	}
	const name = values.name.trim();
	if (name.length === 0) errors.name = "Give the sale a name.";
	else if (name.length > MAX_NAME) errors.name = `Keep the name to ${MAX_NAME} characters or fewer.`;
	if (values.description.length > MAX_DESCRIPTION) {
		errors.description = `Keep the description to ${MAX_DESCRIPTION.toLocaleString()} characters or fewer.`;
	}
	const currency = values.currency.trim();
	if (!CURRENCY_PATTERN.test(currency)) errors.currency = "Use a three-letter ISO 4217 code such as USD.";
	const priceCents = CURRENCY_PATTERN.test(currency) ? parsePrice(values.price, currency) : null;
	if (priceCents === null) {
		const digits = CURRENCY_PATTERN.test(currency) ? minorDigits(currency) : 2;
		errors.price =
			digits === 0
				? "Enter a whole amount of 0 or more."
				: `Enter an amount of 0 or more, with at most ${digits} decimal places.`;
	}
	const sizes = readSizes(values.sizes);
	if (typeof sizes === "string") errors.sizes = sizes;
	// With sizes, the stock is theirs: the field shows their sum and is not read.
	const totalStock =
		Array.isArray(sizes) && sizes.length > 0
			? sizes.reduce((sum, size) => sum + size.totalStock, 0)
			: parseWhole(values.totalStock);
	if (totalStock === null || totalStock < 1 || totalStock > MAX_STOCK) {
		errors.totalStock = `Enter a whole number from 1 to ${MAX_STOCK.toLocaleString()}.`;
	}
	const imageUrl = values.imageUrl.trim();
	if (imageUrl !== "" && !isHttpsUrl(imageUrl)) {
		errors.imageUrl = "Use an https: address of the picture, or leave it empty.";
	}
	const holdSeconds = parseWhole(values.holdSeconds || "0");
	if (holdSeconds === null || holdSeconds > MAX_HOLD_SECONDS) {
		errors.holdSeconds = `Enter a whole number of seconds from 0 to ${MAX_HOLD_SECONDS.toLocaleString()}.`;
	}
	const shards = parseWhole(values.shards || "1");
	if (shards === null || shards < 1 || shards > MAX_SHARDS) {
		errors.shards = `Enter a whole number of shards from 1 to ${MAX_SHARDS}.`;
	}
	const relays = parseWhole(values.relays || "0");
	if (relays === null || relays > MAX_RELAYS) {
		errors.relays = `Enter a whole number of relays from 0 to ${MAX_RELAYS}.`;
	}
	const maxPerUser = parseWhole(values.maxPerUser);
	if (maxPerUser === null || maxPerUser < 1 || maxPerUser > MAX_PER_USER) {
		errors.maxPerUser = `Enter a whole number from 1 to ${MAX_PER_USER.toLocaleString()}.`;
	}
	const startsAt = fromLocalInput(values.startsAt);
	if (startsAt === null) errors.startsAt = "Pick the date and time the sale opens.";
	const endsAt = fromLocalInput(values.endsAt);
	if (endsAt === null) errors.endsAt = "Pick the date and time the sale closes.";
	else if (startsAt !== null && endsAt <= startsAt) errors.endsAt = "The sale must close after it opens.";

	if (Object.keys(errors).length > 0) return { errors, input: null };
	/** @type {SaleInput} */
	const input = {
		name,
		description: values.description,
		priceCents: /** @type {number} */ (priceCents),
		currency,
		totalStock: /** @type {number} */ (totalStock),
		startsAt: /** @type {number} */ (startsAt),
		endsAt: /** @type {number} */ (endsAt),
		maxPerUser: /** @type {number} */ (maxPerUser),
	};
	if (Array.isArray(sizes) && sizes.length > 0) input.variants = sizes;
	if (imageUrl !== "") input.imageUrl = imageUrl;
	if (holdSeconds) input.holdSeconds = holdSeconds;
	if (shards !== null && shards > 1) input.shards = shards;
	if (relays) input.relays = relays;
	return { errors, input };
}

/**
 * The sizes as the API takes them, or what is wrong with the first size
 * that is wrong. Rows left wholly empty are not sizes.
 * @param {SizeValues[]} rows
 * @returns {SizeInput[] | string}
 */
export function readSizes(rows) {
	const filled = rows.filter((row) => row.id.trim() || row.name.trim() || row.totalStock.trim());
	if (filled.length > MAX_SIZES) return `At most ${MAX_SIZES} sizes.`;
	/** @type {SizeInput[]} */
	const sizes = [];
	for (const [index, row] of filled.entries()) {
		const label = `Size ${index + 1}`;
		const id = row.id.trim();
		if (!SALE_ID_PATTERN.test(id))
			return `${label}: give it an id of lowercase letters, digits and hyphens, such as us-9.`;
		if (sizes.some((size) => size.id === id)) return `${label}: another size has the id “${id}”.`;
		const name = row.name.trim();
		if (name.length === 0 || name.length > MAX_NAME)
			return `${label}: give it a name of up to ${MAX_NAME} characters, such as US 9.`;
		const totalStock = parseWhole(row.totalStock);
		if (totalStock === null || totalStock < 1 || totalStock > MAX_STOCK) {
			return `${label}: enter its units, a whole number from 1 to ${MAX_STOCK.toLocaleString()}.`;
		}
		sizes.push({ id, name, totalStock });
	}
	return sizes;
}

/** @param {string} text */
function isHttpsUrl(text) {
	if (text.length > MAX_IMAGE_URL) return false;
	try {
		return new URL(text).protocol === "https:";
	} catch {
		return false;
	}
}

/**
 * The form's values for a sale, to edit it.
 * @param {import("/assets/lib/shop-api.js").Sale} sale
 * @returns {FormValues}
 */
export function formValuesOf(sale) {
	return {
		imageUrl: sale.imageUrl ?? "",
		holdSeconds: String(sale.holdSeconds ?? 0),
		shards: String(sale.shards ?? 1),
		relays: String(sale.relays ?? 0),
		sizes: sizesOf(sale).map((size) => ({
			id: size.id,
			name: size.name,
			totalStock: String(size.totalStock),
		})),
		id: sale.id,
		name: sale.name,
		description: sale.description,
		price: formatPriceInput(sale.priceCents, sale.currency),
		currency: sale.currency,
		totalStock: String(sale.totalStock),
		maxPerUser: String(sale.maxPerUser),
		startsAt: toLocalInput(sale.startsAt),
		endsAt: toLocalInput(sale.endsAt),
	};
}

/**
 * A price typed in major units ("129", "129.5", "129.50") as integer minor
 * units, computed on the digits so that no binary fraction creeps in.
 * @param {string} text
 * @param {string} currency
 * @returns {number | null} null if it is not a non-negative amount the currency can hold
 */
export function parsePrice(text, currency) {
	const digits = minorDigits(currency);
	const match = /^(\d+)(?:[.,](\d*))?$/.exec(text.trim());
	if (!match) return null;
	const fraction = match[2] ?? "";
	if (fraction.length > digits) return null;
	const minor = Number(`${match[1]}${fraction.padEnd(digits, "0")}`);
	return Number.isSafeInteger(minor) ? minor : null;
}

/**
 * @param {number} minorUnits
 * @param {string} currency
 */
export function formatPriceInput(minorUnits, currency) {
	const digits = minorDigits(currency);
	if (digits === 0) return String(minorUnits);
	const text = String(minorUnits).padStart(digits + 1, "0");
	return `${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

/**
 * A `datetime-local` value is a wall-clock time with no zone: it is read in
 * the operator's own time zone, as the form says.
 * @param {string} value "YYYY-MM-DDTHH:MM" or with ":SS"
 * @returns {number | null}
 */
export function fromLocalInput(value) {
	const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/.exec(value);
	if (!match) return null;
	const [year, month, day, hour, minute, second = "0", millis = "0"] = match.slice(1);
	// setFullYear, since the Date constructor reads years 0..99 as 1900..1999.
	const at = new Date(0);
	at.setFullYear(Number(year), Number(month) - 1, Number(day));
	at.setHours(Number(hour), Number(minute), Number(second), Number(millis.padEnd(3, "0")));
	const epochMs = at.getTime();
	return Number.isFinite(epochMs) && epochMs >= 0 && epochMs <= MAX_EPOCH_MS ? epochMs : null;
}

/**
 * @param {number} epochMs
 * @returns {string} the `datetime-local` value of that moment in the operator's time zone, to the second
 */
export function toLocalInput(epochMs) {
	const at = new Date(epochMs);
	const date = `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`;
	return `${date}T${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}`;
}

/**
 * @param {string} text
 * @returns {number | null}
 */
function parseWhole(text) {
	const trimmed = text.trim();
	return /^\d{1,15}$/.test(trimmed) ? Number(trimmed) : null;
}

/** @param {number} value */
function pad(value) {
	return String(value).padStart(2, "0");
}
