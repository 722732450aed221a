/**
 * Fault matrix: every operation class (read, upsert, create, delete, import, action) x every fault the
 * emulator can inject (plus a 429 whose hint is only in the body, made by a rewriting proxy).
 *
 * Each case runs 3 items with continue-on-fail; the fault hits the first matching request (item 0).
 * Server-side faults are injected with `processed: true`: User.com really performed the write
 * before the answer was lost, which is exactly when a blind retry of a create would duplicate it.
 *
 * Expected (the retry rules of the transport, docs/ARCHITECTURE.md and the guide):
 * - 429 (seconds, HTTP date, body only, no hint) and 503 are never processed and always retried;
 * - 500, 502, 504, HTML error page, timeout, reset, drop: reads, upserts and deletes are retried;
 *   creates (Deal Create, Event Create, import upload) are NOT retried, the item goes to the error
 *   output saying the write may have happened; with "Retry Creates on Server Errors" they are
 *   retried and the extra write is the user's choice (counted as an opt-in duplicate);
 * - a 2xx with a truncated or empty body: the write happened; never resent for creates.
 * Every input item yields exactly one output item; the emulator's write counters prove that no
 * create was duplicated without the option.
 *
 * Clock: transport and emulator share a clock 10x faster than real time (1 s = 100 ms), so
 * retry-after waits and backoff are short; the request timeout is real time (1 s).
 */
import type { IDataObject, INodeParameterResourceLocator, INodeParameters } from 'n8n-workflow';

import {
	startEmulator,
	type Emulator,
	type FaultKind,
	type FaultSpec,
	type SeedData,
} from '../emulator';
import type { RunResult } from '../harness';
import {
	lostItems,
	record,
	runChecked,
	scaledClock,
	startProxy,
	until,
	type Proxy,
} from './helpers';
import {
	resetTransport,
	setImportRuntime,
	setTransportClock,
	setTransportRandom,
} from '../../nodes/UserCom/transport/testing';

const FACTOR = 10;
const clock = scaledClock(FACTOR);
const N = 3;
const DELAY_MS = 1600; // real ms; the node's timeout is 1 s

const SEED: SeedData = {
	companies: [{ name: 'Acme', custom_id: 'acme' }],
	users: [
		{ custom_id: 'u-1', email: 'ann@example.com', first_name: 'Ann' },
		{ custom_id: 'u-2', email: 'bob@example.com', first_name: 'Bob' },
		{ custom_id: 'u-3', email: 'cid@example.com', first_name: 'Cid' },
	],
};

type OpClass = 'read' | 'upsert' | 'create' | 'delete' | 'import' | 'action';

interface Op {
	name: string;
	cls: OpClass;
	create: boolean;
	params: INodeParameters;
	items: IDataObject[];
	fault: { pathPattern: string; method: string };
	/** the requests of this operation in the emulator log */
	isOpRequest: (method: string, rel: string) => boolean;
	/** creates counted by the emulator for this operation */
	writes?: (emu: Emulator) => number;
	/** creates expected when each input item was written exactly once */
	expectedWrites?: number;
	/** the effect of all items is visible in the emulator */
	effectDone?: (emu: Emulator) => boolean;
}

const rlExpr = (mode: string, expr: string): INodeParameterResourceLocator => ({
	__rl: true,
	mode,
	value: expr,
});

