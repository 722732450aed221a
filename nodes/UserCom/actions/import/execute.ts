import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	IPairedItemData,
} from 'n8n-workflow';

import { userComApiRequest } from '../../transport';
import type { Clock } from '../../transport/clock';
import { getClock, transportState } from '../../transport/state';
import { separatorChar, summarizeCsv, type SeparatorName } from './csv';
import { buildMultipart, multipartOverhead, type MultipartTextField } from './multipart';
import {
	autoMapItem,
	buildCsvChunks,
	collectColumns,
	describeRequired,
	hasRequiredColumn,
	MAX_IMPORT_FILE_BYTES,
	rowHasIdentifier,
	type CsvChunk,
	type ImportObject,
	type MappedRow,
} from './rows';
import {
	FIRST_DATA_ROW_NUMBER,
	importIdOf,
	ImportWaitTimeout,
	normalizeRowErrors,
	phaseOf,
	pollUntilDone,
	recordIndexOfRow,
	unwrapStatus,
	type RowError,
} from './status';
import { asNodeError } from '../common';
import { errorItem, errorItemOf } from '../errorItems';

/**
 * Tunables, replaceable in tests through transport/testing.ts
 * (poll clock and intervals, file size limit).
 */
export interface ImportRuntime {
	clock: () => Clock;
	initialPollDelayMs: number;
	maxPollDelayMs: number;
	pollFactor: number;
	maxFileBytes: number;
}

const DEFAULT_RUNTIME: ImportRuntime = {
	clock: getClock,
	initialPollDelayMs: 1000,
	maxPollDelayMs: 15000,
	pollFactor: 1.5,
	maxFileBytes: MAX_IMPORT_FILE_BYTES,
};

/**
 * The defaults, or a test's overrides (kept with the rest of the module
 * state in transport/state.ts).
 */
function runtime(): ImportRuntime {
	return { ...DEFAULT_RUNTIME, ...transportState.importOverrides };
}

export const IMPORT_PATHS: Record<ImportObject, string> = {
	users: 'users/import/',
	deals: 'deals/import/',
	products: 'products/import/',
};

const OBJECT_LABEL: Record<ImportObject, string> = {
	users: 'user',
	deals: 'deal',
	products: 'product',
};

interface ImportSettings {
	separator: SeparatorName;
	tags: string;
	lists: string;
	triggerAutomations: boolean;
	columnMapping: Record<string, string>;
	waitTimeoutSeconds: number;
	fileName: string;
}

interface ColumnEntry {
	name?: string;
	value?: unknown;
}

function commaList(value: unknown): string {
	if (typeof value !== 'string') return '';
	return value
		.split(',')
		.map((entry) => entry.trim())
		.filter((entry) => entry !== '')
		.join(',');
}

function readSettings(context: IExecuteFunctions, object: ImportObject): ImportSettings {
	const options = context.getNodeParameter('importOptions', 0, {}) as IDataObject;
	const mapping: Record<string, string> = {};
	const mappingEntries = ((options.columnMapping as IDataObject | undefined)?.mapping ??
		[]) as IDataObject[];
	for (const entry of mappingEntries) {
		const from = typeof entry.csvColumn === 'string' ? entry.csvColumn.trim() : '';
		const to = typeof entry.attribute === 'string' ? entry.attribute.trim() : '';
		if (from === '' && to === '') continue;
		if (from === '' || to === '') {
			throw new NodeOperationError(
				context.getNode(),
				'Column Mapping: every entry needs both a CSV column and an attribute',
				{
					description:
						`Fix or remove the entry "${from || '(empty)'}" → "${to || '(empty)'}" ` +
						'under Options → Column Mapping.',
				},
			);
		}
		mapping[from] = to;
	}
	const timeout = Number(options.waitTimeout ?? 600);
	const separator = (options.separator as SeparatorName | undefined) ?? 'comma';
	const fileName =
		typeof options.fileName === 'string' && options.fileName.trim() !== ''
			? options.fileName.trim()
			: `n8n-${object}-import.csv`;
	return {
		separator,
		tags: object === 'users' ? commaList(options.tags) : '',
		lists: object === 'users' ? commaList(options.lists) : '',
		triggerAutomations: object === 'users' && options.triggerAutomations === true,
		columnMapping: mapping,
		waitTimeoutSeconds: Number.isFinite(timeout) && timeout > 0 ? timeout : 600,
		fileName,
	};
}

