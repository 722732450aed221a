/**
 * The emulator's HTTP server: routing, DRF-style auth and throttling, body parsing, fault injection,
 * the request log and the control plane (/__emulator/...). Node's `http` module only.
 *
 * Request pipeline for /api/public/ (mirrors Django + DRF):
 *   1. route resolution on the percent-DECODED path (like Django's PATH_INFO); a path without its
 *      trailing slash: GET/HEAD -> 301 to the slash URL (Django APPEND_SLASH); other methods -> 404
 *      {"detail": "Not found."}. CHOICE: real Django in production would 301 a POST too (and the client
 *      would re-send it as a GET, silently turning a create into a list); a 404 makes the mistake loud.
 *      Unknown routes -> 404 {"detail": "Not found."} before authentication (Django resolves URLs first).
 *   2. fault injection (the "edge": a fault that is not `processed` never reaches auth/throttle/handler)
 *   3. authentication (TokenAuthentication wording) -> 401
 *   4. throttling per API key (SimpleRateThrottle sliding-window log) -> 429
 *   5. method check -> 405, body parsing -> 400 / 415, the handler
 */
import * as http from 'http';
import type { AddressInfo, Socket } from 'net';
import { routes } from './api';
import type { ApiCtx, ApiRequest, ApiResponse, Quirks, Route } from './http-types';
import { processImport, serializeImport } from './imports';
import type { ModelCtx } from './models';
import { serializeCompany } from './companies';
import { serializeDeal, serializeProduct, serializeUser } from './models';
import type { SeedData, SeedResult } from './seed';
import { SeedError, applySeed, demoSeed } from './seed';
import { EmulatorState } from './state';
import { keyFingerprint, prng, pyJson } from './util';
import type { LatencyProfile } from './latency';
import { parseLatency, sampleLatency } from './latency';

export type FaultKind =
	| '500'
	| '502'
	| '503'
	| '504'
	| 'delay'
	| 'drop'
	| 'html'
	| '429-date'
	| '429-no-retry-after'
	| '429'
	| 'truncated-json'
	| 'empty-body'
	| 'reset';

export const FAULT_KINDS: FaultKind[] = [
	'500',
	'502',
	'503',
	'504',
	'delay',
	'drop',
	'html',
	'429-date',
	'429-no-retry-after',
	'429',
	'truncated-json',
	'empty-body',
	'reset',
];

export interface FaultSpec {
	/**
	 * Which requests: `re:<regex>` or a pattern starting with `^` is a regular expression tested against
	 * the full path (`/api/public/users/12/`); anything else is a glob (`*` any characters including
	 * `/`, `?` one character) that must match the whole full path or the whole path relative to
	 * /api/public/ (`users/*`, `deals/update_or_create/`, `*`).
	 */
	pathPattern: string;
	/** HTTP method, any when absent */
	method?: string;
	/** the next `count` matching requests get the fault */
	count: number;
	kind: FaultKind;
	/** 'delay': how long to wait before handling (default 1000 ms) */
	delayMs?: number;
	/** '429', '429-date', '503': seconds announced in retry-after (default 1; 503 sends none unless set) */
	retryAfterSeconds?: number;
	/**
	 * Whether the request is really handled (a write then happens and counts) before the fault replaces
	 * the response. Defaults: 429*, 503 -> never (forced); 500, 502, 504, drop, reset, html -> false;
	 * delay, truncated-json, empty-body -> true. With delay + processed:false the connection is dropped
	 * after the delay without handling.
	 */
	processed?: boolean;
	/** 'html': status code of the HTML page (default 500) */
	status?: number;
}

export interface RequestLogEntry {
	/** arrival time on the emulator clock (ms) */
	t: number;
	/** fingerprint of the API key (`key_<10 hex>`), `none` without one; never the key */
	key: string;
	method: string;
	path: string;
	query: Record<string, string | string[]>;
	/** 0 when the connection was dropped/reset without a response */
	status: number;
	/** parsed request body (JSON/form), or a summary of a multipart body */
	body?: unknown;
	/** passed the throttle (counted in the sliding window, at arrival time `t`) */
	accepted: boolean;
	/** latency drawn for this answer (ms), when a latency profile is set */
	latencyMs?: number;
	/** when the answer was written, on the emulator clock (ms) */
	answeredAt?: number;
	/** rejected by the throttle (a real 429, not an injected one) */
	throttled: boolean;
	fault?: FaultKind;
	/** whether a handler ran */
	processed: boolean;
}

