import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import {
	getExecutionStats,
	takeExecutionStats,
	userComApiRequest,
	type NormalizedUserComError,
	type UserComRequestOptions,
} from '../../nodes/UserCom/transport';
import { FakeClock } from './helpers/fakeClock';
import { LEAVE_ALLOWANCE_FACTOR, STALL_MS } from '../../nodes/UserCom/transport/arrivals';
import { fingerprintAccount, getDispatcher } from '../../nodes/UserCom/transport/registry';
import { DEFAULT_SHARE_TUNING } from '../../nodes/UserCom/transport/share';
import {
	bindRunSignal,
	inFlightAdvisor,
	isCancellationError,
	unbindRunSignal,
} from '../../nodes/UserCom/transport';
import {
	API_KEY,
	FakeHttp,
	type LogEntry,
	makeContext,
	networkError,
	NODE,
	type ContextOptions,
} from './helpers/fakeContext';
import {
	resetTransport,
	setTransportClock,
	setTransportRandom,
} from '../../nodes/UserCom/transport/testing';

let clock: FakeClock;
let http: FakeHttp;
let logs: LogEntry[];

beforeEach(() => {
	clock = new FakeClock();
	setTransportClock(clock);
	setTransportRandom(() => 0.5);
	resetTransport();
	http = new FakeHttp(clock);
	logs = [];
});

afterAll(() => {
	setTransportClock();
	setTransportRandom();
});

const ctx = (opts: ContextOptions = {}) => makeContext(http, logs, opts);
const GET: UserComRequestOptions = { method: 'GET', path: 'users/1' };

async function request(options: UserComRequestOptions = GET, opts: ContextOptions = {}) {
	return await clock.run(userComApiRequest.call(ctx(opts), options));
}

async function failure(options: UserComRequestOptions = GET, opts: ContextOptions = {}) {
	try {
		await request(options, opts);
	} catch (error) {
		return error as NodeApiError;
	}
	throw new Error('expected the request to fail');
}

function userCom(error: unknown): NormalizedUserComError {
	return (error as NodeApiError).context.userCom as NormalizedUserComError;
}

/** Scripts a sequence of responses; the last one repeats. */
function sequence(
	...steps: Array<
		Parameters<FakeHttp['script']> extends never ? never : ReturnType<FakeHttp['script']>
	>
) {
	http.script = (_call, index) => steps[Math.min(index, steps.length - 1)];
}

const ok = (body: unknown = { id: 1 }) => ({ statusCode: 200, body });

describe('userComApiRequest: request shape', () => {
	it('sends through httpRequestWithAuthentication with full response, ignored status errors and a trailing slash', async () => {
		sequence(ok({ id: 7 }));
		const result = await request({
			method: 'POST',
			path: 'users/update_or_create',
			body: { custom_id: 'a' },
			qs: { x: 1 },
		});
		expect(result).toEqual({ id: 7 });
		expect(http.calls).toHaveLength(1);
		const { options, credentialType } = http.calls[0];
		expect(credentialType).toBe('userComApi');
		expect(options).toMatchObject({
			method: 'POST',
			url: 'https://acme.user.com/api/public/users/update_or_create/',
			qs: { x: 1 },
			body: { custom_id: 'a' },
			json: true,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: 30_000,
		});
		expect(JSON.stringify(options)).not.toContain(API_KEY);
	});

	it('uses the emulator base URL and the timeout from Request Options', async () => {
		sequence(ok());
		await request(GET, {
			credentials: { subdomain: 'http://127.0.0.1:4010' },
			requestOptions: { timeoutSeconds: 5 },
		});
		expect(http.calls[0].options.url).toBe('http://127.0.0.1:4010/api/public/users/1/');
		expect(http.calls[0].options.timeout).toBe(5000);
	});

	it('works in contexts without Request Options, execution id or logger (loadOptions)', async () => {
		sequence(ok({ results: [] }));
		await expect(
			request(
				{ method: 'GET', path: 'tags' },
				{ loadOptions: true, executionId: null, noLogger: true },
			),
		).resolves.toEqual({ results: [] });
		await expect(
			request({ method: 'GET', path: 'tags' }, { requestOptions: 'missing' }),
		).resolves.toEqual({ results: [] });
		expect(http.calls[1].options.timeout).toBe(30_000);
	});

	it('parses JSON text bodies and turns empty bodies into {}', async () => {
		sequence(
			{ statusCode: 200, body: '{"a":1}' },
			{ statusCode: 204, body: '' },
			{ statusCode: 200, body: 'plain' },
			{ statusCode: 200, body: Buffer.from('[1]') },
			{ statusCode: 201, body: '{bad' },
		);
		expect(await request()).toEqual({ a: 1 });
		expect(await request({ method: 'DELETE', path: 'users/1' })).toEqual({});
		expect(await request()).toBe('plain');
		expect(await request()).toEqual([1]);
		// a cut-off JSON answer to a create: the write happened, the answer was lost; never resent
		await expect(request({ method: 'POST', path: 'deals', body: { name: 'x' } })).rejects.toThrow(
			'User.com answered 201 with an incomplete response',
		);
		expect(http.calls).toHaveLength(5);
	});

	it('does not force JSON for a binary body without headers', async () => {
		sequence(ok());
		await request({ method: 'POST', path: 'users/import', body: Buffer.from('a,b') });
		expect(http.calls[0].options.json).toBe(false);
		await request({
			method: 'POST',
			path: 'users/import',
			body: Buffer.from('a,b'),
			headers: { 'content-type': 'multipart/form-data; boundary=x' },
		});
		expect(http.calls[1].options.headers).toEqual({
			'content-type': 'multipart/form-data; boundary=x',
		});
	});

	it('reports a bad subdomain or a missing key before sending anything', async () => {
		const bad = await failure(GET, { credentials: { subdomain: 'http://acme.user.com' } }).catch(
			(e: unknown) => e,
		);
		expect(bad).toBeInstanceOf(NodeOperationError);
		expect((bad as Error).message).toBe(
			'The User.com base URL must use https (plain http is only allowed for localhost): http://acme.user.com',
		);
		const noKey = await failure(GET, { credentials: { apiKey: '  ' } });
		expect(noKey).toBeInstanceOf(NodeOperationError);
		expect(noKey.message).toBe('The User.com credential has no API key');
		expect(http.calls).toHaveLength(0);
	});
});

