import { type NodeApiError, NodeOperationError } from 'n8n-workflow';

import { type Call, logPathOf } from './call';
import {
	ACTIONS,
	createUserComApiError,
	type NormalizeContext,
	type NormalizedUserComError,
	normalizeUserComError,
	scrubSecrets,
} from './errors';
import { DispatchCancelledError, DispatchWaitExceededError } from './dispatcher';
import type { NetworkFailure } from './retry';

/**
 * The errors a call ends with: the normalized shape (errors.ts) filled in with the call's details.
 */

export const CREATE_NOTE =
	'The write may have happened: check in User.com before retrying, or use the Upsert operation.';

function errorContext(call: Call, notes?: string[]): NormalizeContext {
	return {
		method: call.method,
		path: logPathOf(call),
		attempts: call.attempts,
		itemIndex: call.itemIndex,
		secrets: [call.account.apiKey],
		...(notes ? { notes } : {}),
	};
}

function fail(call: Call, normalized: NormalizedUserComError): NodeApiError {
	return createUserComApiError(call.context.getNode(), normalized);
}

const CANCELLED_MESSAGE = 'Execution was cancelled';

/**
 * Whether an error is a request dropped because its run or execution was stopped (not an answer).
 */
export function isCancellationError(error: unknown): boolean {
	return error instanceof NodeOperationError && error.message === CANCELLED_MESSAGE;
}

export function cancelledError(call: Call): NodeOperationError {
	return new NodeOperationError(call.context.getNode(), CANCELLED_MESSAGE, {
		itemIndex: call.itemIndex,
		description:
			'The execution was stopped; queued User.com requests of this execution were dropped.',
	});
}

/**
 * The request could not be sent within Max Wait (no slot in time,
 * or User.com asked to wait longer).
 */
export function waitBoundError(
	call: Call,
	status: number | null,
	body: unknown,
	reason: string,
): NodeApiError {
	const secrets = [call.account.apiKey];
	const normalized = normalizeUserComError(status ?? 429, body, errorContext(call, [reason]));
	normalized.category = 'rate_limited';
	normalized.retryable = true;
	normalized.message = scrubSecrets(
		`User.com rate limit: the request could not be sent within ${call.settings.maxWaitSeconds} s`,
		secrets,
	);
	normalized.description = [reason, ACTIONS.rate_limited].join('\n');
	if (status === null) normalized.httpCode = null;
	return fail(call, normalized);
}

export function networkError(call: Call, failure: NetworkFailure, extra: string[]): NodeApiError {
	const secrets = [call.account.apiKey];
	const code = failure.code ? ` (${failure.code})` : '';
	const detail = `Could not reach User.com: ${failure.phrase}${code}.`;
	const normalized = normalizeUserComError(null, undefined, errorContext(call, extra));
	normalized.message = scrubSecrets(`Could not reach User.com: ${failure.phrase}`, secrets);
	normalized.retryable = failure.retryable;
	normalized.description = [detail, ...extra, ACTIONS.network]
		.map((l) => scrubSecrets(l, secrets))
		.join('\n');
	return fail(call, normalized);
}

/** A 2xx whose JSON body was empty or cut off. */
export function incompleteError(call: Call, status: number, extra: string[]): NodeApiError {
	const note = `User.com answered ${status} but the response body was empty or cut off.`;
	const normalized = normalizeUserComError(502, undefined, errorContext(call, [note, ...extra]));
	normalized.httpCode = status;
	normalized.message = `User.com answered ${status} with an incomplete response`;
	return fail(call, normalized);
}

export function statusError(
	call: Call,
	status: number,
	body: unknown,
	notes?: string[],
): NodeApiError {
	return fail(call, normalizeUserComError(status, body, errorContext(call, notes)));
}

/** A slot could not be had: the execution was cancelled, or Max Wait passed in the queue. */
export function slotError(call: Call, error: unknown): Error {
	if (error instanceof DispatchCancelledError) return cancelledError(call);
	if (error instanceof DispatchWaitExceededError) {
		return waitBoundError(
			call,
			call.attempts > 0 ? 429 : null,
			undefined,
			`Waited for a free slot of this account's rate limit for more than ` +
				`${call.settings.maxWaitSeconds} s (queue depth ${call.account.dispatcher.queueDepth()}).`,
		);
	}
	return new NodeOperationError(
		call.context.getNode(),
		error instanceof Error ? error.message : String(error),
		{
			itemIndex: call.itemIndex,
		},
	);
}
