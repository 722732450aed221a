/**
 * Latency profiles: the answer is late, the throttle still counts the request when it arrives, and
 * under jitter answers overtake each other.
 */
import { startEmulator, parseLatency, sampleLatency, heavyTailLatency } from '../emulator';
import type { Emulator } from '../emulator';
import { prng } from '../emulator/util';
import { client, manualClock, request } from './helpers';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('parseLatency', () => {
	it('reads a mean with the default ±20 %, an explicit jitter, a range, the heavy tail and none', () => {
		expect(parseLatency('300')).toMatchObject({
			minMs: 240,
			maxMs: 360,
			tailShare: 0,
			name: '300 ms ±20 %',
		});
		expect(parseLatency('100±10%')).toMatchObject({ minMs: 90, maxMs: 110 });
		expect(parseLatency('100+-50%')).toMatchObject({ minMs: 50, maxMs: 150 });
		expect(parseLatency('40-60')).toMatchObject({ minMs: 40, maxMs: 60, tailShare: 0 });
		expect(parseLatency('tail')).toEqual(heavyTailLatency());
		expect(parseLatency('none')).toBeNull();
		expect(parseLatency('0')).toBeNull();
		expect(parseLatency({ minMs: 10, maxMs: 20 })).toMatchObject({
			minMs: 10,
			maxMs: 20,
			tailShare: 0,
		});
	});

	it('rejects what it cannot read, naming the accepted forms', () => {
		expect(() => parseLatency('fast')).toThrow(
			'latency: cannot read "fast" (use 300, 300±10%, 100-200, tail or none)',
		);
		expect(() => parseLatency('60-40')).toThrow('latency: a maximum is below its minimum');
		expect(() =>
			parseLatency({ minMs: 10, maxMs: 20, tailShare: 5, tailMinMs: 100, tailMaxMs: 200 }),
		).toThrow('latency: tailShare is a fraction between 0 and 1 (got 5)');
	});
});

describe('sampleLatency', () => {
	it('keeps a fixed profile inside mean ±20 %', () => {
		const p = parseLatency('300')!;
		const rand = prng(7);
		const xs = Array.from({ length: 2000 }, () => sampleLatency(p, rand));
		expect(Math.min(...xs)).toBeGreaterThanOrEqual(240);
		expect(Math.max(...xs)).toBeLessThanOrEqual(360);
		// spread over the range, not one value
		expect(Math.max(...xs) - Math.min(...xs)).toBeGreaterThan(100);
	});

	it('heavy tail: about 5 % of the answers take 1–2 s, the rest 120–180 ms', () => {
		const p = heavyTailLatency();
		const rand = prng(11);
		const xs = Array.from({ length: 10_000 }, () => sampleLatency(p, rand));
		const slow = xs.filter((x) => x >= 1000);
		expect(slow.every((x) => x <= 2000)).toBe(true);
		expect(xs.filter((x) => x < 1000).every((x) => x >= 120 && x <= 180)).toBe(true);
		expect(slow.length / xs.length).toBeGreaterThan(0.04);
		expect(slow.length / xs.length).toBeLessThan(0.06);
	});
});

describe('emulator with a latency profile', () => {
	let emu: Emulator | undefined;
	afterEach(async () => {
		await emu?.close();
		emu = undefined;
	});

	it('is set by option, shown and changed through the control plane, and refused when unreadable', async () => {
		emu = await startEmulator({ latency: 'tail' });
		expect(emu.config().latency).toEqual(heavyTailLatency());
		const put = await request('POST', `${emu.url}/__emulator/config`, {
			body: { latency: '100±10%' },
		});
		expect(put.status).toBe(200);
		expect(put.json.latency).toMatchObject({ minMs: 90, maxMs: 110 });
		const bad = await request('POST', `${emu.url}/__emulator/config`, {
			body: { latency: 'soon' },
		});
		expect(bad.status).toBe(400);
		expect(bad.json.error).toBe(
			'latency: cannot read "soon" (use 300, 300±10%, 100-200, tail or none)',
		);
		expect(emu.config().latency).toMatchObject({ minMs: 90, maxMs: 110 });
		emu.configure({ latency: 'none' });
		expect(emu.config().latency).toBeNull();
	});

	it('delays 200s and 429s alike and logs the draw', async () => {
		emu = await startEmulator({ rateLimit: 1, windowMs: 60_000, latency: '40-60' });
		const a = client(emu.baseUrl, emu.apiKey);
		let t = Date.now();
		expect((await a.get('tags/')).status).toBe(200);
		expect(Date.now() - t).toBeGreaterThanOrEqual(39);
		t = Date.now();
		expect((await a.get('tags/')).status).toBe(429);
		expect(Date.now() - t).toBeGreaterThanOrEqual(39);
		for (const e of emu.requestLog) {
			expect(e.latencyMs).toBeGreaterThanOrEqual(40);
			expect(e.latencyMs).toBeLessThanOrEqual(60);
			expect(e.answeredAt! - e.t).toBeGreaterThanOrEqual(39);
		}
	});

	it('answers out of order under jitter', async () => {
		emu = await startEmulator({ rateLimit: 0, latency: '5-150', randomSeed: 3 });
		const a = client(emu.baseUrl, emu.apiKey);
		const finished: number[] = [];
		const calls: Array<Promise<unknown>> = [];
		for (let i = 0; i < 20; i++) {
			calls.push(
				a.post('users/update_or_create/', { custom_id: `ooo-${i}` }).then(() => finished.push(i)),
			);
			await sleep(2);
		}
		await Promise.all(calls);
		const arrived = emu.requestLog.map((e) => (e.body as { custom_id: string }).custom_id);
		expect(arrived).toEqual(Array.from({ length: 20 }, (_, i) => `ooo-${i}`));
		// some later request was answered before an earlier one
		expect(finished).not.toEqual([...finished].sort((x, y) => x - y));
	});

	it('counts a request against the limit when it arrives, not when it is answered', async () => {
		const clock = manualClock();
		emu = await startEmulator({ rateLimit: 1, windowMs: 500, now: clock.now, latency: '200-250' });
		const a = client(emu.baseUrl, emu.apiKey);
		const first = a.get('tags/');
		// the first request has arrived and passed the throttle, its answer is still on its way
		while (!emu.requestLog[0]?.accepted) await sleep(2);
		const arrivedAt = clock.now();
		clock.advance(500);
		expect((await first).status).toBe(200);
		expect(emu.requestLog[0].t).toBe(arrivedAt);
		expect(emu.requestLog[0].answeredAt).toBe(arrivedAt + 500);
		// 500 ms after the first ARRIVED (0 ms after it was answered): a new window, accepted
		expect((await a.get('tags/')).status).toBe(200);
		// a third one in the same millisecond: the window holds one
		const third = await a.get('tags/');
		expect(third.status).toBe(429);
		expect(third.headers['retry-after']).toBe('1');
		expect(emu.maxAcceptedInWindow()).toBe(1);
	});
});
