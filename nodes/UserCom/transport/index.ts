import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type {
	IDataObject,
	IExecuteFunctions,
	IHookFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	IWebhookFunctions,
} from 'n8n-workflow';

import { type BaseUrlResult, joinPath, resolveBaseUrl } from './baseUrl';
import { getClock, interruptibleSleep, random } from './clock';
import {
	type AccountDispatcher,
	DispatchCancelledError,
	DispatchWaitExceededError,
	type ExecutionStats,
	type SendTicket,
	fingerprintAccount,
	getDispatcher,
	getExecutionStats,
	statsFor,
} from './dispatcher';
import {
	ACTIONS,
	createUserComApiError,
	inputError,
	type NormalizeContext,
	type NormalizedUserComError,
	normalizeUserComError,
	scrubSecrets,
} from './errors';
import { describeForLog, loggerOf } from './logging';
import { runSignalOf } from './runSignal';
import {
	backoffDelayMs,
	classifyNetworkError,
	type NetworkFailure,
	DEFAULT_429_WAIT_MS,
	defaultWriteKind,
	MAX_429_JITTER_MS,
	MAX_RETRIES,
	parseRetryAfter,
	parseThrottleBody,
	type UserComWriteKind,
} from './retry';

export type { UserComWriteKind } from './retry';
export type { NormalizedUserComError, UserComErrorCategory } from './errors';
export { normalizeUserComError, toNormalizedError, createUserComApiError } from './errors';
export { resolveBaseUrl } from './baseUrl';
export { bindRunSignal, unbindRunSignal } from './runSignal';
export { getExecutionStats, takeExecutionStats, __resetDispatchersForTests } from './dispatcher';
export type { ExecutionStats } from './dispatcher';
export { __setClockForTests, __setRandomForTests, type Clock } from './clock';

export type UserComContext = IExecuteFunctions | ILoadOptionsFunctions | IHookFunctions | IWebhookFunctions;

export const CREDENTIAL_NAME = 'userComApi';

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

export interface UserComRequestSettings {
	retryCreatesOnServerErrors: boolean;
	maxWaitSeconds: number;
	timeoutSeconds: number;
}

export const DEFAULT_SETTINGS: UserComRequestSettings = {
	retryCreatesOnServerErrors: false,
	maxWaitSeconds: 300,
	timeoutSeconds: 30,
};

const CREATE_NOTE =
	'The write may have happened: check in User.com before retrying, or use the Upsert operation.';
const FALLBACK_EXECUTION_KEY = '__no_execution__';

/** What a call needs of its credential; the dispatcher is shared by every call of the account. */
interface Account {
	baseUrl: string;
	apiKey: string;
	dispatcher: AccountDispatcher;
}

/**
 * One request's state from the call to its answer. A call can wait up to Max Wait for a slot of
 * the account's rate limit, with many thousands of others queued behind a low limit, so while it
 * waits it holds only this flat object and a small suspended frame (see send): the logger, log
 * metadata, secret lists, the log path and error builders are made when an attempt is sent or
 * fails. It doubles as the dispatcher's AcquireOptions (signal, head, deadline), so queueing
 * allocates no options object either.
 */
interface Call {
	context: UserComContext;
	dispatcher: AccountDispatcher;
	apiKey: string;
	execKey: string;
	signal: AbortSignal | undefined;
	stats: ExecutionStats;
	method: IHttpRequestMethods;
	url: string;
	qs: IDataObject | undefined;
	body: unknown;
	headers: IDataObject | undefined;
	itemIndex: number;
	correlation: string | undefined;
	writeKind: UserComWriteKind;
	retryCreatesOnServerErrors: boolean;
	maxWaitSeconds: number;
	timeoutSeconds: number;
	/** Clock time after which the request gives up waiting (Max Wait from the call). */
	deadline: number;
	/** Re-queue at the head of the execution's queue: set for every retry and 429. */
	head: boolean;
	attempts: number;
	retries: number;
	/** an earlier attempt may have been performed by User.com (answer lost or 500/502/504) */
	maybePerformed: boolean;
	/** Path relative to the origin, for logs and errors (query stripped); parsed on first use. */
	logPath: string | undefined;
}

