#!/usr/bin/env node
/**
 * Peer: the retry loop from User.com's "Error Handling & Best Practices" guide, ported as is
 * (Python `requests` -> Node 20 `fetch`), driven the way such a script is written: items one after
 * the other, one call of api_request_with_retry per item.
 *
 *   def api_request_with_retry(method, url, headers, data=None, max_retries=5):
 *       for attempt in range(max_retries):
 *           response = requests.request(method, url, headers=headers, json=data)
 *           if response.status_code != 429:
 *               return response
 *           retry_after = int(response.headers.get("retry-after", 2 ** attempt))
 *           time.sleep(retry_after)
 *       return response
 *
 * Faithful details: Python's int() on the header (a non-integer such as "0.5" or an HTTP date raises
 * ValueError -> the script dies, every remaining item is lost); after 5 attempts the last 429 response is
 * returned and the item is simply not written (lost). The only change: with a time-scaled emulator
 * (BENCH_TIME_SCALE < 1, e.g. 0.1 when the limit is 10 per 100 ms) the sleep is multiplied by that scale,
 * because the emulator then expresses retry-after in real seconds of the scaled clock.
 *
 * Input (env): BENCH_URL (base URL ending in /api/public/), BENCH_API_KEY, BENCH_ITEMS (JSON file with an
 * array of bodies), BENCH_PATH (relative path, default users/update_or_create/), BENCH_TIME_SCALE (default 1).
 * Output: one JSON line on stdout: { ok, failed, crashed, requests, status429, wallMs }.
 */
import { readFileSync } from 'node:fs';

const baseUrl = process.env.BENCH_URL;
const apiKey = process.env.BENCH_API_KEY;
const items = JSON.parse(readFileSync(process.env.BENCH_ITEMS, 'utf8'));
const path = process.env.BENCH_PATH || 'users/update_or_create/';
const timeScale = Number(process.env.BENCH_TIME_SCALE || '1');

const sleep = (seconds) => new Promise((r) => setTimeout(r, seconds * 1000 * timeScale));

let requests = 0;
let status429 = 0;

/** Python int(str): optional whitespace and sign, decimal digits only; anything else raises. */
function pyInt(value) {
	if (typeof value === 'number') return Math.trunc(value);
	const s = String(value).trim();
	if (!/^[+-]?\d+$/.test(s))
		throw new Error(`ValueError: invalid literal for int() with base 10: '${value}'`);
	return parseInt(s, 10);
}

async function apiRequestWithRetry(method, url, headers, data = null, maxRetries = 5) {
	let response;
	for (let attempt = 0; attempt < maxRetries; attempt++) {
		requests++;
		response = await fetch(url, {
			method,
			headers: { ...headers, 'Content-Type': 'application/json' },
			body: data === null ? undefined : JSON.stringify(data),
		});
		await response.arrayBuffer(); // requests reads the body eagerly
		if (response.status !== 429) return response;
		status429++;
		const retryAfter = pyInt(response.headers.get('retry-after') ?? 2 ** attempt);
		await sleep(retryAfter);
	}
	return response;
}

const headers = { Authorization: `Token ${apiKey}`, Accept: '*/*; version=2' };
const started = Date.now();
let ok = 0;
let failed = 0;
let crashed = null;
try {
	for (const item of items) {
		const response = await apiRequestWithRetry('POST', baseUrl + path, headers, item);
		if (response.status >= 200 && response.status < 300) ok++;
		else failed++;
	}
} catch (error) {
	crashed = String(error && error.message ? error.message : error);
	failed = items.length - ok;
}
process.stdout.write(
	JSON.stringify({ ok, failed, crashed, requests, status429, wallMs: Date.now() - started }) + '\n',
);
