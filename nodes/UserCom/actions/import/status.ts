import type { IDataObject } from 'n8n-workflow';

import type { Clock } from '../../transport/clock';

/**
 * Import status handling: unwrapping `GET import/status/?import_id=` answers, waiting with growing
 * intervals, and mapping `rows_with_errors` back to CSV records.
 */

/** Statuses after which an import does not change any more. Only `finished` is documented. */
const FINISHED_STATUSES = ['finished', 'completed', 'done', 'success', 'succeeded'];
const FAILED_STATUSES = ['failed', 'error', 'errored', 'cancelled', 'canceled', 'aborted'];

export type ImportPhase = 'running' | 'finished' | 'failed';

export function phaseOf(status: IDataObject): ImportPhase {
	const value = typeof status.status === 'string' ? status.status.trim().toLowerCase() : '';
	if (FINISHED_STATUSES.includes(value)) return 'finished';
	if (FAILED_STATUSES.includes(value)) return 'failed';
	return 'running';
}

function isObject(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `{success, data: {...}}` (documented) or a bare status object. */
export function unwrapStatus(response: unknown): IDataObject {
	if (isObject(response) && isObject(response.data)) return response.data;
	if (isObject(response)) return response;
	return {};
}

/**
 * The import id from an upload answer: `{success, data: {import_id}}` (documented) and variants.
 */
export function importIdOf(response: unknown): string | undefined {
	const candidates: unknown[] = [];
	if (isObject(response)) {
		if (isObject(response.data)) candidates.push(response.data.import_id, response.data.id);
		candidates.push(response.import_id, response.id);
	}
	for (const candidate of candidates) {
		if (typeof candidate === 'string' && candidate.trim() !== '') return candidate.trim();
		if (typeof candidate === 'number') return String(candidate);
	}
	return undefined;
}

export interface RowError {
	/** Row number as User.com reports it (null when the entry had none). */
	row: number | null;
	message: string;
	errors: IDataObject;
}

function firstText(value: unknown): string | undefined {
	if (typeof value === 'string' && value.trim() !== '') return value.trim();
	if (Array.isArray(value)) {
		for (const entry of value) {
			const text = firstText(entry);
			if (text) return text;
		}
	}
	return undefined;
}

function errorsText(errors: IDataObject): string {
	return Object.entries(errors)
		.map(([field, messages]) => {
			const list = Array.isArray(messages) ? messages.map((m) => String(m)) : [String(messages)];
			return `${field}: ${list.join(' ')}`;
		})
		.join('; ');
}

/** Normalises `rows_with_errors` entries (`{row, message, errors}` and tolerated variants). */
export function normalizeRowErrors(list: unknown): RowError[] {
	if (!Array.isArray(list)) return [];
	return list.map((entry): RowError => {
		if (typeof entry === 'number')
			return { row: entry, message: 'Row rejected by User.com', errors: {} };
		if (!isObject(entry)) return { row: null, message: String(entry), errors: {} };
		const rowValue =
			entry.row ?? entry.row_number ?? entry.line ?? entry.line_number ?? entry.index;
		const row =
			typeof rowValue === 'number'
				? rowValue
				: typeof rowValue === 'string' && /^\d+$/.test(rowValue.trim())
					? Number(rowValue)
					: null;
		const errors = isObject(entry.errors) ? entry.errors : {};
		const message =
			firstText(entry.message) ??
			firstText(entry.error) ??
			firstText(entry.detail) ??
			(Object.keys(errors).length > 0 ? errorsText(errors) : undefined) ??
			'Row rejected by User.com';
		return { row, message, errors };
	});
}

/**
 * Row number (as User.com reports it) of the first data record. User.com's documentation does not
 * say how `rows_with_errors` rows are numbered; this follows the project's emulator: 1-based data
 * rows, the header row excluded (the first record after the header is row 1). Change it here if a
 * real account shows otherwise. A record is one CSV record, not one physical line: a value
 * with line breaks does not shift the numbering.
 */
export const FIRST_DATA_ROW_NUMBER = 1;

/** 0-based data record index for a reported row number, or undefined when out of range. */
export function recordIndexOfRow(row: number | null, recordCount: number): number | undefined {
	if (row === null || !Number.isInteger(row)) return undefined;
	const index = row - FIRST_DATA_ROW_NUMBER;
	return index >= 0 && index < recordCount ? index : undefined;
}

export interface PollSettings {
	timeoutMs: number;
	initialDelayMs: number;
	maxDelayMs: number;
	factor: number;
	clock: Clock;
	/** the execution's cancel signal: stops the wait between polls */
	signal?: AbortSignal;
}

export class ImportWaitCancelled extends Error {
	constructor(readonly importId: string) {
		super(`Stopped waiting for import ${importId}: the execution was cancelled`);
	}
}

/** Waits on the poll clock; a cancel of the execution ends the wait at once. */
async function sleepUnlessCancelled(
	clock: Clock,
	ms: number,
	signal: AbortSignal | undefined,
): Promise<void> {
	let onAbort: () => void = () => {};
	const aborted = signal
		? new Promise<void>((resolve) => {
				onAbort = () => resolve();
				signal.addEventListener('abort', onAbort, { once: true });
			})
		: undefined;
	try {
		if (signal?.aborted) return;
		const wait = clock.sleep(ms);
		await (aborted ? Promise.race([wait, aborted]) : wait);
	} finally {
		signal?.removeEventListener('abort', onAbort);
	}
}

export class ImportWaitTimeout extends Error {
	constructor(
		readonly importId: string,
		readonly lastStatus: IDataObject,
		readonly waitedMs: number,
		readonly polls: number,
	) {
		super(`Import ${importId} did not finish in time`);
	}
}

export interface PollResult {
	status: IDataObject;
	polls: number;
	waitedMs: number;
}

/**
 * Polls until the import is finished (or failed) or the timeout passes. Intervals grow from
 * `initialDelayMs` by `factor` up to `maxDelayMs`; the last wait is cut so that one final poll
 * happens at the deadline.
 */
export async function pollUntilDone(
	importId: string,
	fetchStatus: () => Promise<IDataObject>,
	settings: PollSettings,
): Promise<PollResult> {
	const { clock } = settings;
	const started = clock.now();
	const deadline = started + settings.timeoutMs;
	let delay = Math.max(1, settings.initialDelayMs);
	let polls = 0;
	let last: IDataObject = {};
	for (;;) {
		const remaining = deadline - clock.now();
		await sleepUnlessCancelled(clock, Math.max(0, Math.min(delay, remaining)), settings.signal);
		if (settings.signal?.aborted) throw new ImportWaitCancelled(importId);
		last = await fetchStatus();
		polls++;
		if (phaseOf(last) !== 'running')
			return { status: last, polls, waitedMs: clock.now() - started };
		if (clock.now() >= deadline)
			throw new ImportWaitTimeout(importId, last, clock.now() - started, polls);
		delay = Math.min(settings.maxDelayMs, Math.ceil(delay * settings.factor));
	}
}
