import { runNode, runNodeExpectError } from '../harness';
import { lastRequest, rl, SEED, startEnv, type TestEnv } from './helpers';

let env: TestEnv;
beforeAll(async () => {
	env = await startEnv();
});
afterAll(async () => {
	await env.emu.close();
});
// every test starts from the seed, with an empty request log and no pending faults
beforeEach(() => env.emu.reset(SEED));

describe('User resource against the emulator', () => {
	test('Create sends the mapped standard fields and custom attributes', async () => {
		const r = await runNode(
			{
				resource: 'user',
				operation: 'create',
				additionalFields: {
					customId: 'new-1',
					email: 'new@example.com',
					firstName: 'New',
					lastName: 'Person',
					gender: 'female',
					status: 'user',
					unsubscribed: true,
					phoneNumber: '+48 600 000 000',
					tags: ['vip'],
				},
				customAttributes: {
					attribute: [
						{ name: 'plan', value: 'pro' },
						{ name: 'seats', value: '3' },
					],
				},
			},
			[{}],
			env.opts(),
		);
		const req = lastRequest(env);
		expect(req.method).toBe('POST');
		expect(req.path).toBe('users/');
		expect(req.body).toEqual({
			custom_id: 'new-1',
			email: 'new@example.com',
			first_name: 'New',
			last_name: 'Person',
			gender: 3,
			status: 2,
			unsubscribed: true,
			phone_number: '+48 600 000 000',
			tags: ['vip'],
			plan: 'pro',
			seats: 3,
		});
		expect(r.items).toHaveLength(1);
		expect(r.items[0].pairedItem).toEqual({ item: 0 });
		expect(r.items[0].json.id).toBe(env.emu.state.userByCustomId('new-1')?.id);
		expect(r.items[0].json.email).toBe('new@example.com');
		expect(r.items[0].json).toMatchObject({ gender: 'female', status: 'user' });
	});

	test('Create with no field at all is refused before sending', async () => {
		const before = env.emu.requestLog.length;
		const error = await runNodeExpectError(
			{ resource: 'user', operation: 'create' },
			[{}],
			env.opts(),
		);
		expect(error.message).toMatch(/Item 0: "Fields"/);
		expect(env.emu.requestLog.length).toBe(before);
	});

	test('Upsert creates then updates by custom ID and reports created', async () => {
		const first = await runNode(
			{
				resource: 'user',
				operation: 'upsert',
				customId: 'ups-1',
				additionalFields: { email: 'ups@example.com' },
			},
			[{}],
			env.opts(),
		);
		expect(lastRequest(env)).toMatchObject({
			method: 'POST',
			path: 'users/update_or_create/',
			body: { custom_id: 'ups-1', email: 'ups@example.com' },
		});
		expect(first.items[0].json).toMatchObject({ created: true, custom_id: 'ups-1' });
		const second = await runNode(
			{
				resource: 'user',
				operation: 'upsert',
				customId: 'ups-1',
				additionalFields: { firstName: 'Ups' },
			},
			[{}],
			env.opts(),
		);
		expect(second.items[0].json).toMatchObject({ created: false, id: first.items[0].json.id });
		expect(env.emu.state.userByCustomId('ups-1')?.first_name).toBe('Ups');
	});

	test('Upsert without a custom ID is refused before sending', async () => {
		const before = env.emu.requestLog.length;
		const error = await runNodeExpectError(
			{
				resource: 'user',
				operation: 'upsert',
				customId: '  ',
				additionalFields: { email: 'x@example.com' },
			},
			[{}],
			env.opts(),
		);
		expect(error.message).toContain('"Custom ID" is required');
		expect(env.emu.requestLog.length).toBe(before);
	});

	test('First name longer than 40 characters is refused before sending', async () => {
		const before = env.emu.requestLog.length;
		const error = await runNodeExpectError(
			{
				resource: 'user',
				operation: 'upsert',
				customId: 'long',
				additionalFields: { firstName: 'x'.repeat(41) },
			},
			[{}],
			env.opts(),
		);
		expect(error.message).toContain('"First Name" is 41 characters long');
		expect(env.emu.requestLog.length).toBe(before);
	});

	test('Update by ID and by custom ID send PUT to the right path', async () => {
		const id = env.userId('u-2');
		await runNode(
			{
				resource: 'user',
				operation: 'update',
				user: rl('id', id),
				updateFields: { lastName: 'Stone' },
			},
			[{}],
			env.opts(),
		);
		expect(lastRequest(env)).toMatchObject({
			method: 'PUT',
			path: `users/${id}/`,
			body: { last_name: 'Stone' },
		});
		const r = await runNode(
			{
				resource: 'user',
				operation: 'update',
				user: rl('customId', 'u-2'),
				updateFields: { city: 'Gdańsk' },
			},
			[{}],
			env.opts(),
		);
		expect(lastRequest(env)).toMatchObject({
			method: 'PUT',
			path: 'users-by-id/u-2/',
			body: { city: 'Gdańsk' },
		});
		expect(r.items[0].json).toMatchObject({ id, last_name: 'Stone' });
		await runNode(
			{
				resource: 'user',
				operation: 'update',
				user: rl('customId', 'u-2'),
				updateFields: {
					score: 7,
					assignedTo: 3,
					region: 'Pomorskie',
					country: 'PL',
					timezone: 'Europe/Warsaw',
					companyCustomId: '',
					notifications: false,
				},
			},
			[{}],
			env.opts(),
		);
		expect(lastRequest(env).body).toEqual({
			score: 7,
			assigned_to: 3,
			region: 'Pomorskie',
			country: 'PL',
			timezone: 'Europe/Warsaw',
			notifications: false,
		});
	});

	test('Get by ID, custom ID and email, simplified and raw', async () => {
		const id = env.userId('u-1');
		const byId = await runNode(
			{ resource: 'user', operation: 'get', user: rl('id', id) },
			[{}],
			env.opts(),
		);
		expect(lastRequest(env)).toMatchObject({ method: 'GET', path: `users/${id}/` });
		expect(byId.items[0].json).toMatchObject({
			id,
			custom_id: 'u-1',
			email: 'ann@example.com',
			tags: ['vip'],
		});
		expect(byId.items[0].json).not.toHaveProperty('page_views');

		const byCustom = await runNode(
			{ resource: 'user', operation: 'get', user: rl('customId', 'u-1'), simplify: false },
			[{}],
			env.opts(),
		);
		expect(lastRequest(env)).toMatchObject({ method: 'GET', path: 'users-by-id/u-1/' });
		expect(byCustom.items[0].json).toHaveProperty('page_views');

		const byEmail = await runNode(
			{ resource: 'user', operation: 'get', user: rl('email', 'bob@example.com') },
			[{}],
			env.opts(),
		);
		expect(lastRequest(env)).toMatchObject({
			method: 'GET',
			path: 'users/search/',
			query: { email: 'bob@example.com' },
		});
		expect(byEmail.items[0].json.custom_id).toBe('u-2');
	});

	test('Get with a non-numeric User.com ID is refused before sending', async () => {
		const before = env.emu.requestLog.length;
		const error = await runNodeExpectError(
			{ resource: 'user', operation: 'get', user: rl('id', 'abc') },
			[{}],
			env.opts(),
		);
		expect(error.message).toContain('"User (User.com ID)" must be a positive whole number');
		expect(env.emu.requestLog.length).toBe(before);
	});

	test('Get of an unknown user is a 404 error naming User.com words', async () => {
		const error = await runNodeExpectError(
			{ resource: 'user', operation: 'get', user: rl('customId', 'nobody') },
			[{}],
			env.opts(),
		);
		// what User.com (and the emulator) answers for users-by-id/<unknown>/: DRF's plain 404
		expect(error.message).toBe('Not found.');
		expect((error.context?.userCom as { httpCode: number }).httpCode).toBe(404);
		expect(error.context?.itemIndex).toBe(0);
	});

	test('Get Many: all, limit, email, segment and tag filters', async () => {
		const all = await runNode(
			{ resource: 'user', operation: 'getAll', returnAll: true },
			[{}],
			env.opts(),
		);
		expect(all.items.length).toBe(env.emu.state.users.size);
		const limited = await runNode(
			{ resource: 'user', operation: 'getAll', limit: 2 },
			[{}],
			env.opts(),
		);
		expect(limited.items).toHaveLength(2);
		expect(
			limited.items.every((i) => i.pairedItem && (i.pairedItem as { item: number }).item === 0),
		).toBe(true);

		const byEmail = await runNode(
			{
				resource: 'user',
				operation: 'getAll',
				returnAll: true,
				filters: { email: 'ann@example.com' },
			},
			[{}],
			env.opts(),
		);
		expect(lastRequest(env)).toMatchObject({
			path: 'users/search/',
			query: { email: 'ann@example.com', many: 'true' },
		});
		expect(byEmail.items.map((i) => i.json.custom_id).sort()).toEqual(['u-1', 'u-3']);

		const segmentId = [...env.emu.state.segments.values()][0].id;
		const bySegment = await runNode(
			{ resource: 'user', operation: 'getAll', returnAll: true, filters: { segmentId } },
			[{}],
			env.opts(),
		);
		expect(lastRequest(env).path).toBe(`segments/${segmentId}/users/`);
		expect(bySegment.items.map((i) => i.json.custom_id).sort()).toEqual(['u-1', 'u-2']);

		const tagId = env.emu.state.tagByName('vip')!.id;
		const byTag = await runNode(
			{ resource: 'user', operation: 'getAll', returnAll: true, filters: { tagId } },
			[{}],
			env.opts(),
		);
		expect(lastRequest(env).path).toBe(`tags/${tagId}/users/`);
		expect(byTag.items.map((i) => i.json.custom_id)).toContain('u-1');

		const error = await runNodeExpectError(
			{ resource: 'user', operation: 'getAll', filters: { email: 'a@b.co', tagId } },
			[{}],
			env.opts(),
		);
		expect(error.message).toContain('one at a time');
	});

	test('Add Tag / Remove Tag by custom ID', async () => {
		const r = await runNode(
			{ resource: 'user', operation: 'addTag', user: rl('customId', 'u-2'), tagName: 'newsletter' },
			[{}],
			env.opts(),
		);
		expect(lastRequest(env)).toMatchObject({
			method: 'POST',
			path: 'users-by-id/u-2/add_tag/',
			body: { name: 'newsletter' },
		});
		expect(r.items[0].json).toMatchObject({ success: true, custom_id: 'u-2', tag: 'newsletter' });
		const tagId = env.emu.state.tagByName('newsletter')!.id;
		expect(env.emu.state.userByCustomId('u-2')!.tags).toContain(tagId);

		await runNode(
			{
				resource: 'user',
				operation: 'removeTag',
				user: rl('customId', 'u-2'),
				tagName: 'newsletter',
			},
			[{}],
			env.opts(),
		);
		expect(lastRequest(env)).toMatchObject({ method: 'POST', path: 'users-by-id/u-2/remove_tag/' });
		expect(env.emu.state.userByCustomId('u-2')!.tags).not.toContain(tagId);
	});

	test('Add to List / Remove from List by ID', async () => {
		const id = env.userId('u-1');
		const listId = env.emu.state.listByName('Customers')!.id;
		await runNode(
			{ resource: 'user', operation: 'addToList', user: rl('id', id), listId },
			[{}],
			env.opts(),
		);
		expect(lastRequest(env)).toMatchObject({
			method: 'POST',
			path: `users/${id}/add_to_list/`,
			body: { list: listId },
		});
		expect(env.emu.state.users.get(id)!.lists).toContain(listId);
		await runNode(
			{
				resource: 'user',
				operation: 'removeFromList',
				user: rl('id', String(id)),
				listId: String(listId),
			},
			[{}],
			env.opts(),
		);
		expect(lastRequest(env)).toMatchObject({
			method: 'POST',
			path: `users/${id}/remove_from_list/`,
			body: { list: listId },
		});
		expect(env.emu.state.users.get(id)!.lists).not.toContain(listId);
	});

	test('Set Custom Attributes sends set_multiple_attributes with typed values', async () => {
		const r = await runNode(
			{
				resource: 'user',
				operation: 'setCustomAttributes',
				user: rl('customId', 'u-1'),
				customAttributes: {
					attribute: [
						{ name: 'plan', value: 'enterprise' },
						{ name: 'seats', value: '12' },
					],
				},
			},
			[{}],
			env.opts(),
		);
		expect(lastRequest(env)).toMatchObject({
			method: 'POST',
			path: 'users-by-id/u-1/set_multiple_attributes/',
			body: { plan: 'enterprise', seats: 12 },
		});
		expect(r.items[0].json).toMatchObject({
			success: true,
			custom_id: 'u-1',
			attributes: { plan: 'enterprise', seats: 12 },
		});
		const got = await runNode(
			{ resource: 'user', operation: 'get', user: rl('customId', 'u-1') },
			[{}],
			env.opts(),
		);
		expect(got.items[0].json.attributes).toMatchObject({ plan: 'enterprise', seats: 12 });
	});

	test('Set Custom Attributes with an attribute that does not exist shows User.com error', async () => {
		const error = await runNodeExpectError(
			{
				resource: 'user',
				operation: 'setCustomAttributes',
				user: rl('customId', 'u-1'),
				customAttributes: { attribute: [{ name: 'not_there', value: 'x' }] },
			},
			[{}],
			env.opts(),
		);
		expect(error.context?.itemIndex).toBe(0);
		expect(error.message).toBe(
			'User.com rejected the request: not_there: Attribute does not exist.',
		);
	});

	test('Delete by custom ID', async () => {
		await runNode(
			{
				resource: 'user',
				operation: 'upsert',
				customId: 'del-me',
				additionalFields: { email: 'd@example.com' },
			},
			[{}],
			env.opts(),
		);
		const r = await runNode(
			{ resource: 'user', operation: 'delete', user: rl('customId', 'del-me') },
			[{}],
			env.opts(),
		);
		expect(lastRequest(env)).toMatchObject({ method: 'DELETE', path: 'users-by-id/del-me/' });
		expect(r.items[0].json).toEqual({ deleted: true, custom_id: 'del-me' });
		expect(env.emu.state.userByCustomId('del-me')).toBeUndefined();
	});

	test('custom IDs with special characters are URL-encoded', async () => {
		await runNode(
			{
				resource: 'user',
				operation: 'upsert',
				customId: 'a b?c#d%',
				additionalFields: { email: 'enc@example.com' },
			},
			[{}],
			env.opts(),
		);
		const r = await runNode(
			{ resource: 'user', operation: 'get', user: rl('customId', 'a b?c#d%') },
			[{}],
			env.opts(),
		);
		const raw = env.emu.requestLog[env.emu.requestLog.length - 1].path;
		expect(raw).toBe('/api/public/users-by-id/a%20b%3Fc%23d%25/');
		expect(r.items[0].json.email).toBe('enc@example.com');
		// a "/" would be decoded by User.com before routing: refused with a clear message, nothing sent
		const before = env.emu.requestLog.length;
		const error = await runNodeExpectError(
			{ resource: 'user', operation: 'get', user: rl('customId', 'a/b') },
			[{}],
			env.opts(),
		);
		expect(error.message).toContain('contains "/"');
		expect(env.emu.requestLog.length).toBe(before);
	});

	test('expressions are resolved per item and items keep their order', async () => {
		const items = [
			{ cid: 'expr-1', mail: 'e1@example.com' },
			{ cid: 'expr-2', mail: 'e2@example.com' },
		];
		const r = await runNode(
			{
				resource: 'user',
				operation: 'upsert',
				customId: '={{ $json.cid }}',
				additionalFields: { email: '={{ $json.mail }}' },
			},
			items,
			env.opts(),
		);
		expect(r.items.map((i) => [i.json.custom_id, i.pairedItem])).toEqual([
			['expr-1', { item: 0 }],
			['expr-2', { item: 1 }],
		]);
		expect(env.emu.state.userByCustomId('expr-2')?.email).toBe('e2@example.com');
	});
});
