/**
 * One CSV record as RFC 4180 writes it: fields with a comma, a double quote,
 * CR or LF are quoted, quotes inside doubled; records end with CRLF. Text
 * fields are also made safe to open in a spreadsheet (`formulaSafe`).
 */
export function csvRecord(fields: readonly (string | number)[]): string {
	return `${fields.map(csvField).join(",")}\r\n`;
}

function csvField(value: string | number): string {
	const text = typeof value === "string" ? formulaSafe(value) : String(value);
	return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * Buyer ids come from shops' tokens and may be anything, and a spreadsheet
 * runs a cell that starts with `=`, `+`, `-`, `@`, a tab or a CR as a
 * formula (OWASP, "CSV Injection"). Such a field gets a leading apostrophe,
 * which spreadsheets read as "this is text" and do not show. So that a
 * program reading the file back gets the data exactly, a field that already
 * starts with an apostrophe gets one more: a reader removes exactly one
 * leading apostrophe from every text field that starts with one.
 */
function formulaSafe(text: string): string {
	return /^[=+\-@\t\r']/.test(text) ? `'${text}` : text;
}
