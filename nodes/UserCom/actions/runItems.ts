import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import {
	bindRunSignal,
	inFlightAdvisor,
	isCancellationError,
	toNormalizedError,
	unbindRunSignal,
	yieldToEventLoop,
} from '../transport';
import type { NormalizedUserComError } from '../transport';
import { asNodeError } from './common';
import { errorItemOf } from './errorItems';
import { ALL_RECORDS, ItemScheduler } from './itemScheduler';
import { RecordKeyTracker } from './recordKeyTracker';
import { MAX_PARALLEL_REQUESTS } from './versionDescription';

export type ItemExecute = (
	this: IExecuteFunctions,
	itemIndex: number,
) => Promise<INodeExecutionData[]>;
export type RecordKeysOf = (this: IExecuteFunctions, itemIndex: number) => string[];

/** Parallel Requests from Request Options (item 0): 0 = Auto, 1 = one after another. */
function readParallelRequests(ctx: IExecuteFunctions): number {
	const options = ctx.getNodeParameter('requestOptions', 0, {}) as IDataObject;
	const raw = options?.parallelRequests;
	if (raw === undefined || raw === null || raw === '') return 0;
	const n = Number(raw);
	if (!Number.isInteger(n) || n < 0 || n > MAX_PARALLEL_REQUESTS) {
		throw new NodeOperationError(
			ctx.getNode(),
			`Parallel Requests must be a whole number from 0 to ${MAX_PARALLEL_REQUESTS} ` +
				`(got ${String(raw)})`,
			{
				itemIndex: 0,
				description:
					'Request Options › Parallel Requests: enter 0 for Auto, ' +
					'1 to send items one after another, or up to 50. Nothing was sent.',
			},
		);
	}
	return n;
}

interface Window {
	size: () => number;
	label: string;
}

/** How many items may be in flight: fixed, or Auto from the account's rate and round trips. */
async function windowFor(ctx: IExecuteFunctions, count: number): Promise<Window> {
	const setting = readParallelRequests(ctx);
	if (setting >= 1) return { size: () => setting, label: String(setting) };
	if (count <= 1) return { size: () => 1, label: 'Auto' };
	const advisor = await inFlightAdvisor(ctx, 0);
	// no usable credential: each item fails with its own clear error, one after another
	if (!advisor) return { size: () => 1, label: 'Auto' };
	return { size: () => Math.min(MAX_PARALLEL_REQUESTS, Math.max(1, advisor())), label: 'Auto' };
}

function isAuthFailure(normalized: NormalizedUserComError): boolean {
	return normalized.httpCode === 401 || normalized.httpCode === 403;
}

/** The execution's stop signal (some contexts have none or throw). */
function executionSignalOf(ctx: IExecuteFunctions): AbortSignal | undefined {
	try {
		return ctx.getExecutionCancelSignal?.();
	} catch {
		return undefined;
	}
}

function stoppedError(ctx: IExecuteFunctions, itemIndex: number): NodeOperationError {
	return new NodeOperationError(ctx.getNode(), 'The execution was stopped', { itemIndex });
}

/**
 * Runs `execute` for every item with several in flight (Request Options › Parallel Requests),
 * items on the same record one after another, and returns the output in input order, each
 * item paired with its input. Without Continue (error output): no new item starts after a
 * failure, the running ones finish, and the error of the first failing item in input order is
 * thrown. After a 401/403 no further request is sent: requests still waiting for a slot are
 * dropped and every remaining item gets that error.
 */
