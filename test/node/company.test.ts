import type { IDataObject } from 'n8n-workflow';

import {
	requestsInFlight,
	runListSearch,
	runLoadOptions,
	runNode,
	runNodeExpectError,
} from '../harness';
import { lastRequest, requestsTo, rl, startEnv, type TestEnv } from './helpers';
import { FakeClock } from '../transport/helpers/fakeClock';
import { resetTransport, setTransportClock } from '../../nodes/UserCom/transport/testing';

let env: TestEnv;
/** when set, takes the place of the emulator's wait for a delay fault */
let holdDelay: ((ms: number) => Promise<void>) | undefined;
beforeAll(async () => {
	env = await startEnv({
		sleep: (ms) => holdDelay?.(ms) ?? new Promise<void>((r) => setTimeout(r, ms)),
	});
	env.emu.seed({
		attributes: [
			{ name: 'Industry', name_std: 'industry', value_type: 'string', content_type: 'company' },
			{ name: 'Seats', name_std: 'seats', value_type: 'integer', content_type: 'company' },
		],
		companies: [
			{ name: 'Acme Corp', custom_id: 'acme' },
			{ name: 'Globex', custom_id: 'globex' },
		],
	});
});
afterAll(async () => {
	await env.emu.close();
});

const companyId = (customId: string) => {
	const c = env.emu.state.companyByCustomId(customId);
	if (!c) throw new Error(`no company ${customId}`);
	return c.id;
};

type ErrorJson = {
	httpCode: number | null;
	category: string;
	message: string;
	fields: Record<string, string[]>;
	description: string;
};

