import { startEmulator } from '../emulator';
import type { Emulator } from '../emulator';
import { client, request } from './helpers';

let emu: Emulator;
let api: ReturnType<typeof client>;

beforeAll(async () => {
	emu = await startEmulator({ rateLimit: 0 });
	api = client(emu.baseUrl, emu.apiKey);
});
afterAll(() => emu.close());
beforeEach(() => {
	emu.reset();
	emu.seed({
		attributes: [
			{
				name: 'Loyalty points',
				name_std: 'loyalty_points',
				value_type: 'integer',
				content_type: 'clientuser',
			},
			{ name: 'VIP', name_std: 'vip', value_type: 'boolean', content_type: 'user' },
			{ name: 'Birthday', name_std: 'birthday', value_type: 'date' },
			{ name: 'Order source', name_std: 'order_source', content_type: 'deal' },
		],
		lists: [{ name: 'Newsletter' }, { name: 'Beta' }],
	});
});

describe('create / get / update / delete', () => {
	it('POST users/ returns the full user object (shape of §2.1)', async () => {
		const r = await api.post('users/', {
			email: 'ann@example.com',
			first_name: 'Ann',
			last_name: 'Lee',
			custom_id: 'c-1',
			tags: ['VIP', 'Lead'],
			loyalty_points: '42',
			gender: 3,
		});
		expect(r.status).toBe(201);
		const u = r.json;
		expect(u).toMatchObject({
			id: 1,
			email: 'ann@example.com',
			name: 'Ann Lee',
			first_name: 'Ann',
			last_name: 'Lee',
			custom_id: 'c-1',
			gender: 'female',
			status: 'visitor',
			score: 0,
			unsubscribed: false,
			chat_id: 'Chat ID is deprecated and will be removed in future',
			lists: [],
			companies: [],
			tags: [
				{ name: 'VIP', id: expect.any(Number) },
				{ name: 'Lead', id: expect.any(Number) },
			],
			attributes: [
				{ value: 42, name: 'Loyalty points', name_std: 'loyalty_points', id: expect.any(Number) },
			],
		});
		expect(u.key).toMatch(/^[A-Za-z0-9]{12}$/);
		expect(u.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
		expect(Object.keys(u.tags[0])).toEqual(['name', 'id']);
		expect(Object.keys(u.attributes[0])).toEqual(['value', 'name', 'name_std', 'id']);
		expect(emu.writeCounts()).toEqual({ users: 1 });
	});

	it('GET/PUT/DELETE users/<id>/ and users-by-id/<custom_id>/', async () => {
		const { json: u } = await api.post('users/', { custom_id: 'c-2', email: 'b@example.com' });
		expect((await api.get(`users/${u.id}/`)).json.email).toBe('b@example.com');
		expect((await api.get('users-by-id/c-2/')).json.id).toBe(u.id);
		const put = await api.put(`users/${u.id}/`, { first_name: 'Bea', vip: 'true' });
		expect(put.status).toBe(200);
		expect(put.json).toMatchObject({
			first_name: 'Bea',
			email: 'b@example.com',
			attributes: [{ name_std: 'vip', value: true }],
		});
		const put2 = await api.put('users-by-id/c-2/', { last_name: 'Bo' });
		expect(put2.json.name).toBe('Bea Bo');
		const del = await api.del('users-by-id/c-2/');
		expect(del.status).toBe(204);
		expect(del.text).toBe('');
		expect((await api.get(`users/${u.id}/`)).text).toBe('{"detail": "Not found."}');
		expect((await api.del(`users/${u.id}/`)).status).toBe(404);
	});

	it('custom attributes must exist: 400 naming the attribute; nothing is written', async () => {
		const r = await api.post('users/', { email: 'x@example.com', my_attr: 1, order_source: 'web' });
		expect(r.status).toBe(400);
		expect(r.text).toBe(
			'{"my_attr": ["Attribute does not exist."], "order_source": ["Attribute does not exist."]}',
		);
		expect(emu.state.users.size).toBe(0);
	});

	it('DRF field messages: max length 40, email, integer attribute, choices, all at once', async () => {
		const r = await api.post('users/', {
			first_name: 'x'.repeat(41),
			last_name: 'y'.repeat(40),
			email: 'not-an-email',
			loyalty_points: 'lots',
			status: 'admin',
			birthday: '12/04/1990',
		});
		expect(r.status).toBe(400);
		expect(r.json).toEqual({
			first_name: ['Ensure this field has no more than 40 characters.'],
			email: ['Enter a valid email address.'],
			loyalty_points: ['A valid integer is required.'],
			status: ['"admin" is not a valid choice.'],
			birthday: ['Date has wrong format. Use one of these formats instead: YYYY-MM-DD.'],
		});
	});

	it('custom_id is unique', async () => {
		await api.post('users/', { custom_id: 'dup' });
		const r = await api.post('users/', { custom_id: 'dup' });
		expect(r.status).toBe(400);
		expect(r.json).toEqual({ custom_id: ['client user with this custom id already exists.'] });
	});
});

describe('update_or_create', () => {
	it('creates then updates by custom_id, answering {"created", "id"}', async () => {
		const a = await api.post('users/update_or_create/', {
			custom_id: 'K1',
			email: 'k@example.com',
			loyalty_points: 1,
		});
		expect(a.status).toBe(201);
		expect(a.text).toBe(`{"created": true, "id": ${a.json.id}}`);
		const b = await api.post('users/update_or_create/', {
			custom_id: 'K1',
			first_name: 'Kay',
			loyalty_points: 2,
		});
		expect(b.status).toBe(200);
		expect(b.json).toEqual({ created: false, id: a.json.id });
		expect(emu.state.users.size).toBe(1);
		const u = emu.state.users.get(a.json.id)!;
		expect(u.email).toBe('k@example.com');
		expect(u.first_name).toBe('Kay');
		expect(emu.writeCounts().users).toBe(1);
		expect(emu.updateCounts().users).toBe(1);
	});
	it('custom_id is required; unknown attributes rejected', async () => {
		expect((await api.post('users/update_or_create/', { email: 'a@example.com' })).json).toEqual({
			custom_id: ['This field is required.'],
		});
		expect((await api.post('users/update_or_create/', { custom_id: 'z', nope: 1 })).json).toEqual({
			nope: ['Attribute does not exist.'],
		});
	});
});

describe('search', () => {
	beforeEach(() => {
		emu.seed({
			users: [
				{ email: 'same@example.com', phone_number: '+48111', custom_id: 's1', key: 'KEYabc123456' },
				{ email: 'same@example.com', custom_id: 's2' },
			],
		});
	});
	it('by email: a single object; many=true: a list; none: 404', async () => {
		const one = await api.get('users/search/?email=same@example.com');
		expect(one.status).toBe(200);
		expect(one.json.custom_id).toBe('s1');
		const many = await api.get('users/search/?email=same@example.com&many=true');
		expect(Array.isArray(many.json)).toBe(true);
		expect(many.json.map((u: { custom_id: string }) => u.custom_id)).toEqual(['s1', 's2']);
		const none = await api.get('users/search/?email=nobody@example.com');
		expect(none.status).toBe(404);
		expect(none.text).toBe('{"detail": "Not found."}');
		expect((await api.get('users/search/?email=nobody@example.com&many=true')).json).toEqual([]);
	});
	it('by phone_number and key', async () => {
		expect((await api.get('users/search/?phone_number=%2B48111')).json.custom_id).toBe('s1');
		expect((await api.get('users/search/?key=KEYabc123456')).json.custom_id).toBe('s1');
	});
});

describe('pagination', () => {
	it('cursor pagination across pages: count, absolute next/previous with opaque cursor, 100 a page', async () => {
		emu.seed({ users: Array.from({ length: 250 }, (_, i) => ({ email: `u${i}@example.com` })) });
		const p1 = await api.get('users/');
		expect(p1.json.count).toBe(250);
		expect(p1.json.results).toHaveLength(100);
		expect(p1.json.previous).toBeNull();
		expect(p1.json.next).toMatch(new RegExp(`^${emu.baseUrl}users/\\?cursor=[A-Za-z0-9_-]+$`));
		const seen: number[] = [];
		let next: string | null = emu.baseUrl + 'users/';
		let pages = 0;
		let last: any;
		while (next) {
			last = await request('GET', next, { headers: { Authorization: `Token ${emu.apiKey}` } });
			seen.push(...last.json.results.map((u: { id: number }) => u.id));
			next = last.json.next;
			pages++;
		}
		expect(pages).toBe(3);
		expect(seen).toEqual([...emu.state.users.keys()]);
		expect(last.json.results).toHaveLength(50);
		expect(last.json.previous).toMatch(/cursor=/);
		const prev = await request('GET', last.json.previous, {
			headers: { Authorization: `Token ${emu.apiKey}` },
		});
		expect(prev.json.results[0].id).toBe(seen[100]);
	});
	it('page_size and filters are carried into next', async () => {
		emu.seed({
			users: Array.from({ length: 7 }, (_, i) => ({
				email: i % 2 ? 'odd@example.com' : `e${i}@example.com`,
			})),
		});
		const r = await api.get('users/?email=odd@example.com&page_size=2');
		expect(r.json.count).toBe(3);
		expect(r.json.next).toContain('email=odd%40example.com');
		expect(r.json.next).toContain('page_size=2');
		const r2 = await request('GET', r.json.next, {
			headers: { Authorization: `Token ${emu.apiKey}` },
		});
		expect(r2.json.results).toHaveLength(1);
		expect(r2.json.next).toBeNull();
		expect((await api.get('users/?cursor=garbage')).text).toBe('{"detail": "Invalid cursor"}');
	});
});

describe('tags, lists, attributes on a user', () => {
	let id: number;
	beforeEach(async () => {
		id = (await api.post('users/', { custom_id: 'ua', email: 'ua@example.com' })).json.id;
	});
	it('add_tag / remove_tag (POST and DELETE), by id and by custom id', async () => {
		const a = await api.post(`users/${id}/add_tag/`, { name: 'Hot' });
		expect(a.status).toBe(200);
		expect(a.json).toEqual({ created: true, tag: { id: expect.any(Number), name: 'Hot' } });
		expect((await api.post('users-by-id/ua/add_tag/', { name: 'Hot' })).json.created).toBe(false);
		expect(emu.state.users.get(id)!.tags).toHaveLength(1);
		const rm = await api.del(`users/${id}/remove_tag/`, { name: 'Hot' });
		expect(rm.status).toBe(200);
		expect(rm.json.tags).toEqual([]);
		await api.post('users-by-id/ua/add_tag/', { name: 'Cold' });
		expect((await api.post('users-by-id/ua/remove_tag/', { name: 'Cold' })).json.tags).toEqual([]);
		expect((await api.post(`users/${id}/add_tag/`, {})).json).toEqual({
			name: ['This field is required.'],
		});
		expect((await api.del(`users/${id}/add_tag/`, { name: 'x' })).status).toBe(405);
	});
	it('add_to_list / remove_from_list', async () => {
		const listId = [...emu.state.lists.values()].find((l) => l.name === 'Beta')!.id;
		const r = await api.post(`users/${id}/add_to_list/`, { list: listId });
		expect(r.json.id).toBe(id);
		expect(r.json.lists).toEqual([{ id: listId, name: 'Beta' }]);
		expect((await api.post(`users/${id}/add_to_list/`, { list: 999 })).json).toEqual({
			list: ['Invalid pk "999" - object does not exist.'],
		});
		expect(
			(await api.del(`users-by-id/ua/remove_from_list/`, { list: listId })).json.lists,
		).toEqual([]);
	});
	it('set_attribute / set_multiple_attributes / remove_attribute', async () => {
		const a = await api.post(`users/${id}/set_attribute/`, {
			attribute: 'loyalty_points',
			value: 7,
		});
		expect(a.json.attributes).toEqual([
			{ value: 7, name: 'Loyalty points', name_std: 'loyalty_points', id: expect.any(Number) },
		]);
		expect(
			(await api.post(`users/${id}/set_attribute/`, { attribute: 'ghost', value: 1 })).json,
		).toEqual({ ghost: ['Attribute does not exist.'] });
		const m = await api.post('users-by-id/ua/set_multiple_attributes/', {
			vip: true,
			birthday: '1990-01-02',
		});
		expect(
			m.json.attributes.map((x: { name_std: string; value: unknown }) => [x.name_std, x.value]),
		).toEqual([
			['loyalty_points', 7],
			['vip', true],
			['birthday', '1990-01-02'],
		]);
		const bad = await api.post(`users/${id}/set_multiple_attributes/`, { vip: 'maybe', ghost: 1 });
		expect(bad.json).toEqual({
			vip: ['Must be a valid boolean.'],
			ghost: ['Attribute does not exist.'],
		});
		expect(
			(await api.del(`users/${id}/remove_attribute/`, { attribute: 'vip' })).json.attributes,
		).toHaveLength(2);
	});
	it('list filters tag_id / segment_id and tags/<id>/users/, segments/<id>/users/', async () => {
		await api.post(`users/${id}/add_tag/`, { name: 'T' });
		await api.post('users/', { email: 'other@example.com' });
		const tag = emu.state.tagByName('T')!;
		expect((await api.get(`users/?tag_id=${tag.id}`)).json.count).toBe(1);
		expect((await api.get(`tags/${tag.id}/users/`)).json.results[0].id).toBe(id);
		emu.seed({ segments: [{ name: 'S', user_ids: [id] }] });
		const seg = [...emu.state.segments.values()][0];
		expect((await api.get(`segments/${seg.id}/users/`)).json.count).toBe(1);
		expect((await api.get(`users/?segment_id=${seg.id}`)).json.results[0].id).toBe(id);
	});
	it("users/<id>/events/ lists the user's events", async () => {
		await api.post('events/', { user_id: id, name: 'a', data: { x: 1 } });
		await api.post('users-by-id/ua/events/', { name: 'b' });
		const r = await api.get(`users/${id}/events/`);
		expect(r.json.count).toBe(2);
		expect(r.json.results[0]).toMatchObject({
			client: id,
			event: 'a',
			items: [{ key: 'x', value: 1 }],
		});
	});
});

describe('protocol details', () => {
	it('trailing slash: GET 301 to the slash URL, POST/PUT/DELETE 404', async () => {
		const g = await api.get('users?email=a@example.com');
		expect(g.status).toBe(301);
		expect(g.headers.location).toBe('/api/public/users/?email=a@example.com');
		const p = await api.post('users', { email: 'a@example.com' });
		expect(p.status).toBe(404);
		expect(p.text).toBe('{"detail": "Not found."}');
		expect(emu.state.users.size).toBe(0);
		expect((await api.put('users/1', {})).status).toBe(404);
	});
	it('unknown route -> 404 {"detail": "Not found."}; wrong method -> 405', async () => {
		expect((await api.get('nothing/here/')).text).toBe('{"detail": "Not found."}');
		expect((await request('GET', emu.url + '/elsewhere/')).status).toBe(404);
		const r = await api.del('users/');
		expect(r.status).toBe(405);
		expect(r.text).toBe('{"detail": "Method \\"DELETE\\" not allowed."}');
	});
	it('malformed JSON -> 400 JSON parse error - ... (DRF wording)', async () => {
		const r = await api.post('users/', '{"email": ', { 'Content-Type': 'application/json' });
		expect(r.status).toBe(400);
		expect(r.json.detail).toMatch(
			/^JSON parse error - Expecting value: line 1 column \d+ \(char \d+\)$/,
		);
		const r2 = await api.post('users/', "{'email': 1}", { 'Content-Type': 'application/json' });
		expect(r2.json.detail).toBe(
			'JSON parse error - Expecting property name enclosed in double quotes: line 1 column 2 (char 1)',
		);
		const r3 = await api.post('users/', '[1]', { 'Content-Type': 'application/json' });
		expect(r3.json).toEqual({
			non_field_errors: ['Invalid data. Expected a dictionary, but got list.'],
		});
		const r4 = await api.post('users/', 'email=a', { 'Content-Type': 'text/plain' });
		expect(r4.status).toBe(415);
		expect(r4.text).toBe('{"detail": "Unsupported media type \\"text/plain\\" in request."}');
	});
	it('custom ids are percent-decoded before routing (an encoded "/" cannot be addressed, as in Django)', async () => {
		await api.post('users/', { custom_id: 'a b+c@d', email: 'e@example.com' });
		expect((await api.get(`users-by-id/${encodeURIComponent('a b+c@d')}/`)).status).toBe(200);
		await api.post('users/', { custom_id: 'x/y' });
		expect((await api.get(`users-by-id/${encodeURIComponent('x/y')}/`)).status).toBe(404);
	});
});
