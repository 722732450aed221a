import type { IDataObject } from 'n8n-workflow';

/**
 * Body of a User.com automation "API call" (reference §8):
 * `{ "path": 6, "timestamp": "2021-02-01T07:27:44.469241+00:00", "extra": {...}, "user": {...} }`.
 * `user` is absent when the module's "Exclude user info from call" toggle is on.
 */
export interface AutomationCall {
	body: IDataObject;
	extra: IDataObject;
	user: IDataObject | undefined;
}

export type ParseResult = { ok: true; call: AutomationCall } | { ok: false; message: string };

const EXPECTED_SHAPE =
	'Expected a JSON object like {"path": 6, "timestamp": "...", "extra": {...}, "user": {...}}.';

function isPlainObject(value: unknown): value is IDataObject {
	return (
		typeof value === 'object' &&
		value !== null &&
		!Array.isArray(value) &&
		!Buffer.isBuffer(value) &&
		!(value instanceof Uint8Array)
	);
}

function describeType(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'an array';
	return `a ${typeof value}`;
}

function rawText(raw: unknown): string {
	if (typeof raw === 'string') return raw;
	if (Buffer.isBuffer(raw)) return raw.toString('utf8');
	if (raw instanceof Uint8Array) return Buffer.from(raw).toString('utf8');
	return '';
}

/**
 * Resolves the JSON body: n8n parses `application/json` bodies itself; anything else (a text body,
 * a missing Content-Type header) is parsed here from the raw body, so a call configured without
 * the header still works when its content is JSON.
 */
export function resolveBody(
	parsed: unknown,
	raw: unknown,
): { ok: true; value: unknown } | { ok: false; message: string } {
	if (isPlainObject(parsed) && Object.keys(parsed).length > 0) return { ok: true, value: parsed };
	if (Array.isArray(parsed)) return { ok: true, value: parsed };
	const text = typeof parsed === 'string' && parsed.trim() !== '' ? parsed : rawText(raw);
	if (text.trim() === '') {
		return {
			ok: false,
			message:
				`The request body is empty. ${EXPECTED_SHAPE} In the automation's API call module, ` +
				'set the header Content-Type: application/json.',
		};
	}
	try {
		return { ok: true, value: JSON.parse(text) as unknown };
	} catch (error) {
		return {
			ok: false,
			message:
				`The request body is not valid JSON (${(error as Error).message}). ` + EXPECTED_SHAPE,
		};
	}
}

/** Validates the shape of an automation call. Never throws. */
export function parseAutomationCall(value: unknown, requireUser: boolean): ParseResult {
	if (!isPlainObject(value)) {
		return {
			ok: false,
			message: `The request body is ${describeType(value)}, not a JSON object. ${EXPECTED_SHAPE}`,
		};
	}
	const body = value;

	let extra: IDataObject = {};
	const rawExtra = body.extra;
	if (typeof rawExtra === 'string' && rawExtra.trim() !== '') {
		// Extra data is typed as JSON text in User.com; accept it if it arrives still encoded.
		let decoded: unknown;
		try {
			decoded = JSON.parse(rawExtra);
		} catch {
			decoded = undefined;
		}
		if (!isPlainObject(decoded)) {
			return {
				ok: false,
				message:
					'"extra" must be a JSON object (the "Extra data (JSON)" field of the API call ' +
					'module), for example {"event": "deal_won"}.',
			};
		}
		extra = decoded;
	} else if (isPlainObject(rawExtra)) {
		extra = rawExtra;
	} else if (rawExtra !== undefined && rawExtra !== null && rawExtra !== '') {
		return {
			ok: false,
			message:
				`"extra" is ${describeType(rawExtra)}; ` +
				'it must be a JSON object such as {"event": "deal_won"}.',
		};
	}

	const rawUser = body.user;
	let user: IDataObject | undefined;
	if (rawUser === undefined || rawUser === null) {
		if (requireUser) {
			return {
				ok: false,
				message:
					'The request has no "user" object. In the automation\'s API call module turn off ' +
					'"Exclude user info from call", or turn off the trigger option "Require User".',
			};
		}
	} else if (isPlainObject(rawUser)) {
		user = rawUser;
	} else {
		return { ok: false, message: `"user" is ${describeType(rawUser)}; it must be a JSON object.` };
	}

	const path = body.path;
	if (path !== undefined && path !== null && typeof path !== 'number' && typeof path !== 'string') {
		return {
			ok: false,
			message: `"path" is ${describeType(path)}; it must be a number or a string.`,
		};
	}
	const timestamp = body.timestamp;
	if (
		timestamp !== undefined &&
		timestamp !== null &&
		typeof timestamp !== 'string' &&
		typeof timestamp !== 'number'
	) {
		return {
			ok: false,
			message:
				`"timestamp" is ${describeType(timestamp)}; ` +
				'it must be a string such as "2021-02-01T07:27:44+00:00".',
		};
	}
	return { ok: true, call: { body, extra, user } };
}

/** Splits "deal_won, deal_lost" into trimmed, lower-cased labels. */
export function parseEventList(value: unknown): string[] {
	if (typeof value !== 'string') return [];
	return value
		.split(',')
		.map((label) => label.trim().toLowerCase())
		.filter((label) => label !== '');
}

/** The event label of a call: `extra[eventField]` as a string, or undefined. */
export function eventLabelOf(extra: IDataObject, eventField: string): string | undefined {
	const value = extra[eventField];
	if (typeof value === 'string') return value;
	if (typeof value === 'number' || typeof value === 'boolean') return String(value);
	return undefined;
}

function pick(source: IDataObject | undefined, ...keys: string[]): IDataObject[string] {
	if (!source) return null;
	for (const key of keys) {
		const value = source[key];
		if (value !== undefined) return value;
	}
	return null;
}

/**
 * A flat, predictable item for the common fields; everything else stays under `extra` / is dropped.
 */
export function simplifyCall(call: AutomationCall, eventField: string): IDataObject {
	const { body, extra, user } = call;
	return {
		event: eventLabelOf(extra, eventField) ?? null,
		automationPath: body.path ?? null,
		timestamp: body.timestamp ?? null,
		userId: pick(user, 'id'),
		userKey: pick(user, 'key'),
		customId: pick(user, 'custom_id', 'user_id'),
		email: pick(user, 'email'),
		name: pick(user, 'name'),
		firstName: pick(user, 'first_name'),
		lastName: pick(user, 'last_name'),
		phoneNumber: pick(user, 'phone_number'),
		status: pick(user, 'status'),
		extra,
	};
}
