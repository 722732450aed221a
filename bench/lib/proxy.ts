/**
 * Scenario 5 helper: a pass-through proxy in front of the emulator that answers chosen requests itself
 * with a 429 in one of three forms (User.com's own 429 carries both the header and the body text):
 *   seconds    retry-after: N                 + {"detail": "Request was throttled. Expected available in N seconds."}
 *   http-date  retry-after: <IMF-fixdate>     + same body
 *   body-only  no retry-after header          + {"detail": "Request was throttled. Expected available in N seconds."}
 * It records every arrival, so "no request before the wait is over" is measured where the client's
 * requests arrive.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export type RetryAfterFormat = 'seconds' | 'http-date' | 'body-only';

export interface Injected429 {
	format: RetryAfterFormat;
	seconds: number;
	/** when the 429 was written (ms epoch) */
	sentAt: number;
	/** when the announced wait ends (ms epoch) */
	waitEnd: number;
	header: string | null;
}

export interface InjectingProxy {
	url: string;
	arrivals: number[];
	injected: Injected429[];
	inject(format: RetryAfterFormat, seconds: number): void;
	pending(): number;
	close(): Promise<void>;
}

export async function startInjectingProxy(target: string): Promise<InjectingProxy> {
	const t = new URL(target);
	const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
	const queue: Array<{ format: RetryAfterFormat; seconds: number }> = [];
	const arrivals: number[] = [];
	const injected: Injected429[] = [];
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			const body = Buffer.concat(chunks);
			const isApi = (req.url ?? '').startsWith('/api/public/');
			if (isApi) arrivals.push(Date.now());
			const inj = isApi ? queue.shift() : undefined;
			if (inj) {
				const now = Date.now();
				const detail = JSON.stringify({
					detail: `Request was throttled. Expected available in ${inj.seconds} second${inj.seconds === 1 ? '' : 's'}.`,
				});
				let header: string | null = null;
				let waitEnd = now + inj.seconds * 1000;
				if (inj.format === 'seconds') header = String(inj.seconds);
				if (inj.format === 'http-date') {
					waitEnd = Math.ceil((now + inj.seconds * 1000) / 1000) * 1000;
					header = new Date(waitEnd).toUTCString();
				}
				const headers: Record<string, string | number> = {
					'content-type': 'application/json',
					'content-length': Buffer.byteLength(detail),
				};
				if (header !== null) headers['retry-after'] = header;
				res.writeHead(429, headers);
				res.end(detail);
				injected.push({ ...inj, sentAt: now, waitEnd, header });
				return;
			}
			const up = http.request(
				{
					host: t.hostname,
					port: t.port,
					method: req.method,
					path: req.url,
					headers: { ...req.headers, host: t.host },
					agent,
				},
				(ur) => {
					res.writeHead(ur.statusCode ?? 502, ur.headers);
					ur.pipe(res);
				},
			);
			up.on('error', () => {
				if (!res.headersSent) res.writeHead(502);
				res.end();
			});
			up.end(body);
		});
	});
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
	const port = (server.address() as AddressInfo).port;
	return {
		url: `http://127.0.0.1:${port}`,
		arrivals,
		injected,
		inject: (format, seconds) => queue.push({ format, seconds }),
		pending: () => queue.length,
		close: () =>
			new Promise<void>((r) => {
				agent.destroy();
				server.closeAllConnections?.();
				server.close(() => r());
			}),
	};
}
