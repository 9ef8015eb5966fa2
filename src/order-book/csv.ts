/**
 * One CSV record as RFC 4180 writes it: fields with a comma, a double quote,
 * CR or LF are quoted, quotes inside doubled; records end with CRLF.
 */
export function csvRecord(fields: readonly (string | number)[]): string {
	return `${fields.map(csvField).join(",")}\r\n`;
}

function csvField(value: string | number): string {
	const text = String(value);
	return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