const OPS: Op[] = [
	{
		name: 'User Get',
		cls: 'read',
		create: false,
		params: { resource: 'user', operation: 'get', user: rlExpr('customId', '={{ $json.cid }}') },
		items: [{ cid: 'u-1' }, { cid: 'u-2' }, { cid: 'u-3' }],
		fault: { pathPattern: 'users-by-id/*', method: 'GET' },
		isOpRequest: (m, rel) => m === 'GET' && /^users-by-id\/[^/]+\/$/.test(rel),
	},
	{
		name: 'User Upsert',
		cls: 'upsert',
		create: false,
		params: {
			resource: 'user',
			operation: 'upsert',
			customId: '={{ $json.cid }}',
			additionalFields: { email: '={{ $json.email }}' },
		},
		items: [0, 1, 2].map((i) => ({ cid: `new-${i}`, email: `new${i}@example.com` })),
		fault: { pathPattern: 'users/update_or_create/', method: 'POST' },
		isOpRequest: (m, rel) => m === 'POST' && rel === 'users/update_or_create/',
		writes: (emu) => emu.writeCounts().users ?? 0,
		expectedWrites: 3,
		effectDone: (emu) => [0, 1, 2].every((i) => emu.state.userByCustomId(`new-${i}`) !== undefined),
	},
	{
		name: 'Deal Upsert',
		cls: 'upsert',
		create: false,
		params: {
			resource: 'deal',
			operation: 'upsert',
			customId: '={{ $json.cid }}',
			name: '={{ $json.name }}',
		},
		items: [0, 1, 2].map((i) => ({ cid: `ORD-${i}`, name: `Order ${i}` })),
		fault: { pathPattern: 'deals/update_or_create/', method: 'POST' },
		isOpRequest: (m, rel) => m === 'POST' && rel === 'deals/update_or_create/',
		writes: (emu) => emu.writeCounts().deals ?? 0,
		expectedWrites: 3,
	},
	{
		// lookup (404) then create: the create's lost answer is checked by a second lookup, never resent blindly
		name: 'Company Upsert',
		cls: 'upsert',
		create: false,
		params: {
			resource: 'company',
			operation: 'upsert',
			customId: '={{ $json.cid }}',
			name: '={{ $json.name }}',
		},
		items: [0, 1, 2].map((i) => ({ cid: `co-${i}`, name: `Company ${i}` })),
		fault: { pathPattern: 'companies/', method: 'POST' },
		isOpRequest: (m, rel) =>
			(m === 'POST' && rel === 'companies/') || (m === 'PUT' && /^companies\/\d+\/$/.test(rel)),
		writes: (emu) => emu.writeCounts().companies ?? 0,
		expectedWrites: 3,
		effectDone: (emu) =>
			[0, 1, 2].every((i) => emu.state.companyByCustomId(`co-${i}`)?.name === `Company ${i}`),
	},
	{
		name: 'Company Add Member',
		cls: 'action',
		create: false,
		params: {
			resource: 'company',
			operation: 'addMember',
			company: rlExpr('customId', 'acme'),
			user: rlExpr('customId', '={{ $json.cid }}'),
		},
		items: [{ cid: 'u-1' }, { cid: 'u-2' }, { cid: 'u-3' }],
		fault: { pathPattern: 'companies-by-id/acme/add_member/', method: 'POST' },
		isOpRequest: (m, rel) => m === 'POST' && rel === 'companies-by-id/acme/add_member/',
		effectDone: (emu) => emu.state.companyByCustomId('acme')?.members.length === 3,
	},
	{
		name: 'Company Create',
		cls: 'create',
		create: true,
		params: { resource: 'company', operation: 'create', name: '={{ $json.name }}' },
		items: [0, 1, 2].map((i) => ({ name: `New company ${i}` })),
		fault: { pathPattern: 'companies/', method: 'POST' },
		isOpRequest: (m, rel) => m === 'POST' && rel === 'companies/',
		writes: (emu) => emu.writeCounts().companies ?? 0,
		expectedWrites: 3,
	},
	{
		name: 'Deal Create',
		cls: 'create',
		create: true,
		params: { resource: 'deal', operation: 'create', name: '={{ $json.name }}' },
		items: [0, 1, 2].map((i) => ({ name: `Deal ${i}` })),
		fault: { pathPattern: 'deals/', method: 'POST' },
		isOpRequest: (m, rel) => m === 'POST' && rel === 'deals/',
		writes: (emu) => emu.writeCounts().deals ?? 0,
		expectedWrites: 3,
	},
	{
		name: 'Event Create',
		cls: 'create',
		create: true,
		params: {
			resource: 'event',
			operation: 'create',
			user: rlExpr('customId', '={{ $json.cid }}'),
			eventName: 'reliability',
			dataFields: { field: [{ key: 'i', value: '={{ $json.i }}' }] },
		},
		items: [0, 1, 2].map((i) => ({ cid: `u-${i + 1}`, i })),
		fault: { pathPattern: 'users-by-id/*/events/', method: 'POST' },
		isOpRequest: (m, rel) => m === 'POST' && /^users-by-id\/[^/]+\/events\/$/.test(rel),
		writes: (emu) => emu.writeCounts().events ?? 0,
		expectedWrites: 3,
	},
	{
		name: 'User Delete',
		cls: 'delete',
		create: false,
		params: { resource: 'user', operation: 'delete', user: rlExpr('customId', '={{ $json.cid }}') },
		items: [{ cid: 'u-1' }, { cid: 'u-2' }, { cid: 'u-3' }],
		fault: { pathPattern: 'users-by-id/*', method: 'DELETE' },
		isOpRequest: (m, rel) => m === 'DELETE' && /^users-by-id\/[^/]+\/$/.test(rel),
		effectDone: (emu) =>
			['u-1', 'u-2', 'u-3'].every((c) => emu.state.userByCustomId(c) === undefined),
	},
	{
		name: 'Import Users',
		cls: 'import',
		create: true,
		params: {
			resource: 'import',
			operation: 'importUsers',
			mappingMode: 'defineBelow',
			columns: {
				column: [
					{ name: 'custom_id', value: '={{ $json.cid }}' },
					{ name: 'email', value: '={{ $json.email }}' },
				],
			},
		},
		items: [0, 1, 2].map((i) => ({ cid: `imp-${i}`, email: `imp${i}@example.com` })),
		fault: { pathPattern: 'users/import/', method: 'POST' },
		isOpRequest: (m, rel) => m === 'POST' && rel === 'users/import/',
		writes: (emu) => emu.writeCounts().imports ?? 0,
		expectedWrites: 1,
	},
];

