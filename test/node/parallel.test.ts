/**
 * Several items in flight (Request Options › Parallel Requests) against an emulator whose answers
 * take a random 200–800 ms, so they complete out of order, at the account's limit of 10 requests
 * per second. The transport and the emulator (its throttle and its service time) share one virtual
 * clock that moves only while nothing is on the wire (FakeClock.runWithIo): a request waiting out
 * its service time in the emulator is parked there, not in flight. The items still overlap on real
 * sockets, but no test waits for real time or depends on how busy the machine is. (The times are
 * the ones the transport saw before, on a clock 10x faster than real time: 20–80 ms real.)
 */
import type { INodeParameters } from 'n8n-workflow';

import { requestsInFlight, runNode, runNodeExpectError } from '../harness';
import { resetTransport, setTransportClock } from '../../nodes/UserCom/transport/testing';
import { FakeClock } from '../transport/helpers/fakeClock';
import { requestsTo, startEnv, type TestEnv } from './helpers';

let env: TestEnv;
let clock: FakeClock;
/** requests the emulator holds while their service time passes on the virtual clock */
let parked = 0;

beforeEach(async () => {
	clock = new FakeClock();
	parked = 0;
	setTransportClock(clock);
	env = await startEnv(
		{
			rateLimit: 10,
			windowMs: 1000,
			serviceTimeMs: [200, 800],
			now: () => clock.now(),
			sleep: async (ms) => {
				parked++;
				try {
					await clock.sleep(ms);
				} finally {
					parked--;
				}
			},
		},
		10,
	);
});
afterEach(async () => {
	await env.emu.close();
	setTransportClock();
	resetTransport();
});

/** Drives the virtual clock until `work` settles. */
const virtual = <T>(work: Promise<T>): Promise<T> =>
	clock.runWithIo(work, () => requestsInFlight() > parked);

const upsertParams = (requestOptions: INodeParameters = {}) => ({
	resource: 'user',
	operation: 'upsert',
	customId: '={{ $json.id }}',
	additionalFields: { firstName: '={{ $json.name }}' },
	requestOptions,
});

function inFlight(r: { hints: Array<{ message: string; type?: string }> }): number {
	const hint = r.hints.find((h) => h.type === 'info');
	const match = /up to (\d+) in flight/.exec(hint?.message ?? '');
	if (!match) throw new Error(`no in-flight hint in ${JSON.stringify(r.hints)}`);
	return Number(match[1]);
}

const paths = (method: string, re: RegExp) =>
	requestsTo(env, method, re).map((e) => (e.body as { custom_id: string }).custom_id);

