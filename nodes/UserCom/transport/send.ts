import type { IDataObject, IHttpRequestOptions } from 'n8n-workflow';

import { type Call, correlationOf, logPathOf } from './call';
import { CREDENTIAL_NAME, loose } from './context';
import type { SendTicket } from './arrivals';
import { describeForLog, loggerOf } from './logging';
import { classifyNetworkError, type NetworkFailure } from './retry';
import { getClock } from './state';

/** What one attempt came back with: an answer (any status), or a failure without one. */
export type Sent =
	| {
			kind: 'answer';
			status: number;
			headers: Record<string, unknown>;
			body: unknown;
			receivedAt: number;
			ticket: SendTicket;
	  }
	| { kind: 'no-answer'; failure: NetworkFailure; receivedAt: number; ticket: SendTicket };

function isJsonBody(body: unknown): boolean {
	if (body === undefined || body === null) return false;
	if (Array.isArray(body)) return true;
	if (typeof body !== 'object') return false;
	const proto = Object.getPrototypeOf(body) as unknown;
	return proto === Object.prototype || proto === null;
}

function httpOptions(call: Call): IHttpRequestOptions {
	const options: IHttpRequestOptions = {
		method: call.method,
		url: call.url,
		json: true,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		disableFollowRedirect: true,
		timeout: call.settings.timeoutSeconds * 1000,
	};
	if (call.qs && Object.keys(call.qs).length > 0) options.qs = call.qs;
	if (call.body !== undefined) options.body = call.body as IDataObject;
	if (call.headers) options.headers = call.headers;
	if (call.body !== undefined && !isJsonBody(call.body) && !call.headers) options.json = false;
	return options;
}

/**
 * Sends one attempt on a slot through n8n's request helper (which adds the key), tells the
 * dispatcher when the answer came, and logs the attempt at debug level.
 */
export async function send(call: Call, ticket: SendTicket): Promise<Sent> {
	const { context, account } = call;
	const clock = getClock();
	call.attempts++;
	call.stats.requests++;
	const sentAt = clock.now();
	let response:
		| { body?: unknown; headers?: Record<string, unknown>; statusCode?: number; status?: number }
		| undefined;
	let thrown: unknown;
	try {
		response = ((await loose(context).helpers.httpRequestWithAuthentication.call(
			context,
			CREDENTIAL_NAME,
			httpOptions(call),
		)) ?? {}) as typeof response;
	} catch (error) {
		thrown = error;
	}
	const receivedAt = clock.now();
	account.dispatcher.complete(ticket, receivedAt);
	const secrets = [account.apiKey];
	const log = loggerOf(context, secrets);
	const logged = {
		...correlationOf(call),
		method: call.method,
		path: logPathOf(call),
		// when the slot was given, when this request set out and, after a stall or a database
		// hold, when it counts as having set out: for reading a 429 against the account's pacing
		timing: { releasedAt: ticket.at, sentAt, receivedAt, heldUntil: ticket.heldUntil },
	};
	if (!response) {
		const failure = classifyNetworkError(thrown);
		log.debug('User.com request failed without response', {
			...logged,
			attempt: call.attempts,
			durationMs: receivedAt - sentAt,
			error: failure.code ?? 'unknown',
			payload: describeForLog(call.body, secrets),
		});
		return { kind: 'no-answer', failure, receivedAt, ticket };
	}
	const status = Number(response.statusCode ?? response.status ?? 0);
	const headers = response.headers ?? {};
	log.debug('User.com request', {
		...logged,
		status,
		durationMs: receivedAt - sentAt,
		attempt: call.attempts,
		payload: describeForLog(call.body, secrets),
		response: describeForLog(response.body, secrets),
	});
	return { kind: 'answer', status, headers, body: response.body, receivedAt, ticket };
}

/** A 2xx answer whose JSON body is empty or cut off: the request was handled, its answer lost. */
export const INCOMPLETE = Symbol('incomplete');

/** The body of a 2xx answer: parsed JSON, {} for an empty non-JSON answer, or INCOMPLETE. */
export function parseSuccessBody(body: unknown, headers: Record<string, unknown>): unknown {
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