type LooseContext = {
	getNode: () => import('n8n-workflow').INode;
	getExecutionId?: () => string;
	getExecutionCancelSignal?: () => AbortSignal | undefined;
	getInputData?: unknown;
	getNodeParameter?: (...args: unknown[]) => unknown;
	getCredentials: (type: string, itemIndex?: number) => Promise<IDataObject>;
	helpers: { httpRequestWithAuthentication: (this: unknown, type: string, options: IHttpRequestOptions) => Promise<unknown> };
};

function loose(context: UserComContext): LooseContext {
	return context as unknown as LooseContext;
}

function executionKeyOf(context: UserComContext): string {
	try {
		const id = loose(context).getExecutionId?.();
		if (typeof id === 'string' && id) return id;
		if (typeof id === 'number') return String(id);
	} catch {
		// loadOptions and some hook contexts have no execution
	}
	return FALLBACK_EXECUTION_KEY;
}

function cancelSignalOf(context: UserComContext): AbortSignal | undefined {
	// the router's signal for this run already follows the execution's own
	const runSignal = runSignalOf(context);
	if (runSignal) return runSignal;
	try {
		const signal = loose(context).getExecutionCancelSignal?.();
		return signal && typeof signal.aborted === 'boolean' ? signal : undefined;
	} catch {
		return undefined;
	}
}

function numberOr(value: unknown, fallback: number, min: number, max: number): number {
	const n = Number(value);
	if (value === undefined || value === null || value === '' || !Number.isFinite(n)) return fallback;
	return Math.min(max, Math.max(min, n));
}

/** Reads the node's "Request Options" collection; contexts without it use the defaults. */
export function readRequestSettings(context: UserComContext, itemIndex: number): UserComRequestSettings {
	let raw: unknown;
	const ctx = loose(context);
	try {
		if (typeof ctx.getNodeParameter === 'function' && ctx.getInputData !== undefined) {
			raw = ctx.getNodeParameter('requestOptions', itemIndex, {});
		}
	} catch {
		raw = undefined;
	}
	const options = (raw && typeof raw === 'object' ? raw : {}) as IDataObject;
	return {
		retryCreatesOnServerErrors: options.retryCreatesOnServerErrors === true,
		maxWaitSeconds: numberOr(options.maxWaitSeconds, DEFAULT_SETTINGS.maxWaitSeconds, 1, 86400),
		timeoutSeconds: numberOr(options.timeoutSeconds, DEFAULT_SETTINGS.timeoutSeconds, 1, 3600),
	};
}

/**
 * resolveBaseUrl() per credential subdomain. It is a pure function of a value that rarely changes,
 * so every request of an account shares one base URL string (which each queued request's URL
 * starts with) instead of building its own.
 */
const baseUrls = new Map<string, BaseUrlResult>();
const MAX_CACHED_BASE_URLS = 64;

function baseUrlOf(subdomain: unknown): BaseUrlResult {
	if (typeof subdomain !== 'string') return resolveBaseUrl(subdomain);
	let resolved = baseUrls.get(subdomain);
	if (!resolved) {
		resolved = resolveBaseUrl(subdomain);
		if (baseUrls.size >= MAX_CACHED_BASE_URLS) baseUrls.clear();
		baseUrls.set(subdomain, resolved);
	}
	return resolved;
}