describe('userComApiRequest: 429 handling', () => {
	const throttled = (
		headers: Record<string, unknown> = {},
		body: unknown = { detail: 'Request was throttled.' },
	) => ({ statusCode: 429, headers, body });

	// [name, response to script, expected end of the block given the 429's receipt time]
	it.each([
		[
			'retry-after delta seconds',
			() => throttled({ 'retry-after': '3' }),
			(received: number) => received + 3000,
		],
		[
			'retry-after HTTP date',
			() => throttled({ 'retry-after': new Date(1_700_000_005_000).toUTCString() }),
			() => 1_700_000_005_000,
		],
		[
			'body only',
			() => throttled({}, { detail: 'Request was throttled. Expected available in 7 seconds.' }),
			(received: number) => received + 7000,
		],
		[
			'body only, singular',
			() => throttled({}, { detail: 'Request was throttled. Expected available in 1 second.' }),
			(received: number) => received + 1000,
		],
		['neither', () => throttled({}, {}), (received: number) => received + 1000],
	])(
		'%s: blocks the whole account until receipt + wait + jitter',
		async (_name, make, blockEnd) => {
			setTransportRandom(() => 0.5); // jitter = 50 ms
			let first = true;
			http.script = (call) => {
				if (call.executionId === 'exec-1' && first) {
					first = false;
					return { ...make(), latencyMs: 40 };
				}
				return ok();
			};
			const c1 = ctx({ executionId: 'exec-1' });
			const c2 = ctx({ executionId: 'exec-2' });
			const p1 = userComApiRequest.call(c1, GET);
			await clock.advance(20); // exec-1's request is in flight
			const p2 = userComApiRequest.call(c2, GET); // another execution, same account
			await clock.run(Promise.all([p1, p2]));
			const end = blockEnd(http.calls[0].at + 40) + 50;
			expect(http.calls).toHaveLength(3);
			expect(http.calls[1].at).toBe(end); // nobody sends before the block ends
			expect(http.calls[2].at).toBeGreaterThan(end);
			expect(new Set(http.calls.slice(1).map((c) => c.executionId))).toEqual(
				new Set(['exec-1', 'exec-2']),
			);
		},
	);

	it('adds 0–100 ms of jitter, never subtracts', async () => {
		for (const [rnd, jitter] of [
			[0, 0],
			[0.999, 100],
		] as const) {
			resetTransport();
			setTransportRandom(() => rnd);
			http.calls.length = 0;
			sequence({ ...throttled({ 'retry-after': '2' }) }, ok());
			await request();
			expect(http.calls[1].at - http.calls[0].at).toBe(2000 + jitter);
		}
	});

	it('is always retried (also for creates, beyond the 4 retries) and logs a warning per 429', async () => {
		sequence(
			throttled({ 'retry-after': '1' }),
			throttled({ 'retry-after': '1' }),
			throttled({ 'retry-after': '1' }),
			throttled({ 'retry-after': '1' }),
			throttled({ 'retry-after': '1' }),
			throttled({ 'retry-after': '1' }),
			ok({ id: 3 }),
		);
		const result = await request({
			method: 'POST',
			path: 'users',
			body: { email: 'a@b.c' },
			correlation: 'user email=a@b.c',
		});
		expect(result).toEqual({ id: 3 });
		expect(http.calls).toHaveLength(7);
		const warns = logs.filter((l) => l.level === 'warn');
		expect(warns).toHaveLength(6);
		expect(warns[0].meta).toMatchObject({
			account: expect.stringMatching(/^[0-9a-f]{16}$/),
			path: '/api/public/users/',
			retryAfter: '1',
			attempt: 1,
			queueDepth: 0,
			// a first 429 pauses the account and halves its rate: someone else uses the key
			ratePerSecond: 5,
			executionId: 'exec-1',
			correlation: 'user email=a@b.c',
		});
		// the second, right after the pause, let nothing through: not a measure of the share, still half
		expect(warns[1].meta).toMatchObject({ attempt: 2, ratePerSecond: 5 });
		expect(getExecutionStats('exec-1')).toMatchObject({ requests: 7, rateLimited: 6, retries: 0 });
	});

	it('after a 429 keeps to half the limit, and an idle account forgets it', async () => {
		sequence(throttled({ 'retry-after': '1' }), throttled({ 'retry-after': '1' }), ok());
		const c = ctx();
		await clock.run(userComApiRequest.call(c, GET)); // 429 (halved), 429 (still halved), ok
		const t1 = clock.now();
		await clock.run(userComApiRequest.call(c, GET));
		await clock.run(userComApiRequest.call(c, GET));
		const [, , , third, fourth] = http.calls.map((x) => x.at);
		expect(third).toBeGreaterThanOrEqual(t1);
		expect(fourth - third).toBeGreaterThanOrEqual(199); // five per second: half the limit
		await clock.advance(DEFAULT_SHARE_TUNING.idleForgetMs + 1000);
		await clock.run(userComApiRequest.call(c, GET));
		await clock.run(userComApiRequest.call(c, GET));
		const n = http.calls.length;
		expect(http.calls[n - 1].at - http.calls[n - 2].at).toBeCloseTo(1000 / 9.5, 2);
	});

	it('fails with a clear rate-limit error when the wait would exceed the bound', async () => {
		sequence(throttled({ 'retry-after': '400' }));
		const error = await failure();
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe('User.com rate limit: the request could not be sent within 300 s');
		expect(error.httpCode).toBe('429');
		expect(userCom(error)).toMatchObject({ category: 'rate_limited', attempts: 1, httpCode: 429 });
		expect(error.description).toMatch(/asked to wait 400 s/);
		expect(http.calls).toHaveLength(1);
	});

	it('counts repeated 429 waits against Max Wait', async () => {
		sequence(throttled({ 'retry-after': '4' }));
		const error = await failure(GET, { requestOptions: { maxWaitSeconds: 10 } });
		expect(error.message).toBe('User.com rate limit: the request could not be sent within 10 s');
		expect(http.calls).toHaveLength(3); // 0 s, ~4 s, ~8 s; the next block would end after 12 s
	});

	it('gives up a queued request when the account block outlasts its Max Wait, without sending it', async () => {
		let first = true;
		http.script = () => (first ? ((first = false), throttled({ 'retry-after': '250' })) : ok());
		const blocked = userComApiRequest.call(ctx({ executionId: 'a' }), GET).catch((e: unknown) => e);
		await clock.advance(1);
		const waiting = userComApiRequest
			.call(ctx({ executionId: 'b', requestOptions: { maxWaitSeconds: 10 } }), GET)
			.catch((e: unknown) => e);
		const [, errB] = await clock.run(Promise.all([blocked, waiting]));
		expect(errB).toBeInstanceOf(NodeApiError);
		expect((errB as NodeApiError).message).toBe(
			'User.com rate limit: the request could not be sent within 10 s',
		);
		expect(userCom(errB)).toMatchObject({ category: 'rate_limited', attempts: 0, httpCode: null });
		expect(http.calls.filter((c) => c.executionId === 'b')).toHaveLength(0);
	});
});

