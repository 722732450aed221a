import { PRODUCT_EVENT_TYPES, startEmulator } from '../emulator';
import type { Emulator } from '../emulator';
import { client, request } from './helpers';

let emu: Emulator;
let api: ReturnType<typeof client>;
let ids: { users: number[]; products: number[]; pipelines: number[]; stages: number[] };

beforeAll(async () => {
	emu = await startEmulator({ rateLimit: 0 });
	api = client(emu.baseUrl, emu.apiKey);
});
afterAll(() => emu.close());
beforeEach(() => {
	emu.reset();
	ids = emu.seed({
		users: [
			{ custom_id: 'u-1', email: 'u1@example.com' },
			{ custom_id: 'u-2', email: 'u2@example.com', key: 'UKEY00000001' },
		],
		products: [
			{ custom_id: 'SKU-1', name: 'One', price: 10 },
			{ custom_id: 'SKU-2', name: 'Two' },
		],
		pipelines: [
			{
				id: 6179,
				name: 'Orders',
				stages: [
					{ id: 36585, name: 'New' },
					{ id: 36586, name: 'Paid' },
				],
			},
		],
	});
});

describe('deals', () => {
	it('create with every kind of reference; value comes back as a string', async () => {
		const r = await api.post('deals/', {
			name: 'Order #1',
			custom_id: 'ORD-1',
			value: 1250,
			currency: 'USD',
			status: 2,
			pipeline: 6179,
			stage: 36586,
			user_custom_id: 'u-1',
			products_custom_id: ['SKU-1'],
			participants: [ids.users[1]],
			order_products: [
				{ product_custom_id: 'SKU-1', quantity: 2, value: 5, currency: 'USD' },
				{ product_id: ids.products[1], quantity: 1 },
			],
			custom_attribute_xyz: 'hello',
		});
		expect(r.status).toBe(201);
		expect(r.json).toMatchObject({
			name: 'Order #1',
			custom_id: 'ORD-1',
			value: '1250.00',
			currency: 'USD',
			status: 2,
			pipeline: 6179,
			stage: 36586,
			user_id: ids.users[0],
			user_custom_id: 'u-1',
			products: [ids.products[0]],
			products_custom_id: ['SKU-1'],
			participants: [ids.users[1]],
			order_products: [
				{
					product_id: ids.products[0],
					product_custom_id: 'SKU-1',
					quantity: 2,
					value: 5,
					currency: 'USD',
				},
				{
					product_id: ids.products[1],
					product_custom_id: 'SKU-2',
					quantity: 1,
					value: null,
					currency: null,
				},
			],
			custom_attribute_xyz: 'hello',
			tags: [],
			loss_reason: null,
			lost_at: null,
		});
		// the custom deal attribute was auto-created and shows (null) on other deals
		expect(
			[...emu.state.attributes.values()].find((a) => a.name_std === 'custom_attribute_xyz')
				?.content_type,
		).toBe('deal');
		const other = await api.post('deals/', { name: 'other' });
		expect(other.json.custom_attribute_xyz).toBeNull();
		expect(emu.writeCounts().deals).toBe(2);
	});

	it('stage alone implies its pipeline; invalid types use DRF wording', async () => {
		expect((await api.post('deals/', { stage: 36585 })).json.pipeline).toBe(6179);
		const r = await api.post('deals/', {
			value: 'ten',
			pipeline: 'abc',
			products: 5,
			currency: 'EURO',
			expected_close_date: '2026/01/01',
		});
		expect(r.json).toEqual({
			value: ['A valid number is required.'],
			currency: ['Ensure this field has no more than 3 characters.'],
			pipeline: ['Incorrect type. Expected pk value, received str.'],
			products: ['Expected a list of items but got type "int".'],
			expected_close_date: ['Date has wrong format. Use one of these formats instead: YYYY-MM-DD.'],
		});
	});

	it('update_or_create by custom_id: 201 + full deal, then 200 + full deal; no duplicates', async () => {
		const a = await api.post('deals/update_or_create/', {
			custom_id: 'ORD-9',
			name: 'first',
			value: 1,
			user_id: ids.users[0],
		});
		expect(a.status).toBe(201);
		expect(a.json).toMatchObject({
			id: expect.any(Number),
			custom_id: 'ORD-9',
			name: 'first',
			value: '1.00',
		});
		expect(a.json).not.toHaveProperty('created');
		const b = await api.post('deals/update_or_create/', { custom_id: 'ORD-9', value: '2.5' });
		expect(b.status).toBe(200);
		expect(b.json).toMatchObject({
			id: a.json.id,
			name: 'first',
			value: '2.50',
			user_id: ids.users[0],
		});
		expect(emu.state.deals.size).toBe(1);
		expect(emu.writeCounts().deals).toBe(1);
		expect((await api.post('deals/update_or_create/', { name: 'x' })).json).toEqual({
			custom_id: ['This field is required.'],
		});
	});

	it('get / put / patch / delete by id and by custom id', async () => {
		const { json: d } = await api.post('deals/', { custom_id: 'D-1', name: 'n' });
		expect((await api.get(`deals/${d.id}/`)).json.name).toBe('n');
		expect((await api.get('deals-by-id/D-1/')).json.id).toBe(d.id);
		expect((await api.put(`deals/${d.id}/`, { status: 3 })).json).toMatchObject({
			status: 3,
			name: 'n',
		});
		expect((await api.patch(`deals/${d.id}/`, { name: 'p' })).json.name).toBe('p');
		expect((await api.put('deals-by-id/D-1/', { value: 9 })).json.value).toBe('9.00');
		expect((await api.put('deals-by-id/D-1/', { status: 7 })).json).toEqual({
			status: ['"7" is not a valid choice.'],
		});
		expect((await api.del('deals-by-id/D-1/')).status).toBe(204);
		expect((await api.get(`deals/${d.id}/`)).status).toBe(404);
		expect((await api.get('deals-by-id/D-1/')).text).toBe('{"detail": "Not found."}');
	});

	it('list filtered by user_id / user_custom_id / userkey, paginated', async () => {
		for (let i = 0; i < 3; i++) await api.post('deals/', { user_id: ids.users[0] });
		for (let i = 0; i < 2; i++) await api.post('deals/', { user_custom_id: 'u-2' });
		expect((await api.get(`deals/?user_id=${ids.users[0]}`)).json.count).toBe(3);
		expect((await api.get('deals/?user_custom_id=u-2')).json.count).toBe(2);
		expect((await api.get('deals/?userkey=UKEY00000001')).json.count).toBe(2);
		expect((await api.get('deals/?user_custom_id=ghost')).json).toEqual({
			count: 0,
			next: null,
			previous: null,
			results: [],
		});
		const p = await api.get('deals/?page_size=4');
		expect(p.json.results).toHaveLength(4);
		expect(p.json.next).toContain('cursor=');
	});
});

