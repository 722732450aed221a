/** DRF SimpleRateThrottle semantics: sliding-window log per key, rejected requests not recorded. */
import { startEmulator } from '../emulator';
import type { Emulator } from '../emulator';
import { client, manualClock, request } from './helpers';

describe('throttle with an injected clock', () => {
	const clock = manualClock();
	let emu: Emulator;
	const KEY_A = 'a'.repeat(64);
	const KEY_B = 'b'.repeat(64);
	beforeAll(async () => {
		emu = await startEmulator({
			rateLimit: 10,
			windowMs: 1000,
			now: clock.now,
			apiKeys: [KEY_A, KEY_B],
		});
	});
	afterAll(() => emu.close());
	beforeEach(() => {
		emu.reset();
		emu.setRateLimit(10, 1000);
		clock.advance(60_000);
	});

	it('accepts exactly `limit` in a window, then 429 with ceil(wait) seconds', async () => {
		const a = client(emu.baseUrl, KEY_A);
		const t0 = clock.now();
		for (let i = 0; i < 10; i++) {
			clock.set(t0 + i * 10); // 10 requests in 90 ms
			expect((await a.get('segments/')).status).toBe(200);
		}
		clock.set(t0 + 100);
		const r = await a.get('segments/');
		expect(r.status).toBe(429);
		// oldest accepted at t0, window 1000 -> available again at t0+1000: wait 900 ms -> ceil -> 1 s
		expect(r.headers['retry-after']).toBe('1');
		expect(r.text).toBe('{"detail": "Request was throttled. Expected available in 1 second."}');
		// still full just before the oldest expires
		clock.set(t0 + 999);
		expect((await a.get('segments/')).status).toBe(429);
		// at t0+1000 the oldest leaves the window (DRF pops times <= now - duration): one slot
		clock.set(t0 + 1000);
		expect((await a.get('segments/')).status).toBe(200);
		expect((await a.get('segments/')).status).toBe(429);
		clock.set(t0 + 1010);
		expect((await a.get('segments/')).status).toBe(200);
		expect(emu.maxAcceptedInWindow()).toBe(10);
	});

	it('plural seconds and a retry-after that counts from the oldest accepted request', async () => {
		emu.setRateLimit(3, 5000);
		const a = client(emu.baseUrl, KEY_A);
		const t0 = clock.now();
		for (let i = 0; i < 3; i++) expect((await a.get('tags/')).status).toBe(200);
		clock.set(t0 + 500);
		const r = await a.get('tags/');
		expect(r.status).toBe(429);
		expect(r.headers['retry-after']).toBe('5'); // 4.5 s -> 5
		expect(r.json).toEqual({ detail: 'Request was throttled. Expected available in 5 seconds.' });
		clock.set(t0 + 3200);
		const r2 = await a.get('tags/');
		expect(r2.headers['retry-after']).toBe('2'); // 1.8 s -> 2
		expect(r2.json.detail).toBe('Request was throttled. Expected available in 2 seconds.');
	});

	it('rejected requests are not recorded: hammering does not extend the wait', async () => {
		emu.setRateLimit(2, 1000);
		const a = client(emu.baseUrl, KEY_A);
		const t0 = clock.now();
		await a.get('tags/');
		await a.get('tags/');
		for (let i = 1; i <= 20; i++) {
			clock.set(t0 + i * 40);
			expect((await a.get('tags/')).status).toBe(429);
		}
		clock.set(t0 + 1000);
		expect((await a.get('tags/')).status).toBe(200);
		expect((await a.get('tags/')).status).toBe(200);
		const accepted = emu.requestLog.filter((e) => e.accepted).length;
		expect(accepted).toBe(4);
		expect(emu.requestLog.filter((e) => e.status === 429)).toHaveLength(20);
		expect(emu.stats().throttled).toBe(20);
	});

	it('is per API key', async () => {
		emu.setRateLimit(2, 1000);
		const a = client(emu.baseUrl, KEY_A);
		const b = client(emu.baseUrl, KEY_B);
		expect((await a.get('tags/')).status).toBe(200);
		expect((await a.get('tags/')).status).toBe(200);
		expect((await a.get('tags/')).status).toBe(429);
		expect((await b.get('tags/')).status).toBe(200);
		expect((await b.get('tags/')).status).toBe(200);
		expect((await b.get('tags/')).status).toBe(429);
		const keys = new Set(emu.requestLog.map((e) => e.key));
		expect(keys).toEqual(new Set([emu.fingerprint(KEY_A), emu.fingerprint(KEY_B)]));
		for (const e of emu.requestLog) expect(JSON.stringify(e)).not.toContain(KEY_A);
	});

	it('unauthenticated requests and unknown routes are not throttled or counted', async () => {
		emu.setRateLimit(1, 1000);
		for (let i = 0; i < 5; i++)
			expect((await request('GET', emu.baseUrl + 'tags/')).status).toBe(401);
		const a = client(emu.baseUrl, KEY_A);
		for (let i = 0; i < 3; i++) expect((await a.get('nope/')).status).toBe(404);
		expect((await a.get('tags/')).status).toBe(200);
		expect((await a.get('tags/')).status).toBe(429);
	});

	it('maxAcceptedInWindow measures the densest window of accepted arrivals', async () => {
		emu.setRateLimit(0); // unlimited
		const a = client(emu.baseUrl, KEY_A);
		const t0 = clock.now();
		// 5 at t0, 7 at t0+600 (12 within 1000 ms), 3 at t0+1700
		for (let i = 0; i < 5; i++) await a.get('tags/');
		clock.set(t0 + 600);
		for (let i = 0; i < 7; i++) await a.get('tags/');
		clock.set(t0 + 1700);
		for (let i = 0; i < 3; i++) await a.get('tags/');
		expect(emu.maxAcceptedInWindow()).toBe(12);
		expect(emu.maxAcceptedInWindow(500)).toBe(7);
		expect(emu.maxAcceptedInWindow(1200)).toBe(12);
		expect(emu.maxAcceptedInWindow(2000)).toBe(15);
	});

	it('0 and Infinity mean unlimited', async () => {
		const a = client(emu.baseUrl, KEY_A);
		emu.setRateLimit(Infinity);
		for (let i = 0; i < 30; i++) expect((await a.get('tags/')).status).toBe(200);
		emu.setRateLimit(0);
		for (let i = 0; i < 30; i++) expect((await a.get('tags/')).status).toBe(200);
	});
});

