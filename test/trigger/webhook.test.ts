import type {
	ICredentialTestFunctions,
	ICredentialsDecrypted,
	IWebhookResponseData,
} from 'n8n-workflow';

import { UserComTrigger } from '../../nodes/UserComTrigger/UserComTrigger.node';
import { secretsMatch } from '../../nodes/UserComTrigger/secret';
import { fakeWebhookContext, SAMPLE_CALL, SECRET, type FakeCall } from './fakeWebhook';

const node = new UserComTrigger();

async function call(input: FakeCall) {
	const { context, response } = fakeWebhookContext(input);
	const result: IWebhookResponseData = await node.webhook.call(context);
	return {
		result,
		response,
		body: response.body ? (JSON.parse(response.body) as Record<string, string>) : undefined,
	};
}

describe('User.com Trigger webhook()', () => {
	describe('authentication', () => {
		it('accepts a good call with the secret in the header and outputs the body as sent', async () => {
			const { result, response } = await call({
				headers: { 'x-usercom-secret': SECRET },
				body: SAMPLE_CALL,
			});
			expect(response.ended).toBe(false);
			expect(result.noWebhookResponse).toBeUndefined();
			expect(result.workflowData).toEqual([[{ json: SAMPLE_CALL }]]);
			expect(result.webhookResponse).toEqual({ received: true });
		});

		it('accepts the secret as ?secret= query parameter', async () => {
			const { result } = await call({ query: { secret: SECRET }, body: SAMPLE_CALL });
			expect(result.workflowData?.[0][0].json.user).toEqual(SAMPLE_CALL.user);
		});

		it('rejects a wrong secret with 401 and starts no execution', async () => {
			const { result, response, body } = await call({
				headers: { 'x-usercom-secret': SECRET + 'x' },
				body: SAMPLE_CALL,
			});
			expect(response.status).toBe(401);
			expect(body?.message).toBe('Wrong secret.');
			expect(result).toEqual({ noWebhookResponse: true });
			expect(result.workflowData).toBeUndefined();
		});

		it('rejects a wrong secret of the same length (no prefix match)', async () => {
			const wrong = SECRET.slice(0, -1) + (SECRET.endsWith('2') ? '3' : '2');
			const { response, result } = await call({ query: { secret: wrong }, body: SAMPLE_CALL });
			expect(response.status).toBe(401);
			expect(result.workflowData).toBeUndefined();
		});

		it('rejects a missing secret with 401 and says where to put it', async () => {
			const { result, response, body } = await call({ body: SAMPLE_CALL });
			expect(response.status).toBe(401);
			expect(body?.message).toMatch(/x-usercom-secret/);
			expect(body?.message).toMatch(/\?secret=/);
			expect(result.workflowData).toBeUndefined();
		});

		it('rejects an empty secret value', async () => {
			const { response } = await call({
				headers: { 'x-usercom-secret': '' },
				query: { secret: '' },
				body: SAMPLE_CALL,
			});
			expect(response.status).toBe(401);
		});

		it('does not look at the body before the secret matched (malformed body + wrong secret -> 401)', async () => {
			const { response } = await call({
				query: { secret: 'nope' },
				body: 'garbage',
				rawBody: 'garbage',
			});
			expect(response.status).toBe(401);
		});

		it('answers 500 with a clear message when no credential is selected', async () => {
			const { response, body, result } = await call({
				secret: null,
				query: { secret: SECRET },
				body: SAMPLE_CALL,
			});
			expect(response.status).toBe(500);
			expect(body?.message).toMatch(/no secret/);
			expect(result.workflowData).toBeUndefined();
		});

		it('never echoes the secret in a rejection', async () => {
			const { response } = await call({ query: { secret: 'wrong-guess' }, body: SAMPLE_CALL });
			expect(response.body).not.toContain(SECRET);
			expect(response.body).not.toContain('wrong-guess');
		});
	});

	describe('malformed bodies -> 400, never a crash', () => {
		const auth = { headers: { 'x-usercom-secret': SECRET } };
		it.each([
			['an array', [SAMPLE_CALL], /array, not a JSON object/],
			['a JSON string', '"hello"', /string, not a JSON object/],
			['invalid JSON text', '{"path": 6,', /not valid JSON/],
			['an empty body', '', /body is empty/],
			['user as a string', { ...SAMPLE_CALL, user: 'john' }, /"user" is a string/],
			['extra as a number', { ...SAMPLE_CALL, extra: 5 }, /"extra" is a number/],
			[
				'extra as non-JSON text',
				{ ...SAMPLE_CALL, extra: 'event=deal_won' },
				/"extra" must be a JSON object/,
			],
			['path as an object', { ...SAMPLE_CALL, path: { id: 1 } }, /"path" is a object/],
			['timestamp as a boolean', { ...SAMPLE_CALL, timestamp: true }, /"timestamp" is a boolean/],
			['no user', { path: 6, extra: {} }, /no "user" object/],
		])('%s', async (_label, payload, message) => {
			const input: FakeCall =
				typeof payload === 'string'
					? { ...auth, body: {}, rawBody: Buffer.from(payload) }
					: { ...auth, body: payload };
			const { response, body, result } = await call(input);
			expect(response.status).toBe(400);
			expect(body?.error).toBe('Bad Request');
			expect(body?.message).toMatch(message);
			expect(result).toEqual({ noWebhookResponse: true });
		});

		it('parses a JSON body sent without Content-Type: application/json (raw body only)', async () => {
			const { result } = await call({
				...auth,
				body: {},
				rawBody: Buffer.from(JSON.stringify(SAMPLE_CALL)),
			});
			expect(result.workflowData?.[0][0].json).toEqual(SAMPLE_CALL);
		});

		it('accepts extra sent as JSON text', async () => {
			const { result } = await call({
				...auth,
				body: { ...SAMPLE_CALL, extra: '{"event":"deal_won"}' },
				parameters: { output: 'simplified' },
			});
			expect(result.workflowData?.[0][0].json.event).toBe('deal_won');
		});

		it('accepts a call without user when Require User is off', async () => {
			const { result } = await call({
				...auth,
				body: { path: 6, extra: { event: 'x' } },
				parameters: { options: { requireUser: false } },
			});
			expect(result.workflowData?.[0][0].json).toEqual({ path: 6, extra: { event: 'x' } });
		});
	});

	describe('event filter', () => {
		const auth = { query: { secret: SECRET } };
		it('runs for a listed event (case-insensitive, trimmed list)', async () => {
			const { result } = await call({
				...auth,
				body: SAMPLE_CALL,
				parameters: { options: { events: ' Deal_Won , deal_lost' } },
			});
			expect(result.workflowData).toHaveLength(1);
		});

		it('answers 200 {ignored: true} and starts no execution for another event', async () => {
			const { result, response } = await call({
				...auth,
				body: { ...SAMPLE_CALL, extra: { event: 'newsletter' } },
				parameters: { options: { events: 'deal_won' } },
			});
			expect(response.ended).toBe(false); // n8n answers with webhookResponse (HTTP 200)
			expect(result.workflowData).toBeUndefined();
			expect(result.webhookResponse).toMatchObject({ ignored: true });
			expect(result.webhookResponse.reason).toMatch(/newsletter/);
		});

		it('ignores a call without an event label when a list is set', async () => {
			const { result } = await call({
				...auth,
				body: { ...SAMPLE_CALL, extra: {} },
				parameters: { options: { events: 'deal_won' } },
			});
			expect(result.webhookResponse).toMatchObject({ ignored: true });
			expect(result.workflowData).toBeUndefined();
		});

		it('uses a custom event field', async () => {
			const body = { ...SAMPLE_CALL, extra: { type: 'deal_won', event: 'other' } };
			const run = await call({
				...auth,
				body,
				parameters: { options: { events: 'deal_won', eventField: 'type' } },
			});
			expect(run.result.workflowData).toHaveLength(1);
			const skip = await call({ ...auth, body, parameters: { options: { events: 'deal_won' } } });
			expect(skip.result.workflowData).toBeUndefined();
		});
	});

	describe('output', () => {
		const auth = { headers: { 'x-usercom-secret': [SECRET] } };
		it('simplified output has flat user fields and the event', async () => {
			const { result } = await call({
				...auth,
				body: SAMPLE_CALL,
				parameters: { output: 'simplified' },
			});
			expect(result.workflowData?.[0][0].json).toEqual({
				event: 'deal_won',
				automationPath: 6,
				timestamp: SAMPLE_CALL.timestamp,
				userId: 7,
				userKey: 'x7NM5xw2eFxl',
				customId: 'cust-7',
				email: 'johndoe@example.org',
				name: 'John Doe',
				firstName: 'John',
				lastName: 'Doe',
				phoneNumber: null,
				status: 'visitor',
				extra: SAMPLE_CALL.extra,
			});
		});

		it('adds the raw body text when asked', async () => {
			const raw = JSON.stringify(SAMPLE_CALL, null, 2);
			const { result } = await call({
				...auth,
				body: SAMPLE_CALL,
				rawBody: Buffer.from(raw),
				parameters: { options: { includeRawBody: true } },
			});
			expect(result.workflowData?.[0][0].json.rawBody).toBe(raw);
			expect(result.workflowData?.[0][0].json.user).toEqual(SAMPLE_CALL.user);
		});

		it('does not put the secret or query into the output', async () => {
			const { result } = await call({
				query: { secret: SECRET },
				body: SAMPLE_CALL,
				parameters: { options: { includeRawBody: true } },
			});
			expect(JSON.stringify(result.workflowData)).not.toContain(SECRET);
		});
	});
});

