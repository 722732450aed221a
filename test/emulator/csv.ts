/**
 * RFC 4180 CSV parser: quoted fields, "" escapes, separators and newlines inside quotes, CRLF/LF/CR
 * line ends, a UTF-8 BOM. Returns rows of raw strings; blank lines are skipped.
 */
export class CsvError extends Error {}

export function parseCsv(input: string, separator = ','): string[][] {
	let text = input;
	if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
	const rows: string[][] = [];
	let row: string[] = [];
	let field = '';
	let inQuotes = false;
	let fieldStarted = false; // whether the current field had any content or quotes
	let i = 0;
	const n = text.length;
	const endRow = () => {
		row.push(field);
		// a line containing nothing at all is skipped (not a row with one empty field)
		if (!(row.length === 1 && row[0] === '' && !fieldStarted)) rows.push(row);
		row = [];
		field = '';
		fieldStarted = false;
	};
	while (i < n) {
		const c = text[i];
		if (inQuotes) {
			if (c === '"') {
				if (text[i + 1] === '"') {
					field += '"';
					i += 2;
					continue;
				}
				inQuotes = false;
				i++;
				continue;
			}
			field += c;
			i++;
			continue;
		}
		if (c === '"' && field === '') {
			inQuotes = true;
			fieldStarted = true;
			i++;
			continue;
		}
		if (c === separator) {
			row.push(field);
			field = '';
			fieldStarted = true;
			i++;
			continue;
		}
		if (c === '\r' || c === '\n') {
			endRow();
			if (c === '\r' && text[i + 1] === '\n') i++;
			i++;
			continue;
		}
		field += c;
		fieldStarted = true;
		i++;
	}
	if (inQuotes) throw new CsvError('unterminated quoted field');
	if (field !== '' || row.length > 0 || fieldStarted) endRow();
	return rows;
}

export const SEPARATORS: Record<string, string> = { comma: ',', tab: '\t', semicolon: ';' };