async function resolveAccount(context: UserComContext, itemIndex: number): Promise<Account> {
	const credentials = await loose(context).getCredentials(CREDENTIAL_NAME, itemIndex);
	const apiKey = typeof credentials.apiKey === 'string' ? credentials.apiKey.trim() : '';
	const resolved = baseUrlOf(credentials.subdomain);
	if (!resolved.ok) {
		throw new NodeOperationError(context.getNode(), scrubSecrets(resolved.error, [apiKey]), {
			itemIndex,
			description: 'Fix the "Subdomain" field of the User.com credential.',
		});
	}
	const baseUrl = resolved.url;
	if (!apiKey) {
		throw new NodeOperationError(context.getNode(), 'The User.com credential has no API key', {
			itemIndex,
			description:
				'Paste the 64-character key from User.com: Settings → App Settings → Advanced → Public REST API keys.',
		});
	}
	const dispatcher = getDispatcher(fingerprintAccount(baseUrl, apiKey), {
		rateLimit: numberOr(credentials.rateLimit, 10, 0.1, 1000),
		sharePercent: numberOr(credentials.limitShare, 100, 1, 100),
	});
	return { baseUrl, apiKey, dispatcher };
}

/**
 * How many requests this context's account can use at once right now (see the dispatcher's
 * suggestedInFlight): read again as answers come in, so it follows the observed round trips.
 * Undefined when the credential cannot be resolved (the items then fail with that error).
 */
export async function inFlightAdvisor(context: UserComContext, itemIndex = 0): Promise<(() => number) | undefined> {
	try {
		const { dispatcher } = await resolveAccount(context, itemIndex);
		return () => dispatcher.suggestedInFlight();
	} catch {
		return undefined;
	}
}

function isJsonBody(body: unknown): boolean {
	if (body === undefined || body === null) return false;
	if (Array.isArray(body)) return true;
	if (typeof body !== 'object') return false;
	const proto = Object.getPrototypeOf(body) as unknown;
	return proto === Object.prototype || proto === null;
}

/** A 2xx answer whose JSON body is empty or cut off: the request was handled, the answer was lost. */
const INCOMPLETE = Symbol('incomplete');

function parseSuccessBody(body: unknown, headers: Record<string, unknown>): unknown {
	const contentType = String(headers['content-type'] ?? '');
	const claimsJson = /json/i.test(contentType);
	if (body === undefined || body === null) return claimsJson ? INCOMPLETE : {};
	if (body instanceof Uint8Array) body = Buffer.from(body).toString('utf8');
	if (typeof body === 'string') {
		const text = body.trim();
		if (!text) return claimsJson ? INCOMPLETE : {};
		if (text.startsWith('{') || text.startsWith('[')) {
			try {
				return JSON.parse(text) as unknown;
			} catch {
				return INCOMPLETE;
			}
		}
		if (claimsJson) return INCOMPLETE;
	}
	return body;
}

interface FullResponse {
	body: unknown;
	headers: Record<string, unknown>;
	statusCode: number;
}

function asFullResponse(value: unknown): FullResponse {
	const v = (value ?? {}) as Partial<FullResponse> & { status?: number };
	return {
		body: v.body,
		headers: (v.headers ?? {}) as Record<string, unknown>,
		statusCode: Number(v.statusCode ?? v.status ?? 0),
	};
}

/** Sleeps on the active clock; an abort of `signal` ends the wait at once. Listener removed afterwards. */
async function sleepUnlessAborted(ms: number, signal: AbortSignal | undefined): Promise<void> {
	if (!signal) {
		await interruptibleSleep(ms);
		return;
	}
	if (signal.aborted) return;
	let onAbort: () => void = () => {};
	const aborted = new Promise<void>((resolve) => {
		onAbort = () => resolve();
		signal.addEventListener('abort', onAbort, { once: true });
	});
	try {
		await interruptibleSleep(ms, aborted);
	} finally {
		signal.removeEventListener('abort', onAbort);
	}
}

/** Path relative to the origin, for logs and errors. Parsed after the wait, not per queued call. */
function logPathOf(call: Call): string {
	if (call.logPath === undefined) call.logPath = new URL(call.url).pathname;
	return call.logPath;
}

/** Log fields that tie a line to its execution, item and natural key. */
function correlationOf(call: Call): IDataObject {
	return {
		executionId: call.execKey,
		itemIndex: call.itemIndex,
		...(call.correlation ? { correlation: call.correlation } : {}),
	};
}