describe('several items in flight', () => {
	test('output in input order with exact pairing while answers come back out of order', async () => {
		const items = Array.from({ length: 40 }, (_, i) => ({ id: `p-${i}`, name: `N${i}` }));
		const r = await virtual(runNode(upsertParams(), items, env.opts()));
		expect(r.items.map((i) => i.json.custom_id)).toEqual(items.map((i) => i.id));
		expect(r.items.map((i) => i.pairedItem)).toEqual(items.map((_, item) => ({ item })));
		expect(inFlight(r)).toBeGreaterThan(1);
		expect(env.emu.writeCounts().users).toBe(40);
		expect(env.emu.maxAcceptedInWindow()).toBeLessThanOrEqual(10);
	});

	test('items on the same record run one after another in input order: the last write wins', async () => {
		// answers take 50-1500 ms while requests leave ~100 ms apart: overlapping writes would land out of order
		env.emu.configure({ serviceTimeMs: [50, 1500] });
		const items = Array.from({ length: 30 }, (_, i) => ({ id: `s-${i % 3}`, name: `N${i}` }));
		const r = await virtual(runNode(upsertParams(), items, env.opts()));
		expect(r.successItems).toHaveLength(30);
		for (const k of [0, 1, 2])
			expect(env.emu.state.userByCustomId(`s-${k}`)?.first_name).toBe(`N${27 + k}`);
		expect(inFlight(r)).toBeGreaterThan(1);
	});

	test('events of the same contact are recorded in input order', async () => {
		env.emu.configure({ serviceTimeMs: [50, 1500] });
		const items = Array.from({ length: 30 }, (_, i) => ({ i, user: ['u-1', 'u-2', 'u-3'][i % 3] }));
		const r = await virtual(
			runNode(
				{
					resource: 'event',
					operation: 'create',
					user: { __rl: true, mode: 'customId', value: '={{ $json.user }}' },
					eventName: 'ordered',
					dataFields: { field: [{ key: 'i', value: '={{ $json.i }}' }] },
				},
				items,
				env.opts(),
			),
		);
		expect(r.successItems).toHaveLength(30);
		const recorded = [...env.emu.state.events.values()].map((e) =>
			Number((e.data as { i: unknown }).i),
		);
		for (const k of [0, 1, 2])
			expect(recorded.filter((i) => i % 3 === k)).toEqual(
				items.filter((i) => i.i % 3 === k).map((i) => i.i),
			);
		expect(inFlight(r)).toBeGreaterThan(1);
	});

	test('the same contact by custom ID and by User.com ID in one run: treated as possibly the same, kept in order', async () => {
		const id = env.userId('u-1');
		const items = [
			{ user: 'u-1', mode: 'customId' },
			{ user: String(id), mode: 'id' },
			{ user: 'u-1', mode: 'customId' },
		];
		const r = await virtual(
			runNode(
				{
					resource: 'user',
					operation: 'addTag',
					user: { __rl: true, mode: '={{ $json.mode }}', value: '={{ $json.user }}' },
					tagName: 'vip',
				},
				items,
				env.opts(),
			),
		);
		expect(r.successItems).toHaveLength(3);
		// each request arrived after the previous one was answered: no two of them overlapped
		expect(inFlight(r)).toBe(1);
	});

	test('Parallel Requests = 1: one after another, requests in item order', async () => {
		const items = Array.from({ length: 12 }, (_, i) => ({ id: `q-${i}`, name: `N${i}` }));
		const r = await virtual(runNode(upsertParams({ parallelRequests: 1 }), items, env.opts()));
		expect(inFlight(r)).toBe(1);
		expect(paths('POST', /^users\/update_or_create\/$/)).toEqual(items.map((i) => i.id));
		expect(r.hints.find((h) => h.type === 'info')?.message).toContain('Parallel Requests: 1');
	});

	test('Parallel Requests = 4: never more than 4 in flight', async () => {
		const items = Array.from({ length: 24 }, (_, i) => ({ id: `w-${i}`, name: `N${i}` }));
		const r = await virtual(runNode(upsertParams({ parallelRequests: 4 }), items, env.opts()));
		expect(r.successItems).toHaveLength(24);
		expect(inFlight(r)).toBeLessThanOrEqual(4);
		expect(inFlight(r)).toBeGreaterThan(1);
	});

	test('an invalid Parallel Requests value: a clear error naming the option, nothing sent', async () => {
		const error = await virtual(
			runNodeExpectError(
				upsertParams({ parallelRequests: 500 }),
				[
					{ id: 'a', name: 'A' },
					{ id: 'b', name: 'B' },
				],
				env.opts(),
			),
		);
		expect(error.message).toBe('Parallel Requests must be a whole number from 0 to 50 (got 500)');
		expect(env.emu.requestLog).toHaveLength(0);
	});
});