function formFields(settings: ImportSettings): MultipartTextField[] {
	const fields: MultipartTextField[] = [];
	if (settings.tags) fields.push({ name: 'tags', value: settings.tags });
	if (settings.lists) fields.push({ name: 'lists', value: settings.lists });
	if (Object.keys(settings.columnMapping).length > 0) {
		fields.push({ name: 'column_mapping', value: JSON.stringify(settings.columnMapping) });
	}
	return fields;
}

function queryOf(settings: ImportSettings, object: ImportObject): IDataObject {
	const qs: IDataObject = { separator: settings.separator };
	if (object === 'users') qs.trigger_automations = settings.triggerAutomations ? 'true' : 'false';
	return qs;
}

function chunkFileName(base: string, index: number, total: number): string {
	if (total <= 1) return base;
	const dot = base.lastIndexOf('.');
	return dot > 0
		? `${base.slice(0, dot)}-part${index + 1}${base.slice(dot)}`
		: `${base}-part${index + 1}`;
}

async function upload(
	context: IExecuteFunctions,
	object: ImportObject,
	settings: ImportSettings,
	data: Buffer,
	fileName: string,
	itemIndex: number,
	correlation: string,
): Promise<string> {
	const multipart = buildMultipart(formFields(settings), {
		name: 'input_file',
		filename: fileName,
		contentType: 'text/csv; charset=utf-8',
		data,
	});
	const response: unknown = await userComApiRequest.call(context, {
		method: 'POST',
		path: IMPORT_PATHS[object],
		qs: queryOf(settings, object),
		body: multipart.body,
		headers: { 'content-type': multipart.contentType },
		itemIndex,
		correlation,
		writeKind: 'create',
	});
	const importId = importIdOf(response);
	if (!importId) {
		throw new NodeOperationError(
			context.getNode(),
			'User.com accepted the file but returned no import ID',
			{
				itemIndex,
				description:
					`Answer: ${JSON.stringify(response).slice(0, 300)}. ` +
					'Check the import list in User.com before uploading again.',
			},
		);
	}
	return importId;
}

export async function fetchImportStatus(
	context: IExecuteFunctions,
	importId: string,
	itemIndex: number,
): Promise<IDataObject> {
	const response: unknown = await userComApiRequest.call(context, {
		method: 'GET',
		path: 'import/status/',
		qs: { import_id: importId },
		itemIndex,
		correlation: `import_id=${importId}`,
		writeKind: 'read',
	});
	return unwrapStatus(response);
}

function timeoutError(
	context: IExecuteFunctions,
	error: ImportWaitTimeout,
	itemIndex: number,
): NodeOperationError {
	const last = error.lastStatus;
	const progress =
		last.total_count !== undefined
			? ` (${Number(last.succeeded ?? 0) + Number(last.failed ?? 0)} ` +
				`of ${String(last.total_count)} rows processed)`
			: '';
	return new NodeOperationError(
		context.getNode(),
		`User.com import ${error.importId} did not finish ` +
			`within ${Math.round(error.waitedMs / 1000)} s; ` +
			`last status "${String(last.status ?? 'unknown')}"${progress}`,
		{
			itemIndex,
			description:
				'The import keeps running on User.com. Check it later with Import → Get Import Status ' +
				`and import ID ${error.importId}, or raise Options → Wait Timeout. ` +
				'Do not upload the same rows again before it finished.',
		},
	);
}

async function waitFor(
	context: IExecuteFunctions,
	importId: string,
	settings: ImportSettings,
	itemIndex: number,
) {
	const tuning = runtime();
	try {
		return await pollUntilDone(
			importId,
			async () => await fetchImportStatus(context, importId, itemIndex),
			{
				timeoutMs: settings.waitTimeoutSeconds * 1000,
				initialDelayMs: tuning.initialPollDelayMs,
				maxDelayMs: tuning.maxPollDelayMs,
				factor: tuning.pollFactor,
				clock: tuning.clock(),
				signal: context.getExecutionCancelSignal?.(),
			},
		);
	} catch (error) {
		if (error instanceof ImportWaitTimeout) throw timeoutError(context, error, itemIndex);
		throw asNodeError(context.getNode(), error, itemIndex);
	}
}