function errorContext(call: Call, secrets: string[], notes?: string[]): NormalizeContext {
	return {
		method: call.method,
		path: logPathOf(call),
		attempts: call.attempts,
		itemIndex: call.itemIndex,
		secrets,
		...(notes ? { notes } : {}),
	};
}

function fail(call: Call, normalized: NormalizedUserComError): NodeApiError {
	return createUserComApiError(call.context.getNode(), normalized);
}

const CANCELLED_MESSAGE = 'Execution was cancelled';

/** Whether an error is a request dropped because its run or execution was stopped (not an answer). */
export function isCancellationError(error: unknown): boolean {
	return error instanceof NodeOperationError && error.message === CANCELLED_MESSAGE;
}

function cancelledError(call: Call): NodeOperationError {
	return new NodeOperationError(call.context.getNode(), CANCELLED_MESSAGE, {
		itemIndex: call.itemIndex,
		description: 'The execution was stopped; queued User.com requests of this execution were dropped.',
	});
}

/** The request could not be sent within Max Wait (no slot in time, or User.com asked to wait longer). */
function waitBoundError(call: Call, status: number | null, body: unknown, reason: string): NodeApiError {
	const secrets = [call.apiKey];
	const normalized = normalizeUserComError(status ?? 429, body, errorContext(call, secrets, [reason]));
	normalized.category = 'rate_limited';
	normalized.retryable = true;
	normalized.message = scrubSecrets(
		`User.com rate limit: the request could not be sent within ${call.maxWaitSeconds} s`,
		secrets,
	);
	normalized.description = [reason, ACTIONS.rate_limited].join('\n');
	if (status === null) normalized.httpCode = null;
	return fail(call, normalized);
}

function networkError(call: Call, failure: NetworkFailure, extra: string[]): NodeApiError {
	const secrets = [call.apiKey];
	const detail = `Could not reach User.com: ${failure.phrase}${failure.code ? ` (${failure.code})` : ''}.`;
	const normalized = normalizeUserComError(null, undefined, errorContext(call, secrets, extra));
	normalized.message = scrubSecrets(`Could not reach User.com: ${failure.phrase}`, secrets);
	normalized.retryable = failure.retryable;
	normalized.description = [detail, ...extra, ACTIONS.network].map((l) => scrubSecrets(l, secrets)).join('\n');
	return fail(call, normalized);
}

/** A 2xx whose JSON body was empty or cut off. */
function incompleteError(call: Call, status: number, extra: string[]): NodeApiError {
	const note = `User.com answered ${status} but the response body was empty or cut off.`;
	const normalized = normalizeUserComError(502, undefined, errorContext(call, [call.apiKey], [note, ...extra]));
	normalized.httpCode = status;
	normalized.message = `User.com answered ${status} with an incomplete response`;
	return fail(call, normalized);
}

function statusError(call: Call, status: number, body: unknown, notes?: string[]): NodeApiError {
	return fail(call, normalizeUserComError(status, body, errorContext(call, [call.apiKey], notes)));
}

/** Why the next retry must not happen (undefined: retry), taking a token of the retry budget. */
function retryStop(call: Call, delay: number): string | undefined {
	const done = call.retries;
	if (done >= MAX_RETRIES) return `Gave up after ${done + 1} attempts.`;
	if (getClock().now() + delay > call.deadline) {
		return `Gave up: the next retry would exceed the ${call.maxWaitSeconds} s allowed per request.`;
	}
	if (!call.dispatcher.budget.tryTake()) {
		return 'Not retried: the retry budget of this User.com account is used up (too many failures recently).';
	}
	return undefined;
}

async function waitBackoff(call: Call, delay: number): Promise<void> {
	const clock = getClock();
	const before = clock.now();
	await sleepUnlessAborted(delay, call.signal);
	call.stats.waitMs += clock.now() - before;
	if (call.signal?.aborted) throw cancelledError(call);
}

