import { runNode, runNodeExpectError } from '../harness';
import { lastRequest, requestsTo, rl, SEED, startEnv, type TestEnv } from './helpers';

let env: TestEnv;
beforeAll(async () => {
	env = await startEnv();
});
afterAll(async () => {
	await env.emu.close();
});
// every test starts from the seed, with an empty request log and no pending faults
beforeEach(() => env.emu.reset(SEED));

const base = { resource: 'event', operation: 'create' };

describe('Event resource against the emulator', () => {
	test('by User.com ID: POST events/ with user_id, name, UNIX seconds timestamp and key/value data', async () => {
		const id = env.userId('u-1');
		const r = await runNode(
			{
				...base,
				user: rl('id', id),
				eventName: 'order_placed',
				timestamp: '2026-11-25T12:00:00.000Z',
				dataFields: {
					field: [
						{ key: 'total', value: '99.5' },
						{ key: 'coupon', value: 'XMAS' },
					],
				},
			},
			[{}],
			env.opts(),
		);
		expect(lastRequest(env)).toMatchObject({
			method: 'POST',
			path: 'events/',
			body: {
				user_id: id,
				name: 'order_placed',
				timestamp: 1795608000,
				data: { total: 99.5, coupon: 'XMAS' },
			},
		});
		expect(r.items[0].json).toMatchObject({
			name: 'order_placed',
			user_id: id,
			timestamp: 1795608000,
		});
		expect(typeof r.items[0].json.id).toBe('number');
		expect(typeof r.items[0].json.created).toBe('boolean');
	});

	test('by custom ID with JSON data and default timestamp (now)', async () => {
		const before = Math.floor(Date.now() / 1000);
		await runNode(
			{
				...base,
				user: rl('customId', 'u-2'),
				eventName: 'viewed',
				dataMode: 'json',
				dataJson: '{"page": "/pricing", "n": 2}',
			},
			[{}],
			env.opts(),
		);
		const req = lastRequest(env);
		expect(req).toMatchObject({
			method: 'POST',
			path: 'users-by-id/u-2/events/',
			body: { name: 'viewed', data: { page: '/pricing', n: 2 } },
		});
		const ts = (req.body as { timestamp: number }).timestamp;
		expect(ts).toBeGreaterThanOrEqual(before);
		expect(ts).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
	});

	test('timestamps: UNIX milliseconds, UNIX seconds and numeric strings all become UNIX seconds', async () => {
		const items = [{ t: 1795608000123 }, { t: 1795608000 }, { t: '1795608000' }];
		await runNode(
			{ ...base, user: rl('customId', 'u-2'), eventName: 'ts', timestamp: '={{ $json.t }}' },
			items,
			env.opts(),
		);
		const sent = requestsTo(env, 'POST', /^users-by-id\/u-2\/events\/$/)
			.slice(-3)
			.map((e) => (e.body as { timestamp: number }).timestamp);
		expect(sent).toEqual([1795608000, 1795608000, 1795608000]);
	});

	test('invalid JSON data, empty name and a bad date are refused before sending', async () => {
		const before = env.emu.requestLog.length;
		const bad = await runNode(
			{
				...base,
				user: rl('customId', 'u-2'),
				eventName: '={{ $json.name }}',
				dataMode: 'json',
				dataJson: '={{ $json.data }}',
				timestamp: '={{ $json.ts }}',
			},
			[
				{ name: 'ok', data: '{not json', ts: '' },
				{ name: '', data: '{}', ts: '' },
				{ name: 'ok', data: '[1,2]', ts: '' },
				{ name: 'ok', data: '{}', ts: 'yesterday-ish' },
			],
			env.opts({ continueOnFail: true }),
		);
		expect(env.emu.requestLog.length).toBe(before);
		expect(bad.errorItems).toHaveLength(4);
		expect(bad.errorItems.map((i) => i.json.message)).toEqual([
			expect.stringContaining('"Data (JSON)" is not valid JSON'),
			expect.stringContaining('"Event Name" is required'),
			expect.stringContaining('"Data (JSON)" must be a JSON object'),
			expect.stringContaining('"Timestamp" is not a date'),
		]);
		expect((bad.errorItems[0].json.error as { category: string }).category).toBe('input');
	});

	test('guide: event for a missing user -> error output naming the user error; nothing created', async () => {
		const r = await runNode(
			{ ...base, user: rl('customId', 'ghost-1'), eventName: 'signup' },
			[{}],
			env.opts({ continueOnFail: true }),
		);
		expect(r.errorItems).toHaveLength(1);
		const error = r.errorItems[0].json.error as {
			httpCode: number;
			message: string;
			category: string;
		};
		expect(error.httpCode).toBe(404);
		expect(error.category).toBe('not_found');
		expect(r.errorItems[0].json.message).toContain('No ClientUser matches the given query.');
		expect(r.errorItems[0].pairedItem).toEqual({ item: 0 });

		const byId = await runNode(
			{ ...base, user: rl('id', 999999), eventName: 'signup' },
			[{}],
			env.opts({ continueOnFail: true }),
		);
		const e2 = byId.errorItems[0].json.error as {
			httpCode: number;
			fields: Record<string, string[]>;
		};
		expect(e2.httpCode).toBe(400);
		expect(e2.fields.user_id[0]).toContain("Client user with ID '999999' does not exist");
	});

	test('guide: with Create Contact If Missing, the contact is upserted first, then the event is sent', async () => {
		const r = await runNode(
			{
				...base,
				user: rl('customId', 'ghost-2'),
				eventName: 'signup',
				createContactIfMissing: true,
				contactFields: { email: 'ghost2@example.com', firstName: 'Ghost' },
			},
			[{}],
			env.opts(),
		);
		const calls = env.emu.requestLog
			.slice(-3)
			.map((e) => `${e.method} ${e.path.replace('/api/public/', '')} ${e.status}`);
		expect(calls).toEqual([
			'POST users-by-id/ghost-2/events/ 404',
			'POST users/update_or_create/ 201',
			'POST users-by-id/ghost-2/events/ 201',
		]);
		const user = env.emu.state.userByCustomId('ghost-2');
		expect(user?.email).toBe('ghost2@example.com');
		expect(r.items[0].json).toMatchObject({
			name: 'signup',
			user_custom_id: 'ghost-2',
			contact: { id: user?.id, created: true },
		});
		expect([...env.emu.state.events.values()].filter((e) => e.user_id === user?.id)).toHaveLength(
			1,
		);
	});

	test('Create Contact If Missing with the user given by User.com ID is refused before sending', async () => {
		const before = env.emu.requestLog.length;
		const error = await runNodeExpectError(
			{ ...base, user: rl('id', 5), eventName: 'x', createContactIfMissing: true },
			[{}],
			env.opts(),
		);
		expect(error.message).toContain(
			'"Create Contact If Missing" needs the user given by custom ID',
		);
		expect(env.emu.requestLog.length).toBe(before);
	});
});