/** The status without the (possibly long) list of failed rows, plus the truncation flag. */
export function summarizeStatus(status: IDataObject): IDataObject {
	const listed = Array.isArray(status.rows_with_errors) ? status.rows_with_errors.length : 0;
	const failed = Number(status.failed ?? 0);
	const summary: IDataObject = { ...status };
	delete summary.rows_with_errors;
	summary.failedRowsListed = listed;
	summary.moreFailedRowsThanListed = Number.isFinite(failed) && failed > listed;
	return summary;
}

function truncationNote(status: IDataObject): string | undefined {
	const listed = Array.isArray(status.rows_with_errors) ? status.rows_with_errors.length : 0;
	const failed = Number(status.failed ?? 0);
	if (!(Number.isFinite(failed) && failed > listed)) return undefined;
	return (
		`User.com reported ${failed} failed rows but listed only ${listed} (it lists the first 50); ` +
		`the other ${failed - listed} failed rows cannot be identified, ` +
		'so the rows not listed are marked "unverified".'
	);
}

function rowErrorPayload(
	object: ImportObject,
	importId: string,
	rowError: RowError,
	itemIndex: number,
): IDataObject {
	const fields: IDataObject = rowError.errors;
	const fieldLines = Object.entries(fields).map(
		([field, messages]) =>
			`${field}: ${(Array.isArray(messages) ? messages : [messages]).map(String).join(' ')}`,
	);
	return {
		httpCode: null,
		category: 'validation',
		message: rowError.message,
		fields,
		description: [
			...fieldLines,
			`Fix the value(s) of this ${OBJECT_LABEL[object]} and import the item again.`,
		].join('\n'),
		retryable: false,
		attempts: 1,
		method: 'POST',
		path: IMPORT_PATHS[object],
		itemIndex,
		importId,
		row: rowError.row,
	};
}

function pairedAll(indexes: number[]): IPairedItemData[] {
	return indexes.map((item) => ({ item }));
}

/** Cells of one item from the "Columns" collection (expressions evaluated for that item). */
function mappedCells(context: IExecuteFunctions, itemIndex: number): Record<string, string> {
	const entries = context.getNodeParameter('columns.column', itemIndex, []) as ColumnEntry[];
	const cells: Record<string, string> = {};
	for (const entry of entries) {
		const name = typeof entry.name === 'string' ? entry.name.trim() : '';
		if (name === '') {
			throw new NodeOperationError(
				context.getNode(),
				`Item ${itemIndex}: a column has no User.com attribute name`,
				{
					itemIndex,
					description:
						'Enter the attribute name (e.g. email, custom_id or a custom attribute) ' +
						'or remove the empty column. Nothing was uploaded.',
				},
			);
		}
		if (name in cells) {
			throw new NodeOperationError(context.getNode(), `Column "${name}" is mapped twice`, {
				itemIndex,
				description:
					'Each CSV column may appear only once. Remove one of the two entries. ' +
					'Nothing was uploaded.',
			});
		}
		const value = entry.value;
		cells[name] =
			value === null || value === undefined
				? ''
				: typeof value === 'string'
					? value
					: typeof value === 'object'
						? JSON.stringify(value)
						: String(value);
	}
	return cells;
}