function httpOptions(call: Call): IHttpRequestOptions {
	const options: IHttpRequestOptions = {
		method: call.method,
		url: call.url,
		json: true,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		disableFollowRedirect: true,
		timeout: call.timeoutSeconds * 1000,
	};
	if (call.qs && Object.keys(call.qs).length > 0) options.qs = call.qs;
	if (call.body !== undefined) options.body = call.body as IDataObject;
	if (call.headers) options.headers = call.headers;
	if (call.body !== undefined && !isJsonBody(call.body) && !call.headers) options.json = false;
	return options;
}

/** attempt() result: send the request again (re-queued at the head of the execution's queue). */
const RETRY = Symbol('retry');

/**
 * Waits for a slot and attempts until there is an answer, an error, or no retry left. This is the
 * frame that stays suspended while the call is queued: it is kept small on purpose, and all
 * per-attempt work (options, logging, classification) lives in attempt().
 */
async function send(pending: Call | Promise<Call>): Promise<unknown> {
	const call = await pending;
	call.dispatcher.budget.onRequest();
	for (;;) {
		if (call.signal?.aborted) throw cancelledError(call);
		const queuedAt = getClock().now();
		let ticket: SendTicket;
		try {
			ticket = await call.dispatcher.acquire(call.execKey, call);
		} catch (error) {
			call.stats.waitMs += getClock().now() - queuedAt;
			throw acquireError(call, error);
		}
		call.stats.waitMs += getClock().now() - queuedAt;
		const result = await attempt(call, ticket);
		if (result !== RETRY) return result;
		call.head = true;
	}
}

function acquireError(call: Call, error: unknown): Error {
	if (error instanceof DispatchCancelledError) return cancelledError(call);
	if (error instanceof DispatchWaitExceededError) {
		return waitBoundError(
			call,
			call.attempts > 0 ? 429 : null,
			undefined,
			`Waited for a free slot of this account's rate limit for more than ${call.maxWaitSeconds} s (queue depth ${call.dispatcher.queueDepth()}).`,
		);
	}
	return new NodeOperationError(call.context.getNode(), error instanceof Error ? error.message : String(error), {
		itemIndex: call.itemIndex,
	});
}

