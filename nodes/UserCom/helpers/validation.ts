import type { IDataObject, INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { isIsoCurrency } from './currencies';

/**
 * Validate-before-send helpers (the guide's best practice 1). Every failure is a NodeOperationError
 * that names the item, the field and the fix; callers run these before any request is made.
 */
export interface ValidationContext {
	node: INode;
	itemIndex: number;
}

export function validationError(
	ctx: ValidationContext,
	field: string,
	problem: string,
	fix: string,
): NodeOperationError {
	return new NodeOperationError(ctx.node, `Item ${ctx.itemIndex}: "${field}" ${problem}`, {
		itemIndex: ctx.itemIndex,
		description: `${fix} Nothing was sent to User.com for this item.`,
	});
}

function isBlank(value: unknown): boolean {
	return (
		value === undefined || value === null || (typeof value === 'string' && value.trim() === '')
	);
}

function show(value: unknown): string {
	if (typeof value === 'string')
		return `"${value.length > 60 ? value.slice(0, 57) + '...' : value}"`;
	try {
		const text = JSON.stringify(value);
		return text === undefined ? String(value) : text.length > 60 ? text.slice(0, 57) + '...' : text;
	} catch {
		return String(value);
	}
}

/** A required non-empty string (trimmed). Numbers are accepted and converted. */
export function requireString(
	ctx: ValidationContext,
	value: unknown,
	field: string,
	fix = `Enter a value for "${field}".`,
): string {
	if (isBlank(value)) throw validationError(ctx, field, 'is required but empty', fix);
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	if (typeof value !== 'string') {
		throw validationError(ctx, field, `must be text, got ${show(value)}`, fix);
	}
	return value.trim();
}

/** An optional string: undefined when blank. */
export function optionalString(
	ctx: ValidationContext,
	value: unknown,
	field: string,
): string | undefined {
	if (isBlank(value)) return undefined;
	return requireString(ctx, value, field);
}

export function checkMaxLength(
	ctx: ValidationContext,
	value: string,
	max: number,
	field: string,
): string {
	if (value.length > max) {
		throw validationError(
			ctx,
			field,
			`is ${value.length} characters long; User.com accepts at most ${max}`,
			`Shorten "${field}" to ${max} characters or fewer.`,
		);
	}
	return value;
}

/** A User.com numeric ID: a positive integer, given as a number or a string of digits. */
export function requirePositiveInt(ctx: ValidationContext, value: unknown, field: string): number {
	const fix =
		`Enter the numeric User.com ID (a whole number greater than 0) in "${field}", ` +
		'or switch to the custom ID option.';
	if (isBlank(value)) throw validationError(ctx, field, 'is required but empty', fix);
	let n: number;
	if (typeof value === 'number') n = value;
	else if (typeof value === 'string' && /^\s*\d+\s*$/.test(value)) n = Number(value.trim());
	else
		throw validationError(ctx, field, `must be a positive whole number, got ${show(value)}`, fix);
	if (!Number.isSafeInteger(n) || n <= 0) {
		throw validationError(ctx, field, `must be a positive whole number, got ${show(value)}`, fix);
	}
	return n;
}

export function optionalPositiveInt(
	ctx: ValidationContext,
	value: unknown,
	field: string,
): number | undefined {
	if (isBlank(value)) return undefined;
	return requirePositiveInt(ctx, value, field);
}

/** Any finite number, given as a number or a numeric string. */
export function requireNumber(ctx: ValidationContext, value: unknown, field: string): number {
	const fix = `Enter a number in "${field}" (use a dot as the decimal separator, e.g. 19.99).`;
	if (isBlank(value)) throw validationError(ctx, field, 'is required but empty', fix);
	let n: number;
	if (typeof value === 'number') n = value;
	else if (
		typeof value === 'string' &&
		/^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/.test(value)
	)
		n = Number(value);
	else throw validationError(ctx, field, `must be a number, got ${show(value)}`, fix);
	if (!Number.isFinite(n))
		throw validationError(ctx, field, `must be a finite number, got ${show(value)}`, fix);
	return n;
}

export function optionalNumber(
	ctx: ValidationContext,
	value: unknown,
	field: string,
): number | undefined {
	if (isBlank(value)) return undefined;
	return requireNumber(ctx, value, field);
}

/** Money: a non-negative number. */
export function requireMoney(ctx: ValidationContext, value: unknown, field: string): number {
	const n = requireNumber(ctx, value, field);
	if (n < 0) {
		throw validationError(
			ctx,
			field,
			`must not be negative, got ${n}`,
			`Enter an amount of 0 or more in "${field}".`,
		);
	}
	return n;
}

export function optionalMoney(
	ctx: ValidationContext,
	value: unknown,
	field: string,
): number | undefined {
	if (isBlank(value)) return undefined;
	return requireMoney(ctx, value, field);
}

/** A whole number >= 0 (quantities). */
export function requireNonNegativeInt(
	ctx: ValidationContext,
	value: unknown,
	field: string,
): number {
	const n = requireNumber(ctx, value, field);
	if (!Number.isSafeInteger(n) || n < 0) {
		throw validationError(
			ctx,
			field,
			`must be a whole number of 0 or more, got ${show(value)}`,
			`Enter a whole number in "${field}".`,
		);
	}
	return n;
}

/** ISO 4217 currency code (case-insensitive input, returned upper case). */
export function requireCurrency(ctx: ValidationContext, value: unknown, field: string): string {
	const text = requireString(
		ctx,
		value,
		field,
		`Enter a three-letter ISO 4217 currency code such as EUR, USD or PLN in "${field}".`,
	);
	const code = text.toUpperCase();
	if (!isIsoCurrency(code)) {
		throw validationError(
			ctx,
			field,
			`is not an ISO 4217 currency code: ${show(value)}`,
			`Enter a three-letter ISO 4217 currency code such as EUR, USD or PLN in "${field}".`,
		);
	}
	return code;
}

export function optionalCurrency(
	ctx: ValidationContext,
	value: unknown,
	field: string,
): string | undefined {
	if (isBlank(value)) return undefined;
	return requireCurrency(ctx, value, field);
}

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function optionalEmail(
	ctx: ValidationContext,
	value: unknown,
	field: string,
): string | undefined {
	const text = optionalString(ctx, value, field);
	if (text === undefined) return undefined;
	if (!EMAIL_RE.test(text)) {
		throw validationError(
			ctx,
			field,
			`is not a valid email address: ${show(text)}`,
			`Enter an address like name@example.com in "${field}".`,
		);
	}
	return text;
}

export function requireEmail(ctx: ValidationContext, value: unknown, field: string): string {
	const text = optionalEmail(ctx, value, field);
	if (text === undefined) {
		throw validationError(
			ctx,
			field,
			'is required but empty',
			`Enter an address like name@example.com in "${field}".`,
		);
	}
	return text;
}

function isPlainObject(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A JSON object, given as an object or as JSON text. Empty input gives {}. */
export function parseJsonObject(
	ctx: ValidationContext,
	value: unknown,
	field: string,
): IDataObject {
	const fix = `Enter a JSON object in "${field}", e.g. {"plan": "pro", "seats": 3}.`;
	if (isBlank(value)) return {};
	if (isPlainObject(value)) return value;
	if (typeof value !== 'string')
		throw validationError(ctx, field, `must be a JSON object, got ${show(value)}`, fix);
	let parsed: unknown;
	try {
		parsed = JSON.parse(value);
	} catch (error) {
		throw validationError(ctx, field, `is not valid JSON (${(error as Error).message})`, fix);
	}
	if (!isPlainObject(parsed)) {
		throw validationError(
			ctx,
			field,
			`must be a JSON object (in curly braces), got ${show(parsed)}`,
			fix,
		);
	}
	return parsed;
}

export function requireOneOf<T extends string>(
	ctx: ValidationContext,
	value: unknown,
	allowed: readonly T[],
	field: string,
): T {
	if (typeof value === 'string' && (allowed as readonly string[]).includes(value))
		return value as T;
	throw validationError(
		ctx,
		field,
		`has a value User.com does not accept: ${show(value)}`,
		`Use one of: ${allowed.join(', ')}.`,
	);
}

/**
 * Any n8n date (ISO string, JS Date, Luxon DateTime, UNIX seconds or milliseconds) -> UNIX seconds.
 * Blank -> now (`now` in ms is injectable for tests).
 */
export function toUnixSeconds(
	ctx: ValidationContext,
	value: unknown,
	field: string,
	now: number = Date.now(),
): number {
	const fix =
		'Enter a date such as 2026-11-25T13:00:00Z, a UNIX timestamp, ' +
		`or leave "${field}" empty for now.`;
	if (isBlank(value)) return Math.floor(now / 1000);
	let ms: number | undefined;
	if (typeof value === 'number') {
		ms = value > 1e11 ? value : value * 1000;
	} else if (typeof value === 'string') {
		const text = value.trim();
		if (/^\d+(\.\d+)?$/.test(text)) {
			const n = Number(text);
			ms = n > 1e11 ? n : n * 1000;
		} else {
			const parsed = Date.parse(text);
			ms = Number.isNaN(parsed) ? undefined : parsed;
		}
	} else if (value instanceof Date) {
		ms = value.getTime();
	} else if (isPlainObject(value) || typeof value === 'object') {
		const candidate = value as { toMillis?: () => number; toISO?: () => string };
		if (typeof candidate.toMillis === 'function') ms = candidate.toMillis();
		else if (typeof candidate.toISO === 'function') ms = Date.parse(candidate.toISO());
	}
	if (ms === undefined || !Number.isFinite(ms)) {
		throw validationError(ctx, field, `is not a date: ${show(value)}`, fix);
	}
	return Math.floor(ms / 1000);
}

/** "a, b ,c" or ["a","b"] -> ["a","b","c"] (blank entries dropped). */
export function splitList(value: unknown): string[] {
	if (value === undefined || value === null || value === '') return [];
	const parts = Array.isArray(value) ? value : String(value).split(',');
	return parts.map((p) => String(p).trim()).filter((p) => p !== '');
}

export function requirePositiveIntList(
	ctx: ValidationContext,
	value: unknown,
	field: string,
): number[] {
	return splitList(value).map((part) => requirePositiveInt(ctx, part, field));
}
