/**
 * Scenario 7 worker, run in its own process with --expose-gc (the emulator runs in another process, so
 * process.cpuUsage() here is the client side only).
 *
 *   mode=cpu:  N sequential requests through a bare loop (the same HTTP function the fake n8n helper
 *              uses) and N through userComApiRequest (dispatcher, retry classification, error handling,
 *              logging hooks), alternating twice; CPU µs per request of each.
 *   mode=heap: Q calls of userComApiRequest queued behind a 0.1 req/s limit; heap growth per queued
 *              request after global.gc(); then the execution is cancelled and every call must settle.
 * Prints one JSON line.
 */
import axios from 'axios';
import * as http from 'node:http';
import { userComApiRequest } from '../../nodes/UserCom/transport';
import { AccountDispatcher } from '../../nodes/UserCom/transport/dispatcher';

const mode = process.env.OVERHEAD_MODE ?? 'cpu';
const baseOrigin = process.env.OVERHEAD_URL!; // http://127.0.0.1:PORT
const apiKey = process.env.OVERHEAD_KEY!;
const n = Number(process.env.OVERHEAD_N ?? '5000');

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const client = axios.create({ httpAgent: agent, validateStatus: () => true, maxRedirects: 0 });

/** What n8n's httpRequestWithAuthentication boils down to for this credential: header + axios. */
async function request(
	options: any,
): Promise<{ body: unknown; headers: Record<string, unknown>; statusCode: number }> {
	const res = await client.request({
		method: options.method,
		url: options.url,
		params: options.qs,
		data: options.body,
		headers: {
			...(options.headers ?? {}),
			Authorization: `Token ${apiKey}`,
			Accept: '*/*; version=2',
		},
		timeout: options.timeout,
	});
	return {
		body: res.data,
		headers: res.headers as Record<string, unknown>,
		statusCode: res.status,
	};
}

function fakeContext(executionId: string, rateLimit: number, signal?: AbortSignal): any {
	const node = {
		id: 'bench-node',
		name: 'User.com',
		type: 'n8n-nodes-usercom.userCom',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};
	return {
		getNode: () => node,
		getExecutionId: () => executionId,
		getExecutionCancelSignal: () => signal,
		getCredentials: async () => ({ subdomain: baseOrigin, apiKey, rateLimit, limitShare: 100 }),
		helpers: {
			httpRequestWithAuthentication: async function (_type: string, options: any) {
				return request(options);
			},
		},
		logger: {
			debug: () => undefined,
			info: () => undefined,
			warn: () => undefined,
			error: () => undefined,
		},
	};
}

const gc = (global as any).gc as (() => void) | undefined;

function cpuUs(): number {
	const u = process.cpuUsage();
	return u.user + u.system;
}

async function bare(count: number, tag: string): Promise<number> {
	const url = `${baseOrigin}/api/public/users/update_or_create/`;
	const c0 = cpuUs();
	for (let i = 0; i < count; i++) {
		const r = await request({
			method: 'POST',
			url,
			body: { custom_id: `${tag}-${i}` },
			timeout: 30000,
		});
		if (r.statusCode !== 200 && r.statusCode !== 201) throw new Error(`bare: HTTP ${r.statusCode}`);
	}
	return cpuUs() - c0;
}

async function ours(count: number, tag: string, ctx: any): Promise<number> {
	const c0 = cpuUs();
	for (let i = 0; i < count; i++) {
		await userComApiRequest.call(ctx, {
			method: 'POST',
			path: 'users/update_or_create/',
			body: { custom_id: `${tag}-${i}` },
			itemIndex: i,
		});
	}
	return cpuUs() - c0;
}

