/**
 * Reads CSV as RFC 4180 defines it, written independently of src/csv.ts so
 * the tests check the export against the standard, not against itself:
 * quoted fields may hold commas, doubled quotes and line breaks; records end
 * with CRLF. Throws if the text does not end with a complete record.
 */
export function parseCsv(csv: string): string[][] {
	const records: string[][] = [];
	let record: string[] = [];
	let field = "";
	let quoted = false;
	for (let i = 0; i < csv.length; i++) {
		const char = csv[i];
		if (quoted) {
			if (char === '"' && csv[i + 1] === '"') {
				field += '"';
				i++;
			} else if (char === '"') quoted = false;
			else field += char;
		} else if (char === '"') quoted = true;
		else if (char === ",") {
			record.push(field);
			field = "";
		} else if (char === "\r" && csv[i + 1] === "\n") {
			record.push(field);
			records.push(record);
			record = [];
			field = "";
			i++;
		} else field += char;
	}
	if (field !== "" || record.length > 0 || quoted) throw new Error("CSV does not end with a complete record");
	return records;
}
