/**
 * CSV writing (RFC 4180) and the little reading the node needs (header row, record count) for the
 * bulk import. Values are written as data: nothing is prefixed, trimmed or "sanitised" — a leading
 * `=`, `+`, `-` or `@` is kept exactly, because User.com imports the text, it does not evaluate it.
 */

export type SeparatorName = 'comma' | 'semicolon' | 'tab';

export const SEPARATOR_CHARS: Record<SeparatorName, string> = {
	comma: ',',
	semicolon: ';',
	tab: '\t',
};

export const CRLF = '\r\n';

export function separatorChar(name: unknown): string {
	return SEPARATOR_CHARS[(name as SeparatorName) ?? 'comma'] ?? ',';
}

/**
 * Text of one cell: strings as is, numbers/booleans via String(),
 * objects/arrays as JSON, null/undefined empty.
 */
export function cellText(value: unknown): string {
	if (value === null || value === undefined) return '';
	if (typeof value === 'string') return value;
	if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
		return String(value);
	if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString();
	try {
		return JSON.stringify(value) ?? '';
	} catch {
		return String(value);
	}
}

/**
 * One field, quoted when it contains the separator, a double quote, CR or LF, or starts/ends with
 * whitespace (so readers that trim unquoted fields keep it). Quotes are doubled.
 */
export function csvField(value: string, separator: string): string {
	const needsQuotes =
		value.includes(separator) ||
		value.includes('"') ||
		value.includes('\n') ||
		value.includes('\r') ||
		/^\s|\s$/.test(value);
	return needsQuotes ? `"${value.replace(/"/g, '""')}"` : value;
}

/** One record with its CRLF line end. */
export function csvRecord(values: string[], separator: string): string {
	return values.map((value) => csvField(value, separator)).join(separator) + CRLF;
}

/**
 * Reads CSV records (RFC 4180: quoted fields, doubled quotes, separators and line breaks inside
 * quotes, CRLF/LF/CR). Calls `onRecord` for each non-blank record; stop early by returning false.
 * Returns false when the text ends inside an open quote.
 */
export function readCsv(
	text: string,
	separator: string,
	onRecord: (fields: string[]) => boolean | void,
): boolean {
	let fields: string[] = [];
	let field = '';
	let inQuotes = false;
	let touched = false;
	const flush = (): boolean => {
		fields.push(field);
		const blank = fields.length === 1 && fields[0] === '' && !touched;
		const record = fields;
		fields = [];
		field = '';
		touched = false;
		if (blank) return true;
		return onRecord(record) !== false;
	};
	const n = text.length;
	let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
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
			touched = true;
			i++;
			continue;
		}
		if (c === separator) {
			fields.push(field);
			field = '';
			touched = true;
			i++;
			continue;
		}
		if (c === '\r' || c === '\n') {
			if (c === '\r' && text[i + 1] === '\n') i++;
			i++;
			if (!flush()) return true;
			continue;
		}
		field += c;
		touched = true;
		i++;
	}
	if (inQuotes) return false;
	if (field !== '' || fields.length > 0 || touched) flush();
	return true;
}

export interface CsvSummary {
	header: string[];
	dataRecords: number;
	complete: boolean; // false when a quoted field is never closed
}

/** Header row and the number of data records of a CSV text. */
export function summarizeCsv(text: string, separator: string): CsvSummary {
	let header: string[] | undefined;
	let dataRecords = 0;
	const complete = readCsv(text, separator, (fields) => {
		if (header === undefined) header = fields;
		else dataRecords++;
	});
	return { header: header ?? [], dataRecords, complete };
}
