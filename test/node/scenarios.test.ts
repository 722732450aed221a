/**
 * The guide's operational scenarios through the whole node: rate limiting mid-run, server errors
 * on upserts and creates, mixed batches with continue-on-fail, authentication failures.
 * The transport runs on a clock 10x faster than real time (1 virtual second = 100 ms), and the
 * emulator's limit is scaled the same way (10 requests per 100 ms), so the rates match.
 * The rate-limiting runs, whose throttle and retry-after waits add up to seconds, run instead on one
 * virtual clock shared by the transport and the emulator (onVirtualTime), at the account's real
 * limit (10 per second).
 */
import { requestsInFlight, runNode, runNodeExpectError } from '../harness';
import { requestsTo, scaledClock, startEnv, type TestEnv } from './helpers';
import { resetTransport, setTransportClock } from '../../nodes/UserCom/transport/testing';
import { FakeClock } from '../transport/helpers/fakeClock';

const FACTOR = 10;
let env: TestEnv;
/** the emulator's clock: real time, or the test's virtual clock (onVirtualTime) */
let emulatorNow: () => number = Date.now;

beforeEach(async () => {
	emulatorNow = Date.now;
	setTransportClock(scaledClock(FACTOR));
	env = await startEnv({ rateLimit: 10, windowMs: 1000 / FACTOR, now: () => emulatorNow() }, 10);
});
afterEach(async () => {
	await env.emu.close();
	emulatorNow = Date.now;
	setTransportClock();
	resetTransport();
});

/**
 * Puts the transport and the emulator on one virtual clock, with the emulator at the account's
 * real limit of 10 requests per second, and returns what drives that clock until a run settles.
 * Virtual time stands still while a request is in flight (FakeClock.runWithIo): the waits cost no
 * real time, and the arrival times the emulator's sliding window sees do not depend on the load.
 */
function onVirtualTime(): <T>(run: Promise<T>) => Promise<T> {
	const clock = new FakeClock();
	setTransportClock(clock);
	emulatorNow = () => clock.now();
	env.emu.setRateLimit(10, 1000);
	return (run) => clock.runWithIo(run, () => requestsInFlight() > 0);
}

const eventParams = {
	resource: 'event',
	operation: 'create',
	user: { __rl: true, mode: 'customId', value: '={{ $json.user }}' },
	eventName: 'batch_event',
	dataFields: { field: [{ key: 'i', value: '={{ $json.i }}' }] },
};

/** The run's hints other than the in-flight summary (type info): the rate-limit warnings. */
function warnings(r: { hints: Array<{ message: string; type?: string }> }) {
	return r.hints.filter((h) => h.type !== 'info');
}

function fiftyItems() {
	// item 25 is the only one for u-3, so a fault on u-3's path lands in the middle of the run
	return Array.from({ length: 50 }, (_, i) => ({
		i,
		user: i === 25 ? 'u-3' : i % 2 ? 'u-1' : 'u-2',
	}));
}

function eventIndexes(): number[] {
	return [...env.emu.state.events.values()]
		.map((e) => Number((e.data as { i: unknown }).i))
		.sort((a, b) => a - b);
}

describe('rate limiting in a 50-item run', () => {
	let virtual: ReturnType<typeof onVirtualTime>;
	beforeEach(() => {
		virtual = onVirtualTime();
	});

	test('a 429 in the middle: all 50 succeed, none lost or duplicated, the run shows a hint', async () => {
		env.emu.injectFault({
			pathPattern: 'users-by-id/u-3/events/',
			method: 'POST',
			count: 1,
			kind: '429',
			retryAfterSeconds: 1,
		});
		const r = await virtual(runNode(eventParams, fiftyItems(), env.opts()));
		expect(r.successItems).toHaveLength(50);
		expect(r.errorItems).toHaveLength(0);
		expect(r.items.map((i) => (i.pairedItem as { item: number }).item)).toEqual([
			...Array(50).keys(),
		]);
		expect(eventIndexes()).toEqual([...Array(50).keys()]);
		expect(env.emu.writeCounts().events).toBe(50);
		const statuses = requestsTo(env, 'POST', /events\/$/).map((e) => e.status);
		expect(statuses.filter((s) => s === 429)).toHaveLength(1);
		expect(statuses).toHaveLength(51);
		expect(warnings(r)).toHaveLength(1);
		expect(warnings(r)[0].message).toMatch(/1 rate-limited \(429\)/);
	});

	test('a credential rate above the account limit: real 429s, all 50 succeed exactly once', async () => {
		// the account allows 2 per second: far below the 25/s the node is told it may send, so 429s
		// are sure (on the shared virtual clock, whatever the machine's load)
		env.emu.setRateLimit(2, 1000);
		const fast = { ...env.creds, rateLimit: 25 };
		const r = await virtual(runNode(eventParams, fiftyItems(), { credentials: fast }));
		expect(r.successItems).toHaveLength(50);
		expect(eventIndexes()).toEqual([...Array(50).keys()]);
		const throttled = env.emu.stats().throttled;
		expect(throttled).toBeGreaterThan(0);
		expect(env.emu.maxAcceptedInWindow()).toBeLessThanOrEqual(2);
		expect(warnings(r)[0]?.message).toContain(`${throttled} rate-limited (429)`);
	});

	test('the hint counts only this node: a second node in the same execution without 429 gets none', async () => {
		env.emu.injectFault({
			pathPattern: 'users-by-id/u-3/events/',
			method: 'POST',
			count: 1,
			kind: '429',
			retryAfterSeconds: 1,
		});
		const first = await virtual(
			runNode(eventParams, [{ i: 0, user: 'u-3' }], env.opts({ executionId: 'shared-exec' })),
		);
		expect(warnings(first)).toHaveLength(1);
		const second = await virtual(
			runNode(eventParams, [{ i: 1, user: 'u-1' }], env.opts({ executionId: 'shared-exec' })),
		);
		expect(second.successItems).toHaveLength(1);
		expect(warnings(second)).toHaveLength(0);
	});

	test('at the configured rate there is no 429 and no hint', async () => {
		const r = await virtual(runNode(eventParams, fiftyItems().slice(0, 20), env.opts()));
		expect(r.successItems).toHaveLength(20);
		expect(env.emu.stats().throttled).toBe(0);
		expect(warnings(r)).toHaveLength(0);
	});
});

