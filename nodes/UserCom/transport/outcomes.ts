import type { Call } from './call';
import { correlationOf, logPathOf } from './call';
import {
	cancelledError,
	CREATE_NOTE,
	incompleteError,
	networkError,
	statusError,
	waitBoundError,
} from './failures';
import { loggerOf } from './logging';
import {
	backoffDelayMs,
	DEFAULT_429_WAIT_MS,
	MAX_429_JITTER_MS,
	MAX_RETRIES,
	type NetworkFailure,
	parseRetryAfter,
	parseThrottleBody,
} from './retry';
import { INCOMPLETE, parseSuccessBody, type Sent } from './send';
import { getClock, random } from './state';

/**
 * What to do after an attempt: return the body, send again (after `backoffMs`, at the head of the
 * execution's queue), or fail with a normalized error. One function per kind of outcome.
 */
export type Decision =
	| { kind: 'done'; body: unknown }
	| { kind: 'retry'; backoffMs: number }
	| { kind: 'fail'; error: Error };

type Answer = Extract<Sent, { kind: 'answer' }>;

const fail = (error: Error): Decision => ({ kind: 'fail', error });

export function decide(call: Call, sent: Sent): Decision {
	if (sent.kind === 'no-answer') return onNetworkFailure(call, sent.failure);
	const { status } = sent;
	if (status !== 503) call.account.dispatcher.reportAnswered();
	if (status >= 200 && status < 300) return onSuccess(call, sent);
	if (status === 429) return onRateLimited(call, sent);
	if (status === 503) return onUnavailable(call, sent);
	if (status === 500 || status === 502 || status === 504) return onServerError(call, sent);
	return onFinalAnswer(call, sent);
}

/**
 * The retry decision for a failed attempt: retry after `delayMs` unless the call is out of retries,
 * the retry would pass Max Wait, or the account's retry budget is used up (that takes a token).
 */
export function retryOrFail(
	call: Call,
	delayMs: number,
	failWith: (reason: string) => Error,
): Decision {
	let stop: string | undefined;
	if (call.retries >= MAX_RETRIES) stop = `Gave up after ${call.retries + 1} attempts.`;
	else if (getClock().now() + delayMs > call.deadline) {
		stop =
			`Gave up: the next retry would exceed the ${call.settings.maxWaitSeconds} s ` +
			'allowed per request.';
	} else if (!call.account.dispatcher.budget.tryTake()) {
		stop =
			'Not retried: the retry budget of this User.com account is used up ' +
			'(too many failures recently).';
	}
	if (stop) return fail(failWith(stop));
	call.retries++;
	call.stats.retries++;
	return { kind: 'retry', backoffMs: delayMs };
}

/** A create is not sent again when it may have been performed, unless the node allows it. */
function createBlocked(call: Call): boolean {
	return call.writeKind === 'create' && !call.settings.retryCreatesOnServerErrors;
}

/** No answer: refused, DNS, connection lost or timed out. */
export function onNetworkFailure(call: Call, failure: NetworkFailure): Decision {
	if (call.signal?.aborted) return fail(cancelledError(call));
	if (!failure.retryable) return fail(networkError(call, failure, []));
	if (!failure.notSent && createBlocked(call))
		return fail(networkError(call, failure, [CREATE_NOTE]));
	const delay = backoffDelayMs(call.retries + 1, random());
	const decision = retryOrFail(call, delay, (stop) => networkError(call, failure, [stop]));
	if (decision.kind === 'retry' && !failure.notSent) call.maybePerformed = true;
	return decision;
}

/** 2xx: the parsed body; an empty or cut-off JSON body is retried like a lost answer. */
export function onSuccess(call: Call, answer: Answer): Decision {
	const parsed = parseSuccessBody(answer.body, answer.headers);
	if (parsed !== INCOMPLETE) return { kind: 'done', body: parsed };
	if (createBlocked(call)) return fail(incompleteError(call, answer.status, [CREATE_NOTE]));
	const delay = backoffDelayMs(call.retries + 1, random());
	return retryOrFail(call, delay, (stop) => incompleteError(call, answer.status, [stop]));
}