/** Sends one attempt on an acquired slot. Returns the parsed body or RETRY (after any backoff), or throws. */
async function attempt(call: Call, ticket: SendTicket): Promise<unknown> {
	const clock = getClock();
	const { context, dispatcher, stats, signal } = call;
	call.attempts++;
	stats.requests++;
	const sentAt = clock.now();
	const options = httpOptions(call);

	let response: FullResponse | undefined;
	let thrown: unknown;
	try {
		response = asFullResponse(
			await loose(context).helpers.httpRequestWithAuthentication.call(context, CREDENTIAL_NAME, options),
		);
	} catch (error) {
		thrown = error;
	}
	const receivedAt = clock.now();
	dispatcher.complete(ticket, receivedAt);
	const durationMs = receivedAt - sentAt;
	const secrets = [call.apiKey];
	const log = loggerOf(context, secrets);

	// ---- no response: network error ----
	if (!response) {
		const failure = classifyNetworkError(thrown);
		log.debug('User.com request failed without response', {
			...correlationOf(call),
			method: call.method,
			path: logPathOf(call),
			attempt: call.attempts,
			durationMs,
			error: failure.code ?? 'unknown',
			payload: describeForLog(call.body, secrets),
		});
		if (signal?.aborted) throw cancelledError(call);
		const createBlocked = call.writeKind === 'create' && !failure.notSent && !call.retryCreatesOnServerErrors;
		if (!failure.retryable) throw networkError(call, failure, []);
		if (createBlocked) throw networkError(call, failure, [CREATE_NOTE]);
		const delay = backoffDelayMs(call.retries + 1, random());
		const stop = retryStop(call, delay);
		if (stop) throw networkError(call, failure, [stop]);
		if (!failure.notSent) call.maybePerformed = true;
		call.retries++;
		stats.retries++;
		await waitBackoff(call, delay);
		return RETRY;
	}

	const { statusCode: status, headers, body } = response;
	log.debug('User.com request', {
		...correlationOf(call),
		method: call.method,
		path: logPathOf(call),
		status,
		durationMs,
		attempt: call.attempts,
		payload: describeForLog(call.body, secrets),
		response: describeForLog(body, secrets),
	});

	if (status !== 503) dispatcher.reportAnswered();

	if (status >= 200 && status < 300) {
		const parsed = parseSuccessBody(body, headers);
		if (parsed !== INCOMPLETE) return parsed;
		if (call.writeKind === 'create' && !call.retryCreatesOnServerErrors) throw incompleteError(call, status, [CREATE_NOTE]);
		const delay = backoffDelayMs(call.retries + 1, random());
		const stop = retryStop(call, delay);
		if (stop) throw incompleteError(call, status, [stop]);
		call.retries++;
		stats.retries++;
		await waitBackoff(call, delay);
		return RETRY;
	}
	// a retried DELETE whose earlier attempt was performed: the record is gone, as asked
	if (status === 404 && call.method === 'DELETE' && call.maybePerformed) return {};

	if (status === 429) {
		stats.rateLimited++;
		const headerWait = parseRetryAfter(headers['retry-after'], receivedAt);
		const wait = headerWait ?? parseThrottleBody(body) ?? DEFAULT_429_WAIT_MS;
		const jitter = Math.floor(random() * (MAX_429_JITTER_MS + 1));
		const blockedUntil = dispatcher.report429(receivedAt, wait + jitter, ticket);
		log.warn('User.com rate limit hit (429)', {
			...correlationOf(call),
			account: dispatcher.fingerprint,
			path: logPathOf(call),
			retryAfter: headers['retry-after'] ?? null,
			waitMs: wait + jitter,
			attempt: call.attempts,
			queueDepth: dispatcher.queueDepth(),
			ratePerSecond: Math.round(dispatcher.currentRate(receivedAt) * 100) / 100,
		});
		if (signal?.aborted) throw cancelledError(call);
		if (blockedUntil > call.deadline) {
			throw waitBoundError(
				call,
				429,
				body,
				`User.com asked to wait ${Math.ceil(wait / 1000)} s, beyond the ${call.maxWaitSeconds} s allowed per request (${call.attempts} attempt(s)).`,
			);
		}
		return RETRY;
	}

	// 503: User.com is unavailable and did not process the request. Pause the whole account with
	// a growing backoff (one request probes per pause, so an outage costs a few requests, not a
	// retry storm) and wait it out for as long as Max Wait allows, whatever the retry count.
	if (status === 503) {
		if (signal?.aborted) throw cancelledError(call);
		const retryAfter = parseRetryAfter(headers['retry-after'], receivedAt) ?? 0;
		const delay = Math.max(backoffDelayMs(dispatcher.unavailableCount + 1, random()), retryAfter);
		if (receivedAt + delay > call.deadline) {
			const stop = `Gave up: User.com stayed unavailable (503) longer than the ${call.maxWaitSeconds} s allowed per request.`;
			throw statusError(call, status, body, [stop]);
		}
		dispatcher.reportUnavailable(receivedAt, delay);
		log.warn('User.com unavailable (503): pausing the account', {
			...correlationOf(call),
			account: dispatcher.fingerprint,
			path: logPathOf(call),
			waitMs: delay,
			attempt: call.attempts,
			queueDepth: dispatcher.queueDepth(),
		});
		call.retries++;
		stats.retries++;
		return RETRY;
	}

	const retryableStatus = status === 500 || status === 502 || status === 504;
	if (retryableStatus) {
		if (signal?.aborted) throw cancelledError(call);
		const createBlocked = call.writeKind === 'create' && !call.retryCreatesOnServerErrors;
		if (createBlocked) throw statusError(call, status, body, [CREATE_NOTE]);
		const retryAfter = parseRetryAfter(headers['retry-after'], receivedAt) ?? 0;
		const delay = Math.max(backoffDelayMs(call.retries + 1, random()), retryAfter);
		const stop = retryStop(call, delay);
		if (stop) throw statusError(call, status, body, [stop]);
		call.maybePerformed = true;
		call.retries++;
		stats.retries++;
		await waitBackoff(call, delay);
		return RETRY;
	}

	throw statusError(call, status, body);
}

