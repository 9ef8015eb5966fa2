/**
 * Price from integer minor units. The number of minor digits comes from the
 * currency itself (2 for USD, 0 for JPY, 3 for KWD), as ISO 4217 defines it.
 * @param {number} minorUnits
 * @param {string} currency
 */
export function formatMoney(minorUnits, currency) {
	const format = new Intl.NumberFormat(undefined, { style: "currency", currency });
	return format.format(minorUnits / 10 ** minorDigits(currency));
}

/**
 * Digits after the decimal point in the currency's minor unit (2 for USD,
 * 0 for JPY, 3 for KWD), as ISO 4217 defines them.
 * @param {string} currency a well-formed code
 */
export function minorDigits(currency) {
	return (
		new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2
	);
}

/**
 * Time left until a moment: "2d 03:04:05", "03:04:05" or "04:05", and in the
 * last minute "00:59.3". Rounded up, so the display reaches zero exactly at
 * the moment, never before it.
 * @param {number} ms
 */
export function formatCountdown(ms) {
	const tenths = Math.ceil(Math.max(0, ms) / 100);
	if (tenths < 600) return `00:${pad(Math.floor(tenths / 10))}.${tenths % 10}`;
	const total = Math.ceil(ms / 1000);
	const days = Math.floor(total / 86_400);
	const hours = Math.floor((total % 86_400) / 3_600);
	const minutes = Math.floor((total % 3_600) / 60);
	const clock = `${pad(minutes)}:${pad(total % 60)}`;
	if (days > 0) return `${days}d ${pad(hours)}:${clock}`;
	return hours > 0 ? `${pad(hours)}:${clock}` : clock;
}

/**
 * Time left to pay for a hold, as "m:ss" ("1:59", "0:07"; "12:00" for
 * twelve minutes). Rounded up, so it shows "0:00" only once the hold is over.
 * @param {number} ms
 */
export function formatMinutesSeconds(ms) {
	const total = Math.ceil(Math.max(0, ms) / 1000);
	return `${Math.floor(total / 60)}:${pad(total % 60)}`;
}

/**
 * A moment in the shopper's own time zone. Only the zone comes from the
 * device; the moment itself is the server's.
 * @param {number} epochMs
 */
export function formatDateTime(epochMs) {
	return new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" }).format(epochMs);
}

/** @param {number} value */
function pad(value) {
	return String(value).padStart(2, "0");
}

/**
 * A moment's time of day, to the second, in the viewer's time zone.
 * @param {number} epochMs
 */
export function formatClockTime(epochMs) {
	return new Intl.DateTimeFormat(undefined, { timeStyle: "medium" }).format(epochMs);
}

/**
 * A whole number with the viewer's grouping: "12,345".
 * @param {number} n
 */
export function formatCount(n) {
	return n.toLocaleString();
}

/**
 * "1 order", "3 orders".
 * @param {number} n
 * @param {string} noun
 */
export function plural(n, noun) {
	return `${formatCount(n)} ${noun}${n === 1 ? "" : "s"}`;
}

/**
 * A file size: "512 bytes", "1.5 KB", "2.0 MB".
 * @param {number} bytes
 */
export function formatBytes(bytes) {
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
