import { runNode, runNodeExpectError } from '../harness';
import { lastRequest, requestsTo, startEnv, type TestEnv } from './helpers';

let env: TestEnv;
beforeAll(async () => {
	env = await startEnv();
	env.emu.seed({
		users: [
			{
				custom_id: 'p-1',
				email: 'pro1@example.com',
				plan: 'pro',
				seats: 5,
				phone_number: '+48500100200',
			},
			{ custom_id: 'p-2', email: 'pro2@example.com', plan: 'Professional', seats: 50 },
			{ custom_id: 'p-3', email: 'free@example.com', plan: 'free', seats: 1 },
		],
	});
});
afterAll(async () => {
	await env.emu.close();
});

type ErrorJson = { httpCode: number | null; category: string; description: string };

describe('User › Create or Update matched by email', () => {
	test('no match -> POST users/ (created); one match -> PUT users/<id>/ (updated), same contact', async () => {
		const before = env.emu.requestLog.length;
		const first = await runNode(
			{
				resource: 'user',
				operation: 'upsert',
				matchBy: 'email',
				email: 'New.Person@example.com',
				additionalFields: { firstName: 'New', customId: 'np-1' },
			},
			[{}],
			env.opts(),
		);
		expect(
			env.emu.requestLog
				.slice(before)
				.map((e) => `${e.method} ${e.path.replace('/api/public/', '')} ${e.status}`),
		).toEqual(['GET users/search/ 200', 'POST users/ 201']);
		expect(requestsTo(env, 'GET', /^users\/search\/$/).slice(-1)[0].query).toEqual({
			email: 'New.Person@example.com',
			many: 'true',
		});
		expect(lastRequest(env).body).toEqual({
			first_name: 'New',
			custom_id: 'np-1',
			email: 'New.Person@example.com',
		});
		const id = env.userId('np-1');
		expect(first.items[0].json).toEqual({
			created: true,
			id,
			email: 'New.Person@example.com',
			custom_id: 'np-1',
		});

		const mid = env.emu.requestLog.length;
		const second = await runNode(
			{
				resource: 'user',
				operation: 'upsert',
				matchBy: 'email',
				email: 'new.person@example.com',
				additionalFields: { lastName: 'Person' },
				customAttributes: { attribute: [{ name: 'plan', value: 'pro' }] },
			},
			[{}],
			env.opts(),
		);
		expect(
			env.emu.requestLog
				.slice(mid)
				.map((e) => `${e.method} ${e.path.replace('/api/public/', '')} ${e.status}`),
		).toEqual(['GET users/search/ 200', `PUT users/${id}/ 200`]);
		expect(lastRequest(env).body).toEqual({
			last_name: 'Person',
			plan: 'pro',
			email: 'new.person@example.com',
		});
		expect(second.items[0].json).toEqual({
			created: false,
			id,
			email: 'new.person@example.com',
			custom_id: 'np-1',
		});
		expect(env.emu.state.usersByEmail('new.person@example.com')).toHaveLength(1);
	});

	test('several contacts with the email: a clear error naming the item and the count; nothing is written', async () => {
		const writes = () => env.emu.requestLog.filter((e) => e.method !== 'GET').length;
		const before = writes();
		const r = await runNode(
			{
				resource: 'user',
				operation: 'upsert',
				matchBy: 'email',
				email: '={{ $json.email }}',
				additionalFields: { firstName: 'X' },
			},
			[{ email: 'bob@example.com' }, { email: 'ann@example.com' }],
			env.opts({ continueOnFail: true }),
		);
		expect(writes()).toBe(before + 1);
		expect(r.items[0].json).toMatchObject({ created: false, id: env.userId('u-2') });
		expect(r.items[1].json.message).toBe(
			`Item 1: "Email" ann@example.com matches 2 contacts in User.com (IDs ${env.userId('u-1')}, ${env.userId('u-3')})`,
		);
		expect((r.items[1].json.error as ErrorJson).description).toContain(
			"Use the contact's User.com ID or custom ID instead",
		);
		expect(r.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
	});

	test('bad input is refused before anything is sent', async () => {
		const before = env.emu.requestLog.length;
		const r = await runNode(
			{
				resource: 'user',
				operation: 'upsert',
				matchBy: 'email',
				email: '={{ $json.email }}',
				additionalFields: { email: '={{ $json.other }}' },
			},
			[{ email: '' }, { email: 'nope' }, { email: 'a@example.com', other: 'b@example.com' }],
			env.opts({ continueOnFail: true }),
		);
		expect(env.emu.requestLog.length).toBe(before);
		expect(r.items.map((i) => i.json.message)).toEqual([
			'Item 0: "Email" is required but empty',
			'Item 1: "Email" is not a valid email address: "nope"',
			'Item 2: "Fields › Email" (b@example.com) differs from the Email the contact is matched by (a@example.com)',
		]);
	});

	test('match by custom ID is unchanged (one update_or_create request) and stays the default', async () => {
		const r = await runNode(
			{
				resource: 'user',
				operation: 'upsert',
				customId: 'p-1',
				additionalFields: { city: 'Gdańsk' },
			},
			[{}],
			env.opts(),
		);
		expect(lastRequest(env)).toMatchObject({
			method: 'POST',
			path: 'users/update_or_create/',
			body: { custom_id: 'p-1', city: 'Gdańsk' },
		});
		expect(r.items[0].json).toMatchObject({ created: false, custom_id: 'p-1' });
	});
});

describe('User › Get Many filters', () => {
	test('phone number: users/search/?phone_number=&many=true', async () => {
		const r = await runNode(
			{
				resource: 'user',
				operation: 'getAll',
				returnAll: true,
				filters: { phoneNumber: '+48500100200' },
			},
			[{}],
			env.opts(),
		);
		expect(lastRequest(env)).toMatchObject({
			method: 'GET',
			path: 'users/search/',
			query: { phone_number: '+48500100200', many: 'true' },
		});
		expect(r.items.map((i) => i.json.custom_id)).toEqual(['p-1']);
	});

	test('custom attribute conditions: <name_std>__<lookup>=<value>, all of them', async () => {
		const r = await runNode(
			{
				resource: 'user',
				operation: 'getAll',
				returnAll: true,
				filters: {
					attributeConditions: {
						condition: [
							{ attribute: 'plan', operator: 'istartswith', value: 'PRO' },
							{ attribute: 'seats', operator: 'gte', value: '10' },
						],
					},
				},
			},
			[{}],
			env.opts(),
		);
		expect(lastRequest(env)).toMatchObject({
			method: 'GET',
			path: 'users/search/',
			query: { plan__istartswith: 'PRO', seats__gte: '10' },
		});
		expect(r.items.map((i) => i.json.custom_id)).toEqual(['p-2']);
	});

	test('bad filters are refused before sending', async () => {
		const before = env.emu.requestLog.length;
		const two = await runNodeExpectError(
			{
				resource: 'user',
				operation: 'getAll',
				filters: { phoneNumber: '+1', email: 'a@example.com' },
			},
			[{}],
			env.opts(),
		);
		expect(two.message).toBe(
			'Item 0: "Filters" has 2 filters (email, phoneNumber) but User.com filters by one at a time',
		);
		const noValue = await runNodeExpectError(
			{
				resource: 'user',
				operation: 'getAll',
				filters: {
					attributeConditions: {
						condition: [{ attribute: 'plan', operator: 'contains', value: '' }],
					},
				},
			},
			[{}],
			env.opts(),
		);
		expect(noValue.message).toBe(
			'Item 0: "Filters › Custom Attribute[0] › Value" is required but empty',
		);
		const badOperator = await runNodeExpectError(
			{
				resource: 'user',
				operation: 'getAll',
				filters: {
					attributeConditions: {
						condition: [{ attribute: 'plan', operator: 'equals', value: 'x' }],
					},
				},
			},
			[{}],
			env.opts(),
		);
		expect(badOperator.message).toBe(
			'Item 0: "Filters › Custom Attribute[0] › Operator" has a value User.com does not accept: "equals"',
		);
		expect(env.emu.requestLog.length).toBe(before);
	});
});