describe('failures while several items are in flight', () => {
	const items = Array.from({ length: 20 }, (_, i) => ({ id: `f-${i}`, name: `N${i}` }));

	test('with the error output: each failure at its own index, the others succeed, order kept', async () => {
		env.emu.injectFault({
			pathPattern: 'users/update_or_create/',
			method: 'POST',
			count: 1,
			kind: 'html',
			status: 400,
		});
		const r = await virtual(
			runNode(upsertParams(), items, { ...env.opts(), continueOnFail: true }),
		);
		expect(r.items).toHaveLength(20);
		expect(r.items.map((i) => i.pairedItem)).toEqual(items.map((_, item) => ({ item })));
		expect(r.errorItems).toHaveLength(1);
		const failed = (r.errorItems[0].pairedItem as { item: number }).item;
		expect((r.errorItems[0].json.error as { itemIndex: number }).itemIndex).toBe(failed);
		expect(r.successItems.map((i) => i.json.custom_id)).toEqual(
			items.filter((_, i) => i !== failed).map((i) => i.id),
		);
	});

	test('without it: the first failing item in input order, no item starts after the failure', async () => {
		// items 3 and 7 are bad input (no custom ID): both fail before sending; item 3 is reported
		const bad = items.map((item, i) => (i === 3 || i === 7 ? { ...item, id: '' } : item));
		const error = await virtual(runNodeExpectError(upsertParams(), bad, env.opts()));
		expect(error.context?.itemIndex).toBe(3);
		expect(error.message).toContain('Custom ID');
		const sent = paths('POST', /^users\/update_or_create\/$/);
		expect(sent).toEqual(['f-0', 'f-1', 'f-2']);
	});

	test('a 400 in flight without the error output: the node fails with it after the running items finished', async () => {
		env.emu.injectFault({
			pathPattern: 'users/update_or_create/',
			method: 'POST',
			count: 1,
			kind: 'html',
			status: 400,
		});
		const error = await virtual(runNodeExpectError(upsertParams(), items, env.opts()));
		expect(error.context?.itemIndex).toBe(0);
		expect(error.message).toContain('400');
		// the items started before the answer came finished; nothing started after it
		const sent = requestsTo(env, 'POST', /^users\/update_or_create\/$/);
		expect(sent.length).toBeLessThan(items.length);
		expect(sent.every((e) => e.status !== 0)).toBe(true);
	});

	test('a 401 mid-flight: requests still waiting are dropped, every remaining item gets the 401', async () => {
		const bad = { ...env.creds, apiKey: 'y'.repeat(64) };
		const r = await virtual(
			runNode(upsertParams({ parallelRequests: 8 }), items, {
				credentials: bad,
				continueOnFail: true,
			}),
		);
		expect(r.errorItems).toHaveLength(20);
		expect(r.errorItems.map((i) => (i.json.error as { httpCode: number }).httpCode)).toEqual(
			items.map(() => 401),
		);
		expect(r.errorItems.map((i) => i.pairedItem)).toEqual(items.map((_, item) => ({ item })));
		// at most the requests already on their way when the first 401 came back
		expect(env.emu.requestLog.length).toBeLessThanOrEqual(8);
		expect(JSON.stringify([r.items, r.logs, r.hints])).not.toContain(bad.apiKey);
	});

	test('stopping the execution mid-flight drops the queued requests at once', async () => {
		const controller = new AbortController();
		const many = Array.from({ length: 200 }, (_, i) => ({ id: `c-${i}`, name: `N${i}` }));
		const outcome = virtual(
			runNode(upsertParams(), many, {
				...env.opts(),
				cancelSignal: controller.signal,
			}).then(
				() => 'finished',
				(error: Error) => error.message,
			),
		);
		// the stop comes once some items are through: the emulator's log is checked every 5 ms of
		// the virtual time that drives the run
		for (let i = 0; i < 4000 && requestsTo(env, 'POST', /update_or_create/).length < 20; i++)
			await clock.sleep(5);
		controller.abort();
		const atAbort = env.emu.requestLog.length;
		expect(await outcome).toBe('The execution was stopped');
		// only requests already released when the stop came may still arrive
		expect(env.emu.requestLog.length - atAbort).toBeLessThanOrEqual(2);
		expect(env.emu.requestLog.length).toBeLessThan(60);
	});
});
