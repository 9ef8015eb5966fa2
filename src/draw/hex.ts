/**
 * Strict lowercase hex, as the draw contract requires: a value that is not
 * lowercase hex of the stated length is rejected, never normalised, so two
 * spellings of one value cannot both be accepted.
 */

const BYTE_TO_HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));

/** Whether `value` is lowercase hex encoding exactly `byteLength` bytes. */
export function isLowerHex(value: unknown, byteLength: number): value is string {
	if (typeof value !== "string" || value.length !== byteLength * 2) return false;
	for (let i = 0; i < value.length; i++) if (nibble(value.charCodeAt(i)) < 0) return false;
	return true;
}

/** Decodes lowercase hex of exactly `byteLength` bytes; throws a RangeError on anything else. */
export function hexToBytes(value: string, byteLength: number): Uint8Array {
	const bytes = new Uint8Array(byteLength);
	if (!decodeHexInto(value, bytes, 0, byteLength)) {
		throw new RangeError(`expected ${byteLength * 2} lowercase hex digits`);
	}
	return bytes;
}

/**
 * Decodes `value`, if it is lowercase hex of exactly `byteLength` bytes,
 * into `target` at `offset`, checking and writing in one pass, so a caller
 * can fill one big array without an allocation per value. Returns false,
 * with `target` partly written, if it is not.
 */
export function decodeHexInto(
	value: unknown,
	target: Uint8Array,
	offset: number,
	byteLength: number,
): boolean {
	if (typeof value !== "string" || value.length !== byteLength * 2) return false;
	for (let i = 0; i < byteLength; i++) {
		const high = nibble(value.charCodeAt(2 * i));
		const low = nibble(value.charCodeAt(2 * i + 1));
		if (high < 0 || low < 0) return false;
		target[offset + i] = (high << 4) | low;
	}
	return true;
}

/** Lowercase hex of `bytes[start, end)`. */
export function bytesToHex(bytes: Uint8Array, start = 0, end = bytes.length): string {
	let hex = "";
	for (let i = start; i < end; i++) hex += BYTE_TO_HEX[bytes[i] as number];
	return hex;
}

/** The value of a lowercase hex digit's char code, or -1. */
function nibble(code: number): number {
	if (code >= 48 && code <= 57) return code - 48;
	if (code >= 97 && code <= 102) return code - 87;
	return -1;
}
