/**
 * Security: the API key never leaves for anyone but User.com's own origin, and never shows up in
 * outputs, errors (including causes and stacks), logs, hints or snapshots; non-loopback http base
 * URLs are refused; the trigger rejects calls without its secret and compares it in constant time;
 * the published package has no runtime dependencies to audit.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

import type {
	IDataObject,
	INodeParameterResourceLocator,
	INodeParameters,
	IWebhookResponseData,
} from 'n8n-workflow';

import { startEmulator, type Emulator } from '../emulator';
import {
	completeCredentials,
	resolveCredentialExpression,
	runLoadOptions,
	runNode,
} from '../harness';
import { fakeWebhookContext, SAMPLE_CALL, SECRET } from '../trigger/fakeWebhook';
import { UserComApi } from '../../credentials/UserComApi.credentials';
import { UserComTrigger } from '../../nodes/UserComTrigger/UserComTrigger.node';
import * as secretModule from '../../nodes/UserComTrigger/secret';
import {
	findSecret,
	keyNeedles,
	lostItems,
	record,
	runChecked,
	startProxy,
	startRecorder,
	type Proxy,
} from './helpers';
import {
	resetTransport,
	setTransportClock,
	setTransportRandom,
} from '../../nodes/UserCom/transport/testing';

const ROOT = path.resolve(__dirname, '../..');
const rl = (mode: string, value: unknown): INodeParameterResourceLocator => ({
	__rl: true,
	mode,
	value: value as string,
});

let emu: Emulator;
let other: Awaited<ReturnType<typeof startRecorder>>;

const SEED = {
	users: [
		{ custom_id: 'u-1', email: 'ann@example.com' },
		{ custom_id: 'u-2', email: 'bob@example.com' },
		{ custom_id: 'u-3', email: 'cid@example.com' },
	],
	products: [{ custom_id: 'SKU-1', name: 'Mug', price: 3 }],
};

beforeAll(async () => {
	setTransportClock();
	setTransportRandom(() => 0);
	emu = await startEmulator({ port: 0, rateLimit: 0, seed: SEED });
	other = await startRecorder();
});
afterAll(async () => {
	await other.close();
	await emu.close();
	setTransportRandom();
	resetTransport();
});
beforeEach(() => {
	emu.reset(SEED);
	other.calls.length = 0;
	resetTransport();
});

const creds = (extra: IDataObject = {}) => ({
	subdomain: emu.url,
	apiKey: emu.apiKey,
	rateLimit: 100,
	...extra,
});

describe('the key never appears in outputs, errors, logs or hints', () => {
	const OPERATIONS: Array<[string, INodeParameters]> = [
		[
			'user get',
			{ resource: 'user', operation: 'get', user: rl('customId', 'u-1'), simplify: false },
		],
		[
			'user get missing (404)',
			{ resource: 'user', operation: 'get', user: rl('customId', 'nobody') },
		],
		['user getAll', { resource: 'user', operation: 'getAll', returnAll: true }],
		[
			'user upsert',
			{
				resource: 'user',
				operation: 'upsert',
				customId: 'sec-1',
				additionalFields: { email: 'sec@example.com' },
			},
		],
		[
			'user addTag',
			{ resource: 'user', operation: 'addTag', user: rl('customId', 'u-1'), tagName: 'vip' },
		],
		[
			'event create',
			{ resource: 'event', operation: 'create', user: rl('customId', 'u-1'), eventName: 'sec' },
		],
		[
			'event for a missing user (404)',
			{ resource: 'event', operation: 'create', user: rl('customId', 'ghost'), eventName: 'sec' },
		],
		[
			'deal create with bad user (400)',
			{
				resource: 'deal',
				operation: 'create',
				name: 'D',
				additionalFields: { userCustomId: 'ghost' },
			},
		],
		['deal upsert', { resource: 'deal', operation: 'upsert', customId: 'ORD-S', name: 'S' }],
		['product get', { resource: 'product', operation: 'get', product: rl('customId', 'SKU-1') }],
		[
			'product event',
			{
				resource: 'product',
				operation: 'createEvent',
				product: rl('customId', 'SKU-1'),
				user: rl('customId', 'u-1'),
				eventType: 'view',
			},
		],
		[
			'import users',
			{
				resource: 'import',
				operation: 'importUsers',
				mappingMode: 'autoMapAll',
				waitForCompletion: false,
			},
		],
	];
	test.each(OPERATIONS)('%s: with and without continue-on-fail', async (_name, params) => {
		let leaks = 0;
		let success = 0;
		for (const continueOnFail of [true, false]) {
			emu.reset(SEED);
			resetTransport();
			const run = await runChecked(params, [{ email: 'row@example.com', custom_id: 'row-1' }], {
				credentials: creds(),
				continueOnFail,
			});
			expect(run.leaks).toEqual([]);
			leaks += run.leaks.length;
			if (run.result && run.result.errorItems.length === 0) success++;
			// Get Many gives one item per record; every other operation exactly one per input item
			if (run.result && params.operation !== 'getAll')
				expect(lostItems(1, run.result.items)).toBe(0);
		}
		record({
			section: 'security',
			name: `no key in results: ${_name}`,
			sent: 2,
			success,
			error: 2 - success,
			leaks,
		});
	});

	test.each([
		['wrong key (401)', () => ({ credentials: creds({ apiKey: 'w'.repeat(64) }) }), 'w'.repeat(64)],
		[
			'server error 500 on a read',
			() => {
				emu.injectFault({ pathPattern: 'users-by-id/*', count: 10, kind: '500' });
				return { credentials: creds() };
			},
			undefined,
		],
		[
			'HTML error page',
			() => {
				emu.injectFault({ pathPattern: 'users-by-id/*', count: 10, kind: 'html', status: 502 });
				return { credentials: creds() };
			},
			undefined,
		],
		[
			'connection reset',
			() => {
				emu.injectFault({ pathPattern: 'users-by-id/*', count: 10, kind: 'reset' });
				return { credentials: creds() };
			},
			undefined,
		],
		[
			'connection refused (nothing listening)',
			() => ({ credentials: creds({ subdomain: 'http://127.0.0.1:9' }) }),
			undefined,
		],
		[
			'timeout',
			() => {
				emu.injectFault({ pathPattern: 'users-by-id/*', count: 10, kind: 'delay', delayMs: 1500 });
				return { credentials: creds() };
			},
			undefined,
		],
	] as Array<[string, () => { credentials: ReturnType<typeof creds> }, string | undefined]>)(
		'thrown error on %s carries no key (message, description, cause, stack, context)',
		async (_name, setup, otherKey) => {
			const options = setup();
			const params: INodeParameters = {
				resource: 'user',
				operation: 'get',
				user: rl('customId', 'u-1'),
				requestOptions: { timeoutSeconds: 1, maxWaitSeconds: 3 },
			};
			let thrown: unknown;
			let logs: unknown[] = [];
			try {
				const result = await runNode(params, [{}], { ...options, continueOnFail: false });
				logs = result.logs;
			} catch (error) {
				thrown = error;
			}
			expect(thrown).toBeDefined();
			const needles = [...keyNeedles(emu.apiKey), ...(otherKey ? keyNeedles(otherKey) : [])];
			const hits = findSecret({ thrown, logs }, needles, 'error');
			record({
				section: 'security',
				name: `no key in thrown error: ${_name}`,
				sent: 1,
				error: 1,
				leaks: hits.length,
			});
			expect(hits).toEqual([]);
		},
	);

	test('no jest snapshot in the repository contains the emulator key or a Token header', () => {
		const snaps: string[] = [];
		const walk = (dir: string) => {
			for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
				if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
				const full = path.join(dir, entry.name);
				if (entry.isDirectory()) walk(full);
				else if (entry.name.endsWith('.snap')) snaps.push(full);
			}
		};
		walk(path.join(ROOT, 'test'));
		const hits = snaps.filter((file) => {
			const text = fs.readFileSync(file, 'utf8');
			return (
				findSecret(text, keyNeedles(emu.apiKey)).length > 0 || /Token [A-Za-z0-9]{20,}/.test(text)
			);
		});
		record({
			section: 'security',
			name: `snapshots scanned (${snaps.length} files)`,
			leaks: hits.length,
		});
		expect(hits).toEqual([]);
	});
});

describe('the key only goes to the base URL origin', () => {
	let proxy: Proxy;
	afterEach(async () => {
		await proxy?.close();
	});

	const NEXT_TARGETS: Array<[string, () => string]> = [
		['another port on the same host', () => `${other.url}/api/public/users/?page=2`],
		[
			'another host name for the same machine',
			() => `${other.url.replace('127.0.0.1', 'localhost')}/api/public/users/?page=2`,
		],
		['a protocol-relative URL', () => `${other.url.replace('http:', '')}/api/public/users/?page=2`],
		[
			'user info in the URL',
			() => `http://x:y@${other.url.replace('http://', '')}/api/public/users/?page=2`,
		],
		[
			'https on another port',
			() => `${other.url.replace('http:', 'https:')}/api/public/users/?page=2`,
		],
	];
	test.each(NEXT_TARGETS)(
		'a `next` link to %s is not followed and gets no key',
		async (name, target) => {
			proxy = await startProxy(emu.url, (answer, req) => {
				if (req.method === 'GET' && /\/users\/(\?|$)/.test(req.url ?? '')) {
					const body = JSON.parse(answer.body.toString('utf8')) as IDataObject;
					body.next = target();
					answer.body = Buffer.from(JSON.stringify(body));
				}
				return answer;
			});
			const run = await runChecked(
				{ resource: 'user', operation: 'getAll', returnAll: true },
				[{}],
				{
					credentials: creds({ subdomain: proxy.url }),
					continueOnFail: true,
				},
			);
			const authorized = other.calls.filter((c) => c.headers.authorization !== undefined);
			record({
				section: 'security',
				name: `next link: ${name}`,
				sent: 1,
				error: run.result?.errorItems.length ?? 1,
				leaks: run.leaks.length + authorized.length,
			});
			expect(authorized).toEqual([]);
			expect(other.calls).toEqual([]);
			expect(run.leaks).toEqual([]);
			expect(run.result?.errorItems).toHaveLength(1);
			expect(String(run.result?.errorItems[0].json.message)).toContain(
				'Refused to follow a pagination link: ',
			);
		},
	);

	test('a dropdown (loadOptions, tags) does not follow a `next` link to another host', async () => {
		proxy = await startProxy(emu.url, (answer, req) => {
			if (req.method === 'GET' && /\/tags\/(\?|$)/.test(req.url ?? '')) {
				const body = JSON.parse(answer.body.toString('utf8')) as IDataObject;
				body.next = `${other.url}/api/public/tags/?page=2`;
				answer.body = Buffer.from(JSON.stringify(body));
			}
			return answer;
		});
		let thrown: unknown;
		try {
			await runLoadOptions('getTagNames', { credentials: creds({ subdomain: proxy.url }) });
		} catch (error) {
			thrown = error;
		}
		const leaks = findSecret(thrown, keyNeedles(emu.apiKey));
		record({
			section: 'security',
			name: 'next link in a dropdown (tags)',
			sent: 1,
			error: thrown ? 1 : 0,
			leaks: leaks.length + other.calls.length,
		});
		expect(other.calls).toEqual([]);
		expect(String((thrown as Error | undefined)?.message)).toContain(
			'Refused to follow a pagination link: ',
		);
		expect(leaks).toEqual([]);
	});

	test('a `next` link on the same origin is followed', async () => {
		proxy = await startProxy(emu.url, (answer, req) => {
			if (
				req.method === 'GET' &&
				/\/users\/(\?|$)/.test(req.url ?? '') &&
				!/[?&]page=/.test(req.url ?? '')
			) {
				const body = JSON.parse(answer.body.toString('utf8')) as IDataObject;
				body.next = `${proxy.url}/api/public/users/?page_size=1&page=2`;
				answer.body = Buffer.from(JSON.stringify(body));
			}
			return answer;
		});
		const run = await runNode({ resource: 'user', operation: 'getAll', returnAll: true }, [{}], {
			credentials: creds({ subdomain: proxy.url }),
		});
		expect(run.items.length).toBeGreaterThan(3);
		expect(emu.requestLog.filter((e) => e.query.page === '2').length).toBeGreaterThanOrEqual(1);
		expect(other.calls).toEqual([]);
	});

	test.each([
		[301, 'GET', { resource: 'user', operation: 'get', user: rl('customId', 'u-1') }],
		[302, 'GET', { resource: 'user', operation: 'get', user: rl('customId', 'u-1') }],
		[303, 'POST', { resource: 'user', operation: 'upsert', customId: 'r-1' }],
		[307, 'POST', { resource: 'deal', operation: 'create', name: 'R' }],
		[308, 'DELETE', { resource: 'user', operation: 'delete', user: rl('customId', 'u-1') }],
	] as Array<[number, string, INodeParameters]>)(
		'a %d redirect of a %s to another host is not followed and gets no key',
		async (status, method, params) => {
			proxy = await startProxy(emu.url, (answer, req) => {
				if (req.method === method) {
					return {
						status,
						headers: { location: `${other.url}${req.url ?? '/'}`, 'content-type': 'text/html' },
						body: Buffer.from('moved'),
					};
				}
				return answer;
			});
			const run = await runChecked(params, [{}], {
				credentials: creds({ subdomain: proxy.url }),
				continueOnFail: true,
			});
			record({
				section: 'security',
				name: `redirect ${status} ${method}`,
				sent: 1,
				error: run.result?.errorItems.length ?? 1,
				leaks: run.leaks.length + other.calls.length,
			});
			expect(other.calls).toEqual([]);
			expect(run.leaks).toEqual([]);
			expect(run.result?.errorItems).toHaveLength(1);
		},
	);
});

describe('credentials with a non-loopback http:// base URL are refused', () => {
	const HTTPS_ONLY =
		'The User.com base URL must use https (plain http is only allowed for localhost): ';
	const REFUSED: Array<[string, string]> = [
		['http://example.com', HTTPS_ONLY + 'http://example.com'],
		['http://acme.user.com', HTTPS_ONLY + 'http://acme.user.com'],
		['http://10.0.0.5:4010', HTTPS_ONLY + 'http://10.0.0.5:4010'],
		['http://192.168.1.20', HTTPS_ONLY + 'http://192.168.1.20'],
		['http://127.0.0.1.nip.io:4010', HTTPS_ONLY + 'http://127.0.0.1.nip.io:4010'],
		['http://localhost.example.com', HTTPS_ONLY + 'http://localhost.example.com'],
		['http://[::ffff:127.0.0.1]:4010', HTTPS_ONLY + 'http://[::ffff:7f00:1]:4010'],
		['ftp://acme.user.com', 'The User.com base URL must start with https:// (got ftp://)'],
		[
			'http://user:pass@127.0.0.1:4010',
			'The User.com base URL must not contain a user name or password',
		],
	];
	test.each(REFUSED)(
		'%s: no request, the error says why, no key in it',
		async (subdomain, message) => {
			const run = await runNode(
				{ resource: 'user', operation: 'get', user: rl('customId', 'u-1') },
				[{}, {}],
				{
					credentials: creds({ subdomain }),
					continueOnFail: true,
				},
			);
			const leaks = findSecret(run, keyNeedles(emu.apiKey));
			record({
				section: 'security',
				name: `refused base URL ${subdomain}`,
				sent: 2,
				error: run.errorItems.length,
				lost: lostItems(2, run.items),
				leaks: leaks.length,
			});
			expect(run.requests).toEqual([]);
			expect(run.errorItems).toHaveLength(2);
			expect(String(run.errorItems[0].json.message)).toBe(message);
			expect(leaks).toEqual([]);
		},
	);

	test('loopback http (the local emulator) is accepted', async () => {
		const run = await runNode(
			{ resource: 'user', operation: 'get', user: rl('customId', 'u-1') },
			[{}],
			{ credentials: creds() },
		);
		expect(run.successItems).toHaveLength(1);
	});

	test.each(
		REFUSED.map(([subdomain]) => subdomain).filter(
			(s) => s.startsWith('http://') && !s.includes('@'),
		),
	)("the credential's Test request does not send the key over plain http to %s", (subdomain) => {
		const credential = new UserComApi();
		const data = completeCredentials({ subdomain, apiKey: emu.apiKey });
		const url = String(resolveCredentialExpression(credential.test.request.baseURL, data));
		expect(url.startsWith('https://')).toBe(true);
	});
});

describe('User.com Trigger secret', () => {
	const node = new UserComTrigger();
	async function call(input: Parameters<typeof fakeWebhookContext>[0]) {
		const { context, response } = fakeWebhookContext(input);
		const result: IWebhookResponseData = await node.webhook.call(context);
		return { result, response };
	}

	const REJECTED: Array<[string, Parameters<typeof fakeWebhookContext>[0]]> = [
		['no secret at all', { body: SAMPLE_CALL }],
		['empty header', { headers: { 'x-usercom-secret': '' }, body: SAMPLE_CALL }],
		['empty query', { query: { secret: '' }, body: SAMPLE_CALL }],
		['wrong secret', { headers: { 'x-usercom-secret': 'nope' }, body: SAMPLE_CALL }],
		[
			'same length, last character differs',
			{ headers: { 'x-usercom-secret': SECRET.slice(0, -1) + '#' }, body: SAMPLE_CALL },
		],
		[
			'prefix of the secret',
			{ headers: { 'x-usercom-secret': SECRET.slice(0, 8) }, body: SAMPLE_CALL },
		],
		['secret plus a suffix', { query: { secret: SECRET + 'x' }, body: SAMPLE_CALL }],
		['secret with different case', { query: { secret: SECRET.toUpperCase() }, body: SAMPLE_CALL }],
		['secret repeated twice', { query: { secret: SECRET + SECRET }, body: SAMPLE_CALL }],
		[
			'wrong secret first in an array',
			{ headers: { 'x-usercom-secret': ['nope', SECRET] }, body: SAMPLE_CALL },
		],
		['secret in the body only', { body: { ...SAMPLE_CALL, secret: SECRET } }],
		[
			'no credential secret configured',
			{ secret: '', headers: { 'x-usercom-secret': '' }, body: SAMPLE_CALL },
		],
	];
	test.each(REJECTED)('rejects a call with %s: no execution', async (name, input) => {
		const { result, response } = await call(input);
		record({
			section: 'security',
			name: `trigger rejects: ${name}`,
			sent: 1,
			error: 1,
			leaks: findSecret(response, [SECRET]).length,
		});
		expect(result.workflowData).toBeUndefined();
		expect([401, 403, 500]).toContain(response.status);
		expect(findSecret(response, [SECRET])).toEqual([]);
	});

	test('accepts the right secret (header or query) and never outputs it', async () => {
		for (const input of [
			{ headers: { 'x-usercom-secret': SECRET }, body: SAMPLE_CALL },
			{ query: { secret: SECRET }, body: SAMPLE_CALL },
		]) {
			const { result } = await call(input);
			expect(result.workflowData?.[0]).toHaveLength(1);
			expect(findSecret(result, [SECRET])).toEqual([]);
		}
	});

	test('the webhook decides through the constant-time comparison', async () => {
		const spy = jest.spyOn(secretModule, 'secretsMatch');
		try {
			await call({ headers: { 'x-usercom-secret': 'wrong-one' }, body: SAMPLE_CALL });
			expect(spy).toHaveBeenCalledWith('wrong-one', SECRET);
			expect(spy.mock.results[0].value).toBe(false);
		} finally {
			spy.mockRestore();
		}
	});

	test('constant time: the work done does not depend on where (or whether) the values differ', () => {
		// Count every byte read of both buffers the comparison makes.
		const realFrom = Buffer.from;
		const reads: number[] = [];
		const countingFrom = ((...args: Parameters<typeof Buffer.from>) => {
			const buffer = (realFrom as (...a: unknown[]) => Buffer)(...args);
			const slot = reads.push(0) - 1;
			return new Proxy(buffer, {
				get(target, key) {
					if (typeof key === 'string' && /^\d+$/.test(key)) reads[slot]++;
					const value = Reflect.get(target, key) as unknown;
					return typeof value === 'function'
						? (value as (...a: unknown[]) => unknown).bind(target)
						: value;
				},
			});
		}) as typeof Buffer.from;
		const expected = 'k'.repeat(7) + 'correct-horse-battery-staple-42';
		const candidates = [
			expected, // equal
			'X' + expected.slice(1), // differs at the first byte
			expected.slice(0, -1) + 'X', // differs at the last byte
			expected.slice(0, 10), // a prefix
			expected + 'tail', // longer
			'a', // one byte
			'z'.repeat(expected.length), // all different
			'ü'.repeat(5), // multi-byte
		];
		const profile: Array<{
			candidate: string;
			result: boolean;
			providedReads: number;
			expectedReads: number;
		}> = [];
		Buffer.from = countingFrom;
		try {
			for (const candidate of candidates) {
				reads.length = 0;
				const result = secretModule.secretsMatch(candidate, expected);
				expect(reads).toHaveLength(2);
				profile.push({ candidate, result, providedReads: reads[0], expectedReads: reads[1] });
			}
		} finally {
			Buffer.from = realFrom;
		}
		expect(profile.map((p) => p.result)).toEqual([
			true,
			false,
			false,
			false,
			false,
			false,
			false,
			false,
		]);
		// every byte of the expected secret is visited, and exactly that many provided bytes are read
		for (const p of profile) {
			expect(p.expectedReads).toBe(expected.length);
			expect(p.providedReads).toBe(expected.length);
		}
		record({
			section: 'security',
			name: 'trigger secret compared in constant time (byte-read profile)',
			note: `every comparison read ${expected.length} + ${expected.length} bytes, whatever the input`,
		});
	});

	test('the comparison is exact (2,000 random pairs)', () => {
		let seed = 42;
		const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
		const alphabet = 'abcAB01-_.~ü€';
		const word = () =>
			Array.from(
				{ length: 1 + Math.floor(rand() * 20) },
				() => alphabet[Math.floor(rand() * alphabet.length)],
			).join('');
		for (let i = 0; i < 2000; i++) {
			const a = word();
			const b = rand() < 0.3 ? a : word();
			expect(secretModule.secretsMatch(a, b)).toBe(a === b);
		}
		expect(secretModule.secretsMatch('', '')).toBe(false);
		expect(secretModule.secretsMatch(undefined, SECRET)).toBe(false);
	});
});

describe('dependencies', () => {
	test('the published package has no runtime dependencies; npm audit --omit=dev', async () => {
		const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as IDataObject;
		expect(pkg.dependencies ?? {}).toEqual({});
		const audit = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
			(resolve) => {
				execFile(
					'npm',
					['audit', '--omit=dev', '--json'],
					{
						cwd: ROOT,
						timeout: 45000,
						env: { ...process.env, npm_config_fund: 'false', npm_config_update_notifier: 'false' },
					},
					(error, stdout, stderr) =>
						resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
				);
			},
		);
		let note: string;
		let vulnerabilities: number | undefined;
		try {
			const report = JSON.parse(audit.stdout) as {
				metadata?: { vulnerabilities?: Record<string, number> };
				error?: { summary?: string };
			};
			if (report.metadata?.vulnerabilities) {
				vulnerabilities = Object.values(report.metadata.vulnerabilities).reduce((a, n) => a + n, 0);
				note = `npm audit --omit=dev: ${vulnerabilities} vulnerabilities (exit ${audit.code})`;
			} else {
				note = `npm audit --omit=dev could not run here (${report.error?.summary ?? audit.stderr.split('\n')[0] ?? 'no answer'}); package.json has no "dependencies"`;
			}
		} catch {
			note = `npm audit --omit=dev gave no report here (${(audit.stderr || audit.stdout).split('\n')[0].slice(0, 160)}); package.json has no "dependencies"`;
		}
		record({ section: 'security', name: 'npm audit --omit=dev', note });
		if (vulnerabilities !== undefined) expect(vulnerabilities).toBe(0);
	}, 60000);
});
