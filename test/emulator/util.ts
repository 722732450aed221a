/**
 * Small helpers shared by the emulator: Python-style JSON rendering, timestamps, a seeded PRNG,
 * DRF-like validation messages.
 */
import { createHash } from 'crypto';

/**
 * Render JSON the way Python's json.dumps does with default separators (", " and ": ").
 * CHOICE: User.com is a Django/DRF application and every body quoted in the error-handling guide
 * uses this spacing (`{"detail": "Request was throttled. Expected available in 1 second."}`), so the
 * emulator renders bodies byte for byte in that style (DRF's compact renderer would drop the spaces).
 * Non-ASCII is written as UTF-8 (DRF's UNICODE_JSON default), not \u-escaped.
 */
export function pyJson(value: unknown): string {
	if (value === null || value === undefined) return 'null';
	if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
	if (typeof value === 'boolean') return value ? 'true' : 'false';
	if (typeof value === 'string') return JSON.stringify(value);
	if (Array.isArray(value)) return '[' + value.map((v) => pyJson(v)).join(', ') + ']';
	if (typeof value === 'object') {
		const parts: string[] = [];
		for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
			if (v === undefined) continue;
			parts.push(JSON.stringify(k) + ': ' + pyJson(v));
		}
		return '{' + parts.join(', ') + '}';
	}
	return 'null';
}

/** ISO-8601 with microseconds and Z, like DRF renders Django DateTimeFields: 2025-06-18T13:11:14.645000Z */
export function isoMicro(ms: number): string {
	const iso = new Date(ms).toISOString(); // 2025-06-18T13:11:14.645Z
	return iso.slice(0, 23) + '000Z';
}

/** mulberry32: deterministic PRNG so ids/keys are reproducible between runs. */
export function prng(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export function randomString(rand: () => number, len: number, alphabet = ALNUM): string {
	let s = '';
	for (let i = 0; i < len; i++) s += alphabet[Math.floor(rand() * alphabet.length)];
	return s;
}

export function uuidFrom(rand: () => number): string {
	const h = randomString(rand, 32, '0123456789abcdef').split('');
	h[12] = '4';
	h[16] = '89ab'[Math.floor(rand() * 4)];
	const s = h.join('');
	return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

/** Fingerprint of an API key for logs: never the key itself. */
export function keyFingerprint(key: string | undefined | null): string {
	if (!key) return 'none';
	return 'key_' + createHash('sha256').update(key).digest('hex').slice(0, 10);
}

/** Python's type(x).__name__ for DRF messages that include a type name. */
export function pyTypeName(v: unknown): string {
	if (v === null || v === undefined) return 'NoneType';
	if (typeof v === 'boolean') return 'bool';
	if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
	if (typeof v === 'string') return 'str';
	if (Array.isArray(v)) return 'list';
	return 'dict';
}

/** Python str() of a JSON value, as DRF interpolates it into messages ("Invalid pk "{pk}"..."). */
export function pyStr(v: unknown): string {
	if (v === null || v === undefined) return 'None';
	if (typeof v === 'boolean') return v ? 'True' : 'False';
	if (typeof v === 'string') return v;
	if (typeof v === 'number') return String(v);
	return pyJson(v)
		.replace(/\btrue\b/g, 'True')
		.replace(/\bfalse\b/g, 'False')
		.replace(/\bnull\b/g, 'None')
		.replace(/"/g, "'");
}

/** DRF's standard messages (rest_framework/fields.py, relations.py). */
export const MSG = {
	required: 'This field is required.',
	null: 'This field may not be null.',
	blank: 'This field may not be blank.',
	maxLength: (n: number) => `Ensure this field has no more than ${n} characters.`,
	invalidInt: 'A valid integer is required.',
	invalidNumber: 'A valid number is required.',
	invalidBool: 'Must be a valid boolean.',
	invalidEmail: 'Enter a valid email address.',
	invalidChoice: (v: unknown) => `"${pyStr(v)}" is not a valid choice.`,
	invalidPk: (v: unknown) => `Invalid pk "${pyStr(v)}" - object does not exist.`,
	pkIncorrectType: (v: unknown) => `Incorrect type. Expected pk value, received ${pyTypeName(v)}.`,
	slugDoesNotExist: (slug: string, v: unknown) => `Object with ${slug}=${pyStr(v)} does not exist.`,
	notAList: (v: unknown) => `Expected a list of items but got type "${pyTypeName(v)}".`,
	notADict: (v: unknown) => `Expected a dictionary of items but got type "${pyTypeName(v)}".`,
	invalidDate: 'Date has wrong format. Use one of these formats instead: YYYY-MM-DD.',
	invalidDateTime:
		'Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].',
	invalidString: 'Not a valid string.',
	invalidJson: 'Value must be valid JSON.',
	notFound: 'Not found.',
	// CHOICE: the reference does not say how an unknown custom user attribute is reported. We use a DRF
	// field error keyed by the attribute's name: {"my_attr": ["Attribute does not exist."]}.
	attributeDoesNotExist: 'Attribute does not exist.',
};

export function isEmail(s: string): boolean {
	// Close enough to Django's EmailValidator for test data.
	return (
		/^[^\s@"(),:;<>[\\\]]+@([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/.test(
			s,
		) && s.length <= 254
	);
}

export function isDate(s: unknown): boolean {
	return (
		typeof s === 'string' &&
		/^\d{4}-\d{2}-\d{2}$/.test(s) &&
		!Number.isNaN(Date.parse(s + 'T00:00:00Z'))
	);
}

export function isDateTime(s: unknown): boolean {
	return (
		typeof s === 'string' &&
		/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?$/.test(s) &&
		!Number.isNaN(Date.parse(s.replace(' ', 'T').replace(/(\.\d{3})\d+/, '$1')))
	);
}

/** DRF IntegerField.to_internal_value: ints, integral floats and numeric strings. */
export function toInt(v: unknown): number | undefined {
	if (typeof v === 'boolean') return undefined;
	if (typeof v === 'number') return Number.isInteger(v) ? v : undefined;
	if (typeof v === 'string' && /^\s*-?\d+(\.0*)?\s*$/.test(v)) return parseInt(v, 10);
	return undefined;
}

export function toNumber(v: unknown): number | undefined {
	if (typeof v === 'boolean') return undefined;
	if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
	if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
	return undefined;
}

/** DRF BooleanField accepted values. */
export function toBool(v: unknown): boolean | undefined {
	const T = new Set([
		't',
		'T',
		'y',
		'Y',
		'yes',
		'Yes',
		'YES',
		'true',
		'True',
		'TRUE',
		'on',
		'On',
		'ON',
		'1',
		1,
		true,
	]);
	const F = new Set([
		'f',
		'F',
		'n',
		'N',
		'no',
		'No',
		'NO',
		'false',
		'False',
		'FALSE',
		'off',
		'Off',
		'OFF',
		'0',
		0,
		false,
	]);
	if (T.has(v as never)) return true;
	if (F.has(v as never)) return false;
	return undefined;
}

export function decimalString(n: number): string {
	return (Math.round(n * 100) / 100).toFixed(2);
}

/** Django's slugify-ish name -> name_std used for attribute definitions. */
export function nameStd(name: string): string {
	return name
		.normalize('NFKD')
		.replace(/[\u0300-\u036f]/g, '')
		.toLowerCase()
		.trim()
		.replace(/[^a-z0-9]+/g, '_')
		.replace(/^_+|_+$/g, '');
}