describe('products', () => {
	it('CRUD by id and custom id, details/, list', async () => {
		const c = await api.post('products/', {
			custom_id: 'SKU-9',
			name: 'Nine',
			price: 19.99,
			product_url: 'https://x/9',
			brand: 'B',
		});
		expect(c.status).toBe(201);
		expect(c.json).toMatchObject({
			custom_id: 'SKU-9',
			name: 'Nine',
			price: '19.99',
			product_url: 'https://x/9',
			brand: 'B',
		});
		expect((await api.get(`products/${c.json.id}/`)).json.name).toBe('Nine');
		expect((await api.get('products-by-id/SKU-9/')).json.id).toBe(c.json.id);
		expect((await api.get('products-by-id/SKU-9/details/')).json.id).toBe(c.json.id);
		expect((await api.put('products-by-id/SKU-9/', { price: 'x' })).json).toEqual({
			price: ['A valid number is required.'],
		});
		expect((await api.put(`products/${c.json.id}/`, { name: 'Nine!' })).json.name).toBe('Nine!');
		expect((await api.get('products/')).json.count).toBe(3);
		expect((await api.post('products/', { custom_id: 'SKU-9' })).json).toEqual({
			custom_id: ['product with this custom id already exists.'],
		});
		expect((await api.del('products-by-id/SKU-9/')).status).toBe(204);
		expect((await api.get('products-by-id/SKU-9/')).status).toBe(404);
	});
});

