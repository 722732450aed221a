import type { IDataObject, IHttpRequestMethods } from 'n8n-workflow';

import type { Account } from './account';
import { cancelSignalOf, executionKeyOf, type UserComContext } from './context';
import { defaultWriteKind, type UserComWriteKind } from './retry';
import type { UserComRequestSettings } from './settings';
import { getClock } from './state';
import { type ExecutionStats, statsFor } from './stats';

export interface UserComRequestOptions {
	method: IHttpRequestMethods;
	/** Relative to the base URL, no leading slash; a trailing slash is added when missing. */
	path: string;
	qs?: IDataObject;
	body?: IDataObject | IDataObject[] | Buffer | unknown;
	headers?: IDataObject;
	itemIndex?: number;
	/** Natural key for logs, e.g. 'deal custom_id=ORD-1'. */
	correlation?: string;
	writeKind?: UserComWriteKind;
}

/**
 * One request (one page) from the call to its answer. A call can wait up to Max Wait for a slot,
 * with many thousands of others queued behind a low limit, so it holds plain fields only: the
 * logger, log metadata and error builders are made when an attempt is sent or fails.
 */
export interface Call {
	context: UserComContext;
	account: Account;
	execKey: string;
	signal: AbortSignal | undefined;
	stats: ExecutionStats;
	settings: UserComRequestSettings;
	method: IHttpRequestMethods;
	url: string;
	qs: IDataObject | undefined;
	body: unknown;
	headers: IDataObject | undefined;
	itemIndex: number;
	correlation: string | undefined;
	writeKind: UserComWriteKind;
	/** Clock time after which the request gives up waiting (Max Wait from the call). */
	deadline: number;
	/** Re-queue at the head of the execution's queue: set for every retry and 429. */
	head: boolean;
	attempts: number;
	retries: number;
	/** An earlier attempt may have been performed by User.com (answer lost or 500/502/504). */
	maybePerformed: boolean;
	/** Path relative to the origin, for logs and errors (query stripped); parsed on first use. */
	logPath: string | undefined;
}

/** The state of one call (page): per-call counters start at zero and Max Wait runs from now. */
export function newCall(
	context: UserComContext,
	account: Account,
	options: UserComRequestOptions,
	url: string,
	qs: IDataObject | undefined,
	settings: UserComRequestSettings,
): Call {
	const execKey = executionKeyOf(context);
	return {
		context,
		account,
		execKey,
		signal: cancelSignalOf(context),
		stats: statsFor(execKey),
		settings,
		method: options.method,
		url,
		qs,
		body: options.body,
		headers: options.headers,
		itemIndex: options.itemIndex ?? 0,
		correlation: options.correlation,
		writeKind: options.writeKind ?? defaultWriteKind(options.method, options.path),
		deadline: getClock().now() + settings.maxWaitSeconds * 1000,
		head: false,
		attempts: 0,
		retries: 0,
		maybePerformed: false,
		logPath: undefined,
	};
}

/** Path relative to the origin, for logs and errors. Parsed after the wait, not per queued call. */
export function logPathOf(call: Call): string {
	if (call.logPath === undefined) call.logPath = new URL(call.url).pathname;
	return call.logPath;
}

/** Log fields that tie a line to its execution, item and natural key. */
export function correlationOf(call: Call): IDataObject {
	return {
		executionId: call.execKey,
		itemIndex: call.itemIndex,
		...(call.correlation ? { correlation: call.correlation } : {}),
	};
}
