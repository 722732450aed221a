import { FAULT_KINDS, startEmulator } from '../emulator';
import type { Emulator } from '../emulator';
import { client, manualClock, request, until } from './helpers';

let emu: Emulator;
let api: ReturnType<typeof client>;
const clock = manualClock(Date.UTC(2026, 10, 25, 13, 0, 0));

beforeAll(async () => {
	emu = await startEmulator({ rateLimit: 0, now: clock.now });
	api = client(emu.baseUrl, emu.apiKey);
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

const errorCode = (p: Promise<unknown>) =>
	p.then(
		() => 'no error',
		(e: NodeJS.ErrnoException) => e.code ?? e.message,
	);

describe('fault kinds', () => {
	it('lists every kind', () => {
		expect([...FAULT_KINDS].sort()).toEqual(
			[
				'429',
				'429-date',
				'429-no-retry-after',
				'500',
				'502',
				'503',
				'504',
				'delay',
				'drop',
				'empty-body',
				'html',
				'reset',
				'truncated-json',
			].sort(),
		);
	});

	it('500: JSON detail, not processed by default; the next request is normal', async () => {
		emu.injectFault({ pathPattern: 'users/', method: 'POST', count: 1, kind: '500' });
		const r = await api.post('users/', { email: 'a@example.com' });
		expect(r.status).toBe(500);
		expect(r.text).toBe('{"detail": "A server error occurred."}');
		expect(emu.state.users.size).toBe(0);
		expect(emu.writeCounts()).toEqual({});
		expect((await api.post('users/', { email: 'a@example.com' })).status).toBe(201);
		expect(emu.requestLog.map((e) => [e.status, e.fault, e.processed])).toEqual([
			[500, '500', false],
			[201, undefined, true],
		]);
	});

	it('500 with processed:true: the write happened although the client saw a 500 (duplicate-create detector)', async () => {
		emu.injectFault({
			pathPattern: 'deals/',
			method: 'POST',
			count: 1,
			kind: '500',
			processed: true,
		});
		expect((await api.post('deals/', { name: 'x' })).status).toBe(500);
		expect((await api.post('deals/', { name: 'x' })).status).toBe(201); // a naive retry
		expect(emu.writeCounts().deals).toBe(2);
		expect(emu.state.deals.size).toBe(2);
	});

	it('502 and 504: nginx HTML pages', async () => {
		emu.injectFault({ pathPattern: 'tags/', count: 1, kind: '502' });
		emu.injectFault({ pathPattern: 'tags/', count: 1, kind: '504' });
		const a = await api.get('tags/');
		expect(a.status).toBe(502);
		expect(a.headers['content-type']).toBe('text/html');
		expect(a.text).toContain('<title>502 Bad Gateway</title>');
		const b = await api.get('tags/');
		expect(b.status).toBe(504);
		expect(b.text).toContain('504 Gateway Time-out');
	});

	it('503: never processed, even when asked; optional retry-after', async () => {
		emu.injectFault({
			pathPattern: 'users/',
			count: 2,
			kind: '503',
			processed: true,
			retryAfterSeconds: 3,
		});
		const r = await api.post('users/', { email: 'a@example.com' });
		expect(r.status).toBe(503);
		expect(r.text).toBe('{"detail": "Service temporarily unavailable, try again later."}');
		expect(r.headers['retry-after']).toBe('3');
		await api.post('users/', {});
		expect(emu.state.users.size).toBe(0);
	});

	it('html: a non-JSON body (default status 500, configurable)', async () => {
		emu.injectFault({ pathPattern: 'segments/', count: 1, kind: 'html' });
		emu.injectFault({ pathPattern: 'segments/', count: 1, kind: 'html', status: 200 });
		const a = await api.get('segments/');
		expect(a.status).toBe(500);
		expect(a.headers['content-type']).toMatch(/^text\/html/);
		expect(a.text).toContain('<h1>Server Error (500)</h1>');
		expect(a.json).toBeUndefined();
		const b = await api.get('segments/');
		expect(b.status).toBe(200);
		expect(b.text).toContain('<!doctype html>');
	});

	it('429 / 429-date / 429-no-retry-after', async () => {
		emu.injectFault({ pathPattern: '*', count: 1, kind: '429', retryAfterSeconds: 2 });
		emu.injectFault({ pathPattern: '*', count: 1, kind: '429-date', retryAfterSeconds: 3 });
		emu.injectFault({ pathPattern: '*', count: 1, kind: '429-no-retry-after' });
		const a = await api.post('users/', {});
		expect(a.status).toBe(429);
		expect(a.headerNames).toContain('retry-after');
		expect(a.headers['retry-after']).toBe('2');
		expect(a.text).toBe('{"detail": "Request was throttled. Expected available in 2 seconds."}');
		const b = await api.post('users/', {});
		expect(b.status).toBe(429);
		expect(b.headers['retry-after']).toBe('Wed, 25 Nov 2026 13:00:03 GMT');
		expect(Date.parse(b.headers['retry-after'] as string) - clock.now()).toBe(3000);
		const c = await api.post('users/', {});
		expect(c.status).toBe(429);
		expect(c.headers['retry-after']).toBeUndefined();
		expect(c.text).toBe('{"detail": "Request was throttled."}');
		expect(emu.state.users.size).toBe(0);
	});

	it('truncated-json: processed, real status, half a body', async () => {
		emu.injectFault({ pathPattern: 'users/', method: 'POST', count: 1, kind: 'truncated-json' });
		const r = await api.post('users/', { email: 'trunc@example.com' });
		expect(r.status).toBe(201);
		expect(r.headers['content-type']).toBe('application/json');
		expect(r.json).toBeUndefined();
		expect(() => JSON.parse(r.text)).toThrow();
		expect(r.text.startsWith('{"id": 1, "key": ')).toBe(true);
		expect(emu.state.users.size).toBe(1);
	});

	it('empty-body: processed, status kept, zero bytes', async () => {
		emu.injectFault({ pathPattern: 'users/update_or_create/', count: 1, kind: 'empty-body' });
		const r = await api.post('users/update_or_create/', { custom_id: 'e1' });
		expect(r.status).toBe(201);
		expect(r.text).toBe('');
		expect(r.headers['content-length']).toBe('0');
		expect(emu.state.users.size).toBe(1);
	});

	it('drop: the connection closes without a response (not processed by default)', async () => {
		emu.injectFault({ pathPattern: 'users/', count: 1, kind: 'drop' });
		expect(await errorCode(api.post('users/', {}))).toBe('ECONNRESET');
		expect(emu.state.users.size).toBe(0);
		expect(emu.requestLog[0]).toMatchObject({ status: 0, fault: 'drop', processed: false });
		expect((await api.post('users/', {})).status).toBe(201);
	});

	it('drop with processed:true: written, then dropped', async () => {
		emu.injectFault({ pathPattern: 'users/', count: 1, kind: 'drop', processed: true });
		expect(await errorCode(api.post('users/', {}))).toBe('ECONNRESET');
		expect(emu.state.users.size).toBe(1);
	});

	it('reset: TCP reset', async () => {
		emu.injectFault({ pathPattern: 'tags/', count: 1, kind: 'reset' });
		expect(await errorCode(api.get('tags/'))).toBe('ECONNRESET');
	});

	it('delay: slow but processed; a client that times out still caused the write', async () => {
		emu.injectFault({ pathPattern: 'tags/', count: 1, kind: 'delay', delayMs: 120 });
		const t = Date.now();
		expect((await api.get('tags/')).status).toBe(200);
		expect(Date.now() - t).toBeGreaterThanOrEqual(110);

		emu.injectFault({ pathPattern: 'users/', count: 1, kind: 'delay', delayMs: 150 });
		const timedOut = request('POST', emu.baseUrl + 'users/', {
			body: { email: 'slow@example.com' },
			headers: { Authorization: `Token ${emu.apiKey}` },
			timeoutMs: 30,
		});
		expect(await errorCode(timedOut)).toBe('ETIMEDOUT');
		// the server finishes the write after the client gave up: wait for it rather than for a fixed time
		await until(() => emu.writeCounts().users === 1);
		expect(emu.state.usersByEmail('slow@example.com')).toHaveLength(1);
		expect(emu.writeCounts().users).toBe(1);
	});

	it('delay with processed:false: dropped after the delay, nothing written', async () => {
		emu.injectFault({
			pathPattern: 'users/',
			count: 1,
			kind: 'delay',
			delayMs: 30,
			processed: false,
		});
		expect(await errorCode(api.post('users/', {}))).toBe('ECONNRESET');
		expect(emu.state.users.size).toBe(0);
	});
});

describe('fault matching', () => {
	it('count, method, glob and regex patterns', async () => {
		emu.injectFault({ pathPattern: 'users/*/add_tag/', method: 'post', count: 2, kind: '502' });
		emu.injectFault({ pathPattern: '^/api/public/deals/\\d+/$', count: 1, kind: '503' });
		emu.injectFault({
			pathPattern: 're:products-by-id/SKU-\\d+/product_event',
			count: 1,
			kind: '500',
		});
		emu.seed({
			users: [{ custom_id: 'u' }],
			products: [{ custom_id: 'SKU-7' }],
			deals: [{ name: 'd' }],
		});
		expect((await api.get('users/1/')).status).toBe(200); // method/path mismatch
		expect((await api.post('users/1/add_tag/', { name: 'a' })).status).toBe(502);
		expect((await api.post('users/1/add_tag/', { name: 'a' })).status).toBe(502);
		expect((await api.post('users/1/add_tag/', { name: 'a' })).status).toBe(200); // count exhausted
		expect((await api.get('deals/')).status).toBe(200);
		expect((await api.get('deals/1/')).status).toBe(503);
		expect(
			(await api.post('products-by-id/SKU-7/product_event/', { user_id: 1, event_type: 'view' }))
				.status,
		).toBe(500);
		expect(emu.pendingFaults()).toEqual([]);
		expect(emu.stats().pendingFaults).toBe(0);
	});

	it('rejects bad specs', () => {
		expect(() => emu.injectFault({ pathPattern: '*', count: 1, kind: 'boom' as never })).toThrow(
			/unknown fault kind/,
		);
		expect(() => emu.injectFault({ pathPattern: '*', count: 0, kind: '500' })).toThrow(/count/);
	});

	it('a fault that is not processed does not use throttle capacity', async () => {
		emu.setRateLimit(1, 1000);
		try {
			emu.injectFault({ pathPattern: 'tags/', count: 1, kind: '503' });
			expect((await api.get('tags/')).status).toBe(503);
			expect((await api.get('tags/')).status).toBe(200);
			expect((await api.get('tags/')).status).toBe(429);
		} finally {
			emu.setRateLimit(0);
		}
	});
});
