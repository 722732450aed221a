import { spawn } from 'child_process';
import * as path from 'path';
import { startEmulator } from '../emulator';
import type { Emulator } from '../emulator';
import { client, request } from './helpers';

let emu: Emulator;
let api: ReturnType<typeof client>;
const cp = (method: string, p: string, body?: unknown) =>
	request(method, `${emu.url}/__emulator/${p}`, { body });

beforeAll(async () => {
	emu = await startEmulator({ rateLimit: 3, windowMs: 60_000 });
	api = client(emu.baseUrl, emu.apiKey);
});
afterAll(() => emu.close());
beforeEach(async () => {
	expect((await cp('POST', 'reset')).status).toBe(200);
	await cp('POST', 'config', { rateLimit: 3, windowMs: 60_000 });
});

describe('HTTP control plane', () => {
	it('health', async () => {
		expect((await cp('GET', 'health')).json).toEqual({
			ok: true,
			url: emu.url,
			baseUrl: emu.baseUrl,
		});
	});

	it('is neither rate-limited nor logged', async () => {
		for (let i = 0; i < 20; i++) expect((await cp('GET', 'stats')).status).toBe(200);
		expect(emu.requestLog).toHaveLength(0);
		expect((await cp('GET', 'stats')).json.requests).toBe(0);
	});

	it('seed (object), state, log, stats', async () => {
		const s = await cp('POST', 'seed', {
			tags: ['A', 'B'],
			users: [{ custom_id: 'c1', email: 'c1@example.com', tags: ['A'] }],
			pipelines: [{ name: 'P', stages: ['S1', 'S2'] }],
		});
		expect(s.status).toBe(201);
		expect(s.json).toMatchObject({ tags: [1, 2], users: [1], pipelines: [1], stages: [1, 2] });
		const st = await cp('GET', 'state?resource=users');
		expect(st.json.users[0]).toMatchObject({ custom_id: 'c1', tags: [{ name: 'A', id: 1 }] });
		expect((await cp('GET', 'state?resource=nope')).status).toBe(404);
		expect(Object.keys((await cp('GET', 'state')).json).sort()).toEqual(
			[
				'attributes',
				'companies',
				'deals',
				'events',
				'imports',
				'lists',
				'pipelines',
				'productEvents',
				'products',
				'segments',
				'tags',
				'users',
			].sort(),
		);

		await api.post('deals/', { stage: 2 });
		await api.get('users/?email=c1@example.com');
		await request('GET', emu.baseUrl + 'users/', { headers: { Authorization: 'Token wrong-key' } });
		const log = await cp('GET', 'log');
		expect(log.json.count).toBe(3);
		expect(log.json.entries[0]).toMatchObject({
			method: 'POST',
			path: '/api/public/deals/',
			status: 201,
			body: { stage: 2 },
			accepted: true,
			processed: true,
			key: emu.fingerprint(emu.apiKey),
		});
		expect(log.json.entries[1]).toMatchObject({
			method: 'GET',
			query: { email: 'c1@example.com' },
			status: 200,
		});
		expect(log.json.entries[2]).toMatchObject({
			status: 401,
			accepted: false,
			key: emu.fingerprint('wrong-key'),
		});
		expect(log.text).not.toContain(emu.apiKey);
		expect(log.text).not.toContain('wrong-key');
		expect((await cp('GET', 'log?limit=1')).json.entries[0].status).toBe(401);

		const stats = (await cp('GET', 'stats')).json;
		expect(stats).toMatchObject({
			requests: 3,
			accepted: 2,
			throttled: 0,
			byStatus: { 200: 1, 201: 1, 401: 1 },
			writeCounts: { deals: 1 },
			maxAcceptedInWindow: 2,
		});
		expect(stats.config).toMatchObject({
			rateLimit: 3,
			windowMs: 60000,
			keys: [emu.fingerprint(emu.apiKey)],
		});
		expect(JSON.stringify(stats)).not.toContain(emu.apiKey);

		expect((await cp('DELETE', 'log')).status).toBe(200);
		expect((await cp('GET', 'log')).json.count).toBe(0);
	});

	it('config changes the rate limit of a running emulator', async () => {
		for (let i = 0; i < 3; i++) expect((await api.get('tags/')).status).toBe(200);
		expect((await api.get('tags/')).status).toBe(429);
		const c = await cp('POST', 'config', { rateLimit: 0 });
		expect(c.json.rateLimit).toBe(0);
		for (let i = 0; i < 10; i++) expect((await api.get('tags/')).status).toBe(200);
		expect(
			(await cp('POST', 'config', { quirks: { eventsUserFirst: false } })).json.quirks,
		).toEqual({ eventsUserFirst: false });
		expect((await api.post('events/', { user_id: 5 })).json.errors).toHaveProperty('name');
		await cp('POST', 'config', { quirks: { eventsUserFirst: true } });
		expect((await cp('GET', 'config')).json.quirks.eventsUserFirst).toBe(true);
	});

	it('faults: POST (one or many), GET, DELETE', async () => {
		const a = await cp('POST', 'faults', { pathPattern: 'tags/', count: 1, kind: '503' });
		expect(a.status).toBe(201);
		const b = await cp('POST', 'faults', [
			{ pathPattern: 'lists/', count: 2, kind: '500' },
			{ pathPattern: 'segments/', count: 1, kind: '429', retryAfterSeconds: 4 },
		]);
		expect(b.json.faults).toHaveLength(3);
		expect(
			(await cp('GET', 'faults')).json.faults.map((f: { kind: string; remaining: number }) => [
				f.kind,
				f.remaining,
			]),
		).toEqual([
			['503', 1],
			['500', 2],
			['429', 1],
		]);
		expect((await api.get('tags/')).status).toBe(503);
		expect((await api.get('segments/')).headers['retry-after']).toBe('4');
		expect((await cp('GET', 'faults')).json.faults).toHaveLength(1);
		await cp('DELETE', 'faults');
		expect((await api.get('lists/')).status).toBe(200);
		expect((await cp('POST', 'faults', { pathPattern: 'x', count: 1, kind: 'nope' })).status).toBe(
			400,
		);
		expect((await cp('POST', 'faults', '{bad')).status).toBe(400);
	});

	it('seed preset demo: 150 tags over two pages, users, products, deals, segments, pipelines', async () => {
		await cp('POST', 'config', { rateLimit: 0 });
		const r = await cp('POST', 'seed', { preset: 'demo' });
		expect(r.json.tags).toHaveLength(150);
		const t1 = await api.get('tags/');
		expect(t1.json.count).toBe(150);
		const t2 = await request('GET', t1.json.next, {
			headers: { Authorization: `Token ${emu.apiKey}` },
		});
		expect(t2.json.results).toHaveLength(50);
		expect(t2.json.next).toBeNull();
		expect((await api.get('users/')).json.count).toBe(5);
		expect((await api.get('products/')).json.count).toBe(5);
		expect((await api.get('deals-by-id/ORD-1001/')).json).toMatchObject({
			value: '523.99',
			status: 2,
			user_custom_id: 'cust-001',
			order_source: 'web',
		});
		expect((await api.get('segments/')).json.results.map((s: { name: string }) => s.name)).toEqual([
			'Active',
			'New',
			'Inactive',
			'VIP customers',
		]);
		expect((await api.get('attributes/?content_type=clientuser')).json.count).toBe(7);
		expect((await api.post('deals/', { pipeline: 1, stage: 2 })).status).toBe(201);
		expect((await cp('POST', 'seed', { preset: 'other' })).status).toBe(400);
		expect(
			(await cp('POST', 'seed', { users: [{ first_name: 'x'.repeat(41) }] })).json.error,
		).toMatch(/no more than 40 characters/);
	});

	it('reset empties data, log, counters, faults and throttle history; can seed again', async () => {
		await cp('POST', 'seed', { preset: 'demo' });
		await cp('POST', 'faults', { pathPattern: '*', count: 5, kind: '500' });
		await api.get('tags/');
		const r = await cp('POST', 'reset', { seed: { tags: ['only'] } });
		expect(r.json).toEqual({ ok: true });
		expect(emu.state.tags.size).toBe(1);
		expect(emu.state.users.size).toBe(0);
		expect(emu.pendingFaults()).toEqual([]);
		expect(emu.requestLog).toHaveLength(0);
		expect(emu.writeCounts()).toEqual({});
		expect((await api.get('tags/')).json.results).toEqual([{ id: 1, name: 'only' }]);
	});

	it('unknown control-plane route -> 404', async () => {
		expect((await cp('GET', 'nope')).status).toBe(404);
	});
});

