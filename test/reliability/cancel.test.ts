/**
 * Cancellation: stopping an execution (n8n's cancel signal, passed by the harness to the node and to
 * n8n's HTTP client) while it waits — on a long 429 retry-after, on a 503 backoff, on a response
 * that does not come, between the status polls of an import, or for a slot of a slow account
 * rate — must end the node long before the wait is over (each is at least 10 s; the time it took
 * goes into the report) and send nothing more. Real clock.
 * The router ends a stopped execution with an error even with continue-on-fail (n8n discards the
 * output of a stopped execution anyway), so the run is checked for that error, not for items.
 */
import type { INodeParameters } from 'n8n-workflow';

import { startEmulator, type Emulator } from '../emulator';
import { delay, lostItems, record, runChecked, until } from './helpers';
import {
	resetTransport,
	setImportRuntime,
	setTransportClock,
	setTransportRandom,
} from '../../nodes/UserCom/transport/testing';

let emu: Emulator;
const unrefClock = {
	now: () => Date.now(),
	sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref()),
};

beforeAll(async () => {
	setTransportClock();
	setTransportRandom(() => 0);
	emu = await startEmulator({
		port: 0,
		rateLimit: 0,
		seed: { users: [{ custom_id: 'u-1', email: 'a@example.com' }] },
	});
});
afterAll(async () => {
	await emu.close();
	setTransportRandom();
	resetTransport();
});
afterEach(() => {
	setImportRuntime();
	emu.configure({ importProcessingMs: 200 });
});
beforeEach(() => {
	emu.reset({ users: [{ custom_id: 'u-1', email: 'a@example.com' }] });
	resetTransport();
});

const upsert: INodeParameters = {
	resource: 'user',
	operation: 'upsert',
	customId: '={{ $json.cid }}',
};
const items = [{ cid: 'c-0' }, { cid: 'c-1' }, { cid: 'c-2' }];

interface Scenario {
	name: string;
	setup: () => void;
	params?: INodeParameters;
	/** writes that legitimately happened before the cancel */
	writesBefore?: () => number;
	rateLimit: number;
	/** requests the emulator must have seen before we cancel */
	before: number;
	continueOnFail: boolean;
	/** the error the run ends with (default: the router's 'The execution was stopped') */
	stopMessage?: string | RegExp;
}

const SCENARIOS: Scenario[] = [
	{
		name: '429 with retry-after 60 s (continue on fail)',
		setup: () =>
			emu.injectFault({
				pathPattern: 'users/update_or_create/',
				count: 1,
				kind: '429',
				retryAfterSeconds: 60,
			}),
		rateLimit: 10,
		before: 1,
		continueOnFail: true,
	},
	{
		name: '429 with retry-after 60 s (execution stops)',
		setup: () =>
			emu.injectFault({
				pathPattern: 'users/update_or_create/',
				count: 1,
				kind: '429',
				retryAfterSeconds: 60,
			}),
		rateLimit: 10,
		before: 1,
		continueOnFail: false,
	},
	{
		name: '429 with an HTTP date 60 s ahead',
		setup: () =>
			emu.injectFault({
				pathPattern: 'users/update_or_create/',
				count: 1,
				kind: '429-date',
				retryAfterSeconds: 60,
			}),
		rateLimit: 10,
		before: 1,
		continueOnFail: true,
	},
	{
		name: '503 with retry-after 60 s (backoff wait)',
		setup: () =>
			emu.injectFault({
				pathPattern: 'users/update_or_create/',
				count: 1,
				kind: '503',
				retryAfterSeconds: 60,
			}),
		rateLimit: 10,
		before: 1,
		continueOnFail: true,
	},
	{
		name: 'a slow response in flight (no answer for 60 s)',
		setup: () =>
			emu.injectFault({
				pathPattern: 'users/update_or_create/',
				count: 1,
				kind: 'delay',
				delayMs: 60_000,
				processed: false,
			}),
		// one item at a time, so the hanging request is the only one out when the run is stopped (with
		// Auto the other two items go out beside it and are written before the cancel, or not, by timing)
		params: { ...upsert, requestOptions: { parallelRequests: 1 } },
		rateLimit: 10,
		before: 1,
		continueOnFail: true,
	},
	{
		name: 'an import waiting for completion (between status polls)',
		setup: () => {
			emu.configure({ importProcessingMs: 600000 });
			// real time, but the timer does not keep Jest alive after the cancelled wait
			setImportRuntime({ initialPollDelayMs: 60_000, clock: () => unrefClock });
		},
		params: {
			resource: 'import',
			operation: 'importUsers',
			mappingMode: 'defineBelow',
			columns: { column: [{ name: 'custom_id', value: '={{ $json.cid }}' }] },
		},
		writesBefore: () => emu.writeCounts().imports ?? 0,
		rateLimit: 10,
		before: 1,
		continueOnFail: true,
		stopMessage: /^Stopped waiting for import [0-9a-f-]{36}: the execution was cancelled$/,
	},
	{
		name: 'waiting for a slot of a 0.1 req/s account',
		setup: () => undefined,
		rateLimit: 0.1,
		before: 1,
		continueOnFail: true,
	},
];