describe('server errors', () => {
	test('500 on Upsert: retried, one write', async () => {
		env.emu.injectFault({
			pathPattern: 'users/update_or_create/',
			method: 'POST',
			count: 1,
			kind: '500',
			processed: true,
		});
		const r = await runNode(
			{
				resource: 'user',
				operation: 'upsert',
				customId: 'retry-1',
				additionalFields: { email: 'retry@example.com' },
			},
			[{}],
			env.opts(),
		);
		expect(requestsTo(env, 'POST', /^users\/update_or_create\/$/).map((e) => e.status)).toEqual([
			500, 200,
		]);
		expect(env.emu.writeCounts().users ?? 0).toBe(1);
		expect([...env.emu.state.users.values()].filter((u) => u.custom_id === 'retry-1')).toHaveLength(
			1,
		);
		expect(r.items[0].json).toMatchObject({ id: env.userId('retry-1') });
	});

	test('500 on deal Upsert: retried, one deal', async () => {
		env.emu.injectFault({
			pathPattern: 'deals/update_or_create/',
			method: 'POST',
			count: 1,
			kind: '500',
		});
		const r = await runNode(
			{ resource: 'deal', operation: 'upsert', customId: 'ORD-R', name: 'Retry me' },
			[{}],
			env.opts(),
		);
		expect(requestsTo(env, 'POST', /^deals\/update_or_create\/$/).map((e) => e.status)).toEqual([
			500, 201,
		]);
		expect(env.emu.writeCounts().deals).toBe(1);
		expect(r.items[0].json.custom_id).toBe('ORD-R');
	});

	test('500 on Create: not retried by default, the error output says the write may have happened', async () => {
		env.emu.injectFault({
			pathPattern: 'deals/',
			method: 'POST',
			count: 1,
			kind: '500',
			processed: true,
		});
		const r = await runNode(
			{ resource: 'deal', operation: 'create', name: 'Once' },
			[{}],
			env.opts({ continueOnFail: true }),
		);
		expect(requestsTo(env, 'POST', /^deals\/$/)).toHaveLength(1);
		expect(r.errorItems).toHaveLength(1);
		const error = r.errorItems[0].json.error as {
			httpCode: number;
			description: string;
			category: string;
			attempts: number;
		};
		expect(error.httpCode).toBe(500);
		expect(error.category).toBe('server');
		expect(`${r.errorItems[0].json.message as string} ${error.description}`).toContain(
			'The write may have happened',
		);
		expect(error.description).toMatch(/Upsert/i);
		// the write did happen on the emulator: a retry would have made a duplicate
		expect(env.emu.writeCounts().deals).toBe(1);
	});

	test('500 on Create with "Retry Creates on Server Errors": retried', async () => {
		env.emu.injectFault({ pathPattern: 'deals/', method: 'POST', count: 1, kind: '500' });
		const r = await runNode(
			{
				resource: 'deal',
				operation: 'create',
				name: 'Twice',
				requestOptions: { retryCreatesOnServerErrors: true },
			},
			[{}],
			env.opts(),
		);
		expect(requestsTo(env, 'POST', /^deals\/$/).map((e) => e.status)).toEqual([500, 201]);
		expect(r.items[0].json.name).toBe('Twice');
	});
});

