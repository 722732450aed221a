import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { INode, JsonObject } from 'n8n-workflow';

export type UserComErrorCategory =
	| 'validation'
	| 'auth'
	| 'not_found'
	| 'rate_limited'
	| 'server'
	| 'network'
	| 'input';

export interface NormalizedUserComError {
	httpCode: number | null;
	category: UserComErrorCategory;
	message: string;
	fields: Record<string, string[]>;
	description: string;
	retryable: boolean;
	attempts: number;
	method: string | null;
	path: string | null;
	itemIndex?: number;
}

export interface NormalizeContext {
	method?: string | null;
	path?: string | null;
	attempts?: number;
	itemIndex?: number;
	/** Values (e.g. the API key) that must never appear in the result. */
	secrets?: string[];
	/** Extra lines appended to the description (e.g. "the write may have happened"). */
	notes?: string[];
}

const MAX_MESSAGE = 300;

export const ACTIONS: Record<UserComErrorCategory, string> = {
	validation:
		'Action: fix the request using the errors above, then run it again; ' +
		'User.com will reject it unchanged.',
	auth:
		'Action: check the API key and subdomain in the User.com credential ' +
		'(Settings → App Settings → Advanced → Public REST API keys); ' +
		"a 403 can also mean the key's scope or IP whitelist (API Shield) forbids this call.",
	not_found:
		'Action: the referenced record does not exist in User.com; ' +
		'create it first (e.g. the user or product), then retry.',
	rate_limited:
		'Action: User.com is rate-limiting this account. Lower the request rate or the share ' +
		'of the limit in the credential, spread the workload, or use a CSV import for bulk data.',
	server:
		'Action: User.com had a server error; safe requests were retried with backoff. ' +
		'Try again later, and contact User.com support if it persists.',
	network:
		'Action: User.com could not be reached; check the subdomain and the network. ' +
		'Safe requests were retried with backoff.',
	input: 'Action: correct the node parameters or the input item.',
};

export function categoryForStatus(status: number | null): UserComErrorCategory {
	if (status === null) return 'network';
	if (status === 401 || status === 403) return 'auth';
	if (status === 404 || status === 410) return 'not_found';
	if (status === 429) return 'rate_limited';
	if (status >= 500 || (status >= 300 && status < 400)) return 'server';
	return 'validation';
}

export function isRetryableStatus(status: number | null): boolean {
	return status === 429 || status === 500 || status === 502 || status === 503 || status === 504;
}