/** Fault kinds of the matrix: the emulator's kinds plus '429-body' (hint only in the body, via the proxy). */
type MatrixKind = FaultKind | '429-body' | 'timeout';
const KINDS: MatrixKind[] = [
	'429',
	'429-date',
	'429-body',
	'429-no-retry-after',
	'500',
	'502',
	'503',
	'504',
	'timeout',
	'reset',
	'drop',
	'html',
	'truncated-json',
	'empty-body',
];
const ALWAYS_RETRIED = new Set<MatrixKind>([
	'429',
	'429-date',
	'429-body',
	'429-no-retry-after',
	'503',
]);
const SERVER_SIDE = new Set<MatrixKind>(['500', '502', '504', 'timeout', 'reset', 'drop', 'html']);

function faultSpec(op: Op, kind: MatrixKind): FaultSpec {
	const base = { ...op.fault, count: 1 };
	switch (kind) {
		case '429-body':
			return { ...base, kind: '429', retryAfterSeconds: 1 };
		case '429':
		case '429-date':
			return { ...base, kind, retryAfterSeconds: 1 };
		case 'timeout':
			return { ...base, kind: 'delay', delayMs: DELAY_MS, processed: true };
		case '503':
			return { ...base, kind };
		default:
			return { ...base, kind, processed: true };
	}
}

let emu: Emulator;
let bodyOnlyProxy: Proxy;

beforeAll(async () => {
	setTransportClock(clock);
	setTransportRandom(() => 0.5);
	setImportRuntime({ initialPollDelayMs: 500, maxPollDelayMs: 2000 });
	emu = await startEmulator({
		port: 0,
		rateLimit: 10,
		windowMs: 1000,
		now: clock.now,
		seed: SEED,
		randomSeed: 7,
		importProcessingMs: 100,
	});
	// the hint only in the body: drop the retry-after header of every 429
	bodyOnlyProxy = await startProxy(emu.url, (answer) => {
		if (answer.status === 429) delete answer.headers['retry-after'];
		return answer;
	});
});
afterAll(async () => {
	await bodyOnlyProxy.close();
	await emu.close();
	setTransportClock();
	setTransportRandom();
	setImportRuntime();
	resetTransport();
});
beforeEach(() => {
	emu.reset(SEED);
	resetTransport();
});

interface Case {
	op: Op;
	kind: MatrixKind;
	retryCreates: boolean;
}

const cases: Case[] = [];
for (const op of OPS) {
	for (const kind of KINDS) {
		cases.push({ op, kind, retryCreates: false });
		if (op.create && SERVER_SIDE.has(kind)) cases.push({ op, kind, retryCreates: true });
	}
}

