import type { IHttpRequestMethods } from 'n8n-workflow';

export type UserComWriteKind = 'read' | 'idempotent' | 'create';

export const RETRY_BASE_MS = 1000;
export const RETRY_CAP_MS = 30000;
export const MAX_RETRIES = 4;
export const DEFAULT_429_WAIT_MS = 1000;
export const MAX_429_JITTER_MS = 100;

/**
 * GET -> read; PUT/DELETE/PATCH and POST .../update_or_create/ -> idempotent; other POST -> create.
 */
export function defaultWriteKind(
	method: IHttpRequestMethods | string,
	path: string,
): UserComWriteKind {
	const m = method.toUpperCase();
	if (m === 'GET' || m === 'HEAD' || m === 'OPTIONS') return 'read';
	if (m === 'POST') {
		const clean = path.split('?')[0].replace(/\/+$/, '');
		return clean.endsWith('update_or_create') ? 'idempotent' : 'create';
	}
	return 'idempotent';
}

/** Capped exponential backoff with full jitter: uniform in [0, min(cap, base * 2^(n-1))]. */
export function backoffDelayMs(retryNumber: number, randomValue: number): number {
	const ceiling = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** Math.max(0, retryNumber - 1));
	return Math.floor(Math.min(Math.max(randomValue, 0), 1) * ceiling);
}

/**
 * Parses a `retry-after` header: delta seconds ("3", "1.5") or an HTTP date.
 * Returns milliseconds to wait from `nowMs`, or undefined when absent or unreadable.
 */
export function parseRetryAfter(value: unknown, nowMs: number): number | undefined {
	const raw = Array.isArray(value) ? value[0] : value;
	if (typeof raw === 'number' && Number.isFinite(raw) && raw >= 0) return Math.ceil(raw * 1000);
	if (typeof raw !== 'string') return undefined;
	const text = raw.trim();
	if (!text) return undefined;
	if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text) * 1000);
	const date = Date.parse(text);
	if (Number.isNaN(date)) return undefined;
	return Math.max(0, date - nowMs);
}

/** Reads DRF's throttle text "Expected available in N second(s)." from a 429 body. */
export function parseThrottleBody(body: unknown): number | undefined {
	let text: string | undefined;
	if (typeof body === 'string') text = body;
	else if (body && typeof body === 'object' && !Array.isArray(body)) {
		const detail = (body as Record<string, unknown>).detail;
		if (typeof detail === 'string') text = detail;
	}
	if (!text) return undefined;
	const match = /available in (\d+(?:\.\d+)?) seconds?/i.exec(text);
	return match ? Math.ceil(Number(match[1]) * 1000) : undefined;
}

export type NetworkFailureKind = 'refused' | 'dns' | 'lost' | 'timeout' | 'other';

export interface NetworkFailure {
	kind: NetworkFailureKind;
	/** The request certainly did not reach User.com (safe to retry even a create). */
	notSent: boolean;
	/** Worth retrying at all. */
	retryable: boolean;
	code: string | undefined;
	/** Human phrase, free of system error codes (n8n would rewrite those). */
	phrase: string;
}

const REFUSED = ['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL'];
const DNS_TRANSIENT = ['EAI_AGAIN'];
const DNS_PERMANENT = ['ENOTFOUND'];
const LOST = [
	'ECONNRESET',
	'EPIPE',
	'ECONNABORTED',
	'ERR_STREAM_PREMATURE_CLOSE',
	'UND_ERR_SOCKET',
];
const TIMEOUT = [
	'ETIMEDOUT',
	'ESOCKETTIMEDOUT',
	'ERR_SOCKET_CONNECTION_TIMEOUT',
	'UND_ERR_CONNECT_TIMEOUT',
	'UND_ERR_HEADERS_TIMEOUT',
];

