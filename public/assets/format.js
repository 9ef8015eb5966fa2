/**
 * Price from integer minor units. The number of minor digits comes from the
 * currency itself (2 for USD, 0 for JPY, 3 for KWD), as ISO 4217 defines it.
 * @param {number} minorUnits
 * @param {string} currency
 */
export function formatMoney(minorUnits, currency) {
	const format = new Intl.NumberFormat(undefined, { style: "currency", currency });
	const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
	return format.format(minorUnits / 10 ** digits);
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