/**
 * 429: the whole account pauses for User.com's wait (+ jitter) and learns its share; the request
 * goes again after the pause, whatever the retry count, unless the pause passes Max Wait.
 */
export function onRateLimited(call: Call, answer: Answer): Decision {
	const { dispatcher } = call.account;
	const { headers, body, receivedAt } = answer;
	call.stats.rateLimited++;
	const headerWait = parseRetryAfter(headers['retry-after'], receivedAt);
	const wait = headerWait ?? parseThrottleBody(body) ?? DEFAULT_429_WAIT_MS;
	const jitter = Math.floor(random() * (MAX_429_JITTER_MS + 1));
	const blockedUntil = dispatcher.report429(receivedAt, wait + jitter, answer.ticket);
	loggerOf(call.context, [call.account.apiKey]).warn('User.com rate limit hit (429)', {
		...correlationOf(call),
		account: dispatcher.fingerprint,
		path: logPathOf(call),
		retryAfter: headers['retry-after'] ?? null,
		waitMs: wait + jitter,
		attempt: call.attempts,
		queueDepth: dispatcher.queueDepth(),
		ratePerSecond: Math.round(dispatcher.currentRate(receivedAt) * 100) / 100,
	});
	if (call.signal?.aborted) return fail(cancelledError(call));
	if (blockedUntil > call.deadline) {
		const reason =
			`User.com asked to wait ${Math.ceil(wait / 1000)} s, beyond ` +
			`the ${call.settings.maxWaitSeconds} s allowed per request (${call.attempts} attempt(s)).`;
		return fail(waitBoundError(call, 429, body, reason));
	}
	return { kind: 'retry', backoffMs: 0 };
}

/**
 * 503: User.com is unavailable and did not process the request. Pause the whole account with a
 * growing backoff (one request probes per pause, so an outage costs a few requests, not a retry
 * storm) and wait it out for as long as Max Wait allows, whatever the retry count.
 */
export function onUnavailable(call: Call, answer: Answer): Decision {
	const { dispatcher } = call.account;
	const { status, headers, body, receivedAt } = answer;
	if (call.signal?.aborted) return fail(cancelledError(call));
	const retryAfter = parseRetryAfter(headers['retry-after'], receivedAt) ?? 0;
	const delay = Math.max(backoffDelayMs(dispatcher.unavailableCount + 1, random()), retryAfter);
	if (receivedAt + delay > call.deadline) {
		const stop =
			'Gave up: User.com stayed unavailable (503) ' +
			`longer than the ${call.settings.maxWaitSeconds} s allowed per request.`;
		return fail(statusError(call, status, body, [stop]));
	}
	dispatcher.reportUnavailable(receivedAt, delay);
	loggerOf(call.context, [call.account.apiKey]).warn(
		'User.com unavailable (503): pausing the account',
		{
			...correlationOf(call),
			account: dispatcher.fingerprint,
			path: logPathOf(call),
			waitMs: delay,
			attempt: call.attempts,
			queueDepth: dispatcher.queueDepth(),
		},
	);
	call.retries++;
	call.stats.retries++;
	return { kind: 'retry', backoffMs: 0 };
}

/**
 * 500, 502, 504: the request may have been performed; retried with backoff unless it is a create.
 */
export function onServerError(call: Call, answer: Answer): Decision {
	const { status, headers, body, receivedAt } = answer;
	if (call.signal?.aborted) return fail(cancelledError(call));
	if (createBlocked(call)) return fail(statusError(call, status, body, [CREATE_NOTE]));
	const retryAfter = parseRetryAfter(headers['retry-after'], receivedAt) ?? 0;
	const delay = Math.max(backoffDelayMs(call.retries + 1, random()), retryAfter);
	const decision = retryOrFail(call, delay, (stop) => statusError(call, status, body, [stop]));
	if (decision.kind === 'retry') call.maybePerformed = true;
	return decision;
}

/** 4xx and any other status: User.com's answer is final. */
export function onFinalAnswer(call: Call, answer: Answer): Decision {
	// a retried DELETE whose earlier attempt was performed: the record is gone, as asked
	if (answer.status === 404 && call.method === 'DELETE' && call.maybePerformed)
		return { kind: 'done', body: {} };
	return fail(statusError(call, answer.status, answer.body));
}