async function cpuMode(): Promise<void> {
	const ctx = fakeContext('bench-overhead', 1000);
	// warm-up (JIT, sockets)
	await bare(200, 'warm-bare');
	await ours(200, 'warm-ours', ctx);
	const bareUs: number[] = [];
	const oursUs: number[] = [];
	const wall: number[] = [];
	for (let round = 0; round < 2; round++) {
		gc?.();
		let t = Date.now();
		bareUs.push(await bare(n, `bare${round}`));
		wall.push(Date.now() - t);
		gc?.();
		t = Date.now();
		oursUs.push(await ours(n, `ours${round}`, ctx));
		wall.push(Date.now() - t);
	}
	const bareMean = bareUs.reduce((a, b) => a + b, 0) / (2 * n);
	const oursMean = oursUs.reduce((a, b) => a + b, 0) / (2 * n);
	process.stdout.write(
		JSON.stringify({
			mode: 'cpu',
			n,
			rounds: 2,
			bareUsPerRequest: bareMean,
			oursUsPerRequest: oursMean,
			addedUsPerRequest: oursMean - bareMean,
			ratio: oursMean / bareMean,
			rawBareUs: bareUs,
			rawOursUs: oursUs,
			wallMs: wall,
		}) + '\n',
	);
}

async function heapMode(): Promise<void> {
	if (!gc) throw new Error('run with --expose-gc');
	const q = n;
	const abort = new AbortController();
	const ctx = fakeContext('bench-heap', 0.1, abort.signal);
	// one request first so the account, dispatcher and sockets exist before the baseline
	await userComApiRequest.call(ctx, {
		method: 'POST',
		path: 'users/update_or_create/',
		body: { custom_id: 'heap-warm' },
		itemIndex: 0,
	});
	const bodies = Array.from({ length: q }, (_, i) => ({ custom_id: `heap-${i}` }));
	const settled: Array<Promise<unknown>> = new Array(q);
	gc();
	gc();
	const h0 = process.memoryUsage().heapUsed;
	for (let i = 0; i < q; i++) {
		// only the promise the transport returns is kept: nothing of the bench's own per call
		settled[i] = userComApiRequest.call(ctx, {
			method: 'POST',
			path: 'users/update_or_create/',
			body: bodies[i],
			itemIndex: i,
		});
	}
	// let every call reach the dispatcher's queue
	for (let k = 0; k < 5; k++) await new Promise((r) => setImmediate(r));
	gc();
	gc();
	const h1 = process.memoryUsage().heapUsed;
	abort.abort();
	// handlers attached synchronously after abort(): the rejections are delivered to them
	let outcomes: Array<PromiseSettledResult<unknown>> | null = await Promise.allSettled(settled);
	const cancelled = outcomes.filter(
		(o) => o.status === 'rejected' && /cancel/i.test(String((o.reason as Error)?.message)),
	).length;
	const sentOk = outcomes.filter((o) => o.status === 'fulfilled').length;
	// release the first phase before the second baseline, or its garbage is counted as negative growth
	outcomes = null;
	settled.fill(undefined as unknown as Promise<unknown>);
	bodies.length = 0;
	// the dispatcher's own share: the same number of bare acquire() calls on a separate dispatcher
	const d = new AccountDispatcher('bench-heap-only', { rateLimit: 0.1, sharePercent: 100 });
	const ab2 = new AbortController();
	await d.acquire('x', { signal: ab2.signal, deadline: Date.now() + 3_600_000 });
	const pend: Array<Promise<unknown>> = new Array(q);
	gc();
	gc();
	const d0 = process.memoryUsage().heapUsed;
	for (let i = 0; i < q; i++)
		pend[i] = d.acquire('x', { signal: ab2.signal, deadline: Date.now() + 3_600_000 });
	for (let k = 0; k < 5; k++) await new Promise((r) => setImmediate(r));
	gc();
	gc();
	const d1 = process.memoryUsage().heapUsed;
	ab2.abort();
	await Promise.allSettled(pend);
	process.stdout.write(
		JSON.stringify({
			mode: 'heap',
			queued: q,
			heapBefore: h0,
			heapAfter: h1,
			bytesPerQueued: (h1 - h0) / q,
			dispatcherOnlyBytesPerQueued: (d1 - d0) / q,
			cancelled,
			sentOk,
		}) + '\n',
	);
}

(mode === 'heap' ? heapMode() : cpuMode())
	.then(() => {
		agent.destroy();
		process.exit(0);
	})
	.catch((e) => {
		process.stderr.write(String(e && e.stack ? e.stack : e) + '\n');
		process.exit(1);
	});