export interface EmulatorOptions {
	/** 0 (default) = ephemeral */
	port?: number;
	host?: '127.0.0.1';
	/** default: [DEFAULT_API_KEY] */
	apiKeys?: string[];
	/** accepted requests per window per key; default 10; 0 or Infinity = unlimited */
	rateLimit?: number;
	/** default 1000 */
	windowMs?: number;
	/** [min, max] random extra delay per accepted API request (real time), default [0, 0] */
	serviceTimeMs?: [number, number];
	/**
	 * latency profile (see latency.ts): "300" (±20 %), "300±10%", "100-200", "tail", or an object;
	 * every answer the throttle decided (200s and 429s) is delayed by its own draw; the throttle counts
	 * at arrival. Default none.
	 */
	latency?: string | Partial<LatencyProfile> | null;
	/** time from upload to "finished" for imports, on the emulator clock; default 200 */
	importProcessingMs?: number;
	/** clock in ms (default Date.now): throttle, timestamps, import processing, log */
	now?: () => number;
	/**
	 * waits out service time, latency and delay faults (default: real timers); a test that runs the
	 * emulator on a virtual clock (`now`) passes that clock's sleep
	 */
	sleep?: (ms: number) => Promise<void>;
	/** largest accepted import file; default 200 MB */
	maxImportBytes?: number;
	quirks?: Partial<Quirks>;
	/** data to load at start: a SeedData object or 'demo' */
	seed?: SeedData | 'demo';
	/** PRNG seed for user keys and import ids (deterministic runs) */
	randomSeed?: number;
}

export interface EmulatorConfig {
	rateLimit: number;
	windowMs: number;
	serviceTimeMs: [number, number];
	/** null = answers without added latency */
	latency: LatencyProfile | null;
	importProcessingMs: number;
	maxImportBytes: number;
	quirks: Quirks;
	/** fingerprints only */
	keys: string[];
}

export interface EmulatorStats {
	requests: number;
	accepted: number;
	throttled: number;
	byStatus: Record<string, number>;
	writeCounts: Record<string, number>;
	updateCounts: Record<string, number>;
	maxAcceptedInWindow: number;
	pendingFaults: number;
	config: EmulatorConfig;
}

export interface Emulator {
	/** http://127.0.0.1:PORT */
	url: string;
	/** url + '/api/public/' */
	baseUrl: string;
	/** the first configured key */
	apiKey: string;
	apiKeys: string[];
	/** direct access for assertions */
	state: EmulatorState;
	requestLog: RequestLogEntry[];
	/** creates per resource (users, deals, products, events, productEvents, tags, lists, attributes, imports) */
	writeCounts(): Record<string, number>;
	/** updates/deletes per resource */
	updateCounts(): Record<string, number>;
	/** max accepted requests of one key inside any window (default: the configured window) */
	maxAcceptedInWindow(windowMs?: number): number;
	/** returns the fault's id */
	injectFault(f: FaultSpec): number;
	clearFaults(): void;
	pendingFaults(): Array<FaultSpec & { id: number; remaining: number }>;
	seed(data: SeedData | 'demo'): SeedResult;
	/** empties data, log, counters, faults and throttle history (config stays); optionally seeds again */
	reset(seed?: SeedData | 'demo'): void;
	setRateLimit(limit: number, windowMs?: number): void;
	configure(
		c: Partial<Omit<EmulatorConfig, 'keys' | 'quirks' | 'latency'>> & {
			quirks?: Partial<Quirks>;
			latency?: string | Partial<LatencyProfile> | null;
		},
	): EmulatorConfig;
	config(): EmulatorConfig;
	stats(): EmulatorStats;
	/** finishes imports whose processing time has elapsed on the emulator clock (also runs on every request) */
	advanceImports(): void;
	/** fingerprint used in requestLog for a key */
	fingerprint(key: string): string;
	close(): Promise<void>;
}

export const DEFAULT_API_KEY =
	'emu0test0key0' + 'a1b2c3d4e5f6g7h8i9j0'.repeat(2) + 'k1l2m3n4o5p6q7r8'.slice(0, 11);

interface ActiveFault extends FaultSpec {
	id: number;
	remaining: number;
	match: (method: string, full: string, rel: string) => boolean;
}