describe('Company resource against the emulator', () => {
	test('Create maps every field; custom attributes follow with set_multiple_attributes', async () => {
		const before = env.emu.requestLog.length;
		const r = await runNode(
			{
				resource: 'company',
				operation: 'create',
				name: 'Initech',
				additionalFields: {
					customId: 'initech',
					description: 'Software',
					email: 'hq@initech.example',
					phoneNumbers: '+1 555 0100, +1 555 0101',
					address: '1 Main St',
					city: 'Austin',
					region: 'TX',
					country: 'US',
					approxEmployees: 120,
				},
				customAttributes: {
					attribute: [
						{ name: 'industry', value: 'Software' },
						{ name: 'seats', value: '40' },
					],
				},
			},
			[{}],
			env.opts(),
		);
		const sent = env.emu.requestLog
			.slice(before)
			.map((e) => `${e.method} ${e.path.replace('/api/public/', '')}`);
		const id = companyId('initech');
		expect(sent).toEqual(['POST companies/', `POST companies/${id}/set_multiple_attributes/`]);
		expect(requestsTo(env, 'POST', /^companies\/$/).slice(-1)[0].body).toEqual({
			name: 'Initech',
			company_id: 'initech',
			description: 'Software',
			email: 'hq@initech.example',
			phone_numbers: ['+1 555 0100', '+1 555 0101'],
			address: '1 Main St',
			city: 'Austin',
			region: 'TX',
			country: 'US',
			approx_employees: 120,
		});
		expect(lastRequest(env).body).toEqual({ industry: 'Software', seats: 40 });
		expect(r.items).toHaveLength(1);
		expect(r.items[0].pairedItem).toEqual({ item: 0 });
		expect(r.items[0].json).toMatchObject({
			id,
			name: 'Initech',
			company_id: 'initech',
			city: 'Austin',
			approx_employees: 120,
		});
		expect(r.items[0].json.attributes).toEqual(
			expect.arrayContaining([
				expect.objectContaining({ name_std: 'industry', value: 'Software' }),
				expect.objectContaining({ name_std: 'seats', value: 40 }),
			]),
		);
	});

	test('bad input is refused before sending, one clear error per item with pairing', async () => {
		const before = env.emu.requestLog.length;
		const companies = env.emu.state.companies.size;
		const r = await runNode(
			{
				resource: 'company',
				operation: 'create',
				name: '={{ $json.name }}',
				additionalFields: {
					email: '={{ $json.email }}',
					approxEmployees: '={{ $json.employees }}',
					customId: '={{ $json.cid }}',
				},
				customAttributes: { attribute: [{ name: '={{ $json.attr }}', value: 'x' }] },
			},
			[
				{ name: '', attr: 'industry' },
				{ name: 'A', email: 'not-an-email', attr: 'industry' },
				{ name: 'B', employees: -3, attr: 'industry' },
				{ name: 'C', employees: 'lots', attr: 'industry' },
				{ name: 'D', cid: 'a/b', attr: 'industry' },
				{ name: 'E', attr: '' },
			],
			env.opts({ continueOnFail: true }),
		);
		expect(env.emu.requestLog.length).toBe(before);
		expect(env.emu.state.companies.size).toBe(companies);
		expect(r.errorItems.map((i) => i.json.message)).toEqual([
			'Item 0: "Name" is required but empty',
			'Item 1: "Email" is not a valid email address: "not-an-email"',
			'Item 2: "Approximate Employees" must be a whole number of 0 or more, got -3',
			'Item 3: "Approximate Employees" must be a number, got "lots"',
			'Item 4: "Custom ID" contains "/" (a/b), which User.com cannot look up by custom ID',
			'Item 5: "Custom Attributes › Name" is required but empty',
		]);
		expect(r.errorItems.map((i) => i.pairedItem)).toEqual(
			[0, 1, 2, 3, 4, 5].map((item) => ({ item })),
		);
		for (const item of r.errorItems)
			expect((item.json.error as ErrorJson).description).toContain('Nothing was sent to User.com');
	});

	test('Create or Update: looks up by custom ID, creates the first time, updates after; created flag', async () => {
		const params = {
			resource: 'company',
			operation: 'upsert',
			customId: 'umbrella',
			name: 'Umbrella',
			additionalFields: { city: 'Raccoon City' },
		};
		const before = env.emu.requestLog.length;
		const first = await runNode(params, [{}], env.opts());
		const id = companyId('umbrella');
		expect(
			env.emu.requestLog
				.slice(before)
				.map((e) => `${e.method} ${e.path.replace('/api/public/', '')} ${e.status}`),
		).toEqual(['GET companies-by-id/umbrella/ 404', 'POST companies/ 201']);
		expect(first.items[0].json).toMatchObject({
			created: true,
			id,
			name: 'Umbrella',
			company_id: 'umbrella',
			city: 'Raccoon City',
		});
		const mid = env.emu.requestLog.length;
		const second = await runNode(
			{
				...params,
				name: 'Umbrella Corp',
				additionalFields: { country: 'US' },
				customAttributes: { attribute: [{ name: 'industry', value: 'Pharma' }] },
			},
			[{}],
			env.opts(),
		);
		expect(
			env.emu.requestLog
				.slice(mid)
				.map((e) => `${e.method} ${e.path.replace('/api/public/', '')} ${e.status}`),
		).toEqual([
			'GET companies-by-id/umbrella/ 200',
			`PUT companies/${id}/ 200`,
			`POST companies/${id}/set_multiple_attributes/ 200`,
		]);
		expect(requestsTo(env, 'PUT', /^companies\/\d+\/$/).slice(-1)[0].body).toEqual({
			country: 'US',
			name: 'Umbrella Corp',
			company_id: 'umbrella',
		});
		expect(second.items[0].json).toMatchObject({
			created: false,
			id,
			name: 'Umbrella Corp',
			city: 'Raccoon City',
			country: 'US',
		});
		expect(
			[...env.emu.state.companies.values()].filter((c) => c.custom_id === 'umbrella'),
		).toHaveLength(1);
	});

	test('Create or Update: a create that loses a race to another writer becomes an update (no duplicate, no error)', async () => {
		// both lookups are held until both have arrived, so both see "no such company" (the fault's
		// 5 s at most: a second lookup that comes only after the first was answered loses the race,
		// and the checks below fail). Held by arrival, not for a fixed time, so a busy machine that
		// sends the second lookup late cannot undo the race.
		env.emu.injectFault({
			pathPattern: 'companies-by-id/race-co/',
			method: 'GET',
			count: 2,
			kind: 'delay',
			delayMs: 5000,
			processed: true,
		});
		const held: Array<() => void> = [];
		const timers: NodeJS.Timeout[] = [];
		holdDelay = (ms) =>
			new Promise<void>((release) => {
				held.push(release);
				timers.push(setTimeout(release, ms));
				if (held.length === 2) for (const r of held) r();
			});
		const params = {
			resource: 'company',
			operation: 'upsert',
			customId: 'race-co',
			name: 'Race Co',
		};
		let a: Awaited<ReturnType<typeof runNode>>;
		let b: Awaited<ReturnType<typeof runNode>>;
		try {
			[a, b] = await Promise.all([
				runNode(params, [{}], env.opts()),
				runNode(params, [{}], env.opts()),
			]);
		} finally {
			holdDelay = undefined;
			for (const t of timers) clearTimeout(t);
		}
		expect(held).toHaveLength(2);
		expect([a.items[0].json.created, b.items[0].json.created].sort()).toEqual([false, true]);
		expect(a.items[0].json.id).toBe(b.items[0].json.id);
		expect(
			[...env.emu.state.companies.values()].filter((c) => c.custom_id === 'race-co'),
		).toHaveLength(1);
		expect(
			requestsTo(env, 'POST', /^companies\/$/)
				.slice(-2)
				.map((e) => e.status)
				.sort(),
		).toEqual([201, 400]);
	});

	test('Create or Update with items in parallel: items of one custom ID run in input order (one company, created then updated)', async () => {
		// the first lookup is slow: without per-record ordering the third item would overtake the first
		env.emu.injectFault({
			pathPattern: 'companies-by-id/par-a/',
			method: 'GET',
			count: 1,
			kind: 'delay',
			delayMs: 300,
			processed: true,
		});
		const r = await runNode(
			{
				resource: 'company',
				operation: 'upsert',
				customId: '={{ $json.cid }}',
				name: '={{ $json.name }}',
				requestOptions: { parallelRequests: 4 },
			},
			[
				{ cid: 'par-a', name: 'A first' },
				{ cid: 'par-b', name: 'B first' },
				{ cid: 'par-a', name: 'A second' },
				{ cid: 'par-b', name: 'B second' },
			],
			env.opts(),
		);
		expect(r.items.map((i) => [i.json.company_id, i.json.created, i.json.name])).toEqual([
			['par-a', true, 'A first'],
			['par-b', true, 'B first'],
			['par-a', false, 'A second'],
			['par-b', false, 'B second'],
		]);
		expect(r.items.map((i) => i.pairedItem)).toEqual([0, 1, 2, 3].map((item) => ({ item })));
		expect(
			[...env.emu.state.companies.values()].filter(
				(c) => c.custom_id === 'par-a' || c.custom_id === 'par-b',
			),
		).toHaveLength(2);
		expect(env.emu.state.companyByCustomId('par-a')!.name).toBe('A second');
	});

	test('Create or Update: custom ID and name are required; nothing is sent without them', async () => {
		const before = env.emu.requestLog.length;
		const r = await runNode(
			{
				resource: 'company',
				operation: 'upsert',
				customId: '={{ $json.c }}',
				name: '={{ $json.n }}',
			},
			[
				{ c: '', n: 'x' },
				{ c: 'ok', n: ' ' },
				{ c: 'x/y', n: 'x' },
			],
			env.opts({ continueOnFail: true }),
		);
		expect(r.errorItems.map((i) => i.json.message)).toEqual([
			'Item 0: "Custom ID" is required but empty',
			'Item 1: "Name" is required but empty',
			'Item 2: "Custom ID" contains "/" (x/y), which User.com cannot look up by custom ID',
		]);
		expect(env.emu.requestLog.length).toBe(before);
	});

	test('Update by ID and by custom ID; only custom attributes sends set_multiple_attributes alone', async () => {
		const id = companyId('globex');
		const r = await runNode(
			{
				resource: 'company',
				operation: 'update',
				company: rl('customId', 'globex'),
				updateFields: { city: 'Cypress Creek' },
			},
			[{}],
			env.opts(),
		);
		expect(lastRequest(env)).toMatchObject({
			method: 'PUT',
			path: 'companies-by-id/globex/',
			body: { city: 'Cypress Creek' },
		});
		expect(r.items[0].json).toMatchObject({ id, city: 'Cypress Creek' });
		await runNode(
			{
				resource: 'company',
				operation: 'update',
				company: rl('id', id),
				updateFields: { name: 'Globex Corporation' },
			},
			[{}],
			env.opts(),
		);
		expect(lastRequest(env)).toMatchObject({
			method: 'PUT',
			path: `companies/${id}/`,
			body: { name: 'Globex Corporation' },
		});
		const before = env.emu.requestLog.length;
		const attrs = await runNode(
			{
				resource: 'company',
				operation: 'update',
				company: rl('customId', 'globex'),
				customAttributes: { attribute: [{ name: 'seats', value: '7' }] },
			},
			[{}],
			env.opts(),
		);
		expect(
			env.emu.requestLog
				.slice(before)
				.map((e) => `${e.method} ${e.path.replace('/api/public/', '')}`),
		).toEqual(['POST companies-by-id/globex/set_multiple_attributes/']);
		expect(attrs.items[0].json).toMatchObject({ id, name: 'Globex Corporation' });
		const empty = await runNodeExpectError(
			{ resource: 'company', operation: 'update', company: rl('id', id) },
			[{}],
			env.opts(),
		);
		expect(empty.message).toBe('Item 0: "Update Fields" are all empty');
	});

	test('Get (simplified and raw), unknown custom ID -> 404 detail on the error output with pairing', async () => {
		const id = companyId('acme');
		await runNode(
			{ resource: 'company', operation: 'addTag', company: rl('id', id), tagName: 'vip' },
			[{}],
			env.opts(),
		);
		await runNode(
			{
				resource: 'company',
				operation: 'setCustomAttributes',
				company: rl('id', id),
				customAttributes: { attribute: [{ name: 'industry', value: 'Anvils' }] },
			},
			[{}],
			env.opts(),
		);
		const r = await runNode(
			{ resource: 'company', operation: 'get', company: '={{ $json.ref }}' },
			[
				{ ref: rl('customId', 'acme') },
				{ ref: rl('customId', 'no-such-co') },
				{ ref: rl('id', id) },
			],
			env.opts({ continueOnFail: true }),
		);
		expect(r.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(r.items[0].json).toEqual({
			id,
			name: 'Acme Corp',
			custom_id: 'acme',
			description: '',
			email: null,
			phone_numbers: [],
			address: null,
			city: null,
			region: null,
			country: null,
			approx_employees: null,
			created_at: expect.any(String),
			updated_at: expect.any(String),
			tags: ['vip'],
			attributes: { industry: 'Anvils' },
		});
		const error = r.items[1].json.error as ErrorJson;
		expect(r.items[1].json.message).toBe('No Company matches the given query.');
		expect(error).toMatchObject({ httpCode: 404, category: 'not_found' });
		expect(r.items[2].json.id).toBe(id);
		const raw = await runNode(
			{ resource: 'company', operation: 'get', company: rl('id', id), simplify: false },
			[{}],
			env.opts(),
		);
		expect(raw.items[0].json).toMatchObject({ id, company_id: 'acme', tags: [{ name: 'vip' }] });
	});

	test('Get Many: Return All reads every page, Limit stops early, Simplify', async () => {
		env.emu.seed({
			companies: Array.from({ length: 130 }, (_, i) => ({
				name: `Bulk ${i}`,
				custom_id: `bulk-co-${i}`,
			})),
		});
		const all = await runNode(
			{ resource: 'company', operation: 'getAll', returnAll: true },
			[{}],
			env.opts(),
		);
		expect(all.items).toHaveLength(env.emu.state.companies.size);
		expect(all.items.length).toBeGreaterThan(100);
		expect(all.items[0].json).toHaveProperty('custom_id');
		expect(all.items[0].json).not.toHaveProperty('company_id');
		const before = env.emu.requestLog.length;
		const some = await runNode(
			{ resource: 'company', operation: 'getAll', returnAll: false, limit: 5, simplify: false },
			[{}],
			env.opts(),
		);
		expect(some.items).toHaveLength(5);
		expect(some.items[0].json).toHaveProperty('company_id');
		expect(env.emu.requestLog.length - before).toBe(1);
		expect(lastRequest(env)).toMatchObject({ method: 'GET', path: 'companies/' });
	});

	test('Delete by custom ID', async () => {
		await runNode(
			{
				resource: 'company',
				operation: 'create',
				name: 'Doomed',
				additionalFields: { customId: 'doomed' },
			},
			[{}],
			env.opts(),
		);
		const r = await runNode(
			{ resource: 'company', operation: 'delete', company: rl('customId', 'doomed') },
			[{}],
			env.opts(),
		);
		expect(lastRequest(env)).toMatchObject({ method: 'DELETE', path: 'companies-by-id/doomed/' });
		expect(r.items[0].json).toEqual({ deleted: true, custom_id: 'doomed' });
		expect(env.emu.state.companyByCustomId('doomed')).toBeUndefined();
	});

	test('Add Member by contact ID, custom ID and email; the contact lists the company; Remove Member', async () => {
		const id = companyId('globex');
		const bob = env.userId('u-2');
		const before = env.emu.requestLog.length;
		const r = await runNode(
			{
				resource: 'company',
				operation: 'addMember',
				company: rl('customId', 'globex'),
				user: '={{ $json.user }}',
			},
			[
				{ user: rl('id', bob) },
				{ user: rl('customId', 'u-1') },
				{ user: rl('email', 'bob@example.com') },
			],
			env.opts(),
		);
		expect(
			env.emu.requestLog
				.slice(before)
				.map((e) => `${e.method} ${e.path.replace('/api/public/', '')}`),
		).toEqual([
			'POST companies-by-id/globex/add_member/',
			'GET users-by-id/u-1/',
			'POST companies-by-id/globex/add_member/',
			'GET users/search/',
			'POST companies-by-id/globex/add_member/',
		]);
		expect(
			requestsTo(env, 'POST', /add_member\/$/)
				.slice(-3)
				.map((e) => e.body),
		).toEqual([{ user_id: bob }, { user_id: env.userId('u-1') }, { user_id: bob }]);
		expect(requestsTo(env, 'GET', /^users\/search\/$/).slice(-1)[0].query).toEqual({
			email: 'bob@example.com',
			many: 'true',
		});
		expect(r.items.map((i) => i.json)).toEqual([
			expect.objectContaining({ success: true, company_custom_id: 'globex', user_id: bob }),
			expect.objectContaining({
				success: true,
				company_custom_id: 'globex',
				user_id: env.userId('u-1'),
				user_custom_id: 'u-1',
			}),
			expect.objectContaining({
				success: true,
				company_custom_id: 'globex',
				user_id: bob,
				user_email: 'bob@example.com',
			}),
		]);
		expect(env.emu.state.companies.get(id)!.members.sort()).toEqual(
			[bob, env.userId('u-1')].sort(),
		);
		const user = await runNode(
			{ resource: 'user', operation: 'get', user: rl('id', bob), simplify: false },
			[{}],
			env.opts(),
		);
		expect(user.items[0].json.companies).toEqual([
			expect.objectContaining({ id, name: expect.any(String) }),
		]);

		await runNode(
			{
				resource: 'company',
				operation: 'removeMember',
				company: rl('id', id),
				user: rl('customId', 'u-2'),
			},
			[{}],
			env.opts(),
		);
		expect(lastRequest(env)).toMatchObject({
			method: 'POST',
			path: `companies/${id}/remove_member/`,
			body: { user_id: bob },
		});
		expect(env.emu.state.companies.get(id)!.members).toEqual([env.userId('u-1')]);
	});

	test('Add Member: an email of several contacts or of none is an error naming the item and the count; nothing is written', async () => {
		const writes = () => requestsTo(env, 'POST', /add_member\/$/).length;
		const before = writes();
		const searches = requestsTo(env, 'GET', /^users\/search\/$/).length;
		const r = await runNode(
			{
				resource: 'company',
				operation: 'addMember',
				company: rl('customId', 'acme'),
				user: '={{ $json.user }}',
			},
			[
				{ user: rl('email', 'ann@example.com') },
				{ user: rl('email', 'nobody@example.com') },
				{ user: rl('email', 'not an email') },
				{ user: rl('customId', 'ghost') },
			],
			env.opts({ continueOnFail: true }),
		);
		expect(writes()).toBe(before);
		// the bad address was not even looked up
		expect(requestsTo(env, 'GET', /^users\/search\/$/).length).toBe(searches + 2);
		const [a, b, c, d] = r.items.map((i) => i.json);
		expect(a.message).toBe(
			`Item 0: "Contact (Email)" ann@example.com matches 2 contacts in User.com (IDs ${env.userId('u-1')}, ${env.userId('u-3')})`,
		);
		expect((a.error as ErrorJson).description).toContain('does not guess');
		expect(b.message).toBe('Item 1: no contact in User.com has the email nobody@example.com');
		expect(c.message).toBe(
			'Item 2: "Contact (Email)" is not a valid email address: "not an email"',
		);
		expect(d.message).toBe('Not found.');
		expect((d.error as ErrorJson).httpCode).toBe(404);
		expect(r.items.map((i) => i.pairedItem)).toEqual([0, 1, 2, 3].map((item) => ({ item })));
	});

	test('Add Tag / Remove Tag; removing an unknown tag reaches the error output', async () => {
		const add = await runNode(
			{
				resource: 'company',
				operation: 'addTag',
				company: rl('customId', 'globex'),
				tagName: 'partner',
			},
			[{}],
			env.opts(),
		);
		expect(lastRequest(env)).toMatchObject({
			method: 'POST',
			path: 'companies-by-id/globex/add_tag/',
			body: { name: 'partner' },
		});
		expect(add.items[0].json).toMatchObject({
			success: true,
			company_custom_id: 'globex',
			tag: 'partner',
			response: { created: true, tag: { name: 'partner' } },
		});
		const r = await runNode(
			{
				resource: 'company',
				operation: 'removeTag',
				company: rl('customId', 'globex'),
				tagName: '={{ $json.tag }}',
			},
			[{ tag: 'partner' }, { tag: 'never-existed' }],
			env.opts({ continueOnFail: true }),
		);
		expect(
			requestsTo(env, 'POST', /remove_tag\/$/)
				.slice(-2)
				.map((e) => e.status),
		).toEqual([200, 404]);
		expect(r.items[0].json).toMatchObject({ success: true, tag: 'partner' });
		expect(r.items[1].json).toMatchObject({ message: 'Not found.', error: { httpCode: 404 } });
		expect(r.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(env.emu.state.companyByCustomId('globex')!.tags).toEqual([]);
	});

	test('Set Custom Attributes; an unknown attribute is a 400 field error on the error output; empty is refused', async () => {
		const r = await runNode(
			{
				resource: 'company',
				operation: 'setCustomAttributes',
				company: rl('customId', 'acme'),
				customAttributes: { attribute: [{ name: '={{ $json.a }}', value: '={{ $json.v }}' }] },
			},
			[
				{ a: 'seats', v: '12' },
				{ a: 'no_such_attr', v: 'x' },
				{ a: 'seats', v: 'many' },
			],
			env.opts({ continueOnFail: true }),
		);
		expect(r.items[0].json).toMatchObject({
			success: true,
			company_custom_id: 'acme',
			attributes: { seats: 12 },
		});
		const unknown = r.items[1].json.error as ErrorJson;
		expect(unknown).toMatchObject({
			httpCode: 400,
			category: 'validation',
			fields: { no_such_attr: ['Attribute does not exist.'] },
		});
		expect(unknown.description).toContain('no_such_attr');
		expect((r.items[2].json.error as ErrorJson).fields).toEqual({
			seats: ['A valid integer is required.'],
		});
		expect(r.items.map((i) => i.pairedItem)).toEqual([0, 1, 2].map((item) => ({ item })));
		const before = env.emu.requestLog.length;
		const empty = await runNodeExpectError(
			{ resource: 'company', operation: 'setCustomAttributes', company: rl('customId', 'acme') },
			[{}],
			env.opts(),
		);
		expect(empty.message).toBe('Item 0: "Custom Attributes" is empty');
		expect(env.emu.requestLog.length).toBe(before);
	});

	test('each error format reaches the error output, paired: 400 field errors, 404 detail, 500 page, and success between', async () => {
		env.emu.injectFault({ pathPattern: 'companies/', method: 'POST', count: 1, kind: '500' });
		const r = await runNode(
			{
				resource: 'company',
				operation: 'create',
				name: '={{ $json.name }}',
				additionalFields: { customId: '={{ $json.cid }}' },
			},
			[
				{ name: 'Server error', cid: 'five-hundred' },
				{ name: 'Dup', cid: 'acme' },
				{ name: 'Fine', cid: 'fine-co' },
			],
			env.opts({ continueOnFail: true }),
		);
		expect(r.items.map((i) => i.pairedItem)).toEqual([0, 1, 2].map((item) => ({ item })));
		expect(r.items[0].json.error as ErrorJson).toMatchObject({ httpCode: 500, category: 'server' });
		// a create is not retried after a 500 (it may have been written): nothing duplicated
		expect(
			requestsTo(env, 'POST', /^companies\/$/).filter(
				(e) => (e.body as IDataObject).company_id === 'five-hundred',
			),
		).toHaveLength(1);
		expect(r.items[1].json).toMatchObject({
			message: expect.stringContaining('company with this company id already exists.'),
		});
		expect((r.items[1].json.error as ErrorJson).fields).toEqual({
			company_id: ['company with this company id already exists.'],
		});
		expect(r.items[2].json).toMatchObject({ name: 'Fine', company_id: 'fine-co' });
		const notFound = await runNode(
			{ resource: 'company', operation: 'delete', company: rl('customId', 'gone-co') },
			[{}],
			env.opts({ continueOnFail: true }),
		);
		expect(notFound.errorItems[0].json).toMatchObject({
			message: 'No Company matches the given query.',
			error: { httpCode: 404, category: 'not_found' },
		});
	});

	test('a custom attribute failure after a create says the company was created', async () => {
		const r = await runNode(
			{
				resource: 'company',
				operation: 'create',
				name: 'Half Done',
				customAttributes: { attribute: [{ name: 'seats', value: 'many' }] },
			},
			[{}],
			env.opts({ continueOnFail: true }),
		);
		const error = r.errorItems[0].json.error as ErrorJson;
		const created = [...env.emu.state.companies.values()].find((c) => c.name === 'Half Done')!;
		expect(error.fields).toEqual({ seats: ['A valid integer is required.'] });
		expect(error.description).toContain(
			`The company itself was created (ID ${created.id}); only its custom attributes were not set.`,
		);
	});

	test('a 429 is waited out and retried through the shared transport', async () => {
		env.emu.injectFault({
			pathPattern: 'companies-by-id/acme/',
			method: 'GET',
			count: 1,
			kind: '429',
			retryAfterSeconds: 1,
		});
		// the retry-after second passes on a virtual clock that moves only while no request is in
		// flight, started at the real time the account's dispatcher has seen so far
		const clock = new FakeClock(Date.now());
		const start = clock.now();
		setTransportClock(clock);
		let r: Awaited<ReturnType<typeof runNode>>;
		try {
			r = await clock.runWithIo(
				runNode(
					{ resource: 'company', operation: 'get', company: rl('customId', 'acme') },
					[{}],
					env.opts(),
				),
				() => requestsInFlight() > 0,
			);
		} finally {
			// back on the real clock, with no dispatcher holding virtual timestamps
			setTransportClock();
			resetTransport();
		}
		expect(clock.now() - start).toBeGreaterThanOrEqual(1000);
		expect(r.items[0].json).toMatchObject({ custom_id: 'acme' });
		expect(
			requestsTo(env, 'GET', /^companies-by-id\/acme\/$/)
				.slice(-2)
				.map((e) => e.status),
		).toEqual([429, 200]);
	});
});

describe('company dropdowns', () => {
	test('the locator list reads every page; the attribute dropdown lists company attributes only', async () => {
		const list = await runListSearch('searchCompanies', undefined, env.opts());
		expect(list.results).toHaveLength(env.emu.state.companies.size);
		expect(list.results.length).toBeGreaterThan(100);
		expect(list.results).toContainEqual({
			name: 'Acme Corp (acme)',
			value: String(companyId('acme')),
		});
		const filtered = await runListSearch('searchCompanies', 'ACME', env.opts());
		expect(filtered.results).toEqual([
			{ name: 'Acme Corp (acme)', value: String(companyId('acme')) },
		]);
		const attributes = await runLoadOptions('getCompanyAttributes', env.opts());
		expect(attributes.map((a) => a.value)).toEqual(['industry', 'seats']);
	});
});
