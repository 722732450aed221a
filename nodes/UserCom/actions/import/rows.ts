import type { IDataObject } from 'n8n-workflow';

import { cellText, csvRecord } from './csv';

/** User.com's documented maximum size of an import file. */
export const MAX_IMPORT_FILE_BYTES = 200 * 1024 * 1024;

export type ImportObject = 'users' | 'deals' | 'products';

/** Columns (after column_mapping) of which at least one must be present and non-empty per row. */
export const REQUIRED_COLUMNS: Record<ImportObject, string[]> = {
	// A user row without custom_id or email cannot be matched to an existing contact: each import
	// would create a new anonymous user. (user_id is the pre-rename name of custom_id.)
	users: ['custom_id', 'user_id', 'email'],
	// Products are keyed by custom_id (User.com's own column_mapping example maps to it).
	products: ['custom_id'],
	// A deal row needs a name to be created or a custom_id to update an existing deal.
	deals: ['name', 'custom_id'],
};

export function describeRequired(object: ImportObject): string {
	const names = REQUIRED_COLUMNS[object].filter((name) => name !== 'user_id');
	return names.length === 1
		? names[0]
		: `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}

/** One input item mapped to its CSV cells (column name -> text). */
export interface MappedRow {
	itemIndex: number;
	cells: Record<string, string>;
}

/** Top-level fields of an item as cells (auto-map). */
export function autoMapItem(json: IDataObject): Record<string, string> {
	const cells: Record<string, string> = {};
	for (const [key, value] of Object.entries(json)) cells[key] = cellText(value);
	return cells;
}

/** Union of column names in order of first appearance. */
export function collectColumns(rows: MappedRow[]): string[] {
	const seen = new Set<string>();
	const columns: string[] = [];
	for (const row of rows) {
		for (const name of Object.keys(row.cells)) {
			if (!seen.has(name)) {
				seen.add(name);
				columns.push(name);
			}
		}
	}
	return columns;
}

/**
 * Canonical attribute a column ends up as, after the user's column_mapping
 * (csv column -> attribute).
 */
export function targetOf(column: string, mapping: Record<string, string>): string {
	const target = mapping[column] ?? mapping[column.trim()] ?? column;
	return target
		.trim()
		.toLowerCase()
		.replace(/[\s-]+/g, '_');
}

/** Whether a header satisfies the required-column rule. */
export function hasRequiredColumn(
	header: string[],
	object: ImportObject,
	mapping: Record<string, string>,
): boolean {
	const required = REQUIRED_COLUMNS[object];
	return header.some((column) => required.includes(targetOf(column, mapping)));
}

/** Whether a row has a value in at least one required column. */
export function rowHasIdentifier(
	cells: Record<string, string>,
	object: ImportObject,
	mapping: Record<string, string>,
): boolean {
	const required = REQUIRED_COLUMNS[object];
	return Object.entries(cells).some(
		([column, value]) => required.includes(targetOf(column, mapping)) && value.trim() !== '',
	);
}

/** One file to upload: its bytes and, per data record (0-based), the input item it came from. */
export interface CsvChunk {
	data: Buffer;
	itemIndexes: number[];
}

export interface ChunkResult {
	chunks: CsvChunk[];
	/** Rows that alone exceed the limit (cannot be uploaded at all). */
	oversized: Array<{ itemIndex: number; bytes: number }>;
}

/**
 * Writes the rows as CSV (header + one record per row, CRLF, UTF-8, no BOM) and splits them into
 * files of at most `maxBytes` each, every file with its own header row.
 */
export function buildCsvChunks(
	columns: string[],
	rows: MappedRow[],
	separator: string,
	maxBytes: number,
): ChunkResult {
	const header = Buffer.from(csvRecord(columns, separator), 'utf8');
	const chunks: CsvChunk[] = [];
	const oversized: ChunkResult['oversized'] = [];
	let parts: Buffer[] = [];
	let indexes: number[] = [];
	let size = 0;
	const close = () => {
		if (indexes.length === 0) return;
		chunks.push({ data: Buffer.concat([header, ...parts]), itemIndexes: indexes });
		parts = [];
		indexes = [];
		size = 0;
	};
	for (const row of rows) {
		const record = Buffer.from(
			csvRecord(
				columns.map((column) => row.cells[column] ?? ''),
				separator,
			),
			'utf8',
		);
		if (header.length + record.length > maxBytes) {
			oversized.push({ itemIndex: row.itemIndex, bytes: record.length });
			continue;
		}
		if (indexes.length > 0 && header.length + size + record.length > maxBytes) close();
		parts.push(record);
		indexes.push(row.itemIndex);
		size += record.length;
	}
	close();
	return { chunks, oversized };
}
