/**
 * The emulator reads uploaded CSV files with csv-parse, a maintained RFC 4180 parser, and not with a
 * hand-written one shaped like the node's writer/reader (nodes/UserCom/actions/import/csv.ts): the
 * checker must not share the checked code's mistakes. Quoted fields, "" escapes, separators and
 * line breaks inside quotes, CRLF/LF/CR line ends, a UTF-8 BOM. Returns rows of raw strings; blank
 * lines are skipped.
 */
import { CsvError as CsvParseError, parse } from 'csv-parse/sync';

export class CsvError extends Error {}

export function parseCsv(input: string, separator = ','): string[][] {
	try {
		return parse(input, {
			delimiter: separator,
			record_delimiter: ['\r\n', '\n', '\r'],
			bom: true,
			skip_empty_lines: true,
			// rows of different lengths are the importer's business (it reports them per row)
			relax_column_count: true,
			// CHOICE: like Python's csv module (which a Django app such as User.com would use), a quote
			// inside an unquoted field is a literal character
			relax_quotes: true,
		}) as string[][];
	} catch (error) {
		if (error instanceof CsvParseError) {
			throw new CsvError(
				error.code === 'CSV_QUOTE_NOT_CLOSED' ? 'unterminated quoted field' : error.message,
			);
		}
		throw error;
	}
}

export const SEPARATORS: Record<string, string> = { comma: ',', tab: '\t', semicolon: ';' };