function compileFault(f: FaultSpec, id: number): ActiveFault {
	if (!FAULT_KINDS.includes(f.kind))
		throw new Error(`unknown fault kind ${String(f.kind)}; one of ${FAULT_KINDS.join(', ')}`);
	if (typeof f.pathPattern !== 'string' || !f.pathPattern)
		throw new Error('pathPattern is required');
	const count = f.count === undefined ? 1 : Number(f.count);
	if (!Number.isInteger(count) || count < 1) throw new Error('count must be a positive integer');
	let test: (full: string, rel: string) => boolean;
	if (f.pathPattern.startsWith('re:') || f.pathPattern.startsWith('^')) {
		const re = new RegExp(f.pathPattern.startsWith('re:') ? f.pathPattern.slice(3) : f.pathPattern);
		test = (full) => re.test(full);
	} else {
		const src = f.pathPattern
			.replace(/[.+^${}()|[\]\\]/g, '\\$&')
			.replace(/\*/g, '.*')
			.replace(/\?/g, '.');
		const re = new RegExp(`^${src}$`);
		test = (full, rel) => re.test(full) || re.test(rel) || re.test('/' + rel);
	}
	const method = f.method?.toUpperCase();
	return {
		...f,
		count,
		id,
		remaining: count,
		match: (m, full, rel) => (!method || method === m) && test(full, rel),
	};
}

function defaultProcessed(f: FaultSpec): boolean {
	if (f.kind === '503' || f.kind.startsWith('429')) return false; // never reaches the app
	if (f.processed !== undefined) return f.processed;
	return f.kind === 'delay' || f.kind === 'truncated-json' || f.kind === 'empty-body';
}

