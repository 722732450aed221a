/**
 * The transport over real HTTP against the User.com emulator (test/emulator), with n8n's own
 * outbound HTTP client and the credential's authenticate block: DRF-style throttle, real 429
 * headers, injected faults, real network errors. Backoff jitter set to 0 where it would only slow
 * the test down. Where the transport would wait out a throttle, a retry-after or a backoff, it and
 * the emulator share one virtual clock that stands still while a request is in flight (see
 * FakeClock.runWithIo): the waits cost no real time, and what the emulator's sliding window sees
 * does not depend on how busy the machine is. The rest runs on the real clock.
 */
import { createServer, type Server } from 'http';
import type { AddressInfo } from 'net';

import { Container } from '@n8n/di';
import { OutboundHttp, removeEmptyBody } from '@n8n/backend-network';
import { NodeApiError, type IHttpRequestOptions, type JsonObject } from 'n8n-workflow';

import {
	executionStatsOf,
	userComApiRequest,
	userComApiRequestAllItems,
	type NormalizedUserComError,
} from '../../nodes/UserCom/transport';
import { startEmulator, type Emulator } from '../emulator';
import { applyAuthentication, completeCredentials } from '../harness';
import { FakeClock } from './helpers/fakeClock';
import { NODE } from './helpers/fakeContext';
import {
	resetTransport,
	setTransportClock,
	setTransportRandom,
} from '../../nodes/UserCom/transport/testing';

let emu: Emulator;
/** the emulator's clock: the real one, or the test's virtual clock (virtualTime) */
let emulatorNow: () => number = Date.now;
/** requests the transport has on the wire (through realContext's HTTP helper) */
let inFlight = 0;

beforeAll(async () => {
	emu = await startEmulator({ rateLimit: 10, windowMs: 1000, now: () => emulatorNow() });
});
afterAll(async () => {
	await emu.close();
	setTransportRandom();
});
beforeEach(() => {
	emulatorNow = Date.now;
	inFlight = 0;
	emu.reset();
	emu.setRateLimit(10, 1000);
	setTransportClock();
	setTransportRandom();
	resetTransport();
});
afterEach(() => {
	emulatorNow = Date.now;
	setTransportClock();
});

/**
 * One virtual clock for the transport and the emulator; `run` drives it until the work settles,
 * moving time only while no request is in flight.
 */
function virtualTime() {
	const clock = new FakeClock();
	setTransportClock(clock);
	emulatorNow = () => clock.now();
	return {
		clock,
		run: <T>(work: Promise<T>) => clock.runWithIo(work, () => inFlight > 0),
	};
}

interface RealOptions {
	executionId?: string;
	rateLimit?: number;
	subdomain?: string;
	signal?: AbortSignal;
	requestOptions?: Record<string, unknown>;
}

function realContext(opts: RealOptions = {}) {
	const credentials = completeCredentials({
		subdomain: opts.subdomain ?? emu.url,
		apiKey: emu.apiKey,
		rateLimit: opts.rateLimit ?? 10,
	});
	const logs: string[] = [];
	return {
		logs,
		ctx: {
			getNode: () => NODE,
			getCredentials: async () => credentials,
			getExecutionId: () => opts.executionId ?? 'exec-real',
			getExecutionCancelSignal: () => opts.signal,
			getInputData: () => [{ json: {} }],
			getNodeParameter: (_name: string, _i: number, fallback: unknown) =>
				opts.requestOptions ?? fallback,
			logger: {
				debug: (m: string, meta?: object) => logs.push(`${m} ${JSON.stringify(meta)}`),
				warn: (m: string, meta?: object) => logs.push(`${m} ${JSON.stringify(meta)}`),
			},
			helpers: {
				async httpRequestWithAuthentication(_type: string, options: IHttpRequestOptions) {
					removeEmptyBody(options);
					if (opts.signal) options.abortSignal = opts.signal;
					const authenticated = applyAuthentication(options, credentials);
					inFlight++;
					try {
						return await Container.get(OutboundHttp).requests().request(authenticated);
					} catch (error) {
						throw new NodeApiError(NODE, error as JsonObject);
					} finally {
						inFlight--;
					}
				},
			},
		} as never,
	};
}