describe('batches', () => {
	test('mixed good and bad items with continue-on-fail: counts add up, order and pairing kept', async () => {
		const items = [
			{ cid: 'M-0', name: 'ok 0', user: 'u-1' },
			{ cid: 'M-1', name: '', user: 'u-1' }, // refused before sending
			{ cid: 'M-2', name: 'ok 2', user: 'u-2' },
			{ cid: 'M-3', name: 'bad user', user: 'nobody' }, // 400 from User.com
			{ cid: 'M-4', name: 'ok 4', user: 'u-1' },
			{ cid: '', name: 'no id', user: 'u-1' }, // refused before sending
			{ cid: 'M-6', name: 'ok 6', user: 'u-2', value: 'abc' }, // refused: value
			{ cid: 'M-7', name: 'ok 7', user: 'u-2', value: 12.5 },
		];
		const r = await runNode(
			{
				resource: 'deal',
				operation: 'upsert',
				customId: '={{ $json.cid }}',
				name: '={{ $json.name }}',
				additionalFields: {
					userCustomId: '={{ $json.user }}',
					value: '={{ $json.value }}',
					currency: 'EUR',
				},
			},
			items,
			env.opts({ continueOnFail: true }),
		);
		expect(r.items).toHaveLength(items.length);
		expect(r.successItems.length + r.errorItems.length).toBe(items.length);
		expect(r.items.map((i) => (i.pairedItem as { item: number }).item)).toEqual([...items.keys()]);
		const failed = r.items.flatMap((i, index) => (r.errorItems.includes(i) ? [index] : []));
		expect(failed).toEqual([1, 3, 5, 6]);
		expect(r.successItems.map((i) => i.json.custom_id)).toEqual(['M-0', 'M-2', 'M-4', 'M-7']);
		expect(r.items[7].json.value).toBe(12.5);
		const e3 = r.items[3].json.error as {
			httpCode: number;
			fields: Record<string, string[]>;
			itemIndex: number;
		};
		expect(e3.httpCode).toBe(400);
		expect(Object.keys(e3.fields)).toEqual(['user_custom_id']);
		expect(e3.itemIndex).toBe(3);
		for (const i of r.errorItems) expect(Object.keys(i.json).sort()).toEqual(['error', 'message']);
		// only valid items reached User.com
		expect(requestsTo(env, 'POST', /^deals\/update_or_create\/$/)).toHaveLength(5);
	});

	test('without continue-on-fail the first failure stops the run and carries its item index', async () => {
		const error = await runNodeExpectError(
			{ resource: 'user', operation: 'upsert', customId: '={{ $json.cid }}' },
			[{ cid: 'a-0' }, { cid: 'a-1' }, { cid: '' }, { cid: 'a-3' }],
			env.opts(),
		);
		expect(error.context?.itemIndex).toBe(2);
		expect(error.message).toContain('Item 2');
		expect(requestsTo(env, 'POST', /^users\/update_or_create\/$/)).toHaveLength(2);
	});

	test('401: the remaining items fail with the same error without further requests', async () => {
		const bad = { ...env.creds, apiKey: 'x'.repeat(64) };
		const r = await runNode(
			{ resource: 'user', operation: 'get', user: { __rl: true, mode: 'customId', value: 'u-1' } },
			[{}, {}, {}, {}, {}],
			{ credentials: bad, continueOnFail: true },
		);
		expect(env.emu.requestLog).toHaveLength(1);
		expect(r.errorItems).toHaveLength(5);
		expect(r.errorItems.map((i) => (i.json.error as { httpCode: number }).httpCode)).toEqual([
			401, 401, 401, 401, 401,
		]);
		expect(r.errorItems.map((i) => i.pairedItem)).toEqual(
			[0, 1, 2, 3, 4].map((item) => ({ item })),
		);
		expect(r.errorItems.map((i) => (i.json.error as { itemIndex: number }).itemIndex)).toEqual([
			0, 1, 2, 3, 4,
		]);
		const everything = JSON.stringify([r.items, r.logs, r.hints]);
		expect(everything).not.toContain(bad.apiKey);

		const thrown = await runNodeExpectError(
			{ resource: 'user', operation: 'get', user: { __rl: true, mode: 'customId', value: 'u-1' } },
			[{}, {}],
			{ credentials: bad },
		);
		expect(thrown.context?.itemIndex).toBe(0);
		expect(env.emu.requestLog).toHaveLength(2);
		expect(
			JSON.stringify({
				message: thrown.message,
				description: thrown.description,
				context: thrown.context,
			}),
		).not.toContain(bad.apiKey);
	});

	test('the API key never appears in outputs, errors or logs', async () => {
		const r = await runNode(
			{
				resource: 'event',
				operation: 'create',
				user: { __rl: true, mode: 'customId', value: '={{ $json.u }}' },
				eventName: 'k',
			},
			[{ u: 'u-1' }, { u: 'nobody' }],
			env.opts({ continueOnFail: true }),
		);
		expect(r.successItems).toHaveLength(1);
		expect(r.errorItems).toHaveLength(1);
		expect(r.logs.length).toBeGreaterThan(0);
		expect(JSON.stringify([r.items, r.logs, r.hints])).not.toContain(env.creds.apiKey);
	});
});
