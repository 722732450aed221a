/**
 * Shared pieces of the reliability suite: the summary rows (read by reporter.js), a deep secret
 * scanner for outputs / errors / logs, a small HTTP proxy that can rewrite answers (429 with the
 * hint only in the body, `next` links or redirects to another host) and a recording "other host".
 */
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';

import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { runNode, type RunNodeOptions, type RunResult } from '../harness';
import type { Clock } from '../../nodes/UserCom/transport';

export type Section = 'fault matrix' | 'bad input' | 'cancellation' | 'soak' | 'security';

export interface SummaryRow {
	section: Section;
	name: string;
	/** input items given to the node */
	sent?: number;
	/** items on the success output */
	success?: number;
	/** items on the error output (or the one thrown error, counted as its items) */
	error?: number;
	/** input items without exactly one output item */
	lost?: number;
	/** extra writes caused by our retries that the user enabled ("Retry Creates on Server Errors") */
	dupExpected?: number;
	/** extra writes caused by our retries without the option */
	dupUnexpected?: number;
	/** places where the API key was found */
	leaks?: number;
	note?: string;
}

function outDir(): string {
	const dir =
		process.env.USERCOM_RELIABILITY_OUT ?? path.join(os.tmpdir(), 'usercom-reliability-adhoc');
	fs.mkdirSync(dir, { recursive: true });
	return dir;
}

/** Appends one row to the summary (one file per test process and file). */
export function record(row: SummaryRow): void {
	const file = path.join(outDir(), `${process.pid}-${row.section.replace(/\W+/g, '_')}.jsonl`);
	fs.appendFileSync(file, JSON.stringify(row) + '\n');
}

/**
 * Every place (path) in `value` where one of the needles occurs: own enumerable and non-enumerable
 * properties (message, stack, cause, context, ...), Maps, Sets, Buffers, nested errors; cycles skipped.
 */
export function findSecret(value: unknown, needles: string[], label = '$'): string[] {
	const hits: string[] = [];
	const seen = new WeakSet<object>();
	const test = (text: string, where: string) => {
		for (const needle of needles) if (needle && text.includes(needle)) hits.push(where);
	};
	const visit = (v: unknown, where: string, depth: number) => {
		if (depth > 40) return;
		if (typeof v === 'string') return test(v, where);
		if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return;
		if (typeof v === 'function') return;
		if (typeof v !== 'object') return test(String(v), where);
		if (seen.has(v as object)) return;
		seen.add(v as object);
		if (Buffer.isBuffer(v) || v instanceof Uint8Array)
			return test(Buffer.from(v as Uint8Array).toString('latin1'), where);
		if (v instanceof Map) {
			for (const [k, x] of v) {
				visit(k, `${where}.<key>`, depth + 1);
				visit(x, `${where}[${String(k)}]`, depth + 1);
			}
			return;
		}
		if (v instanceof Set) {
			let i = 0;
			for (const x of v) visit(x, `${where}{${i++}}`, depth + 1);
			return;
		}
		for (const key of Object.getOwnPropertyNames(v)) {
			test(key, `${where}.<key:${key}>`);
			let x: unknown;
			try {
				x = (v as Record<string, unknown>)[key];
			} catch {
				continue;
			}
			visit(x, `${where}.${key}`, depth + 1);
		}
	};
	visit(value, label, 0);
	// the JSON form as well (toJSON methods may add text)
	try {
		const json = JSON.stringify(value);
		if (json) test(json, `${label}<json>`);
	} catch {
		// cyclic: the walk above covered it
	}
	return hits;
}

/** Forms of the key worth looking for: the key, the header value, and a 24-char prefix of it. */
export function keyNeedles(apiKey: string): string[] {
	return [apiKey, `Token ${apiKey}`, apiKey.slice(0, 24)];
}

export interface CheckedRun {
	result?: RunResult;
	thrown?: Error;
	leaks: string[];
}

/** runNode, scanning what it returned (items, logs, hints) or threw for the API key. */
export async function runChecked(
	parameters: INodeParameters,
	items: IDataObject[] | INodeExecutionData[],
	options: RunNodeOptions,
): Promise<CheckedRun> {
	const needles = keyNeedles(options.credentials.apiKey);
	try {
		const result = await runNode(parameters, items, options);
		const leaks = findSecret(
			{ output: result.output, logs: result.logs, hints: result.hints },
			needles,
			'run',
		);
		return { result, leaks };
	} catch (error) {
		return { thrown: error as Error, leaks: findSecret(error, needles, 'error') };
	}
}