/** The state of one call (page): per-call counters start at zero and Max Wait runs from now. */
function newCall(
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
		dispatcher: account.dispatcher,
		apiKey: account.apiKey,
		execKey,
		signal: cancelSignalOf(context),
		stats: statsFor(execKey),
		method: options.method,
		url,
		qs,
		body: options.body,
		headers: options.headers,
		itemIndex: options.itemIndex ?? 0,
		correlation: options.correlation,
		writeKind: options.writeKind ?? defaultWriteKind(options.method, options.path),
		retryCreatesOnServerErrors: settings.retryCreatesOnServerErrors,
		maxWaitSeconds: settings.maxWaitSeconds,
		timeoutSeconds: settings.timeoutSeconds,
		deadline: getClock().now() + settings.maxWaitSeconds * 1000,
		head: false,
		attempts: 0,
		retries: 0,
		maybePerformed: false,
		logPath: undefined,
	};
}

/**
 * Sends one request through the account's dispatcher (throttle, 429 handling, retries) and
 * returns the parsed body. Throws NodeApiError with User.com's own words, every field error,
 * the action to take, httpCode and itemIndex; the normalized error is at error.context.userCom.
 */
// Returns the parsed body as IDataObject (callers narrow it); not a generic, since `.call(this, ...)` would infer unknown.
// Not async itself: the promise it returns is send()'s own, so a queued call has one suspended frame.
export function userComApiRequest(this: UserComContext, options: UserComRequestOptions): Promise<IDataObject> {
	return send(startCall(this, options)) as Promise<IDataObject>;
}

/** Resolves the credential and settings of a single request (send() awaits it, so errors reject). */
async function startCall(context: UserComContext, options: UserComRequestOptions): Promise<Call> {
	const itemIndex = options.itemIndex ?? 0;
	const account = await resolveAccount(context, itemIndex);
	const settings = readRequestSettings(context, itemIndex);
	return newCall(context, account, options, joinPath(account.baseUrl, options.path), options.qs, settings);
}

function refuseNext(context: UserComContext, next: string, account: Account, itemIndex: number, reason: string): never {
	const normalized = inputError(`Refused to follow a pagination link: ${reason}`, {
		itemIndex,
		secrets: [account.apiKey],
		description: `User.com returned a "next" page on ${next.slice(0, 200)}; the API key is only sent to ${new URL(account.baseUrl).origin}.`,
	});
	normalized.category = 'server';
	throw createUserComApiError(context.getNode(), normalized);
}

/** Validates a `next` link: same origin as the base URL (http upgraded to https for the same host). */
function resolveNext(context: UserComContext, next: string, account: Account, itemIndex: number): string {
	let url: URL;
	try {
		url = new URL(next, account.baseUrl);
	} catch {
		return refuseNext(context, next, account, itemIndex, 'it is not a valid URL');
	}
	const base = new URL(account.baseUrl);
	if (url.origin !== base.origin) {
		const sameHost = url.hostname === base.hostname;
		const upgradable = sameHost && url.protocol === 'http:' && base.protocol === 'https:' && (url.port === '' || url.port === '80') && base.port === '';
		if (!upgradable) return refuseNext(context, next, account, itemIndex, `it points to another origin (${url.origin})`);
		url.protocol = 'https:';
		url.port = '';
	}
	if (url.username || url.password) return refuseNext(context, next, account, itemIndex, 'it contains credentials');
	return url.toString();
}

