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
	if (!isLowerHex(value, byteLength)) throw new RangeError(`expected ${byteLength * 2} lowercase hex digits`);
	return writeHexBytes(value, new Uint8Array(byteLength), 0);
}

/**
 * Writes the bytes of lowercase hex `value` (already checked) into `target`
 * at `offset` and returns `target`: lets a caller fill one big array without
 * an allocation per value.
 */
export function writeHexBytes(value: string, target: Uint8Array, offset: number): Uint8Array {
	for (let i = 0; i < value.length; i += 2) {
		target[offset + i / 2] = (nibble(value.charCodeAt(i)) << 4) | nibble(value.charCodeAt(i + 1));
	}
	return target;
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
