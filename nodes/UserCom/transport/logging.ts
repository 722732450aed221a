import { scrubSecrets } from './errors';

const SECRET_KEY = /(authorization|api[-_]?key|apikey|token|password|secret)/i;
const MAX_LOG_CHARS = 2000;

/** Deep copy with secret-looking keys masked, for debug logs. */
export function maskSecrets(value: unknown, depth = 0): unknown {
	if (depth > 8) return '[…]';
	if (Array.isArray(value)) return value.slice(0, 50).map((v) => maskSecrets(v, depth + 1));
	if (value && typeof value === 'object') {
		if (value instanceof Uint8Array) return `[binary ${value.length} bytes]`;
		const proto = Object.getPrototypeOf(value) as unknown;
		if (proto !== Object.prototype && proto !== null)
			return `[${(value as object).constructor?.name ?? 'object'}]`;
		const out: Record<string, unknown> = {};
		for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
			out[key] = SECRET_KEY.test(key) ? '***' : maskSecrets(child, depth + 1);
		}
		return out;
	}
	return value;
}

/** Masked, key-scrubbed, size-limited text of a payload or body for logs. */
export function describeForLog(value: unknown, secrets: string[]): string | undefined {
	if (value === undefined) return undefined;
	let text: string;
	try {
		text = typeof value === 'string' ? value : JSON.stringify(maskSecrets(value));
	} catch {
		text = '[unserializable]';
	}
	text = scrubSecrets(text ?? '', secrets);
	return text.length > MAX_LOG_CHARS
		? `${text.slice(0, MAX_LOG_CHARS)}…(${text.length} chars)`
		: text;
}

export interface TransportLogger {
	debug(message: string, meta?: object): void;
	warn(message: string, meta?: object): void;
}

interface MaybeLogger {
	logger?: Partial<TransportLogger>;
}

/** n8n's logger when present (it can be missing in some contexts and in tests). */
export function loggerOf(context: unknown, secrets: string[]): TransportLogger {
	const logger = (context as MaybeLogger | undefined)?.logger;
	const safe =
		(fn: ((m: string, meta?: object) => void) | undefined, target: unknown) =>
		(message: string, meta?: object) => {
			if (typeof fn !== 'function') return;
			const cleanMessage = scrubSecrets(message, secrets);
			let cleanMeta: object | undefined;
			if (meta) {
				try {
					cleanMeta = JSON.parse(scrubSecrets(JSON.stringify(meta), secrets)) as object;
				} catch {
					cleanMeta = undefined;
				}
			}
			try {
				fn.call(target, cleanMessage, cleanMeta);
			} catch {
				// logging must never break a request
			}
		};
	return { debug: safe(logger?.debug, logger), warn: safe(logger?.warn, logger) };
}