/** Items without exactly one output item (by pairedItem). */
export function lostItems(inputCount: number, output: INodeExecutionData[]): number {
	const counts = new Array<number>(inputCount).fill(0);
	for (const item of output) {
		const paired = item.pairedItem;
		const list = Array.isArray(paired) ? paired : paired === undefined ? [] : [paired];
		for (const p of list) {
			const index = typeof p === 'number' ? p : p.item;
			if (index >= 0 && index < inputCount) counts[index]++;
		}
	}
	return counts.filter((c) => c !== 1).length;
}

/** A clock where one virtual second lasts 1000 / factor real milliseconds (shared with the emulator). */
export function scaledClock(factor: number): Clock {
	const start = Date.now();
	return {
		now: () => start + (Date.now() - start) * factor,
		sleep: async (ms: number) => {
			if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms / factor));
		},
	};
}

export const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once `condition` holds (checked every 10 ms); the deadline only turns a hang into a clear failure. */
export async function until(condition: () => boolean, deadlineMs = 10_000): Promise<void> {
	const end = Date.now() + deadlineMs;
	while (!condition()) {
		if (Date.now() > end) throw new Error(`condition not reached within ${deadlineMs} ms`);
		await delay(10);
	}
}

export interface UpstreamAnswer {
	status: number;
	headers: http.IncomingHttpHeaders;
	body: Buffer;
}

export interface Proxy {
	url: string;
	close(): Promise<void>;
}

/**
 * Forwards every request to `target` (an emulator URL) and lets `rewrite` change the answer.
 * Used to produce answers the emulator cannot (a 429 with its hint only in the body, foreign `next`
 * links, redirects to another host) while the emulator still counts the writes.
 */
export async function startProxy(
	target: string,
	rewrite: (answer: UpstreamAnswer, req: http.IncomingMessage) => UpstreamAnswer = (a) => a,
): Promise<Proxy> {
	const targetUrl = new URL(target);
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			const upstream = http.request(
				{
					host: targetUrl.hostname,
					port: targetUrl.port,
					method: req.method,
					path: req.url,
					// the original Host header: the emulator builds its `next` links on the proxy's origin
					headers: { ...req.headers },
				},
				(up) => {
					const body: Buffer[] = [];
					up.on('data', (c: Buffer) => body.push(c));
					up.on('end', () => {
						const answer = rewrite(
							{
								status: up.statusCode ?? 502,
								headers: { ...up.headers },
								body: Buffer.concat(body),
							},
							req,
						);
						const headers = { ...answer.headers, 'content-length': String(answer.body.length) };
						delete headers['transfer-encoding'];
						res.writeHead(answer.status, headers as http.OutgoingHttpHeaders);
						res.end(answer.body);
					});
				},
			);
			upstream.on('error', () => res.destroy());
			upstream.end(Buffer.concat(chunks));
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
	const port = (server.address() as AddressInfo).port;
	return {
		url: `http://127.0.0.1:${port}`,
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections?.();
				server.close(() => resolve());
			}),
	};
}

export interface RecordedCall {
	method: string;
	url: string;
	headers: http.IncomingHttpHeaders;
}

/** "Another host": records every call it gets and answers like a page of User.com. */
export async function startRecorder(): Promise<{
	url: string;
	calls: RecordedCall[];
	close(): Promise<void>;
}> {
	const calls: RecordedCall[] = [];
	const server = http.createServer((req, res) => {
		calls.push({ method: req.method ?? '', url: req.url ?? '', headers: { ...req.headers } });
		req.resume();
		const body = JSON.stringify({
			count: 1,
			next: null,
			previous: null,
			results: [{ id: 999, email: 'other@host' }],
		});
		res.writeHead(200, {
			'content-type': 'application/json',
			'content-length': Buffer.byteLength(body),
		});
		res.end(body);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
	const port = (server.address() as AddressInfo).port;
	return {
		url: `http://127.0.0.1:${port}`,
		calls,
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections?.();
				server.close(() => resolve());
			}),
	};
}
