import type { IDataObject } from 'n8n-workflow';

import { type Account, resolveAccount } from './account';
import { joinPath } from './baseUrl';
import { type Call, newCall, type UserComRequestOptions } from './call';
import { sleepUnlessAborted } from './clock';
import type { UserComContext } from './context';
import type { SendTicket } from './arrivals';
import { cancelledError, slotError } from './failures';
import { decide } from './outcomes';
import { send } from './send';
import { readRequestSettings, type UserComRequestSettings } from './settings';
import { getClock } from './state';

/**
 * Sends one request through the account's dispatcher (throttle, 429 handling, retries) and
 * returns the parsed body. Throws NodeApiError with User.com's own words, every field error,
 * the action to take, httpCode and itemIndex; the normalized error is at error.context.userCom.
 */
// Returns the parsed body as IDataObject (callers narrow it); not a generic, since
// `.call(this, ...)` would infer unknown.
// Not async itself: the promise returned is run()'s, so a queued request keeps one suspended frame.
export function userComApiRequest(
	this: UserComContext,
	options: UserComRequestOptions,
): Promise<IDataObject> {
	return run(prepareCall(this, options)) as Promise<IDataObject>;
}

/** Resolves the credential and settings of a single request (run() awaits it, so errors reject). */
async function prepareCall(context: UserComContext, options: UserComRequestOptions): Promise<Call> {
	const itemIndex = options.itemIndex ?? 0;
	const account = await resolveAccount(context, itemIndex);
	const settings = readRequestSettings(context, itemIndex);
	return newCall(
		context,
		account,
		options,
		joinPath(account.baseUrl, options.path),
		options.qs,
		settings,
	);
}

/** Runs one call (one page of a paginated read) to its answer or error. */
export function runCall(
	context: UserComContext,
	account: Account,
	options: UserComRequestOptions,
	url: string,
	qs: IDataObject | undefined,
	settings: UserComRequestSettings,
): Promise<unknown> {
	return run(newCall(context, account, options, url, qs, settings));
}

/**
 * slot -> send -> decide, until there is a body or an error. While the call waits for its slot,
 * this frame and the Call are all it holds.
 */
async function run(prepared: Call | Promise<Call>): Promise<unknown> {
	const call = await prepared;
	const { dispatcher } = call.account;
	const clock = getClock();
	dispatcher.budget.onRequest();
	for (;;) {
		if (call.signal?.aborted) throw cancelledError(call);
		const queuedAt = clock.now();
		let ticket: SendTicket;
		try {
			ticket = await dispatcher.acquire(call.execKey, {
				signal: call.signal,
				head: call.head,
				deadline: call.deadline,
			});
		} catch (error) {
			throw slotError(call, error);
		} finally {
			call.stats.waitMs += clock.now() - queuedAt;
		}
		const decision = decide(call, await send(call, ticket));
		if (decision.kind === 'done') return decision.body;
		if (decision.kind === 'fail') throw decision.error;
		if (decision.backoffMs > 0) await backoff(call, decision.backoffMs);
		call.head = true;
	}
}

/** Waits before a retry; the time counts as waiting, and a cancel ends it at once. */
async function backoff(call: Call, delayMs: number): Promise<void> {
	const clock = getClock();
	const before = clock.now();
	await sleepUnlessAborted(clock, delayMs, call.signal);
	call.stats.waitMs += clock.now() - before;
	if (call.signal?.aborted) throw cancelledError(call);
}
