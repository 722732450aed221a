/** The harness itself behaves like n8n's request helper, and cancellation reaches the transport. */
import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { applyAuthentication, completeCredentials, runNode } from '../harness';
import { UserCom } from '../../nodes/UserCom/UserCom.node';
import { startEnv, type TestEnv } from './helpers';

let env: TestEnv;
beforeAll(async () => {
	env = await startEnv();
});
afterAll(async () => {
	await env.emu.close();
});

/** A node whose execute() hands the raw context to the test. */
function probeNode(probe: (ctx: IExecuteFunctions) => Promise<void>): UserCom {
	const node = new UserCom();
	node.execute = async function (this: IExecuteFunctions) {
		await probe(this);
		return [[{ json: {}, pairedItem: { item: 0 } }]];
	};
	return node;
}

describe('harness', () => {
	test('credentials get the credential defaults; authenticate injects Token and Accept headers', () => {
		const creds = completeCredentials({ subdomain: 'acme', apiKey: 'k'.repeat(64) });
		expect(creds).toMatchObject({ rateLimit: 10, limitShare: 100 });
		const out = applyAuthentication({ url: 'https://x/', headers: { 'X-A': '1' } }, creds);
		expect(out.headers).toEqual({
			'X-A': '1',
			Authorization: `Token ${'k'.repeat(64)}`,
			Accept: '*/*; version=2',
		});
	});

	test('httpRequestWithAuthentication: returnFullResponse + ignoreHttpStatusErrors, else NodeApiError', async () => {
		let full: unknown;
		let thrown: unknown;
		await runNode({}, [{}], {
			...env.opts(),
			nodeType: probeNode(async (ctx) => {
				full = await ctx.helpers.httpRequestWithAuthentication.call(ctx, 'userComApi', {
					url: `${env.emu.baseUrl}users/999/`,
					method: 'GET',
					returnFullResponse: true,
					ignoreHttpStatusErrors: true,
					json: true,
				});
				try {
					await ctx.helpers.httpRequestWithAuthentication.call(ctx, 'userComApi', {
						url: `${env.emu.baseUrl}users/999/`,
						method: 'GET',
					});
				} catch (error) {
					thrown = error;
				}
			}),
		});
		expect(full).toMatchObject({ statusCode: 404, body: { detail: 'Not found.' } });
		expect((full as { headers: Record<string, string> }).headers['content-type']).toContain(
			'application/json',
		);
		expect(thrown).toBeInstanceOf(NodeApiError);
		expect(
			env.emu.requestLog.slice(-2).every((e) => e.key === env.emu.fingerprint(env.emu.apiKey)),
		).toBe(true);
	});

	test('getNodeParameter: defaults from the description, dot paths, fallbacks, extractValue', async () => {
		const seen: Record<string, unknown> = {};
		await runNode(
			{
				resource: 'deal',
				operation: 'get',
				deal: { __rl: true, mode: 'customId', value: 'D-9' },
				requestOptions: { timeoutSeconds: 5 },
			},
			[{}],
			{
				...env.opts(),
				nodeType: probeNode(async (ctx) => {
					seen.simplify = ctx.getNodeParameter('simplify', 0);
					seen.timeout = ctx.getNodeParameter('requestOptions.timeoutSeconds', 0);
					seen.fallback = ctx.getNodeParameter('requestOptions.maxWaitSeconds', 0, 300);
					seen.extracted = ctx.getNodeParameter('deal', 0, undefined, { extractValue: true });
					expect(() => ctx.getNodeParameter('nope', 0)).toThrow('Could not get parameter');
				}),
			},
		);
		expect(seen).toEqual({ simplify: true, timeout: 5, fallback: 300, extracted: 'D-9' });
	});

	test('a stopped execution stops sending: it does not wait for its next slot', async () => {
		// its own emulator, so its own account and throttle whatever ran before; at 0.1 requests/s the
		// first request goes at once and the next one would wait 10 s
		const own = await startEnv();
		try {
			const controller = new AbortController();
			const running = runNode(
				{
					resource: 'user',
					operation: 'get',
					user: { __rl: true, mode: 'customId', value: 'u-1' },
				},
				Array.from({ length: 30 }, () => ({})),
				{
					credentials: { ...own.creds, rateLimit: 0.1 },
					cancelSignal: controller.signal,
					continueOnFail: true,
				},
			).then(
				(r) => ({ items: r.items.length, errors: r.errorItems.length }),
				(error: Error) => ({ error: error.message }),
			);
			while (own.emu.requestLog.length === 0)
				await new Promise((resolve) => setTimeout(resolve, 10));
			const abortedAt = Date.now();
			controller.abort();
			const outcome = await running;
			expect(outcome).toEqual({ error: 'The execution was stopped' });
			expect(own.emu.requestLog).toHaveLength(1);
			// far below the 10 s the second item would wait for its slot (the margin absorbs a busy machine)
			expect(Date.now() - abortedAt).toBeLessThan(5000);
		} finally {
			await own.emu.close();
		}
	});
});