async function importFromItems(
	context: IExecuteFunctions,
	items: INodeExecutionData[],
	object: ImportObject,
	settings: ImportSettings,
	wait: boolean,
): Promise<INodeExecutionData[]> {
	const continueOnFail = context.continueOnFail();
	const mappingMode = context.getNodeParameter('mappingMode', 0, 'defineBelow') as string;
	const output: Array<INodeExecutionData[] | undefined> = new Array(items.length);
	const rows: MappedRow[] = [];
	const rejected: Array<{ itemIndex: number; error: NodeApiError | NodeOperationError }> = [];

	// 1. Map every item before anything is sent.
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const cells =
				mappingMode === 'autoMapAll'
					? autoMapItem(items[itemIndex].json)
					: mappedCells(context, itemIndex);
			if (!rowHasIdentifier(cells, object, settings.columnMapping)) {
				throw new NodeOperationError(
					context.getNode(),
					`Item ${itemIndex}: no value in ${describeRequired(object)}`,
					{
						itemIndex,
						description:
							`User.com needs ${describeRequired(object)} to import a ${OBJECT_LABEL[object]}. ` +
							'Map a column with that name (or map your column to it under ' +
							'Options → Column Mapping) and give it a value. Nothing was uploaded for this item.',
					},
				);
			}
			rows.push({ itemIndex, cells });
		} catch (error) {
			rejected.push({ itemIndex, error: asNodeError(context.getNode(), error, itemIndex) });
		}
	}
	if (rejected.length > 0 && rows.length === 0 && items.length > 0) {
		const columns = collectColumns(
			rejected.map(({ itemIndex }) => ({
				itemIndex,
				cells: mappingMode === 'autoMapAll' ? autoMapItem(items[itemIndex].json) : {},
			})),
		);
		if (
			mappingMode === 'autoMapAll' &&
			!hasRequiredColumn(columns, object, settings.columnMapping)
		) {
			throw new NodeOperationError(
				context.getNode(),
				`None of the input fields is ${describeRequired(object)}`,
				{
					description:
						`Fields found: ${columns.slice(0, 20).join(', ') || '(none)'}. Rename a field, ` +
						'or map it under Options → Column Mapping (e.g. "Email address" → email). ' +
						'Nothing was uploaded.',
				},
			);
		}
	}
	if (rejected.length > 0 && !continueOnFail) throw rejected[0].error;
	for (const { itemIndex, error } of rejected) output[itemIndex] = [errorItem(error, itemIndex)];
	if (rows.length === 0) return output.flatMap((entry) => entry ?? []);

	// 2. One CSV, split only when it would exceed the size limit.
	const columns = collectColumns(rows);
	const overhead = multipartOverhead(formFields(settings), settings.fileName) + 64;
	const { chunks, oversized } = buildCsvChunks(
		columns,
		rows,
		separatorChar(settings.separator),
		runtime().maxFileBytes - overhead,
	);
	for (const { itemIndex, bytes } of oversized) {
		const error = new NodeOperationError(
			context.getNode(),
			`Item ${itemIndex} alone is ${bytes} bytes, more than the import size limit`,
			{
				itemIndex,
				description:
					`User.com accepts import files of at most ${runtime().maxFileBytes} bytes. ` +
					'Shorten the values of this item. Nothing was uploaded for it.',
			},
		);
		if (!continueOnFail) throw error;
		output[itemIndex] = [errorItem(error, itemIndex)];
	}

	// 3. Upload every file first, then wait: a failure while waiting never stops a later upload.
	const uploaded: Array<{ chunk: CsvChunk; importId: string }> = [];
	for (let index = 0; index < chunks.length; index++) {
		const chunk = chunks[index];
		const firstItem = chunk.itemIndexes[0];
		const fileName = chunkFileName(settings.fileName, index, chunks.length);
		try {
			const importId = await upload(
				context,
				object,
				settings,
				chunk.data,
				fileName,
				firstItem,
				`${object} import ${fileName} (${chunk.itemIndexes.length} rows)`,
			);
			uploaded.push({ chunk, importId });
		} catch (error) {
			if (!continueOnFail) throw asNodeError(context.getNode(), error, firstItem);
			for (const itemIndex of chunk.itemIndexes)
				output[itemIndex] = [errorItem(error, itemIndex, { file: fileName })];
		}
	}

	if (!wait) {
		const result = output.flatMap((entry) => entry ?? []);
		uploaded.forEach(({ chunk, importId }, index) =>
			result.push({
				json: {
					importId,
					object,
					status: 'uploaded',
					rows: chunk.itemIndexes.length,
					file: chunkFileName(settings.fileName, index, uploaded.length),
					part: index + 1,
					parts: uploaded.length,
				},
				pairedItem: pairedAll(chunk.itemIndexes),
			}),
		);
		return result;
	}

	const cellsByItem = new Map(rows.map((row) => [row.itemIndex, row.cells]));
	const rowFailures: Array<{ itemIndex: number; row: number | null; message: string }> = [];
	for (const { chunk, importId } of uploaded) {
		let status: IDataObject;
		try {
			status = (await waitFor(context, importId, settings, chunk.itemIndexes[0])).status;
		} catch (error) {
			if (!continueOnFail) throw asNodeError(context.getNode(), error, chunk.itemIndexes[0]);
			for (const itemIndex of chunk.itemIndexes)
				output[itemIndex] = [errorItem(error, itemIndex, { importId })];
			continue;
		}
		const summary = summarizeStatus(status);
		if (phaseOf(status) === 'failed') {
			const error = new NodeOperationError(
				context.getNode(),
				`User.com reported import ${importId} as ${String(status.status)}`,
				{
					itemIndex: chunk.itemIndexes[0],
					description: `Status: ${JSON.stringify(summary).slice(0, 500)}`,
				},
			);
			if (!continueOnFail) throw error;
			for (const itemIndex of chunk.itemIndexes)
				output[itemIndex] = [errorItem(error, itemIndex, { importId })];
			continue;
		}
		const rowErrors = normalizeRowErrors(status.rows_with_errors);
		const byRecord = new Map<number, RowError[]>();
		const unplaced: RowError[] = [];
		for (const rowError of rowErrors) {
			const record = recordIndexOfRow(rowError.row, chunk.itemIndexes.length);
			if (record === undefined) unplaced.push(rowError);
			else byRecord.set(record, [...(byRecord.get(record) ?? []), rowError]);
		}
		const note = truncationNote(status);
		const unplacedNote =
			unplaced.length > 0
				? `${unplaced.length} failed row(s) could not be matched to an item: ${unplaced
						.slice(0, 5)
						.map((e) => `row ${e.row ?? '?'}: ${e.message}`)
						.join('; ')}`
				: undefined;
		chunk.itemIndexes.forEach((itemIndex, record) => {
			const row = record + FIRST_DATA_ROW_NUMBER;
			const errors = byRecord.get(record);
			if (errors && errors.length > 0) {
				const merged: RowError = {
					row: errors[0].row,
					message: errors.map((e) => e.message).join('; '),
					errors: Object.assign({}, ...errors.map((e) => e.errors)) as IDataObject,
				};
				const message = `User.com rejected row ${row} (item ${itemIndex}): ${merged.message}`;
				rowFailures.push({ itemIndex, row, message: merged.message });
				output[itemIndex] = [
					errorItemOf(rowErrorPayload(object, importId, merged, itemIndex), message, itemIndex),
				];
				return;
			}
			const json: IDataObject = {
				importId,
				object,
				row,
				result: note || unplacedNote ? 'unverified' : 'imported',
				data: cellsByItem.get(itemIndex) ?? {},
				import: summary,
			};
			if (note || unplacedNote) json.warning = [note, unplacedNote].filter(Boolean).join(' ');
			output[itemIndex] = [{ json, pairedItem: { item: itemIndex } }];
		});
	}

	if (rowFailures.length > 0 && !continueOnFail) {
		const first = rowFailures[0];
		const list = rowFailures
			.slice(0, 10)
			.map((f) => `item ${f.itemIndex} (row ${f.row ?? '?'}): ${f.message}`)
			.join('\n');
		throw new NodeOperationError(
			context.getNode(),
			`User.com rejected ${rowFailures.length} of ${rows.length} rows; the others were imported`,
			{
				itemIndex: first.itemIndex,
				description:
					`${list}${rowFailures.length > 10 ? `\n… and ${rowFailures.length - 10} more` : ''}\n` +
					'Set Settings → On Error to "Continue (using error output)" to get the rejected ' +
					'items on the error output and the imported ones on the main output.',
			},
		);
	}
	return output.flatMap((entry) => entry ?? []);
}