export async function runItems(
	this: IExecuteFunctions,
	count: number,
	execute: ItemExecute,
	recordKeysOf: RecordKeysOf | undefined,
	continueOnFail: boolean,
): Promise<INodeExecutionData[]> {
	const window = await windowFor(this, count);
	const results: INodeExecutionData[][] = new Array<INodeExecutionData[]>(count);
	const failures: Array<{ itemIndex: number; error: unknown }> = [];
	// a holder, not a variable: it changes while items are awaited
	const auth: { failure?: { error: unknown; normalized: NormalizedUserComError } } = {};
	const authFailureNow = () => auth.failure;
	let stoppedAt: number | undefined;

	// one signal for this run's requests: the execution's stop, or ours after a 401/403
	const stopRequests = new AbortController();
	const executionSignal = executionSignalOf(this);
	const isCancelled = () => executionSignal?.aborted === true;
	bindRunSignal(
		this,
		executionSignal ? AbortSignal.any([executionSignal, stopRequests.signal]) : stopRequests.signal,
	);

	const tracker = new RecordKeyTracker();
	const keysOf = (itemIndex: number): string[] => {
		if (!recordKeysOf) return [ALL_RECORDS];
		try {
			return tracker.keysFor(recordKeysOf.call(this, itemIndex));
		} catch {
			return [ALL_RECORDS];
		}
	};

	const fail = (itemIndex: number, error: unknown, normalized: NormalizedUserComError): void => {
		if (!continueOnFail) {
			failures.push({ itemIndex, error });
			scheduler.stopStarting();
			return;
		}
		results[itemIndex] = [errorItemOf(normalized, normalized.message, itemIndex)];
	};

	const run = async (itemIndex: number): Promise<void> => {
		if (isCancelled()) {
			// the execution was stopped: n8n discards the output, so start nothing more
			stoppedAt = Math.min(stoppedAt ?? itemIndex, itemIndex);
			scheduler.stopStarting();
			return;
		}
		if (auth.failure) {
			if (continueOnFail)
				fail(itemIndex, auth.failure.error, { ...auth.failure.normalized, itemIndex });
			return;
		}
		try {
			const out = await execute.call(this, itemIndex);
			results[itemIndex] = out.map((entry) => ({
				json: entry.json,
				pairedItem: { item: itemIndex },
			}));
		} catch (error) {
			if (isCancelled()) {
				stoppedAt = Math.min(stoppedAt ?? itemIndex, itemIndex);
				if (!isCancellationError(error))
					fail(itemIndex, error, toNormalizedError(error, itemIndex));
				scheduler.stopStarting();
				return;
			}
			// dropped after another item's 401/403 before it was sent: that error is its outcome too
			const authFailure = authFailureNow();
			if (authFailure && isCancellationError(error)) {
				if (continueOnFail)
					fail(itemIndex, authFailure.error, { ...authFailure.normalized, itemIndex });
				return;
			}
			const normalized = toNormalizedError(error, itemIndex);
			if (isAuthFailure(normalized) && !auth.failure) {
				auth.failure = { error, normalized };
				stopRequests.abort();
			}
			fail(itemIndex, error, normalized);
		}
	};

	const scheduler = new ItemScheduler({
		count,
		keysOf,
		windowSize: window.size,
		run,
		yieldTurn: yieldToEventLoop,
	});
	let used;
	try {
		used = await scheduler.runAll();
	} finally {
		unbindRunSignal(this);
	}
	if (count > 1) {
		const windowRange =
			used.minWindow === used.maxWindow ? used.maxWindow : `${used.minWindow}–${used.maxWindow}`;
		const summary =
			`User.com: ${count} items, up to ${used.maxInFlight} in flight ` +
			`(Parallel Requests: ${window.label}, window ${windowRange})`;
		this.logger?.debug(summary, {
			inFlight: used.maxInFlight,
			windowMin: used.minWindow,
			windowMax: used.maxWindow,
		});
		this.addExecutionHints?.({ message: `${summary}.`, type: 'info', location: 'outputPane' });
	}

	const first = failures.sort((a, b) => a.itemIndex - b.itemIndex)[0];
	if (stoppedAt !== undefined && (first === undefined || stoppedAt < first.itemIndex))
		throw stoppedError(this, stoppedAt);
	if (first) throw asNodeError(this.getNode(), first.error, first.itemIndex);
	const output: INodeExecutionData[] = [];
	for (const entries of results) if (entries) for (const entry of entries) output.push(entry);
	return output;
}