function rel(path: string): string {
	return path.replace(/^\/api\/public\//, '');
}

function opRequests(op: Op) {
	return emu.requestLog.filter((e) => op.isOpRequest(e.method, rel(decodeURI(e.path))));
}

function messageOf(item: RunResult['items'][number]): string {
	const error = item.json.error as IDataObject | undefined;
	return `${String(item.json.message ?? '')} ${String(error?.description ?? '')}`;
}

describe('fault matrix', () => {
	test.each(
		cases.map(
			(c) =>
				[
					`${c.op.cls} / ${c.op.name} / ${c.kind}${c.retryCreates ? ' / retry creates on' : ''}`,
					c,
				] as const,
		),
	)('%s', async (_title, { op, kind, retryCreates }) => {
		emu.injectFault(faultSpec(op, kind));
		const params: INodeParameters = {
			...op.params,
			requestOptions: {
				timeoutSeconds: 1,
				...(retryCreates ? { retryCreatesOnServerErrors: true } : {}),
			},
		};
		const subdomain = kind === '429-body' ? bodyOnlyProxy.url : emu.url;
		const run = await runChecked(params, op.items, {
			credentials: { subdomain, apiKey: emu.apiKey, rateLimit: 10 },
			continueOnFail: true,
		});
		// a timed-out request is still processed by User.com afterwards: wait until the emulator has
		// answered every request it received (an entry's status is set when it answers) before counting
		if (kind === 'timeout') await until(() => emu.requestLog.every((e) => e.status !== 0));
		const out = run.result?.items ?? [];
		const retried =
			ALWAYS_RETRIED.has(kind) || (SERVER_SIDE.has(kind) && (!op.create || retryCreates));
		const faultedOps = op.cls === 'import' ? 1 : N;
		const writes = op.writes?.(emu) ?? 0;
		const expectedWrites = op.expectedWrites ?? 0;
		// an opt-in retry of a processed create writes once more; anything else above the expectation is a duplicate
		const optIn = op.create && retryCreates && retried ? 1 : 0;
		const extra = Math.max(0, writes - expectedWrites);
		const dupExpected = Math.min(extra, optIn);
		const dupUnexpected = extra - dupExpected;
		const lost = run.result ? lostItems(N, out) : N;
		record({
			section: 'fault matrix',
			name: `${op.name} / ${kind}${retryCreates ? ' / retry creates' : ''}`,
			sent: N,
			success: run.result?.successItems.length ?? 0,
			error: run.result?.errorItems.length ?? 0,
			lost,
			dupExpected,
			dupUnexpected,
			leaks: run.leaks.length,
		});

		expect(run.thrown).toBeUndefined();
		expect(run.leaks).toEqual([]);
		expect(lost).toBe(0);
		expect(out).toHaveLength(N);
		expect(dupUnexpected).toBe(0);
		expect(emu.pendingFaults()).toHaveLength(0);

		const requests = opRequests(op);
		if (retried) {
			expect(requests).toHaveLength(faultedOps + 1);
			expect(run.result?.errorItems).toHaveLength(0);
			if (op.writes) expect(writes).toBe(expectedWrites + optIn);
			if (op.effectDone) expect(op.effectDone(emu)).toBe(true);
		} else if (SERVER_SIDE.has(kind)) {
			// a create that may have happened: not resent, error output explains it
			expect(requests).toHaveLength(faultedOps);
			const failed = op.cls === 'import' ? out : [out[0]];
			for (const item of failed) {
				expect(run.result?.errorItems).toContain(item);
				expect(messageOf(item)).toContain(
					'The write may have happened: check in User.com before retrying, or use the Upsert operation.',
				);
			}
			if (op.cls !== 'import') expect(run.result?.successItems).toHaveLength(N - 1);
			expect(writes).toBe(expectedWrites);
		} else {
			// 2xx with a broken body: User.com did the work; a create must not be sent again
			if (op.create) expect(requests).toHaveLength(faultedOps);
			if (op.writes) expect(writes).toBe(expectedWrites);
			const first = out[0];
			if (run.result?.successItems.includes(first)) {
				// a success item must carry what the operation promises, not an empty or garbled record
				if (op.cls === 'read') expect(first.json.custom_id).toBe('u-1');
				if (op.cls === 'upsert' || op.cls === 'create') expect(typeof first.json.id).toBe('number');
				if (op.cls === 'action')
					expect(first.json).toMatchObject({ success: true, user_id: expect.any(Number) });
			} else {
				expect(messageOf(first)).not.toMatch(/Cannot read|undefined|is not a function/);
			}
		}
	});
});