/**
 * Follows `next` links (same origin only) until exhausted or `limit` items collected.
 * Accepts the paginated envelope {count,next,previous,results} and bare arrays.
 */
export async function userComApiRequestAllItems(
	this: UserComContext,
	options: UserComRequestOptions,
	limit?: number,
): Promise<IDataObject[]> {
	const itemIndex = options.itemIndex ?? 0;
	const account = await resolveAccount(this, itemIndex);
	const settings = readRequestSettings(this, itemIndex);
	const max = limit !== undefined && limit !== null && Number.isFinite(limit) && limit > 0 ? Math.floor(limit) : Infinity;
	const items: IDataObject[] = [];
	const seen = new Set<string>();
	let url = joinPath(account.baseUrl, options.path);
	let qs: IDataObject | undefined = options.qs;
	for (;;) {
		seen.add(url);
		const body = await send(newCall(this, account, { ...options, method: options.method ?? 'GET' }, url, qs, settings));
		let pageItems: unknown[];
		let next: unknown = null;
		if (Array.isArray(body)) {
			pageItems = body;
		} else if (body && typeof body === 'object' && Array.isArray((body as IDataObject).results)) {
			pageItems = (body as IDataObject).results as unknown[];
			next = (body as IDataObject).next;
		} else if (body && typeof body === 'object' && Object.keys(body).length > 0) {
			pageItems = [body];
		} else {
			pageItems = [];
		}
		for (const item of pageItems) {
			if (items.length >= max) break;
			items.push((item && typeof item === 'object' ? item : { value: item }) as IDataObject);
		}
		if (items.length >= max) break;
		if (typeof next !== 'string' || !next) break;
		const nextUrl = resolveNext(this, next, account, itemIndex);
		if (seen.has(nextUrl)) break;
		url = nextUrl;
		qs = undefined;
	}
	return items;
}

/**
 * Validates an id for a URL path and encodes it. Numbers must be positive integers; strings must
 * not be empty or whitespace-only, nor "." / "..". Throws NodeOperationError naming the field.
 */
export function encodePathId(this: UserComContext, value: unknown, fieldLabel: string, itemIndex: number): string {
	const node = this.getNode();
	const problem = (what: string) =>
		new NodeOperationError(node, `The ${fieldLabel} ${what}`, {
			itemIndex,
			description: `Item ${itemIndex}: enter a valid "${fieldLabel}" (it goes into the request URL).`,
		});
	if (typeof value === 'number') {
		if (!Number.isInteger(value) || value <= 0) throw problem(`must be a positive whole number (got ${value})`);
		return String(value);
	}
	if (typeof value === 'bigint') {
		if (value <= BigInt(0)) throw problem(`must be a positive whole number (got ${value})`);
		return value.toString();
	}
	if (value === undefined || value === null) throw problem('is empty');
	if (typeof value !== 'string') throw problem(`must be text or a number (got ${typeof value})`);
	if (value.trim() === '') throw problem('is empty');
	if (value.trim() === '.' || value.trim() === '..') throw problem(`cannot be "${value.trim()}"`);
	return encodeURIComponent(value);
}


/**
 * Logs this execution's User.com summary (requests, 429s, retries, time spent waiting) — as a
 * warning when it saw 429s or retries, else at debug level — and returns the counters.
 * Meant for the end of a node run (the router also turns them into an execution hint).
 */
export function logExecutionSummary(this: UserComContext): ExecutionStats | undefined {
	const executionId = executionKeyOf(this);
	const stats = getExecutionStats(executionId);
	if (!stats) return undefined;
	const log = loggerOf(this, []);
	const meta = { executionId, ...stats, waitSeconds: Math.round(stats.waitMs / 100) / 10 };
	const text = `User.com execution summary: ${stats.requests} request(s), ${stats.rateLimited} rate-limited (429), ${stats.retries} retried, ${meta.waitSeconds} s waiting`;
	if (stats.rateLimited > 0 || stats.retries > 0) log.warn(text, meta);
	else log.debug(text, meta);
	return stats;
}
