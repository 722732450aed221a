import { startEmulator } from '../emulator';
import type { Emulator } from '../emulator';
import { client } from './helpers';

let emu: Emulator;
let api: ReturnType<typeof client>;
let ids: { users: number[]; companies: number[] };

beforeAll(async () => {
	emu = await startEmulator({ rateLimit: 0 });
	api = client(emu.baseUrl, emu.apiKey);
});
afterAll(() => emu.close());
beforeEach(() => {
	emu.reset();
	ids = emu.seed({
		tags: ['partner'],
		attributes: [
			{ name: 'Industry', name_std: 'industry', value_type: 'string', content_type: 'company' },
			{ name: 'Seats', name_std: 'seats', value_type: 'integer', content_type: 'company' },
			{ name: 'Plan', name_std: 'plan', value_type: 'string', content_type: 'user' },
		],
		companies: [{ name: 'Acme', custom_id: 'acme' }],
		users: [
			{ custom_id: 'u-1', email: 'u1@example.com' },
			{ custom_id: 'u-2', email: 'u2@example.com', company_custom_id: 'acme' },
		],
	});
});

describe('companies', () => {
	it('create with every standard field and a custom attribute; the own ID is company_id', async () => {
		const r = await api.post('companies/', {
			name: 'Globex',
			description: 'Rockets',
			email: 'hq@globex.example',
			phone_numbers: ['+1 555 0100', '+1 555 0101'],
			address: '1 Main St',
			city: 'Springfield',
			region: 'OR',
			country: 'US',
			approx_employees: 250,
			company_id: 'globex',
			industry: 'Aerospace',
		});
		expect(r.status).toBe(201);
		expect(r.json).toMatchObject({
			name: 'Globex',
			description: 'Rockets',
			email: 'hq@globex.example',
			phone_numbers: ['+1 555 0100', '+1 555 0101'],
			address: '1 Main St',
			city: 'Springfield',
			region: 'OR',
			country: 'US',
			approx_employees: 250,
			company_id: 'globex',
			tags: [],
			attributes: [{ name: 'Industry', name_std: 'industry', value: 'Aerospace' }],
		});
		expect(typeof r.json.id).toBe('number');
	});

	it('create: every field error at once (format 1), name required, unique company_id, unknown attribute', async () => {
		const r = await api.post('companies/', {
			email: 'nope',
			approx_employees: 'many',
			phone_numbers: '+1',
			company_id: 'acme',
			custom_id: 'x',
		});
		expect(r.status).toBe(400);
		expect(r.json).toEqual({
			name: ['This field is required.'],
			email: ['Enter a valid email address.'],
			approx_employees: ['A valid integer is required.'],
			phone_numbers: ['Expected a list of items but got type "str".'],
			company_id: ['company with this company id already exists.'],
			custom_id: ['Attribute does not exist.'],
		});
		expect(emu.state.companies.size).toBe(1);
	});

	it('get / update / delete by ID and by custom ID; unknown custom ID is a 404 detail', async () => {
		const id = ids.companies[0];
		expect((await api.get(`companies/${id}/`)).json).toMatchObject({
			id,
			name: 'Acme',
			company_id: 'acme',
		});
		const up = await api.put('companies-by-id/acme/', { city: 'Warsaw' });
		expect(up.status).toBe(200);
		expect(up.json).toMatchObject({ id, name: 'Acme', city: 'Warsaw' });
		const missing = await api.get('companies-by-id/nope/');
		expect(missing.status).toBe(404);
		expect(missing.json).toEqual({ detail: 'No Company matches the given query.' });
		expect((await api.put('companies-by-id/nope/', { city: 'x' })).json).toEqual({
			detail: 'No Company matches the given query.',
		});
		expect((await api.get('companies/99999/')).json).toEqual({ detail: 'Not found.' });
		expect((await api.del('companies-by-id/acme/')).status).toBe(204);
		expect(emu.state.companies.size).toBe(0);
		// the contact linked by company_custom_id no longer lists it
		expect((await api.get(`users/${ids.users[1]}/`)).json.companies).toEqual([]);
	});

	it('list pages through every company', async () => {
		for (let i = 0; i < 5; i++) await api.post('companies/', { name: `C${i}` });
		const first = await api.get('companies/?page_size=4');
		expect(first.json.count).toBe(6);
		expect(first.json.results).toHaveLength(4);
		const next = await api.call('GET', first.json.next.replace(emu.baseUrl, ''));
		expect(next.json.results).toHaveLength(2);
		expect(next.json.next).toBeNull();
	});

	it('add_member / remove_member by user_id; the contact lists its companies', async () => {
		const [u1] = ids.users;
		const add = await api.post('companies-by-id/acme/add_member/', { user_id: u1 });
		expect(add.status).toBe(200);
		expect((await api.get(`users/${u1}/`)).json.companies).toEqual([
			expect.objectContaining({ id: ids.companies[0], name: 'Acme' }),
		]);
		expect((await api.post('companies-by-id/acme/add_member/', { user_id: 424242 })).json).toEqual({
			user_id: ['Invalid pk "424242" - object does not exist.'],
		});
		expect((await api.post('companies-by-id/acme/add_member/', {})).json).toEqual({
			user_id: ['This field is required.'],
		});
		expect(
			(await api.post(`companies/${ids.companies[0]}/remove_member/`, { user_id: u1 })).status,
		).toBe(200);
		expect((await api.get(`users/${u1}/`)).json.companies).toEqual([]);
		expect((await api.post('companies-by-id/nope/add_member/', { user_id: u1 })).status).toBe(404);
	});

	it('tags and custom attributes', async () => {
		const tag = await api.post('companies-by-id/acme/add_tag/', { name: 'partner' });
		expect(tag.json).toMatchObject({ created: false, tag: { name: 'partner' } });
		const fresh = await api.post('companies-by-id/acme/add_tag/', { name: 'brand new' });
		expect(fresh.json).toMatchObject({ created: true, tag: { name: 'brand new' } });
		expect((await api.del('companies-by-id/acme/remove_tag/', { name: 'partner' })).status).toBe(
			200,
		);
		expect(
			(await api.post('companies-by-id/acme/remove_tag/', { name: 'never heard' })).status,
		).toBe(404);
		expect((await api.del('companies-by-id/acme/add_tag/', { name: 'x' })).status).toBe(405);
		const set = await api.post('companies-by-id/acme/set_multiple_attributes/', {
			industry: 'Retail',
			seats: '12',
		});
		expect(set.status).toBe(200);
		expect(set.json.tags.map((t: { name: string }) => t.name)).toEqual(['brand new']);
		expect(set.json.attributes).toEqual(
			expect.arrayContaining([
				expect.objectContaining({ name_std: 'industry', value: 'Retail' }),
				expect.objectContaining({ name_std: 'seats', value: 12 }),
			]),
		);
		// user attributes are not company attributes; nothing is written when one value is bad
		const bad = await api.post('companies-by-id/acme/set_multiple_attributes/', {
			plan: 'pro',
			seats: 'many',
			industry: 'Food',
		});
		expect(bad.json).toEqual({
			plan: ['Attribute does not exist.'],
			seats: ['A valid integer is required.'],
		});
		expect((await api.get('companies-by-id/acme/')).json.attributes).toEqual(
			expect.arrayContaining([expect.objectContaining({ name_std: 'industry', value: 'Retail' })]),
		);
	});
});

describe('users/search by custom attribute', () => {
	it('exact and Django-style lookups answer a paginated list; an unknown attribute is a 400', async () => {
		emu.seed({
			users: [
				{ custom_id: 'p-1', plan: 'pro' },
				{ custom_id: 'p-2', plan: 'Professional' },
				{ custom_id: 'p-3', plan: 'free' },
			],
		});
		const exact = await api.get('users/search/?plan=pro');
		expect(exact.json.results.map((u: { custom_id: string }) => u.custom_id)).toEqual(['p-1']);
		const ci = await api.get('users/search/?plan__istartswith=PRO');
		expect(ci.json.results.map((u: { custom_id: string }) => u.custom_id)).toEqual(['p-1', 'p-2']);
		const unknown = await api.get('users/search/?nope__contains=x');
		expect(unknown.status).toBe(400);
		expect(unknown.json).toEqual({ detail: 'Unknown search parameter: nope__contains' });
	});
});
