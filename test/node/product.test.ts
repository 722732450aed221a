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

describe('Product resource against the emulator', () => {
	test('Create sends name, custom ID, price and attributes; price comes back as a number', async () => {
		const r = await runNode(
			{
				resource: 'product',
				operation: 'create',
				name: 'Cap',
				customId: 'SKU-CAP',
				additionalFields: {
					price: 12.5,
					categoryName: 'Hats',
					productUrl: 'https://shop.example/cap',
				},
				customAttributes: { attribute: [{ name: 'brand', value: 'Acme' }] },
			},
			[{}],
			env.opts(),
		);
		expect(lastRequest(env)).toMatchObject({
			method: 'POST',
			path: 'products/',
			body: {
				name: 'Cap',
				custom_id: 'SKU-CAP',
				price: 12.5,
				category_name: 'Hats',
				product_url: 'https://shop.example/cap',
				brand: 'Acme',
			},
		});
		expect(r.items[0].json).toMatchObject({
			id: env.productId('SKU-CAP'),
			name: 'Cap',
			custom_id: 'SKU-CAP',
		});
		expect(typeof r.items[0].json.price === 'number' || r.items[0].json.price === undefined).toBe(
			true,
		);
	});

	test('Create without a name is refused; negative price is refused', async () => {
		const before = env.emu.requestLog.length;
		const r = await runNode(
			{
				resource: 'product',
				operation: 'create',
				name: '={{ $json.n }}',
				additionalFields: { price: '={{ $json.p }}' },
			},
			[
				{ n: '', p: 1 },
				{ n: 'X', p: -1 },
				{ n: 'X', p: 'abc' },
			],
			env.opts({ continueOnFail: true }),
		);
		expect(env.emu.requestLog.length).toBe(before);
		expect(r.errorItems.map((i) => i.json.message)).toEqual([
			expect.stringContaining('"Name" is required'),
			expect.stringContaining('"Price" must not be negative'),
			expect.stringContaining('"Price" must be a number'),
		]);
	});

	test('Update by custom ID and by ID', async () => {
		await runNode(
			{
				resource: 'product',
				operation: 'update',
				product: rl('customId', 'SKU-1'),
				updateFields: { price: 11, name: 'Big Mug' },
			},
			[{}],
			env.opts(),
		);
		expect(lastRequest(env)).toMatchObject({
			method: 'PUT',
			path: 'products-by-id/SKU-1/',
			body: { price: 11, name: 'Big Mug' },
		});
		const id = env.productId('SKU-2');
		const r = await runNode(
			{
				resource: 'product',
				operation: 'update',
				product: rl('id', id),
				updateFields: { imageUrl: 'https://img.example/2.png' },
			},
			[{}],
			env.opts(),
		);
		expect(lastRequest(env)).toMatchObject({ method: 'PUT', path: `products/${id}/` });
		expect(r.items[0].json.image_url).toBe('https://img.example/2.png');
	});

	test('Get by custom ID (details endpoint) and by ID; Get Many with limit and all', async () => {
		const byCustom = await runNode(
			{ resource: 'product', operation: 'get', product: rl('customId', 'SKU-2') },
			[{}],
			env.opts(),
		);
		expect(lastRequest(env)).toMatchObject({
			method: 'GET',
			path: 'products-by-id/SKU-2/details/',
		});
		expect(byCustom.items[0].json).toMatchObject({ custom_id: 'SKU-2', name: 'Shirt', price: 20 });
		const id = env.productId('SKU-2');
		const byId = await runNode(
			{ resource: 'product', operation: 'get', product: rl('id', id), simplify: false },
			[{}],
			env.opts(),
		);
		expect(lastRequest(env)).toMatchObject({ method: 'GET', path: `products/${id}/` });
		expect(byId.items[0].json.id).toBe(id);
		const all = await runNode(
			{ resource: 'product', operation: 'getAll', returnAll: true },
			[{}],
			env.opts(),
		);
		expect(all.items).toHaveLength(env.emu.state.products.size);
		const one = await runNode(
			{ resource: 'product', operation: 'getAll', limit: 1 },
			[{}],
			env.opts(),
		);
		expect(one.items).toHaveLength(1);
	});

	test('Delete by ID', async () => {
		await runNode(
			{ resource: 'product', operation: 'create', name: 'Tmp', customId: 'SKU-TMP' },
			[{}],
			env.opts(),
		);
		const id = env.productId('SKU-TMP');
		const r = await runNode(
			{ resource: 'product', operation: 'delete', product: rl('id', id) },
			[{}],
			env.opts(),
		);
		expect(lastRequest(env)).toMatchObject({ method: 'DELETE', path: `products/${id}/` });
		expect(r.items[0].json).toEqual({ deleted: true, id });
		expect(env.emu.state.products.has(id)).toBe(false);
	});

	test('Create Product Event by custom IDs sends event_type, user_custom_id, data and timestamp', async () => {
		const r = await runNode(
			{
				resource: 'product',
				operation: 'createEvent',
				product: rl('customId', 'SKU-1'),
				user: rl('customId', 'u-1'),
				eventType: 'add to cart',
				timestamp: 1795608000,
				dataFields: { field: [{ key: 'quantity', value: '2' }] },
			},
			[{}],
			env.opts(),
		);
		expect(lastRequest(env)).toMatchObject({
			method: 'POST',
			path: 'products-by-id/SKU-1/product_event/',
			body: {
				user_custom_id: 'u-1',
				event_type: 'add to cart',
				timestamp: 1795608000,
				data: { quantity: 2 },
			},
		});
		expect(r.items[0].json).toMatchObject({
			event_type: 'add to cart',
			product_custom_id: 'SKU-1',
			user_custom_id: 'u-1',
		});
		expect(env.emu.state.productEvents.get(r.items[0].json.id as number)?.user_id).toBe(
			env.userId('u-1'),
		);
	});

	test('Create Product Event by IDs', async () => {
		const pid = env.productId('SKU-2');
		const uid = env.userId('u-2');
		await runNode(
			{
				resource: 'product',
				operation: 'createEvent',
				product: rl('id', pid),
				user: rl('id', uid),
				eventType: 'purchase',
			},
			[{}],
			env.opts(),
		);
		expect(lastRequest(env)).toMatchObject({
			method: 'POST',
			path: `products/${pid}/product_event/`,
			body: { user_id: uid, event_type: 'purchase' },
		});
	});

	test('an event type outside the 16 is refused before sending', async () => {
		const before = env.emu.requestLog.length;
		const error = await runNodeExpectError(
			{
				resource: 'product',
				operation: 'createEvent',
				product: rl('customId', 'SKU-1'),
				user: rl('customId', 'u-1'),
				eventType: 'bought',
			},
			[{}],
			env.opts(),
		);
		expect(error.message).toContain('"Event Type" has a value User.com does not accept');
		expect(env.emu.requestLog.length).toBe(before);
	});

	test('guide: missing product -> 404; with Create Product If Missing the product is created and the event sent', async () => {
		const params = {
			resource: 'product',
			operation: 'createEvent',
			product: rl('customId', 'SKU-NEW'),
			user: rl('customId', 'u-1'),
			eventType: 'view',
		};
		const r = await runNode(params, [{}], env.opts({ continueOnFail: true }));
		const error = r.errorItems[0].json.error as { httpCode: number; message: string };
		expect(error.httpCode).toBe(404);
		expect(error.message).toBe("Couldn't find product with custom_id = SKU-NEW");
		expect(env.emu.state.productByCustomId('SKU-NEW')).toBeUndefined();

		const ok = await runNode(
			{ ...params, createProductIfMissing: true, productName: 'New thing' },
			[{}],
			env.opts(),
		);
		const calls = env.emu.requestLog
			.slice(-3)
			.map((e) => `${e.method} ${e.path.replace('/api/public/', '')} ${e.status}`);
		expect(calls).toEqual([
			'POST products-by-id/SKU-NEW/product_event/ 404',
			'POST products/ 201',
			'POST products-by-id/SKU-NEW/product_event/ 201',
		]);
		const product = env.emu.state.productByCustomId('SKU-NEW');
		expect(product?.name).toBe('New thing');
		expect(ok.items[0].json.created_product).toMatchObject({
			id: product?.id,
			custom_id: 'SKU-NEW',
		});
	});

	test('guide: unknown user ID -> 400, unknown user custom ID -> 404, and no product is created for them', async () => {
		const r = await runNode(
			{
				resource: 'product',
				operation: 'createEvent',
				product: rl('customId', 'SKU-1'),
				user: '={{ $json.user }}',
				eventType: 'view',
				createProductIfMissing: true,
			},
			[{ user: rl('id', 999999) }, { user: rl('customId', 'nobody') }],
			env.opts({ continueOnFail: true }),
		);
		const [byId, byCustom] = r.errorItems.map(
			(i) => i.json.error as { httpCode: number; message: string },
		);
		expect(byId.httpCode).toBe(400);
		expect(byId.message).toBe("Client user with ID '999999' does not exist");
		expect(byCustom.httpCode).toBe(404);
		expect(byCustom.message).toBe('user for given user_id not found');
		expect(r.errorItems.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(env.emu.requestLog.slice(-2).every((e) => e.path.endsWith('/product_event/'))).toBe(
			true,
		);
	});
});