describe('cancellation', () => {
	test.each(SCENARIOS.map((s) => [s.name, s] as const))(
		'%s: ends long before the wait is over, nothing sent afterwards',
		async (_n, s) => {
			s.setup();
			const controller = new AbortController();
			const running = runChecked(s.params ?? upsert, items, {
				credentials: { subdomain: emu.url, apiKey: emu.apiKey, rateLimit: s.rateLimit },
				continueOnFail: s.continueOnFail,
				cancelSignal: controller.signal,
			});
			await until(() => emu.requestLog.length >= s.before);
			await delay(300); // well inside the wait
			const sentBefore = emu.requestLog.length;
			const abortedAt = Date.now();
			controller.abort();
			const run = await running;
			const tookMs = Date.now() - abortedAt;
			await delay(1500);
			const sentAfter = emu.requestLog.length - sentBefore;
			// n8n discards the output of a stopped execution; the node ends it with an error (with or
			// without continue-on-fail), so no item is "lost": the whole run is reported as stopped
			const out = run.result?.items ?? [];
			const lost = run.result ? lostItems(items.length, out) : 0;
			record({
				section: 'cancellation',
				name: s.name,
				sent: items.length,
				success: run.result?.successItems.length ?? 0,
				error: run.result ? run.result.errorItems.length : items.length,
				lost,
				leaks: run.leaks.length,
				note: `stopped ${tookMs} ms after the cancel; ${sentAfter} request(s) afterwards`,
			});
			// every wait above is at least 10 s, so ending within 5 s proves the cancel cut it short; the margin
			// absorbs a busy machine, and the measured figure goes into the report (typically 0-40 ms)
			expect(tookMs).toBeLessThan(5000);
			expect(sentAfter).toBe(0);
			expect(run.leaks).toEqual([]);
			// the cancelled write was never performed
			if (s.writesBefore) expect(s.writesBefore()).toBe(1);
			else expect(emu.writeCounts().users ?? 0).toBe(s.name.startsWith('waiting') ? 1 : 0);
			expect(lost).toBe(0);
			const expectStopped = (message: unknown) =>
				s.stopMessage instanceof RegExp
					? expect(message).toMatch(s.stopMessage)
					: expect(message).toBe(s.stopMessage ?? 'The execution was stopped');
			// the run ends with the cancellation: thrown, or (batch operations with continue-on-fail)
			// every item on the error output saying so
			if (run.result) {
				expect(run.result.errorItems).toHaveLength(items.length);
				for (const item of run.result.errorItems) expectStopped(item.json.message);
			} else {
				expectStopped(run.thrown?.message);
			}
		},
	);
});