describe('CLI', () => {
	it('npm run emulator prints URL and key, serves, stops on SIGTERM', async () => {
		const root = path.resolve(__dirname, '../..');
		const child = spawn(
			process.execPath,
			[
				require.resolve('ts-node/dist/bin.js'),
				'--transpile-only',
				'test/emulator/cli.ts',
				'--port',
				'0',
				'--rate',
				'5',
				'--window-ms',
				'500',
				'--key',
				'k'.repeat(64),
				'--seed',
				'demo',
			],
			{
				cwd: root,
				stdio: ['ignore', 'pipe', 'pipe'],
			},
		);
		let out = '';
		child.stdout.on('data', (c) => (out += String(c)));
		child.stderr.on('data', (c) => (out += String(c)));
		try {
			const deadline = Date.now() + 25_000;
			while (!/API key:/.test(out) && Date.now() < deadline && child.exitCode === null)
				await new Promise((r) => setTimeout(r, 100));
			const base = /Base URL:\s+(\S+)/.exec(out)?.[1];
			expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/public\/$/);
			expect(out).toContain(`API key:       ${'k'.repeat(64)}`);
			expect(out).toContain('5 per 500 ms per key');
			const r = await request('GET', base + 'tags/', {
				headers: { Authorization: `Token ${'k'.repeat(64)}` },
			});
			expect(r.json.count).toBe(150);
		} finally {
			const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
			child.kill('SIGTERM');
			expect(await exited).toBe(0);
		}
		expect(out).toContain('SIGTERM: stopping emulator');
	}, 40_000);
});