/** Masks every secret, any `Token xxx` authorization value and query-string keys. */
export function scrubSecrets(text: string, secrets: string[] = []): string {
	let out = text;
	for (const secret of secrets) {
		if (secret && secret.length >= 4) out = out.split(secret).join('***');
	}
	return out.replace(/\b(Token|Bearer)\s+[^\s"',;]+/gi, '$1 ***');
}

function oneLine(text: string): string {
	const line = text.replace(/\s+/g, ' ').trim();
	return line.length > MAX_MESSAGE ? `${line.slice(0, MAX_MESSAGE - 1)}…` : line;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function scalarToString(value: unknown): string | undefined {
	if (typeof value === 'string') return value;
	if (typeof value === 'number' || typeof value === 'boolean') return String(value);
	return undefined;
}

/**
 * Flattens DRF-style nested errors into `{ 'a.b[0].c': [messages] }`. Empty objects are skipped.
 */
export function flattenFieldErrors(
	value: unknown,
	path: string,
	out: Record<string, string[]>,
): Record<string, string[]> {
	const push = (key: string, message: string) => {
		const k = key || 'non_field_errors';
		(out[k] ??= []).push(oneLine(message));
	};
	const scalar = scalarToString(value);
	if (scalar !== undefined) {
		push(path, scalar);
		return out;
	}
	if (Array.isArray(value)) {
		value.forEach((element, index) => {
			const s = scalarToString(element);
			if (s !== undefined) push(path, s);
			else flattenFieldErrors(element, `${path}[${index}]`, out);
		});
		return out;
	}
	if (isPlainObject(value)) {
		for (const [key, child] of Object.entries(value)) {
			flattenFieldErrors(child, path ? `${path}.${key}` : key, out);
		}
	}
	return out;
}

const GENERAL_KEYS = ['detail', 'message', 'error', 'error_message'];

interface ParsedBody {
	general: string[];
	fields: Record<string, string[]>;
	kind: 'json' | 'html' | 'text' | 'empty';
}

function tryJson(text: string): unknown {
	const t = text.trim();
	if (!(t.startsWith('{') || t.startsWith('[') || t.startsWith('"'))) return undefined;
	try {
		return JSON.parse(t) as unknown;
	} catch {
		return undefined;
	}
}

export function parseErrorBody(body: unknown): ParsedBody {
	let value = body;
	if (value instanceof Uint8Array) value = Buffer.from(value).toString('utf8');
	if (value === undefined || value === null) return { general: [], fields: {}, kind: 'empty' };
	if (typeof value === 'string') {
		const text = value.trim();
		if (!text) return { general: [], fields: {}, kind: 'empty' };
		const parsed = tryJson(text);
		if (parsed !== undefined) return parseErrorBody(parsed);
		if (/^<|<\/?(html|body|head|title|h1|center)\b/i.test(text)) {
			const title =
				/<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1] ??
				/<h1[^>]*>([^<]*)<\/h1>/i.exec(text)?.[1];
			return { general: title ? [oneLine(title)] : [], fields: {}, kind: 'html' };
		}
		return { general: [oneLine(text)], fields: {}, kind: 'text' };
	}
	if (typeof value === 'number' || typeof value === 'boolean') {
		return { general: [String(value)], fields: {}, kind: 'text' };
	}
	if (Array.isArray(value)) {
		const fields = flattenFieldErrors(value, '', {});
		const general = fields.non_field_errors ?? [];
		delete fields.non_field_errors;
		return {
			general,
			fields,
			kind: general.length || Object.keys(fields).length ? 'json' : 'empty',
		};
	}
	const obj = value as Record<string, unknown>;
	const general: string[] = [];
	const rest: Record<string, unknown> = {};
	for (const [key, child] of Object.entries(obj)) {
		const s = scalarToString(child);
		if (GENERAL_KEYS.includes(key) && s !== undefined) general.push(oneLine(s));
		else if (key === 'errors' && isPlainObject(child)) Object.assign(rest, child);
		else if (key === 'errors' && Array.isArray(child)) {
			const flat = flattenFieldErrors(child, '', {});
			general.push(...(flat.non_field_errors ?? []));
			delete flat.non_field_errors;
			Object.assign(rest, flat);
		} else if (s !== undefined && (key === 'status_code' || key === 'code' || key === 'status'))
			continue;
		else rest[key] = child;
	}
	const fields = flattenFieldErrors(rest, '', {});
	return {
		general,
		fields,
		kind: general.length || Object.keys(fields).length ? 'json' : 'empty',
	};
}

/** Builds the one normalized shape from a User.com error response (status + body). */
export function normalizeUserComError(
	status: number | null,
	body: unknown,
	context: NormalizeContext = {},
): NormalizedUserComError {
	const secrets = context.secrets ?? [];
	const parsed = parseErrorBody(body);
	const scrub = (s: string) => scrubSecrets(s, secrets);
	const fields: Record<string, string[]> = {};
	for (const [key, messages] of Object.entries(parsed.fields))
		fields[scrub(key)] = messages.map(scrub);
	const general = parsed.general.map(scrub);
	const category = categoryForStatus(status);
	const fieldEntries = Object.entries(fields);
	const statusText = status === null ? 'no response' : `HTTP ${status}`;

	let message: string;
	if (parsed.kind === 'html') {
		message =
			general.length > 0
				? `${statusText} (non-JSON response): ${general[0]}`
				: `${statusText} (non-JSON response)`;
	} else if (general.length > 0) {
		message = general[0];
	} else if (fieldEntries.length > 0) {
		const [key, messages] = fieldEntries[0];
		message =
			'User.com rejected the request: ' +
			`${key === 'non_field_errors' ? '' : `${key}: `}${messages[0]}`;
	} else if (status !== null && status >= 300 && status < 400) {
		message = `${statusText}: User.com answered with a redirect, check the subdomain or base URL`;
	} else {
		message = `${statusText} from User.com with an empty response body`;
	}
	message = oneLine(scrub(message));

	const lines: string[] = [];
	const generalLines = parsed.kind === 'html' ? [] : general;
	for (const line of generalLines) lines.push(line);
	for (const [key, messages] of fieldEntries) {
		for (const m of messages) lines.push(`${key}: ${m}`);
	}
	for (const note of context.notes ?? []) lines.push(scrub(note));
	lines.push(ACTIONS[category]);
	const result: NormalizedUserComError = {
		httpCode: status,
		category,
		message,
		fields,
		description: lines.join('\n'),
		retryable: isRetryableStatus(status) || status === null,
		attempts: context.attempts ?? 1,
		method: context.method ?? null,
		path: context.path ? scrub(context.path) : null,
	};
	if (context.itemIndex !== undefined) result.itemIndex = context.itemIndex;
	return result;
}

/** A normalized error for something that never reached User.com (bad input, config). */
export function inputError(
	message: string,
	context: NormalizeContext & { description?: string } = {},
): NormalizedUserComError {
	const lines = [context.description, ...(context.notes ?? []), ACTIONS.input].filter(
		(l): l is string => !!l,
	);
	const result: NormalizedUserComError = {
		httpCode: null,
		category: 'input',
		message: oneLine(scrubSecrets(message, context.secrets)),
		fields: {},
		description: scrubSecrets(lines.join('\n'), context.secrets),
		retryable: false,
		attempts: context.attempts ?? 0,
		method: context.method ?? null,
		path: context.path ?? null,
	};
	if (context.itemIndex !== undefined) result.itemIndex = context.itemIndex;
	return result;
}

/**
 * Wraps a normalized error into the NodeApiError the node throws;
 * the object rides along in context.userCom.
 */
export function createUserComApiError(
	node: INode,
	normalized: NormalizedUserComError,
): NodeApiError {
	const error = new NodeApiError(node, { ...normalized } as unknown as JsonObject, {
		message: normalized.message,
		description: normalized.description,
		httpCode: normalized.httpCode === null ? undefined : String(normalized.httpCode),
		itemIndex: normalized.itemIndex,
	});
	// NodeApiError may rewrite messages containing system error codes; keep User.com's words.
	error.message = normalized.message;
	error.description = normalized.description;
	error.context.userCom = normalized;
	return error;
}

function readUserCom(error: unknown): NormalizedUserComError | undefined {
	if (!isPlainObject(error) && !(error instanceof Error)) return undefined;
	const context = (error as { context?: unknown }).context;
	if (!isPlainObject(context)) return undefined;
	const userCom = context.userCom;
	if (
		isPlainObject(userCom) &&
		typeof userCom.category === 'string' &&
		typeof userCom.message === 'string'
	) {
		return userCom as unknown as NormalizedUserComError;
	}
	return undefined;
}

/** Converts anything thrown inside an operation into the normalized shape for the error output. */
export function toNormalizedError(error: unknown, itemIndex: number): NormalizedUserComError {
	const attached = readUserCom(error);
	if (attached) return { ...attached, fields: { ...attached.fields }, itemIndex };
	if (error instanceof NodeApiError) {
		const code = error.httpCode ? Number(error.httpCode) : NaN;
		const status = Number.isFinite(code) ? code : null;
		const category = categoryForStatus(status);
		return {
			httpCode: status,
			category,
			message: oneLine(error.message || 'User.com request failed'),
			fields: {},
			description: [error.description, ACTIONS[category]].filter((l) => !!l).join('\n'),
			retryable: isRetryableStatus(status),
			attempts: 1,
			method: null,
			path: null,
			itemIndex,
		};
	}
	const message =
		error instanceof Error ? error.message : typeof error === 'string' ? error : 'Unknown error';
	const description =
		error instanceof NodeOperationError && typeof error.description === 'string'
			? error.description
			: undefined;
	return inputError(message || 'Unknown error', { itemIndex, description });
}