describe('secretsMatch', () => {
	it.each([
		['abc', 'abc', true],
		['abd', 'abc', false],
		['ab', 'abc', false],
		['abcabc', 'abc', false],
		['', 'abc', false],
		[undefined, 'abc', false],
		['abc', '', false],
		['\u0000', '\u0000', true],
		['', '\u0000', false],
		['żółw-ñ', 'żółw-ñ', true],
	])('%j vs %j -> %s', (provided, expected, match) => {
		expect(secretsMatch(provided as string | undefined, expected)).toBe(match);
	});
});

describe('credential test', () => {
	const test = node.methods.credentialTest.userComTriggerSecretTest;
	const run = async (secret: unknown) =>
		await test.call(
			{} as ICredentialTestFunctions,
			{ data: { secret } } as unknown as ICredentialsDecrypted,
		);
	it('accepts a long URL-safe secret', async () => expect((await run(SECRET)).status).toBe('OK'));
	it('rejects a short secret', async () => expect((await run('short')).status).toBe('Error'));
	it.each([
		'abcdefghijklmnop&q',
		'abcdefghijklmnop+q',
		'abcdefghijklmnop q',
		'abcdefghijklmnop/q',
		'abcdefghijklmnop%20',
	])('rejects characters that change in a URL: %j', async (secret) =>
		expect((await run(secret)).status).toBe('Error'),
	);
});

describe('webhook lifecycle', () => {
	it('has nothing to register on User.com', async () => {
		const methods = node.webhookMethods.default;
		const ctx = {} as never;
		expect(await methods.checkExists.call(ctx)).toBe(false);
		expect(await methods.create.call(ctx)).toBe(true);
		expect(await methods.delete.call(ctx)).toBe(true);
	});

	it('declares a POST webhook, no inputs, trigger group', () => {
		// responseData '' (not absent): otherwise n8n answers with the text "firstEntryJson"
		expect(node.description.webhooks?.[0]).toMatchObject({
			httpMethod: 'POST',
			name: 'default',
			path: 'usercom',
			responseMode: 'onReceived',
			responseData: '',
		});
		expect(node.description.inputs).toEqual([]);
		expect(node.description.group).toEqual(['trigger']);
	});
});
