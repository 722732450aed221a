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

import { joinPath, resolveBaseUrl } from './baseUrl';
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
	type NormalizedUserComError,
	normalizeUserComError,
	scrubSecrets,
} from './errors';
import { describeForLog, loggerOf, type TransportLogger } from './logging';
import {
	backoffDelayMs,
	classifyNetworkError,
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

interface Account {
	baseUrl: string;
	origin: string;
	apiKey: string;
	fingerprint: string;
	dispatcher: AccountDispatcher;
}

interface PreparedRequest {
	method: IHttpRequestMethods;
	url: string;
	/** Path relative to the origin, for logs and errors (query stripped). */
	logPath: string;
	qs?: IDataObject;
	body?: unknown;
	headers?: IDataObject;
	itemIndex: number;
	correlation?: string;
	writeKind: UserComWriteKind;
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

async function resolveAccount(context: UserComContext, itemIndex: number): Promise<Account> {
	const credentials = await loose(context).getCredentials(CREDENTIAL_NAME, itemIndex);
	const apiKey = typeof credentials.apiKey === 'string' ? credentials.apiKey.trim() : '';
	const resolved = resolveBaseUrl(credentials.subdomain);
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
	const fingerprint = fingerprintAccount(baseUrl, apiKey);
	const dispatcher = getDispatcher(fingerprint, {
		rateLimit: numberOr(credentials.rateLimit, 10, 0.1, 1000),
		sharePercent: numberOr(credentials.limitShare, 100, 1, 100),
	});
	return { baseUrl, origin: new URL(baseUrl).origin, apiKey, fingerprint, dispatcher };
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

function cancelledError(context: UserComContext, itemIndex: number): NodeOperationError {
	return new NodeOperationError(context.getNode(), 'Execution was cancelled', {
		itemIndex,
		description: 'The execution was stopped; queued User.com requests of this execution were dropped.',
	});
}

async function send(
	context: UserComContext,
	account: Account,
	request: PreparedRequest,
	settings: UserComRequestSettings,
): Promise<unknown> {
	const clock = getClock();
	const secrets = [account.apiKey];
	const log: TransportLogger = loggerOf(context, secrets);
	const execKey = executionKeyOf(context);
	const signal = cancelSignalOf(context);
	const stats = statsFor(execKey);
	const { dispatcher } = account;
	const startedAt = clock.now();
	const deadline = startedAt + settings.maxWaitSeconds * 1000;
	const correlation = {
		executionId: execKey,
		itemIndex: request.itemIndex,
		...(request.correlation ? { correlation: request.correlation } : {}),
	};
	let attempts = 0;
	let retries = 0;
	let head = false;
	/** an earlier attempt may have been performed by User.com (answer lost or 500/502/504) */
	let maybePerformed = false;

	const fail = (normalized: NormalizedUserComError): NodeApiError =>
		createUserComApiError(context.getNode(), normalized);
	const base = () => ({
		method: request.method,
		path: request.logPath,
		attempts,
		itemIndex: request.itemIndex,
		secrets,
	});
	const waitBoundError = (status: number | null, body: unknown, reason: string) => {
		const normalized = normalizeUserComError(status ?? 429, body, {
			...base(),
			notes: [reason],
		});
		normalized.category = 'rate_limited';
		normalized.retryable = true;
		normalized.message = scrubSecrets(
			`User.com rate limit: the request could not be sent within ${settings.maxWaitSeconds} s`,
			secrets,
		);
		normalized.description = [reason, ACTIONS.rate_limited].join('\n');
		if (status === null) normalized.httpCode = null;
		return fail(normalized);
	};

	dispatcher.budget.onRequest();

	for (;;) {
		if (signal?.aborted) throw cancelledError(context, request.itemIndex);
		const queuedAt = clock.now();
		let ticket: SendTicket;
		try {
			ticket = await dispatcher.acquire(execKey, { signal, head, deadline });
		} catch (error) {
			stats.waitMs += clock.now() - queuedAt;
			if (error instanceof DispatchCancelledError) throw cancelledError(context, request.itemIndex);
			if (error instanceof DispatchWaitExceededError) {
				throw waitBoundError(
					attempts > 0 ? 429 : null,
					undefined,
					`Waited for a free slot of this account's rate limit for more than ${settings.maxWaitSeconds} s (queue depth ${dispatcher.queueDepth()}).`,
				);
			}
			throw new NodeOperationError(context.getNode(), error instanceof Error ? error.message : String(error), {
				itemIndex: request.itemIndex,
			});
		}
		stats.waitMs += clock.now() - queuedAt;
		attempts++;
		stats.requests++;
		const sentAt = clock.now();
		const options: IHttpRequestOptions = {
			method: request.method,
			url: request.url,
			json: true,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			disableFollowRedirect: true,
			timeout: settings.timeoutSeconds * 1000,
		};
		if (request.qs && Object.keys(request.qs).length > 0) options.qs = request.qs;
		if (request.body !== undefined) options.body = request.body as IDataObject;
		if (request.headers) options.headers = request.headers;
		if (request.body !== undefined && !isJsonBody(request.body) && !request.headers) options.json = false;

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

		// ---- no response: network error ----
		if (!response) {
			const failure = classifyNetworkError(thrown);
			log.debug('User.com request failed without response', {
				...correlation,
				method: request.method,
				path: request.logPath,
				attempt: attempts,
				durationMs,
				error: failure.code ?? 'unknown',
				payload: describeForLog(request.body, secrets),
			});
			if (signal?.aborted) throw cancelledError(context, request.itemIndex);
			const createBlocked = request.writeKind === 'create' && !failure.notSent && !settings.retryCreatesOnServerErrors;
			const notes: string[] = [];
			const detail = `Could not reach User.com: ${failure.phrase}${failure.code ? ` (${failure.code})` : ''}.`;
			const networkError = (extra: string[]) => {
				const normalized = normalizeUserComError(null, undefined, { ...base(), notes: extra });
				normalized.message = scrubSecrets(`Could not reach User.com: ${failure.phrase}`, secrets);
				normalized.retryable = failure.retryable;
				normalized.description = [detail, ...extra, ACTIONS.network].map((l) => scrubSecrets(l, secrets)).join('\n');
				return fail(normalized);
			};
			if (!failure.retryable) throw networkError(notes);
			if (createBlocked) throw networkError([CREATE_NOTE]);
			const delay = backoffDelayMs(retries + 1, random());
			const stop = retryStop(retries, delay);
			if (stop) throw networkError([stop]);
			if (!failure.notSent) maybePerformed = true;
			retries++;
			stats.retries++;
			await waitBackoff(delay);
			head = true;
			continue;
		}

		const { statusCode: status, headers, body } = response;
		log.debug('User.com request', {
			...correlation,
			method: request.method,
			path: request.logPath,
			status,
			durationMs,
			attempt: attempts,
			payload: describeForLog(request.body, secrets),
			response: describeForLog(body, secrets),
		});

		if (status !== 503) dispatcher.reportAnswered();

		if (status >= 200 && status < 300) {
			const parsed = parseSuccessBody(body, headers);
			if (parsed !== INCOMPLETE) return parsed;
			const note = `User.com answered ${status} but the response body was empty or cut off.`;
			const incomplete = (extra: string[]) => {
				const normalized = normalizeUserComError(502, undefined, { ...base(), notes: [note, ...extra] });
				normalized.httpCode = status;
				normalized.message = `User.com answered ${status} with an incomplete response`;
				return fail(normalized);
			};
			if (request.writeKind === 'create' && !settings.retryCreatesOnServerErrors) throw incomplete([CREATE_NOTE]);
			const delay = backoffDelayMs(retries + 1, random());
			const stop = retryStop(retries, delay);
			if (stop) throw incomplete([stop]);
			retries++;
			stats.retries++;
			await waitBackoff(delay);
			head = true;
			continue;
		}
		// a retried DELETE whose earlier attempt was performed: the record is gone, as asked
		if (status === 404 && request.method === 'DELETE' && maybePerformed) return {};

		if (status === 429) {
			stats.rateLimited++;
			const headerWait = parseRetryAfter(headers['retry-after'], receivedAt);
			const wait = headerWait ?? parseThrottleBody(body) ?? DEFAULT_429_WAIT_MS;
			const jitter = Math.floor(random() * (MAX_429_JITTER_MS + 1));
			const blockedUntil = dispatcher.report429(receivedAt, wait + jitter);
			log.warn('User.com rate limit hit (429)', {
				...correlation,
				account: account.fingerprint,
				path: request.logPath,
				retryAfter: headers['retry-after'] ?? null,
				waitMs: wait + jitter,
				attempt: attempts,
				queueDepth: dispatcher.queueDepth(),
				ratePerSecond: Math.round(dispatcher.currentRate(receivedAt) * 100) / 100,
			});
			if (signal?.aborted) throw cancelledError(context, request.itemIndex);
			if (blockedUntil > deadline) {
				throw waitBoundError(
					429,
					body,
					`User.com asked to wait ${Math.ceil(wait / 1000)} s, beyond the ${settings.maxWaitSeconds} s allowed per request (${attempts} attempt(s)).`,
				);
			}
			head = true;
			continue;
		}

		// 503: User.com is unavailable and did not process the request. Pause the whole account with
		// a growing backoff (one request probes per pause, so an outage costs a few requests, not a
		// retry storm) and wait it out for as long as Max Wait allows, whatever the retry count.
		if (status === 503) {
			if (signal?.aborted) throw cancelledError(context, request.itemIndex);
			const retryAfter = parseRetryAfter(headers['retry-after'], receivedAt) ?? 0;
			const delay = Math.max(backoffDelayMs(dispatcher.unavailableCount + 1, random()), retryAfter);
			if (receivedAt + delay > deadline) {
				const stop = `Gave up: User.com stayed unavailable (503) longer than the ${settings.maxWaitSeconds} s allowed per request.`;
				throw fail(normalizeUserComError(status, body, { ...base(), notes: [stop] }));
			}
			dispatcher.reportUnavailable(receivedAt, delay);
			log.warn('User.com unavailable (503): pausing the account', {
				...correlation,
				account: account.fingerprint,
				path: request.logPath,
				waitMs: delay,
				attempt: attempts,
				queueDepth: dispatcher.queueDepth(),
			});
			retries++;
			stats.retries++;
			head = true;
			continue;
		}

		const retryableStatus = status === 500 || status === 502 || status === 504;
		if (retryableStatus) {
			if (signal?.aborted) throw cancelledError(context, request.itemIndex);
			const createBlocked = request.writeKind === 'create' && !settings.retryCreatesOnServerErrors;
			if (createBlocked) {
				throw fail(normalizeUserComError(status, body, { ...base(), notes: [CREATE_NOTE] }));
			}
			const retryAfter = parseRetryAfter(headers['retry-after'], receivedAt) ?? 0;
			const delay = Math.max(backoffDelayMs(retries + 1, random()), retryAfter);
			const stop = retryStop(retries, delay);
			if (stop) throw fail(normalizeUserComError(status, body, { ...base(), notes: [stop] }));
			maybePerformed = true;
			retries++;
			stats.retries++;
			await waitBackoff(delay);
			head = true;
			continue;
		}

		throw fail(normalizeUserComError(status, body, base()));
	}

	function retryStop(done: number, delay: number): string | undefined {
		if (done >= MAX_RETRIES) return `Gave up after ${done + 1} attempts.`;
		if (clock.now() + delay > deadline) {
			return `Gave up: the next retry would exceed the ${settings.maxWaitSeconds} s allowed per request.`;
		}
		if (!dispatcher.budget.tryTake()) {
			return 'Not retried: the retry budget of this User.com account is used up (too many failures recently).';
		}
		return undefined;
	}

	async function waitBackoff(delay: number): Promise<void> {
		const before = clock.now();
		await sleepUnlessAborted(delay, signal);
		stats.waitMs += clock.now() - before;
		if (signal?.aborted) throw cancelledError(context, request.itemIndex);
	}
}

function prepare(
	account: Account,
	options: UserComRequestOptions,
	url: string,
	qs: IDataObject | undefined,
): PreparedRequest {
	const itemIndex = options.itemIndex ?? 0;
	const parsed = new URL(url);
	return {
		method: options.method,
		url,
		logPath: parsed.pathname,
		qs,
		body: options.body,
		headers: options.headers,
		itemIndex,
		correlation: options.correlation,
		writeKind: options.writeKind ?? defaultWriteKind(options.method, options.path),
	};
}

/**
 * Sends one request through the account's dispatcher (throttle, 429 handling, retries) and
 * returns the parsed body. Throws NodeApiError with User.com's own words, every field error,
 * the action to take, httpCode and itemIndex; the normalized error is at error.context.userCom.
 */
// Returns Promise<any> (not a generic) so that `userComApiRequest.call(this, ...)` assigns to any type.
export async function userComApiRequest(this: UserComContext, options: UserComRequestOptions): Promise<any> {
	const itemIndex = options.itemIndex ?? 0;
	const account = await resolveAccount(this, itemIndex);
	const settings = readRequestSettings(this, itemIndex);
	const url = joinPath(account.baseUrl, options.path);
	const request = prepare(account, options, url, options.qs);
	return await send(this, account, request, settings);
}

function refuseNext(context: UserComContext, next: string, account: Account, itemIndex: number, reason: string): never {
	const normalized = inputError(`Refused to follow a pagination link: ${reason}`, {
		itemIndex,
		secrets: [account.apiKey],
		description: `User.com returned a "next" page on ${next.slice(0, 200)}; the API key is only sent to ${account.origin}.`,
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
		const request = prepare(account, { ...options, method: options.method ?? 'GET' }, url, qs);
		const body = await send(this, account, request, settings);
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