const userCom = (e: unknown) => (e as NodeApiError).context.userCom as NormalizedUserComError;

it("keeps several concurrent executions under the emulator's 10/s throttle, with no 429, fairly", async () => {
	const time = virtualTime();
	const run = async (executionId: string, count: number) => {
		const { ctx } = realContext({ executionId });
		for (let i = 0; i < count; i++) {
			await userComApiRequest.call(ctx, {
				method: 'GET',
				path: 'segments',
				qs: { exec: executionId, i },
			});
		}
	};
	await time.run(Promise.all([run('a', 8), run('b', 8), run('c', 8), run('small', 3)]));
	const stats = emu.stats();
	expect(stats.throttled).toBe(0);
	expect(stats.accepted).toBe(27);
	expect(emu.maxAcceptedInWindow()).toBeLessThanOrEqual(10);
	// the small execution's 3 requests are among the first 12 sent
	const order = emu.requestLog.map((r) => r.query.exec);
	expect(order.lastIndexOf('small')).toBeLessThan(12);
}, 20_000);

it('honours the real 429s when the configured rate is too high, and every request succeeds', async () => {
	const time = virtualTime();
	const { ctx, logs } = realContext({ rateLimit: 20 });
	const all = Array.from({ length: 25 }, (_, i) =>
		userComApiRequest.call(ctx, { method: 'GET', path: 'segments', qs: { i } }),
	);
	await time.run(Promise.all(all));
	const stats = emu.stats();
	expect(stats.accepted).toBe(25);
	expect(stats.throttled).toBeGreaterThan(0);
	expect(stats.throttled).toBeLessThanOrEqual(6);
	expect(emu.maxAcceptedInWindow()).toBeLessThanOrEqual(10);
	expect(logs.some((l) => l.startsWith('User.com rate limit hit (429)'))).toBe(true);
	expect(logs.join('\n')).not.toContain(emu.apiKey);
}, 20_000);

it('retries a GET through 502s and a 429 with an HTTP-date retry-after', async () => {
	setTransportRandom(() => 0);
	emu.injectFault({ pathPattern: 'segments/', count: 2, kind: '502' });
	emu.injectFault({ pathPattern: 'segments/', count: 1, kind: '429-date', retryAfterSeconds: 1 });
	const time = virtualTime();
	const { ctx } = realContext();
	const result = await time.run(userComApiRequest.call(ctx, { method: 'GET', path: 'segments' }));
	expect(result).toHaveProperty('results');
	expect(emu.requestLog.map((r) => r.status)).toEqual([502, 502, 429, 200]);
}, 20_000);

it('does not retry a create after a reset connection and says the write may have happened', async () => {
	setTransportRandom(() => 0);
	emu.injectFault({ pathPattern: 'users/', method: 'POST', count: 1, kind: 'reset' });
	const { ctx } = realContext();
	const error = await userComApiRequest
		.call(ctx, { method: 'POST', path: 'users', body: { email: 'a@example.com' } })
		.catch((e: unknown) => e);
	expect(error).toBeInstanceOf(NodeApiError);
	expect(userCom(error)).toMatchObject({ category: 'network', httpCode: null, attempts: 1 });
	expect((error as NodeApiError).description).toContain('The write may have happened');
	expect(emu.requestLog).toHaveLength(1);
});

it('turns an HTML error page into one line', async () => {
	setTransportRandom(() => 0);
	emu.injectFault({ pathPattern: 'users/', method: 'POST', count: 1, kind: 'html', status: 500 });
	const { ctx } = realContext();
	const error = await userComApiRequest
		.call(ctx, { method: 'POST', path: 'users', body: { email: 'b@example.com' } })
		.catch((e: unknown) => e);
	expect((error as NodeApiError).message).toBe('HTTP 500 (non-JSON response): Server Error (500)');
	expect((error as NodeApiError).httpCode).toBe('500');
});

