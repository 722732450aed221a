/** Raw HTTP client for the emulator tests: keeps header-name case (rawHeaders) and the exact body bytes. */
import * as http from 'http';

export interface RawResponse {
	status: number;
	/** header names exactly as sent on the wire */
	headerNames: string[];
	headers: http.IncomingHttpHeaders;
	text: string;
	json: any;
}

export interface RawOptions {
	headers?: Record<string, string>;
	/** object -> JSON with content-type application/json; string/Buffer sent as is */
	body?: unknown;
	timeoutMs?: number;
}

export function request(method: string, url: string, opts: RawOptions = {}): Promise<RawResponse> {
	return new Promise((resolve, reject) => {
		const headers: Record<string, string> = { ...(opts.headers ?? {}) };
		let payload: Buffer | undefined;
		if (opts.body !== undefined) {
			if (Buffer.isBuffer(opts.body)) payload = opts.body;
			else if (typeof opts.body === 'string') payload = Buffer.from(opts.body);
			else {
				payload = Buffer.from(JSON.stringify(opts.body));
				if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
					headers['Content-Type'] = 'application/json';
			}
			headers['Content-Length'] = String(payload.length);
		}
		const req = http.request(url, { method, headers, agent: false }, (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (c: Buffer) => chunks.push(c));
			res.on('error', reject);
			res.on('end', () => {
				const text = Buffer.concat(chunks).toString('utf8');
				let json: unknown;
				try {
					json = text ? JSON.parse(text) : undefined;
				} catch {
					json = undefined;
				}
				const names: string[] = [];
				for (let i = 0; i < res.rawHeaders.length; i += 2) names.push(res.rawHeaders[i]);
				resolve({
					status: res.statusCode ?? 0,
					headerNames: names,
					headers: res.headers,
					text,
					json,
				});
			});
		});
		req.on('error', reject);
		if (opts.timeoutMs)
			req.setTimeout(opts.timeoutMs, () =>
				req.destroy(Object.assign(new Error('client timeout'), { code: 'ETIMEDOUT' })),
			);
		req.end(payload);
	});
}

/** Bound client for one emulator + key. */
export function client(baseUrl: string, apiKey: string) {
	const auth = { Authorization: `Token ${apiKey}` };
	const call = (
		method: string,
		path: string,
		body?: unknown,
		headers: Record<string, string> = {},
	) => request(method, baseUrl + path, { body, headers: { ...auth, ...headers } });
	return {
		get: (path: string, headers?: Record<string, string>) => call('GET', path, undefined, headers),
		post: (path: string, body?: unknown, headers?: Record<string, string>) =>
			call('POST', path, body, headers),
		put: (path: string, body?: unknown) => call('PUT', path, body),
		patch: (path: string, body?: unknown) => call('PATCH', path, body),
		del: (path: string, body?: unknown) => call('DELETE', path, body),
		call,
	};
}

/** Builds a multipart/form-data body. */
export function multipart(
	fields: Record<string, string>,
	file?: { name: string; filename: string; content: string | Buffer },
) {
	const boundary = '----emulatortest' + Math.random().toString(16).slice(2);
	const parts: Buffer[] = [];
	for (const [k, v] of Object.entries(fields))
		parts.push(
			Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`),
		);
	if (file)
		parts.push(
			Buffer.from(
				`--${boundary}\r\nContent-Disposition: form-data; name="${file.name}"; filename="${file.filename}"\r\nContent-Type: text/csv\r\n\r\n`,
			),
			Buffer.isBuffer(file.content) ? file.content : Buffer.from(file.content),
			Buffer.from('\r\n'),
		);
	parts.push(Buffer.from(`--${boundary}--\r\n`));
	return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** A controllable clock for throttle/import tests. */
export function manualClock(start = Date.UTC(2026, 0, 1)) {
	let t = start;
	return {
		now: () => t,
		set: (v: number) => (t = v),
		advance: (ms: number) => (t += ms),
		start,
	};
}

/**
 * Resolves once `condition` holds, checking every 10 ms; for work the emulator finishes on its own
 * timers (delayed answers, imports). The deadline only turns a hang into a clear failure.
 */
export async function until(condition: () => boolean, deadlineMs = 10_000): Promise<void> {
	const end = Date.now() + deadlineMs;
	while (!condition()) {
		if (Date.now() > end) throw new Error(`condition not reached within ${deadlineMs} ms`);
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}