describe('a concurrent burst against a time-scaled limit (10 per 100 ms)', () => {
	// the clock is injected: 15 requests in flight at once all fall into one window whatever the
	// machine's load, so exactly 10 get through
	const clock = manualClock();
	let emu: Emulator;
	beforeAll(async () => {
		emu = await startEmulator({ rateLimit: 10, windowMs: 100, now: clock.now });
	});
	afterAll(() => emu.close());

	it('a burst of 15 gets exactly 10 through; after the window it is open again', async () => {
		const a = client(emu.baseUrl, emu.apiKey);
		const results = await Promise.all(Array.from({ length: 15 }, () => a.get('tags/')));
		const statuses = results.map((r) => r.status);
		expect(statuses.filter((s) => s === 200)).toHaveLength(10);
		expect(statuses.filter((s) => s === 429)).toHaveLength(5);
		for (const r of results.filter((x) => x.status === 429)) {
			expect(r.headerNames).toContain('retry-after');
			expect(r.headers['retry-after']).toBe('1'); // any sub-second wait rounds up to 1 s
		}
		expect(emu.maxAcceptedInWindow()).toBe(10);
		clock.advance(99);
		expect((await a.get('tags/')).status).toBe(429);
		clock.advance(1);
		expect((await a.get('tags/')).status).toBe(200);
	});
});

describe('serviceTimeMs', () => {
	it('adds a per-request delay between min and max (after the throttle)', async () => {
		const emu = await startEmulator({ rateLimit: 1, windowMs: 60_000, serviceTimeMs: [40, 60] });
		try {
			const a = client(emu.baseUrl, emu.apiKey);
			const t = Date.now();
			expect((await a.get('tags/')).status).toBe(200);
			// a lower bound only: a timer never fires early, however loaded the machine
			expect(Date.now() - t).toBeGreaterThanOrEqual(38);
			// a throttled request is answered before the service time: with 30 s of service time it
			// would miss the client's 10 s timeout
			emu.configure({ serviceTimeMs: [30_000, 30_000] });
			const throttled = await request('GET', emu.baseUrl + 'tags/', {
				headers: { Authorization: `Token ${emu.apiKey}` },
				timeoutMs: 10_000,
			});
			expect(throttled.status).toBe(429);
			emu.configure({ serviceTimeMs: [0, 0] });
			expect(emu.config().serviceTimeMs).toEqual([0, 0]);
		} finally {
			await emu.close();
		}
	});
});