it('reports User.com validation and not-found errors in its own words', async () => {
	const { ctx } = realContext();
	const notFound = await userComApiRequest
		.call(ctx, { method: 'GET', path: 'users-by-id/nobody' })
		.catch((e: unknown) => e);
	expect(userCom(notFound)).toMatchObject({ httpCode: 404, category: 'not_found' });
	const invalid = await userComApiRequest
		.call(ctx, { method: 'POST', path: 'events', body: { user_id: 999999, name: '' } })
		.catch((e: unknown) => e);
	expect(userCom(invalid)).toMatchObject({ httpCode: 400, category: 'validation' });
	expect(Object.keys(userCom(invalid).fields).length).toBeGreaterThan(0);
});

it("follows the emulator's next links", async () => {
	emu.seed({ tags: Array.from({ length: 130 }, (_, i) => ({ name: `tag-${i}` })) } as never);
	const { ctx } = realContext();
	const tags = await userComApiRequestAllItems.call(ctx, { method: 'GET', path: 'tags' });
	expect(tags.length).toBeGreaterThanOrEqual(130);
	const limited = await userComApiRequestAllItems.call(ctx, { method: 'GET', path: 'tags' }, 5);
	expect(limited).toHaveLength(5);
});

it('retries a refused connection, then fails with a network error', async () => {
	setTransportRandom(() => 0);
	const server: Server = createServer();
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
	const port = (server.address() as AddressInfo).port;
	await new Promise<void>((r) => server.close(() => r()));
	const time = virtualTime();
	const { ctx } = realContext({ subdomain: `http://127.0.0.1:${port}` });
	const error = await time.run(
		userComApiRequest
			.call(ctx, { method: 'POST', path: 'users', body: {} })
			.catch((e: unknown) => e),
	);
	expect((error as NodeApiError).message).toBe(
		'Could not reach User.com: the connection was refused',
	);
	expect(userCom(error)).toMatchObject({ category: 'network', attempts: 5 });
});

it('times out a hanging request (Request Options → Timeout) without retrying a create', async () => {
	emu.injectFault({
		pathPattern: 'users/',
		method: 'POST',
		count: 1,
		kind: 'delay',
		delayMs: 3000,
		processed: false,
	});
	const { ctx } = realContext({ requestOptions: { timeoutSeconds: 1 } });
	const error = await userComApiRequest
		.call(ctx, { method: 'POST', path: 'users', body: { email: 'c@example.com' } })
		.catch((e: unknown) => e);
	expect((error as NodeApiError).message).toBe('Could not reach User.com: the request timed out');
	expect((error as NodeApiError).description).toContain('The write may have happened');
}, 10_000);

it('drops a request waiting out a 429 as soon as the execution is stopped', async () => {
	emu.injectFault({ pathPattern: 'segments/', count: 1, kind: '429', retryAfterSeconds: 30 });
	const controller = new AbortController();
	const { ctx } = realContext({ signal: controller.signal });
	// the transport waits on a virtual clock that never moves: only the cancel can end the wait
	const clock = new FakeClock();
	setTransportClock(clock);
	const pending = userComApiRequest
		.call(ctx, { method: 'GET', path: 'segments' })
		.catch((e: unknown) => e);
	// the 429 is in and the account's pump sleeps until the end of the 30 s pause
	while (!executionStatsOf(ctx)?.rateLimited || clock.pendingTimers === 0)
		await new Promise((r) => setTimeout(r, 10));
	const t0 = clock.now();
	controller.abort();
	const error = await pending;
	expect(clock.now()).toBe(t0);
	expect((error as Error).message).toBe('Execution was cancelled');
	expect(emu.requestLog).toHaveLength(1);
});