describe('product events', () => {
	it('accepts each of the 16 event types by id and by custom id; answers {"id"}', async () => {
		expect(PRODUCT_EVENT_TYPES).toHaveLength(16);
		for (const [i, t] of PRODUCT_EVENT_TYPES.entries()) {
			const path =
				i % 2
					? `products/${ids.products[0]}/product_event/`
					: 'products-by-id/SKU-1/product_event/';
			const r = await api.post(path, {
				user_id: ids.users[0],
				event_type: t,
				timestamp: 1426967129,
			});
			expect(r.status).toBe(201);
			expect(Object.keys(r.json)).toEqual(['id']);
		}
		expect(emu.state.productEvents.size).toBe(16);
		expect(emu.writeCounts().productEvents).toBe(16);
	});
	it('validation order: product, user, then fields; event_type is a closed list', async () => {
		const bad = await api.post('products-by-id/SKU-1/product_event/', {
			user_custom_id: 'u-1',
			event_type: 'Add To Cart',
		});
		expect(bad.status).toBe(400);
		expect(bad.text).toBe('{"event_type": ["\\"Add To Cart\\" is not a valid choice."]}');
		expect(
			(await api.post('products-by-id/SKU-1/product_event/', { user_id: ids.users[0] })).json,
		).toEqual({ event_type: ['This field is required.'] });
		expect(
			(await api.post('products-by-id/SKU-1/product_event/', { event_type: 'view' })).json,
		).toEqual({ user_id: ['This field is required.'] });
		expect(
			(await api.post('products/99999/product_event/', { user_id: 1, event_type: 'view' })).text,
		).toBe('{"detail": "Not found."}');
		expect(emu.state.productEvents.size).toBe(0);
	});
	it('data overwrites product attributes; custom_data is kept on the event', async () => {
		await api.post('products-by-id/SKU-2/product_event/', {
			user_custom_id: 'u-2',
			event_type: 'purchase',
			data: { name: 'Two v2', price: 3, custom_data: { a: 1 } },
		});
		const p = emu.state.productByCustomId('SKU-2')!;
		expect(p.name).toBe('Two v2');
		expect(p.price).toBe(3);
		const ev = [...emu.state.productEvents.values()][0];
		expect(ev).toMatchObject({
			user_id: ids.users[1],
			event_type: 'purchase',
			custom_data: { a: 1 },
		});
		const list = await api.get(`users/${ids.users[1]}/product_events/`);
		expect(list.json.results[0]).toMatchObject({ event_type: 'purchase', custom_data: { a: 1 } });
	});
});

describe('catalog: tags, lists, segments, attributes', () => {
	it('listable and paginated, attributes filtered by content_type', async () => {
		emu.seed({
			tags: Array.from({ length: 150 }, (_, i) => `T${i}`),
			lists: ['L1'],
			segments: [{ name: 'Active', user_custom_ids: ['u-1'] }],
			attributes: [
				{ name: 'Plan', value_type: 'fixed', content_type: 'clientuser' },
				{ name: 'Src', content_type: 'deal' },
			],
		});
		const t1 = await api.get('tags/');
		expect(t1.json.count).toBe(150);
		expect(t1.json.results).toHaveLength(100);
		const t2 = await request('GET', t1.json.next, {
			headers: { Authorization: `Token ${emu.apiKey}` },
		});
		expect(t2.json.results).toHaveLength(50);
		expect(t2.json.results[49]).toEqual({ id: expect.any(Number), name: 'T149' });
		expect((await api.get('lists/')).json.results).toEqual([
			{ id: expect.any(Number), name: 'L1', description: '' },
		]);
		const s = await api.get('segments/');
		expect(s.json.results[0]).toMatchObject({
			name: 'Active',
			object_count: 1,
			users: `${emu.baseUrl}segments/${s.json.results[0].id}/users/`,
			too_heavy: false,
		});
		const a = await api.get('attributes/?content_type=clientuser');
		expect(a.json.results).toEqual([
			{
				id: expect.any(Number),
				name: 'Plan',
				name_std: 'plan',
				value_type: 'fixed',
				content_type: 'user',
			},
		]);
		expect((await api.get('attributes/')).json.count).toBe(2);
		const created = await api.post('attributes/', {
			name: 'Shoe size',
			value_type: 'integer',
			content_type: 'clientuser',
		});
		expect(created.json).toMatchObject({ name_std: 'shoe_size', content_type: 'user' });
		expect((await api.post('users/', { shoe_size: 44 })).status).toBe(201);
		expect((await api.post('tags/', { name: 'New tag' })).status).toBe(201);
	});
});