// n8n's NodeApiError rewrites messages containing a system code into these phrases.
const PHRASES: Array<[RegExp, string]> = [
	[/refused the connection/i, 'ECONNREFUSED'],
	[/closed unexpectedly|socket hang ?up/i, 'ECONNRESET'],
	[/timed? ?out|timeout/i, 'ETIMEDOUT'],
	[/connection was aborted/i, 'ECONNABORTED'],
	[/incorrect host|getaddrinfo ENOTFOUND/i, 'ENOTFOUND'],
	[/host is unreachable/i, 'EHOSTUNREACH'],
	[/DNS server returned an error/i, 'EAI_AGAIN'],
];

function collect(error: unknown, codes: string[], messages: string[], depth: number): void {
	if (!error || typeof error !== 'object' || depth > 4) return;
	const e = error as Record<string, unknown>;
	if (typeof e.code === 'string') codes.push(e.code.toUpperCase());
	if (typeof e.message === 'string') messages.push(e.message);
	if (typeof e.description === 'string') messages.push(e.description);
	if (Array.isArray(e.messages))
		for (const m of e.messages) if (typeof m === 'string') messages.push(m);
	collect(e.cause, codes, messages, depth + 1);
	collect(e.reason, codes, messages, depth + 1);
	collect(e.error, codes, messages, depth + 1);
}

/** Classifies an error thrown by the request helper (no HTTP response). */
export function classifyNetworkError(error: unknown): NetworkFailure {
	const codes: string[] = [];
	const messages: string[] = [];
	collect(error, codes, messages, 0);
	let code = codes.find((c) =>
		[...REFUSED, ...DNS_TRANSIENT, ...DNS_PERMANENT, ...LOST, ...TIMEOUT].includes(c),
	);
	if (!code) {
		const text = messages.join(' | ');
		const byCode = /\b(E[A-Z_]{3,}|UND_ERR_[A-Z_]+)\b/.exec(text)?.[1];
		if (
			byCode &&
			[...REFUSED, ...DNS_TRANSIENT, ...DNS_PERMANENT, ...LOST, ...TIMEOUT].includes(byCode)
		)
			code = byCode;
		else code = PHRASES.find(([re]) => re.test(text))?.[1];
	}
	// axios reports its own timeout as ECONNABORTED "timeout of N ms exceeded"
	if (code === 'ECONNABORTED' && messages.some((m) => /timeout/i.test(m))) code = 'ETIMEDOUT';
	if (code && REFUSED.includes(code)) {
		return {
			kind: 'refused',
			notSent: true,
			retryable: true,
			code,
			phrase: 'the connection was refused',
		};
	}
	if (code && DNS_TRANSIENT.includes(code)) {
		return {
			kind: 'dns',
			notSent: true,
			retryable: true,
			code,
			phrase: 'the host name could not be resolved (DNS)',
		};
	}
	if (code && DNS_PERMANENT.includes(code)) {
		return {
			kind: 'dns',
			notSent: true,
			retryable: false,
			code,
			phrase: 'the host name does not exist; check the subdomain in the credential',
		};
	}
	if (code && LOST.includes(code)) {
		return {
			kind: 'lost',
			notSent: false,
			retryable: true,
			code,
			phrase: 'the connection was lost before a response arrived',
		};
	}
	if (code && TIMEOUT.includes(code)) {
		return {
			kind: 'timeout',
			notSent: false,
			retryable: true,
			code,
			phrase: 'the request timed out',
		};
	}
	return {
		kind: 'other',
		notSent: false,
		retryable: false,
		code,
		phrase: 'the request failed before a response arrived',
	};
}

/**
 * Per-account retry budget: a token bucket refilled by first attempts,
 * so retries stay ~10 % of traffic.
 */
export class RetryBudget {
	private tokens: number;

	constructor(
		readonly capacity = 10,
		readonly refillPerRequest = 0.1,
	) {
		this.tokens = capacity;
	}

	onRequest(): void {
		this.tokens = Math.min(this.capacity, this.tokens + this.refillPerRequest);
	}

	tryTake(): boolean {
		if (this.tokens < 1) return false;
		this.tokens -= 1;
		return true;
	}

	get available(): number {
		return this.tokens;
	}
}