async function importFromBinary(
	context: IExecuteFunctions,
	items: INodeExecutionData[],
	object: ImportObject,
	settings: ImportSettings,
	wait: boolean,
): Promise<INodeExecutionData[]> {
	const result: INodeExecutionData[] = [];
	const separator = separatorChar(settings.separator);
	const overhead = multipartOverhead(formFields(settings), settings.fileName) + 64;
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const property = context.getNodeParameter('binaryPropertyName', itemIndex, 'data') as string;
			const binary = context.helpers.assertBinaryData(itemIndex, property);
			const data = await context.helpers.getBinaryDataBuffer(itemIndex, property);
			const fileName =
				binary.fileName && binary.fileName.trim() !== '' ? binary.fileName : settings.fileName;
			const fail = (message: string, description: string) =>
				new NodeOperationError(context.getNode(), `Item ${itemIndex}: ${message}`, {
					itemIndex,
					description: `${description} Nothing was uploaded.`,
				});
			if (data.length === 0)
				throw fail(`the file "${fileName}" is empty`, 'Check the node that produced the file.');
			if (data.length + overhead > runtime().maxFileBytes) {
				throw fail(
					`the file "${fileName}" is ${data.length} bytes, more than User.com's import limit ` +
						`of ${runtime().maxFileBytes} bytes`,
					'Split the file, or import From Input Items (the node splits large inputs by itself).',
				);
			}
			const summary = summarizeCsv(data.toString('utf8'), separator);
			if (!summary.complete) {
				throw fail(
					`the file "${fileName}" ends inside a quoted value`,
					'A double quote is not closed; check the CSV quoting.',
				);
			}
			if (summary.header.length === 0 || summary.header.every((h) => h.trim() === '')) {
				throw fail(
					`the file "${fileName}" has no header row`,
					'The first line must name the columns.',
				);
			}
			if (summary.dataRecords === 0) {
				throw fail(`the file "${fileName}" has a header but no data rows`, 'Nothing to import.');
			}
			if (!hasRequiredColumn(summary.header, object, settings.columnMapping)) {
				const hint =
					summary.header.length === 1 && /[;\t,]/.test(summary.header[0])
						? ` The header is read as one column "${summary.header[0].slice(0, 60)}": ` +
							'is the separator (Options → Separator) right?'
						: '';
				throw fail(
					`the file has no ${describeRequired(object)} column`,
					`Columns found: ${summary.header.slice(0, 20).join(', ')}. ` +
						`Add the column, or map yours to it under Options → Column Mapping.${hint}`,
				);
			}
			const importId = await upload(
				context,
				object,
				settings,
				data,
				fileName,
				itemIndex,
				`${object} import ${fileName}`,
			);
			if (!wait) {
				result.push({
					json: { importId, object, status: 'uploaded', file: fileName, rows: summary.dataRecords },
					pairedItem: { item: itemIndex },
				});
				continue;
			}
			const { status } = await waitFor(context, importId, settings, itemIndex);
			if (phaseOf(status) === 'failed') {
				throw new NodeOperationError(
					context.getNode(),
					`User.com reported import ${importId} as ${String(status.status)}`,
					{
						itemIndex,
						description: `Status: ${JSON.stringify(summarizeStatus(status)).slice(0, 500)}`,
					},
				);
			}
			const json: IDataObject = {
				importId,
				object,
				file: fileName,
				rows: summary.dataRecords,
				...summarizeStatus(status),
				rowsWithErrors: normalizeRowErrors(status.rows_with_errors) as unknown as IDataObject[],
			};
			const note = truncationNote(status);
			if (note) json.warning = note.replace(/, so the rows not listed are marked "unverified"/, '');
			result.push({ json, pairedItem: { item: itemIndex } });
		} catch (error) {
			if (!context.continueOnFail()) throw asNodeError(context.getNode(), error, itemIndex);
			result.push(errorItem(error, itemIndex));
		}
	}
	return result;
}

/** Entry point shared by Import Users / Deals / Products. */
export async function runImport(
	context: IExecuteFunctions,
	items: INodeExecutionData[],
	object: ImportObject,
): Promise<INodeExecutionData[]> {
	const settings = readSettings(context, object);
	const source = context.getNodeParameter('source', 0, 'items') as string;
	const wait = context.getNodeParameter('waitForCompletion', 0, true) as boolean;
	if (source === 'binary') return await importFromBinary(context, items, object, settings, wait);
	return await importFromItems(context, items, object, settings, wait);
}