const NGINX = (code: number, text: string) =>
	`<html>\r\n<head><title>${code} ${text}</title></head>\r\n<body>\r\n<center><h1>${code} ${text}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
const DJANGO_500 =
	'\n<!doctype html>\n<html lang="en">\n<head>\n  <title>Server Error (500)</title>\n</head>\n<body>\n  <h1>Server Error (500)</h1><p></p>\n</body>\n</html>\n';

export function throttleDetail(wait: number): string {
	return `Request was throttled. Expected available in ${wait} second${wait === 1 ? '' : 's'}.`;
}

/** Python's json error text for DRF's "JSON parse error - ..." (approximated from V8's message). */
function pythonJsonError(text: string, err: Error): string {
	const m = /position (\d+)/.exec(err.message);
	let pos = m ? Number(m[1]) : text.length;
	if (!m && /Unexpected end/.test(err.message)) pos = text.length;
	const before = text.slice(0, pos);
	const line = before.split('\n').length;
	const col = pos - before.lastIndexOf('\n');
	let what = 'Expecting value';
	if (/property name/i.test(err.message))
		what = 'Expecting property name enclosed in double quotes';
	else if (/after JSON/i.test(err.message)) what = 'Extra data';
	else if (/Bad control character/i.test(err.message)) what = 'Invalid control character at';
	else if (/Expected ',' or '}'/.test(err.message)) what = "Expecting ',' delimiter";
	else if (/Expected ',' or ']'/.test(err.message)) what = "Expecting ',' delimiter";
	return `${what}: line ${line} column ${col} (char ${pos})`;
}

function queryObject(q: URLSearchParams): Record<string, string | string[]> {
	const o: Record<string, string | string[]> = {};
	for (const k of new Set(q.keys())) {
		const all = q.getAll(k);
		o[k] = all.length === 1 ? all[0] : all;
	}
	return o;
}

function maxInWindow(times: number[], w: number): number {
	const t = [...times].sort((a, b) => a - b);
	let max = 0;
	let j = 0;
	for (let i = 0; i < t.length; i++) {
		while (t[i] - t[j] >= w) j++;
		max = Math.max(max, i - j + 1);
	}
	return max;
}

export async function startEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
	const now = opts.now ?? Date.now;
	const keys = opts.apiKeys && opts.apiKeys.length ? [...opts.apiKeys] : [DEFAULT_API_KEY];
	const cfg: EmulatorConfig = {
		rateLimit: opts.rateLimit === undefined ? 10 : opts.rateLimit,
		windowMs: opts.windowMs ?? 1000,
		serviceTimeMs: opts.serviceTimeMs ?? [0, 0],
		latency: parseLatency(opts.latency),
		importProcessingMs: opts.importProcessingMs ?? 200,
		maxImportBytes: opts.maxImportBytes ?? 200 * 1024 * 1024,
		quirks: { eventsUserFirst: true, ...(opts.quirks ?? {}) },
		keys: keys.map(keyFingerprint),
	};
	const state = new EmulatorState();
	const rand = prng(opts.randomSeed ?? 20261125);
	// own stream, so latency draws do not shift the ids of a deterministic run
	const latencyRand = prng((opts.randomSeed ?? 20261125) ^ 0x1a7e);
	const requestLog: RequestLogEntry[] = [];
	let creates: Record<string, number> = {};
	let updates: Record<string, number> = {};
	let faults: ActiveFault[] = [];
	let faultSeq = 0;
	const history = new Map<string, number[]>(); // key fingerprint -> accepted times, newest first (DRF)
	let accepted = new Map<string, number[]>(); // key fingerprint -> all accepted times (for stats)
	const timers = new Set<NodeJS.Timeout>();
	const sockets = new Set<Socket>();
	let url = '';

	const advanceImports = () => {
		const t = now();
		for (const rec of state.imports.values())
			if (rec.status === 'in_progress' && t >= rec.finishes_at) processImport(ctx, rec);
	};
	const ctx: ApiCtx = {
		state,
		now,
		rand,
		created: (r) => (creates[r] = (creates[r] ?? 0) + 1),
		updated: (r) => (updates[r] = (updates[r] ?? 0) + 1),
		get importProcessingMs() {
			return cfg.importProcessingMs;
		},
		get maxImportBytes() {
			return cfg.maxImportBytes;
		},
		get quirks() {
			return cfg.quirks;
		},
		advanceImports: () => {
			advanceImports();
			// with the real clock, finish without waiting for the next request
			for (const rec of state.imports.values()) {
				if (rec.status !== 'in_progress') continue;
				const timer = setTimeout(
					() => {
						timers.delete(timer);
						advanceImports();
					},
					Math.max(0, rec.finishes_at - now()) + 1,
				);
				timer.unref();
				timers.add(timer);
			}
		},
	};
	const modelCtx: ModelCtx = ctx;

	const seed = (data: SeedData | 'demo') =>
		applySeed(modelCtx, data === 'demo' ? demoSeed() : data);
	if (opts.seed) seed(opts.seed);

	/** DRF SimpleRateThrottle.allow_request / wait for one key. Returns the wait in seconds (ceil) or null. */
	const throttle = (fp: string, t: number): number | null => {
		const limit = cfg.rateLimit;
		if (!limit || !Number.isFinite(limit)) return null;
		const h = history.get(fp) ?? [];
		while (h.length && h[h.length - 1] <= t - cfg.windowMs) h.pop();
		history.set(fp, h);
		if (h.length >= limit) {
			const remaining = h.length ? cfg.windowMs - (t - h[h.length - 1]) : cfg.windowMs;
			const available = limit - h.length + 1;
			const waitMs = available > 0 ? remaining / available : remaining;
			return Math.max(1, Math.ceil(waitMs / 1000));
		}
		h.unshift(t);
		return null;
	};

	const findRoute = (rel: string): { route: Route; params: string[] } | undefined => {
		for (const route of routes) {
			const m = route.pattern.exec(rel);
			if (m) return { route, params: m.slice(1) };
		}
		return undefined;
	};

	const readBody = (req: http.IncomingMessage, limit: number) =>
		new Promise<{ buf: Buffer; tooLarge: boolean }>((resolve, reject) => {
			const chunks: Buffer[] = [];
			let size = 0;
			let tooLarge = false;
			req.on('data', (c: Buffer) => {
				size += c.length;
				if (size > limit) tooLarge = true;
				else chunks.push(c);
			});
			req.on('end', () =>
				resolve({ buf: tooLarge ? Buffer.alloc(0) : Buffer.concat(chunks), tooLarge }),
			);
			req.on('error', reject);
		});

	const send = (
		res: http.ServerResponse,
		status: number,
		body: string | Buffer,
		headers: Record<string, string | number> = {},
		head = false,
	) => {
		if (res.destroyed || res.headersSent) return;
		const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
		res.writeHead(status, { 'content-length': buf.length, ...headers });
		res.end(head ? undefined : buf);
	};
	const sendJson = (res: http.ServerResponse, r: ApiResponse, head = false) => {
		const text = r.status === 204 || r.body === undefined ? '' : pyJson(r.body);
		const headers: Record<string, string> = { vary: 'Accept', ...(r.headers ?? {}) };
		if (text) headers['content-type'] = 'application/json';
		send(res, r.status, text, headers, head);
	};
	const sleep =
		opts.sleep ??
		((ms: number) =>
			new Promise<void>((r) => {
				const timer = setTimeout(() => {
					timers.delete(timer);
					r();
				}, ms);
				timers.add(timer);
			}));

	const killSocket = (res: http.ServerResponse, reset: boolean) => {
		const s = res.socket as (Socket & { resetAndDestroy?: () => void }) | null;
		if (!s) return;
		if (reset && typeof s.resetAndDestroy === 'function') s.resetAndDestroy();
		else s.destroy();
	};

	/** Render a fault as the response (or as a dropped connection). */
	const sendFault = (
		res: http.ServerResponse,
		f: ActiveFault,
		real: { status: number; text: string } | null,
	) => {
		const ra = f.retryAfterSeconds ?? 1;
		switch (f.kind) {
			case '500':
				// DRF APIException's default detail
				return sendJson(res, { status: 500, body: { detail: 'A server error occurred.' } });
			case '502':
				return send(res, 502, NGINX(502, 'Bad Gateway'), { 'content-type': 'text/html' });
			case '504':
				return send(res, 504, NGINX(504, 'Gateway Time-out'), { 'content-type': 'text/html' });
			case '503':
				// DRF ServiceUnavailable's default detail; retry-after only when asked for
				return sendJson(res, {
					status: 503,
					body: { detail: 'Service temporarily unavailable, try again later.' },
					headers:
						f.retryAfterSeconds !== undefined ? { 'retry-after': String(f.retryAfterSeconds) } : {},
				});
			case 'html':
				return send(res, f.status ?? 500, DJANGO_500, {
					'content-type': 'text/html; charset=utf-8',
				});
			case '429':
				return sendJson(res, {
					status: 429,
					body: { detail: throttleDetail(ra) },
					headers: { 'retry-after': String(ra) },
				});
			case '429-date':
				return sendJson(res, {
					status: 429,
					body: { detail: throttleDetail(ra) },
					headers: {
						'retry-after': new Date(Math.ceil(now() / 1000) * 1000 + ra * 1000).toUTCString(),
					},
				});
			case '429-no-retry-after':
				return sendJson(res, { status: 429, body: { detail: 'Request was throttled.' } });
			case 'truncated-json': {
				const text = real?.text || pyJson({ detail: 'A server error occurred.' });
				return send(
					res,
					real?.status ?? 200,
					text.slice(0, Math.max(1, Math.floor(text.length / 2))),
					{ 'content-type': 'application/json' },
				);
			}
			case 'empty-body':
				return send(res, real && real.status !== 204 ? real.status : 200, '', {
					'content-type': 'application/json',
				});
			case 'drop':
				return killSocket(res, false);
			case 'reset':
				return killSocket(res, true);
			case 'delay':
				return killSocket(res, false); // only reached with processed:false
		}
	};
	const faultStatus = (f: ActiveFault, real: number | null): number => {
		switch (f.kind) {
			case 'drop':
			case 'reset':
			case 'delay':
				return 0;
			case 'html':
				return f.status ?? 500;
			case 'truncated-json':
			case 'empty-body':
				return real && real !== 204 ? real : 200;
			default:
				return Number(f.kind.slice(0, 3));
		}
	};

	const handleApi = async (req: http.IncomingMessage, res: http.ServerResponse, u: URL) => {
		advanceImports();
		const t0 = now();
		const method = (req.method ?? 'GET').toUpperCase();
		const { buf, tooLarge } = await readBody(req, cfg.maxImportBytes + 1024 * 1024);
		const auth = req.headers.authorization;
		const parts = typeof auth === 'string' ? auth.trim().split(/\s+/) : [];
		const presented =
			parts.length === 2 && parts[0].toLowerCase() === 'token' ? parts[1] : undefined;
		const entry: RequestLogEntry = {
			t: t0,
			key: keyFingerprint(presented),
			method,
			path: u.pathname,
			query: queryObject(u.searchParams),
			status: 0,
			accepted: false,
			throttled: false,
			processed: false,
		};
		requestLog.push(entry);
		res.once('finish', () => {
			entry.answeredAt = now();
		});
		// drawn on arrival, paid after the throttle's decision (accepted or 429)
		const latencyMs = cfg.latency ? sampleLatency(cfg.latency, latencyRand) : 0;
		if (cfg.latency) entry.latencyMs = Math.round(latencyMs * 10) / 10;
		const ctype = String(req.headers['content-type'] ?? '');
		if (buf.length) {
			if (/json/i.test(ctype)) {
				try {
					entry.body = JSON.parse(buf.toString('utf8'));
				} catch {
					entry.body = buf.toString('utf8').slice(0, 1000);
				}
			} else if (/multipart/i.test(ctype)) entry.body = { multipart: true, bytes: buf.length };
			else entry.body = buf.toString('utf8').slice(0, 1000);
		}
		const isHead = method === 'HEAD';
		const reply = (r: ApiResponse) => {
			entry.status = r.status;
			sendJson(res, r, isHead);
		};

		let rel: string;
		try {
			rel = decodeURIComponent(u.pathname.slice('/api/public/'.length));
		} catch {
			return reply({ status: 404, body: { detail: 'Not found.' } });
		}
		let found = findRoute(rel);
		if (!found) {
			if (!rel.endsWith('/') && findRoute(rel + '/')) {
				if (method === 'GET' || isHead) {
					entry.status = 301;
					return send(res, 301, '', {
						location: u.pathname + '/' + u.search,
						'content-type': 'text/html; charset=utf-8',
					});
				}
			}
			return reply({ status: 404, body: { detail: 'Not found.' } });
		}

		// 2. faults
		const fault = faults.find((f) => f.remaining > 0 && f.match(method, u.pathname, rel));
		let processFault = false;
		if (fault) {
			fault.remaining--;
			faults = faults.filter((f) => f.remaining > 0);
			entry.fault = fault.kind;
			processFault = defaultProcessed(fault);
			if (fault.kind === 'delay') await sleep(fault.delayMs ?? 1000);
			if (!processFault) {
				entry.status = faultStatus(fault, null);
				return sendFault(res, fault, null);
			}
		}

		// 3. auth
		const unauthorized = (detail: string) => {
			entry.status = 401;
			const r = { status: 401, body: { detail }, headers: { 'www-authenticate': 'Token' } };
			if (fault && processFault && fault.kind !== 'delay') {
				entry.status = faultStatus(fault, 401);
				return sendFault(res, fault, { status: 401, text: pyJson(r.body) });
			}
			sendJson(res, r, isHead);
		};
		if (!parts.length || parts[0].toLowerCase() !== 'token')
			return unauthorized('Authentication credentials were not provided.');
		if (parts.length === 1) return unauthorized('Invalid token header. No credentials provided.');
		if (parts.length > 2)
			return unauthorized('Invalid token header. Token string should not contain spaces.');
		if (!keys.includes(parts[1])) return unauthorized('Invalid token.');

		// 4. throttle
		const fp = entry.key;
		const wait = throttle(fp, t0);
		if (wait !== null) {
			entry.throttled = true;
			// lowercase header name, as User.com sends it (Node writes names exactly as given)
			const r429 = {
				status: 429,
				body: { detail: throttleDetail(wait) },
				headers: { 'retry-after': String(wait) },
			};
			if (latencyMs > 0) await sleep(latencyMs);
			if (fault && processFault && fault.kind !== 'delay') {
				entry.status = faultStatus(fault, 429);
				return sendFault(res, fault, { status: 429, text: pyJson(r429.body) });
			}
			return reply(r429);
		}
		entry.accepted = true;
		const acc = accepted.get(fp) ?? [];
		acc.push(t0);
		accepted.set(fp, acc);

		const [lo, hi] = cfg.serviceTimeMs;
		const serviceMs = (hi > 0 ? lo + Math.random() * Math.max(0, hi - lo) : 0) + latencyMs;
		if (serviceMs > 0) await sleep(serviceMs);

		// 5. method, body, handler
		let r: ApiResponse;
		const methodKey = isHead ? 'GET' : method;
		const handler = found.route.methods[methodKey];
		if (!handler) {
			const allow = [...Object.keys(found.route.methods), 'OPTIONS'].join(', ');
			r = { status: 405, body: { detail: `Method "${method}" not allowed.` }, headers: { allow } };
		} else {
			let body: unknown;
			let parseError: ApiResponse | undefined;
			if (tooLarge && !found.route.multipart)
				parseError = { status: 400, body: { detail: 'Request body too large.' } };
			else if (buf.length && !found.route.multipart) {
				const text = buf.toString('utf8');
				if (/^application\/(.+\+)?json/i.test(ctype)) {
					try {
						body = JSON.parse(text);
					} catch (e) {
						parseError = {
							status: 400,
							body: { detail: `JSON parse error - ${pythonJsonError(text, e as Error)}` },
						};
					}
				} else if (/^application\/x-www-form-urlencoded/i.test(ctype)) {
					body = Object.fromEntries(new URLSearchParams(text));
				} else {
					// CHOICE: multipart is only parsed by the import endpoints; elsewhere it is a 415 like any other type
					parseError = {
						status: 415,
						body: { detail: `Unsupported media type "${ctype}" in request.` },
					};
				}
			}
			if (parseError) r = parseError;
			else {
				const apiReq: ApiRequest & { tooLarge?: boolean } = {
					method,
					rel,
					query: u.searchParams,
					headers: req.headers,
					body,
					rawBody: buf,
					origin: `http://${req.headers.host ?? url.replace(/^http:\/\//, '')}`,
					tooLarge,
				};
				entry.processed = true;
				try {
					r = await handler(ctx, apiReq, found.params);
				} catch (e) {
					r = {
						status: 500,
						body: {
							detail: 'A server error occurred.',
							emulator_error: String((e as Error)?.stack ?? e),
						},
					};
				}
			}
		}
		found = undefined;
		if (fault && processFault && fault.kind !== 'delay') {
			const text = r.status === 204 || r.body === undefined ? '' : pyJson(r.body);
			entry.status = faultStatus(fault, r.status);
			return sendFault(res, fault, { status: r.status, text });
		}
		reply(r);
	};

	// ---------------------------------------------------------------------------------------------
	// control plane
	// ---------------------------------------------------------------------------------------------
	const config = (): EmulatorConfig => ({
		...cfg,
		serviceTimeMs: [...cfg.serviceTimeMs] as [number, number],
		latency: cfg.latency ? { ...cfg.latency } : null,
		quirks: { ...cfg.quirks },
	});
	const configure: Emulator['configure'] = (c) => {
		if (c.rateLimit !== undefined) cfg.rateLimit = c.rateLimit === null ? 0 : Number(c.rateLimit);
		if (c.windowMs !== undefined) cfg.windowMs = Number(c.windowMs);
		if (c.serviceTimeMs !== undefined)
			cfg.serviceTimeMs = [Number(c.serviceTimeMs[0]), Number(c.serviceTimeMs[1])];
		if (c.latency !== undefined) cfg.latency = parseLatency(c.latency);
		if (c.importProcessingMs !== undefined) cfg.importProcessingMs = Number(c.importProcessingMs);
		if (c.maxImportBytes !== undefined) cfg.maxImportBytes = Number(c.maxImportBytes);
		if (c.quirks) cfg.quirks = { ...cfg.quirks, ...c.quirks };
		return config();
	};
	const maxAccepted = (w?: number) => {
		let m = 0;
		for (const times of accepted.values()) m = Math.max(m, maxInWindow(times, w ?? cfg.windowMs));
		return m;
	};
	const stats = (): EmulatorStats => {
		const byStatus: Record<string, number> = {};
		for (const e of requestLog) byStatus[e.status] = (byStatus[e.status] ?? 0) + 1;
		return {
			requests: requestLog.length,
			accepted: requestLog.filter((e) => e.accepted).length,
			throttled: requestLog.filter((e) => e.throttled).length,
			byStatus,
			writeCounts: { ...creates },
			updateCounts: { ...updates },
			maxAcceptedInWindow: maxAccepted(),
			pendingFaults: faults.reduce((n, f) => n + f.remaining, 0),
			config: config(),
		};
	};
	const injectFault = (f: FaultSpec) => {
		const af = compileFault(f, ++faultSeq);
		faults.push(af);
		return af.id;
	};
	const pendingFaults = () => faults.map(({ match: _m, ...rest }) => rest);
	const reset = (s?: SeedData | 'demo') => {
		state.clear();
		requestLog.length = 0;
		creates = {};
		updates = {};
		faults = [];
		history.clear();
		accepted = new Map();
		if (s) seed(s);
	};
	const dumpState = (resource: string | null) => {
		const all: Record<string, () => unknown> = {
			users: () => [...state.users.values()].map((x) => serializeUser(state, x)),
			deals: () => [...state.deals.values()].map((x) => serializeDeal(state, x)),
			products: () => [...state.products.values()].map((x) => serializeProduct(state, x)),
			events: () => [...state.events.values()],
			productEvents: () => [...state.productEvents.values()],
			tags: () => [...state.tags.values()],
			lists: () => [...state.lists.values()],
			segments: () => [...state.segments.values()],
			attributes: () => [...state.attributes.values()],
			pipelines: () =>
				[...state.pipelines.values()].map((p) => ({
					...p,
					stages: p.stageIds.map((id) => state.stages.get(id)),
				})),
			companies: () =>
				[...state.companies.values()].map((c) => ({
					...serializeCompany({ state }, c),
					members: [...c.members],
				})),
			imports: () => [...state.imports.values()].map(serializeImport),
		};
		if (resource) {
			if (!all[resource]) return undefined;
			return { [resource]: all[resource]() };
		}
		return Object.fromEntries(Object.entries(all).map(([k, f]) => [k, f()]));
	};

	const handleControl = async (req: http.IncomingMessage, res: http.ServerResponse, u: URL) => {
		advanceImports();
		const method = (req.method ?? 'GET').toUpperCase();
		const { buf } = await readBody(req, 50 * 1024 * 1024);
		const out = (status: number, body: unknown) =>
			send(res, status, JSON.stringify(body), { 'content-type': 'application/json' });
		let body: unknown = undefined;
		if (buf.length) {
			try {
				body = JSON.parse(buf.toString('utf8'));
			} catch (e) {
				return out(400, { error: `invalid JSON: ${(e as Error).message}` });
			}
		}
		const path = u.pathname.replace(/\/+$/, '');
		try {
			switch (`${method} ${path}`) {
				case 'GET /__emulator':
				case 'GET /__emulator/health':
					return out(200, { ok: true, url, baseUrl: url + '/api/public/' });
				case 'GET /__emulator/stats':
					return out(200, stats());
				case 'GET /__emulator/log': {
					const since = u.searchParams.get('since');
					const limit = u.searchParams.get('limit');
					let entries = requestLog;
					if (since !== null) entries = entries.filter((e) => e.t >= Number(since));
					if (limit !== null) entries = entries.slice(-Number(limit));
					return out(200, { count: entries.length, entries });
				}
				case 'DELETE /__emulator/log':
					requestLog.length = 0;
					return out(200, { ok: true });
				case 'GET /__emulator/faults':
					return out(200, { faults: pendingFaults() });
				case 'POST /__emulator/faults': {
					const list = Array.isArray(body) ? body : [body];
					const ids = list.map((f) => injectFault(f as FaultSpec));
					return out(201, { ids, faults: pendingFaults() });
				}
				case 'DELETE /__emulator/faults':
					faults = [];
					return out(200, { ok: true });
				case 'POST /__emulator/seed': {
					const b = (body ?? {}) as SeedData & { preset?: string };
					if (b.preset !== undefined && b.preset !== 'demo')
						return out(400, { error: `unknown preset ${b.preset}` });
					return out(201, seed(b.preset === 'demo' ? 'demo' : b));
				}
				case 'POST /__emulator/reset': {
					const b = (body ?? {}) as { seed?: SeedData | 'demo' };
					reset(b.seed);
					return out(200, { ok: true });
				}
				case 'GET /__emulator/config':
					return out(200, config());
				case 'POST /__emulator/config':
				case 'PUT /__emulator/config':
				case 'PATCH /__emulator/config':
					return out(200, configure((body ?? {}) as never));
				case 'GET /__emulator/state': {
					const d = dumpState(u.searchParams.get('resource'));
					return d === undefined ? out(404, { error: 'unknown resource' }) : out(200, d);
				}
				case 'POST /__emulator/imports/advance':
					advanceImports();
					return out(200, { ok: true });
			}
			return out(404, { error: `unknown control-plane route ${method} ${u.pathname}` });
		} catch (e) {
			if (e instanceof SeedError || e instanceof Error) return out(400, { error: e.message });
			throw e;
		}
	};

	const server = http.createServer((req, res) => {
		let u: URL;
		try {
			u = new URL(req.url ?? '/', 'http://127.0.0.1');
		} catch {
			return send(res, 400, pyJson({ detail: 'Bad request.' }), {
				'content-type': 'application/json',
			});
		}
		const p = u.pathname.startsWith('/__emulator')
			? handleControl(req, res, u)
			: u.pathname.startsWith('/api/public/')
				? handleApi(req, res, u)
				: null;
		if (!p) {
			// outside the API: Django's 404, not logged
			req.resume();
			return send(res, 404, pyJson({ detail: 'Not found.' }), {
				'content-type': 'application/json',
			});
		}
		p.catch((e) => {
			if (!res.headersSent && !res.destroyed)
				send(res, 500, JSON.stringify({ error: String(e) }), {
					'content-type': 'application/json',
				});
		});
	});
	server.on('connection', (s) => {
		sockets.add(s);
		s.on('close', () => sockets.delete(s));
	});
	server.on('clientError', (_e, s) => s.destroy());

	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
	});
	const port = (server.address() as AddressInfo).port;
	url = `http://127.0.0.1:${port}`;

	return {
		url,
		baseUrl: url + '/api/public/',
		apiKey: keys[0],
		apiKeys: keys,
		state,
		requestLog,
		writeCounts: () => ({ ...creates }),
		updateCounts: () => ({ ...updates }),
		maxAcceptedInWindow: maxAccepted,
		injectFault,
		clearFaults: () => {
			faults = [];
		},
		pendingFaults,
		seed,
		reset,
		setRateLimit: (limit, windowMs) => {
			configure({ rateLimit: limit, windowMs });
		},
		configure,
		config,
		stats,
		advanceImports,
		fingerprint: keyFingerprint,
		close: () =>
			new Promise<void>((resolve) => {
				for (const t of timers) clearTimeout(t);
				timers.clear();
				server.close(() => resolve());
				for (const s of sockets) s.destroy();
			}),
	};
}