describe('userComApiRequest: retries', () => {
	beforeEach(() => setTransportRandom(() => 1)); // full jitter at its ceiling: 1 s, 2 s, 4 s, 8 s

	it.each([500, 502, 504])(
		'retries a GET after %i with capped exponential backoff, at most 4 times',
		async (status) => {
			sequence({ statusCode: status, body: { detail: 'Server Error' } });
			const error = await failure();
			expect(http.calls).toHaveLength(5);
			const gaps = http.calls.slice(1).map((c, i) => c.at - http.calls[i].at);
			expect(gaps).toEqual([1000, 2000, 4000, 8000]);
			expect(error.httpCode).toBe(String(status));
			expect(userCom(error)).toMatchObject({
				category: 'server',
				attempts: 5,
				retryable: true,
				method: 'GET',
				path: '/api/public/users/1/',
			});
			expect(error.description).toMatch(/Gave up after 5 attempts/);
		},
	);

	it('waits out a 503 outage with an account-wide pause that grows to 30 s, bounded by Max Wait', async () => {
		sequence({ statusCode: 503, body: { detail: 'Service Unavailable' } });
		const error = await failure();
		const gaps = http.calls.slice(1).map((c, i) => c.at - http.calls[i].at);
		// 1, 2, 4, 8, 16 s, then capped at 30 s; stops when the next pause would pass 300 s
		expect(gaps.slice(0, 7)).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
		expect(gaps.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(300_000);
		expect(http.calls.length).toBeGreaterThan(5);
		expect(error.httpCode).toBe('503');
		expect(error.description).toMatch(/stayed unavailable \(503\) longer than the 300 s/);
	});

	it('recovers from a 503 outage and resets the backoff once User.com answers again', async () => {
		sequence(
			{ statusCode: 503 },
			{ statusCode: 503 },
			{ statusCode: 503 },
			ok(),
			{ statusCode: 503 },
			ok(),
		);
		await request();
		await request();
		const gaps = http.calls.slice(1).map((c, i) => c.at - http.calls[i].at);
		expect(gaps.slice(0, 3)).toEqual([1000, 2000, 4000]);
		// the streak was reset by the success: the next 503 waits 1 s again
		expect(gaps[4]).toBe(1000);
	});

	it('uses full jitter', async () => {
		setTransportRandom(() => 0.25);
		sequence({ statusCode: 500 }, { statusCode: 500 }, ok());
		await request();
		const gaps = http.calls.slice(1).map((c, i) => c.at - http.calls[i].at);
		expect(gaps).toEqual([250, 500]);
	});

	it('lets a longer 5xx retry-after win', async () => {
		sequence({ statusCode: 503, headers: { 'retry-after': '10' } }, ok());
		await request();
		expect(http.calls[1].at - http.calls[0].at).toBe(10_000);
	});

	it.each([
		['ECONNRESET', networkError('ECONNRESET', 'read ECONNRESET')],
		['socket hang up', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
		[
			'axios timeout',
			Object.assign(new Error('timeout of 30000ms exceeded'), { code: 'ECONNABORTED' }),
		],
		['ETIMEDOUT', networkError('ETIMEDOUT')],
		['ECONNREFUSED', networkError('ECONNREFUSED')],
		['EAI_AGAIN', networkError('EAI_AGAIN', 'getaddrinfo EAI_AGAIN acme.user.com')],
		['n8n-wrapped refusal', new NodeApiError(NODE, networkError('ECONNREFUSED') as never)],
		['message only', new Error('Client network socket disconnected: socket hang up')],
	])('retries an idempotent request after %s', async (_name, error) => {
		sequence(error, ok({ done: true }));
		await expect(request({ method: 'PUT', path: 'users/1', body: { a: 1 } })).resolves.toEqual({
			done: true,
		});
		expect(http.calls).toHaveLength(2);
	});

	it('does not retry an unknown host and says to check the subdomain', async () => {
		sequence(networkError('ENOTFOUND', 'getaddrinfo ENOTFOUND nope.user.com'));
		const error = await failure();
		expect(http.calls).toHaveLength(1);
		expect(error.message).toBe(
			'Could not reach User.com: the host name does not exist; check the subdomain in the credential',
		);
		expect(userCom(error)).toMatchObject({ category: 'network', httpCode: null, retryable: false });
	});

	it('does not retry other thrown errors', async () => {
		sequence(new Error('something odd'));
		const error = await failure();
		expect(http.calls).toHaveLength(1);
		expect(userCom(error).category).toBe('network');
	});

	it('gives up network errors after 4 retries with a network error', async () => {
		sequence(networkError('ECONNRESET'));
		const error = await failure();
		expect(http.calls).toHaveLength(5);
		expect(error.message).toBe(
			'Could not reach User.com: the connection was lost before a response arrived',
		);
		expect(error.description).toMatch(/ECONNRESET/);
		expect(error.httpCode).toBeNull();
	});

	it.each([400, 401, 403, 404, 422])('never retries %i', async (status) => {
		sequence({ statusCode: status, body: { detail: `status ${status}` } });
		const error = await failure();
		expect(http.calls).toHaveLength(1);
		expect(error.message).toBe(`status ${status}`);
		expect(userCom(error).retryable).toBe(false);
	});

	describe('creates (non-idempotent POST)', () => {
		const CREATE: UserComRequestOptions = {
			method: 'POST',
			path: 'deals',
			body: { name: 'x' },
			itemIndex: 2,
		};

		it.each([500, 502, 504])(
			'are not retried after %i: the write may have happened',
			async (status) => {
				sequence({ statusCode: status, body: '' });
				const error = await failure(CREATE);
				expect(http.calls).toHaveLength(1);
				expect(error.description).toContain(
					'The write may have happened: check in User.com before retrying, or use the Upsert operation.',
				);
				expect(error.context.itemIndex).toBe(2);
				expect(userCom(error).itemIndex).toBe(2);
			},
		);

		it.each([
			[
				'a timeout',
				Object.assign(new Error('timeout of 30000ms exceeded'), { code: 'ECONNABORTED' }),
			],
			['a lost connection', networkError('ECONNRESET')],
		])('are not retried after %s', async (_name, error) => {
			sequence(error);
			const e = await failure(CREATE);
			expect(http.calls).toHaveLength(1);
			expect(e.description).toContain('The write may have happened');
		});

		it('are retried after 503 (not processed) and a refused connection (never sent)', async () => {
			sequence({ statusCode: 503 }, networkError('ECONNREFUSED'), ok({ id: 9 }));
			await expect(request(CREATE)).resolves.toEqual({ id: 9 });
			expect(http.calls).toHaveLength(3);
		});

		it('are retried after 500 and timeouts when "Retry Creates on Server Errors" is on', async () => {
			sequence({ statusCode: 500 }, networkError('ETIMEDOUT'), ok({ id: 9 }));
			await expect(
				request(CREATE, { requestOptions: { retryCreatesOnServerErrors: true } }),
			).resolves.toEqual({ id: 9 });
			expect(http.calls).toHaveLength(3);
		});

		it('update_or_create and an explicit writeKind count as idempotent', async () => {
			sequence({ statusCode: 500 }, ok());
			await request({ method: 'POST', path: 'deals/update_or_create/', body: {} });
			expect(http.calls).toHaveLength(2);
			http.calls.length = 0;
			sequence({ statusCode: 500 }, ok());
			await request({
				method: 'POST',
				path: 'users/1/add_tag',
				body: { name: 't' },
				writeKind: 'idempotent',
			});
			expect(http.calls).toHaveLength(2);
		});
	});

	it('stops retrying when the per-account retry budget is spent', async () => {
		sequence({ statusCode: 500 });
		const c = ctx();
		const counts: number[] = [];
		const messages: string[] = [];
		for (let i = 0; i < 4; i++) {
			const before = http.calls.length;
			const e = await clock.run(userComApiRequest.call(c, GET)).catch((err: NodeApiError) => err);
			counts.push(http.calls.length - before);
			messages.push((e as NodeApiError).description ?? '');
		}
		// 10 tokens + 0.1 per request: 4 + 4 + 2 retries, then none
		expect(counts).toEqual([5, 5, 3, 1]);
		expect(messages[3]).toMatch(/retry budget/);
	});

	it('stops retrying when the next backoff would pass Max Wait', async () => {
		sequence({ statusCode: 500 });
		const error = await failure(GET, { requestOptions: { maxWaitSeconds: 2 } });
		expect(http.calls).toHaveLength(2); // 0 s, 1 s; the next retry (2 s later) would end past 2 s
		expect(error.description).toMatch(/exceed the 2 s/);
	});
});

describe('userComApiRequest: cancellation', () => {
	it('drops a request waiting out a 429 block within 50 ms and sends nothing more', async () => {
		const controller = new AbortController();
		sequence({ statusCode: 429, headers: { 'retry-after': '60' } });
		const p = userComApiRequest
			.call(ctx({ signal: controller.signal }), GET)
			.catch((e: unknown) => e);
		await clock.advance(1000);
		const abortAt = clock.now();
		controller.abort();
		const error = await clock.run(p);
		expect(clock.now() - abortAt).toBeLessThan(50);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect((error as Error).message).toBe('Execution was cancelled');
		await clock.advance(120_000);
		expect(http.calls).toHaveLength(1);
	});

	it('drops a request sleeping in backoff', async () => {
		setTransportRandom(() => 1);
		const controller = new AbortController();
		sequence({ statusCode: 502 });
		const p = userComApiRequest
			.call(ctx({ signal: controller.signal }), GET)
			.catch((e: unknown) => e);
		await clock.advance(2500); // attempt 1 at 0 s, attempt 2 at 1 s, now sleeping 2 s
		const sent = http.calls.length;
		controller.abort();
		const error = await clock.run(p);
		expect((error as Error).message).toBe('Execution was cancelled');
		await clock.advance(60_000);
		expect(http.calls).toHaveLength(sent);
	});

	it('drops queued requests of the cancelled execution while others continue', async () => {
		const controller = new AbortController();
		sequence(ok());
		const cancelled = Array.from({ length: 5 }, () =>
			userComApiRequest
				.call(ctx({ executionId: 'stop', signal: controller.signal }), GET)
				.catch((e: unknown) => e),
		);
		const other = Array.from({ length: 5 }, () =>
			userComApiRequest.call(ctx({ executionId: 'go' }), GET),
		);
		await clock.advance(150);
		controller.abort();
		const abortAt = clock.now();
		const results = await clock.run(Promise.all(cancelled));
		expect(clock.now() - abortAt).toBeLessThan(50);
		expect(results.filter((r) => r instanceof NodeOperationError).length).toBeGreaterThanOrEqual(3);
		await clock.run(Promise.all(other));
		expect(http.calls.filter((c) => c.executionId === 'stop' && c.at >= abortAt)).toHaveLength(0);
		expect(http.calls.filter((c) => c.executionId === 'go')).toHaveLength(5);
	});

	it('does not send at all when already cancelled, nor retry a failure that returns after the stop', async () => {
		const controller = new AbortController();
		controller.abort();
		await expect(request(GET, { signal: controller.signal })).rejects.toThrow(
			'Execution was cancelled',
		);
		expect(http.calls).toHaveLength(0);

		const c2 = new AbortController();
		http.script = () => ({ statusCode: 500, latencyMs: 500 });
		const p = userComApiRequest.call(ctx({ signal: c2.signal }), GET).catch((e: unknown) => e);
		await clock.advance(100);
		c2.abort();
		expect(((await clock.run(p)) as Error).message).toBe('Execution was cancelled');
		expect(http.calls).toHaveLength(1);

		const c3 = new AbortController();
		http.calls.length = 0;
		http.script = () => Object.assign(networkError('ECONNRESET'));
		const p3 = userComApiRequest.call(ctx({ signal: c3.signal }), GET).catch((e: unknown) => e);
		c3.abort();
		expect(((await clock.run(p3)) as Error).message).toBe('Execution was cancelled');
		expect(http.calls.length).toBeLessThanOrEqual(1);
	});

	it('drops a request whose 429 arrives after the stop', async () => {
		const controller = new AbortController();
		http.script = () => ({ statusCode: 429, headers: { 'retry-after': '1' }, latencyMs: 200 });
		const p = userComApiRequest
			.call(ctx({ signal: controller.signal }), GET)
			.catch((e: unknown) => e);
		await clock.advance(100);
		controller.abort();
		expect(((await clock.run(p)) as Error).message).toBe('Execution was cancelled');
		expect(http.calls).toHaveLength(1);
	});
});

describe('userComApiRequest: errors and secrecy', () => {
	it('throws NodeApiError with the normalized error attached (format 1 body from the guide)', async () => {
		sequence({
			statusCode: 400,
			body: {
				user_id: ['Invalid pk "999999" - object does not exist.'],
				products: ['Invalid pk "999999" - object does not exist.'],
			},
		});
		const error = await failure({
			method: 'POST',
			path: 'deals',
			body: { user_id: 999999 },
			itemIndex: 5,
		});
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe(
			'User.com rejected the request: user_id: Invalid pk "999999" - object does not exist.',
		);
		expect(error.httpCode).toBe('400');
		expect(error.context.itemIndex).toBe(5);
		expect(userCom(error)).toMatchObject({
			httpCode: 400,
			category: 'validation',
			method: 'POST',
			path: '/api/public/deals/',
			attempts: 1,
			itemIndex: 5,
		});
		expect(error.description).toContain('products: Invalid pk "999999" - object does not exist.');
	});

	it('never lets the API key into errors or logs', async () => {
		const echo = `Authorization: Token ${API_KEY}`;
		sequence(
			{ statusCode: 200, body: { note: `echo ${API_KEY}` } },
			{
				statusCode: 429,
				headers: { 'retry-after': '1' },
				body: { detail: `throttled ${API_KEY}` },
			},
			{ statusCode: 401, body: { detail: `Invalid token: ${API_KEY}`, [API_KEY]: [echo] } },
		);
		await request({
			method: 'POST',
			path: 'users/update_or_create',
			body: { email: 'a@b.c', password: 'hunter2', api_key: API_KEY },
		});
		const error = await failure({ method: 'GET', path: `users/${API_KEY}`, itemIndex: 1 });
		sequence(networkError('ECONNRESET', `socket hang up ${echo}`));
		setTransportRandom(() => 0);
		const netError = await failure();
		const everything = JSON.stringify({
			logs,
			message: error.message,
			description: error.description,
			userCom: userCom(error),
			net: [netError.message, netError.description, userCom(netError)],
			whole: [error, netError].map((e) => [
				JSON.stringify(e),
				e.messages,
				JSON.stringify(e.cause),
				e.stack,
			]),
		});
		expect(everything).not.toContain(API_KEY);
		expect(everything).not.toContain('hunter2');
		expect(error.message).toBe('Invalid token: ***');
		expect(logs.length).toBeGreaterThan(3);
	});

	it('logs method, path, status, duration, attempt, masked payload and correlation at debug level', async () => {
		http.script = () => ({ statusCode: 201, body: { id: 1 }, latencyMs: 80 });
		await request({
			method: 'POST',
			path: 'deals/update_or_create',
			body: { custom_id: 'ORD-1', token: 'abc' },
			itemIndex: 3,
			correlation: 'deal custom_id=ORD-1',
		});
		const debug = logs.find((l) => l.level === 'debug');
		expect(debug?.meta).toMatchObject({
			executionId: 'exec-1',
			itemIndex: 3,
			correlation: 'deal custom_id=ORD-1',
			method: 'POST',
			path: '/api/public/deals/update_or_create/',
			status: 201,
			durationMs: 80,
			attempt: 1,
			payload: '{"custom_id":"ORD-1","token":"***"}',
			response: '{"id":1}',
		});
	});

	it('tolerates a logger that throws', async () => {
		sequence(ok());
		const c = ctx();
		c.logger = {
			debug: () => {
				throw new Error('log down');
			},
			warn: () => undefined,
		};
		await expect(clock.run(userComApiRequest.call(c, GET))).resolves.toEqual({ id: 1 });
	});
});

describe('userComApiRequest: fairness and statistics', () => {
	it('a small execution is not stuck behind a big one', async () => {
		sequence(ok());
		const big = ctx({ executionId: 'big' });
		const small = ctx({ executionId: 'small' });
		const bigRun = (async () => {
			for (let i = 0; i < 30; i++) await userComApiRequest.call(big, { ...GET, itemIndex: i });
		})();
		await clock.advance(500);
		const smallStart = clock.now();
		const smallRun = (async () => {
			for (let i = 0; i < 3; i++) await userComApiRequest.call(small, { ...GET, itemIndex: i });
		})();
		await clock.run(Promise.all([bigRun, smallRun]));
		const smallTimes = http.sendTimes('small');
		expect(smallTimes).toHaveLength(3);
		// 3 requests, alternating with the big run: done within ~6 send slots
		expect(smallTimes[2] - smallStart).toBeLessThanOrEqual(6 * (1000 / 9.5) + 1);
	});

	it('counts requests, 429s, retries and waiting time per execution', async () => {
		setTransportRandom(() => 0);
		sequence({ statusCode: 429, headers: { 'retry-after': '2' } }, { statusCode: 500 }, ok());
		await request();
		const stats = getExecutionStats('exec-1');
		expect(stats).toEqual({ requests: 3, rateLimited: 1, retries: 1, waitMs: expect.any(Number) });
		expect(stats?.waitMs).toBeGreaterThanOrEqual(2000);
		expect(takeExecutionStats('exec-1')).toEqual(stats);
		expect(getExecutionStats('exec-1')).toBeUndefined();
		expect(takeExecutionStats('unknown')).toBeUndefined();
	});
});

describe('logExecutionSummary', () => {
	it('logs the counters as a warning after 429s, at debug level otherwise', async () => {
		const { logExecutionSummary } = await import('../../nodes/UserCom/transport');
		const c = ctx();
		expect(logExecutionSummary.call(c)).toBeUndefined();
		sequence(ok());
		await clock.run(userComApiRequest.call(c, GET));
		expect(logExecutionSummary.call(c)).toMatchObject({ requests: 1, rateLimited: 0 });
		expect(logs[logs.length - 1]).toMatchObject({
			level: 'debug',
			message: expect.stringMatching(/^User\.com execution summary: 1 request/),
		});
		setTransportRandom(() => 0);
		http.calls.length = 0;
		sequence({ statusCode: 429, headers: { 'retry-after': '2' } }, ok());
		await clock.run(userComApiRequest.call(c, GET));
		expect(logExecutionSummary.call(c)).toMatchObject({ requests: 3, rateLimited: 1 });
		expect(logs[logs.length - 1]).toMatchObject({
			level: 'warn',
			message: expect.stringContaining('1 rate-limited (429)'),
			meta: expect.objectContaining({ executionId: 'exec-1', waitSeconds: expect.any(Number) }),
		});
	});
});

describe('run signal and in-flight advice (used by the router)', () => {
	const throttled = (headers: Record<string, unknown>) => ({
		statusCode: 429,
		headers,
		body: { detail: 'Request was throttled.' },
	});

	it('a run signal bound to the context stops its queued requests, even without an execution signal', async () => {
		const c = ctx();
		const controller = new AbortController();
		bindRunSignal(c, controller.signal);
		sequence(throttled({ 'retry-after': '30' }), ok());
		const pending = userComApiRequest.call(c, GET).catch((e: unknown) => e);
		await clock.advance(100); // the 429 is in: the request waits for the end of the 30 s pause
		const before = clock.now();
		controller.abort();
		const error = await clock.run(pending);
		expect(clock.now()).toBe(before);
		expect((error as Error).message).toBe('Execution was cancelled');
		expect(isCancellationError(error)).toBe(true);
		expect(isCancellationError(new Error('Execution was cancelled'))).toBe(false);
		expect(http.calls).toHaveLength(1);
		unbindRunSignal(c);
		// unbound: the next request of the same context is sent again (after the pause)
		const result = await clock.run(userComApiRequest.call(c, GET));
		expect(result).toEqual({ id: 1 });
	});

	it('advises rate × slowest recent round trip + 2 requests in flight, following the answers', async () => {
		const c = ctx();
		const advise = await inFlightAdvisor(c);
		expect(advise).toBeDefined();
		// one at a time until three answers have come
		expect(advise!()).toBe(1);
		for (let i = 0; i < 3; i++) {
			sequence({ ...ok(), latencyMs: 200 });
			await request();
		}
		expect(advise!()).toBe(Math.ceil(9.5 * 0.2) + 2);
	});

	it('gives no advice when the credential cannot be resolved', async () => {
		expect(
			await inFlightAdvisor(ctx({ credentials: { subdomain: 'http://acme.user.com' } })),
		).toBeUndefined();
	});
});

describe('credential loads as samples of the time a request takes to leave n8n', () => {
	it("each request's credential load is timed and sets the dispatcher's arrival allowance", async () => {
		const opts = { credentialLoadMs: 40 };
		// a server whose answers vary (250–350 ms): the loads, not the round trips, set the allowance
		http.script = (_call, index) => ({
			statusCode: 200,
			body: { id: 1 },
			latencyMs: 250 + 50 * index,
		});
		for (let i = 0; i < 3; i++) await request(GET, opts);
		const dispatcher = getDispatcher(
			fingerprintAccount('https://acme.user.com/api/public/', API_KEY),
			{},
		);
		// n8n's helper loads the credential again after the release: up to 2 x 40 ms + a timer delay
		expect(dispatcher.arrivalAllowanceMs).toBe(LEAVE_ALLOWANCE_FACTOR * 40 + STALL_MS);
	});
});
