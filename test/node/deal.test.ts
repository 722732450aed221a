import { runNode, runNodeExpectError } from '../harness';
import { lastRequest, requestsTo, rl, SEED, startEnv, type TestEnv } from './helpers';

let env: TestEnv;
beforeAll(async () => {
	env = await startEnv();
});
afterAll(async () => {
	await env.emu.close();
});
// every test starts from the seed, with an empty request log and no pending faults
beforeEach(() => env.emu.reset(SEED));

describe('Deal resource against the emulator', () => {
	test('Create maps every field, status name -> 0-4, value comes back as a number', async () => {
		const stage = [...env.emu.state.stages.values()][0];
		const r = await runNode(
			{
				resource: 'deal',
				operation: 'create',
				name: 'Order #1',
				additionalFields: {
					customId: 'ORD-1',
					value: '120.50',
					currency: 'eur',
					status: 'won',
					pipeline: stage.pipelineId,
					stage: stage.id,
					userCustomId: 'u-1',
					productCustomIds: 'SKU-1, SKU-2',
					expectedCloseDate: '2026-12-24T10:00:00Z',
				},
				orderProducts: {
					product: [
						{ productBy: 'customId', productCustomId: 'SKU-1', quantity: 2, value: 9.5 },
						{
							productBy: 'id',
							productId: String(env.productId('SKU-2')),
							quantity: 1,
							value: 20,
							currency: 'EUR',
						},
					],
				},
				customAttributes: { attribute: [{ name: 'channel', value: 'web' }] },
			},
			[{}],
			env.opts(),
		);
		expect(lastRequest(env)).toMatchObject({
			method: 'POST',
			path: 'deals/',
			body: {
				name: 'Order #1',
				custom_id: 'ORD-1',
				value: 120.5,
				currency: 'EUR',
				status: 2,
				pipeline: stage.pipelineId,
				stage: stage.id,
				user_custom_id: 'u-1',
				products_custom_id: ['SKU-1', 'SKU-2'],
				expected_close_date: '2026-12-24',
				order_products: [
					{ product_custom_id: 'SKU-1', quantity: 2, value: 9.5, currency: 'EUR' },
					{ product_id: env.productId('SKU-2'), quantity: 1, value: 20, currency: 'EUR' },
				],
				channel: 'web',
			},
		});
		const deal = r.items[0].json;
		expect(deal).toMatchObject({
			name: 'Order #1',
			custom_id: 'ORD-1',
			value: 120.5,
			status: 2,
			status_name: 'won',
		});
		expect(typeof deal.value).toBe('number');
		expect(deal.user_id).toBe(env.userId('u-1'));
	});

	test('guide: empty deal refused before sending (User.com would accept {})', async () => {
		const before = env.emu.requestLog.length;
		const deals = env.emu.state.deals.size;
		const error = await runNodeExpectError(
			{ resource: 'deal', operation: 'create', name: '' },
			[{}],
			env.opts(),
		);
		expect(error.message).toBe('Item 0: "Name" is required but empty');
		expect(error.description).toContain('Nothing was sent to User.com');
		expect(env.emu.requestLog.length).toBe(before);
		expect(env.emu.state.deals.size).toBe(deals);
	});

	test('money and reference validation before sending', async () => {
		const before = env.emu.requestLog.length;
		const r = await runNode(
			{
				resource: 'deal',
				operation: 'create',
				name: 'X',
				additionalFields: {
					value: '={{ $json.f.value }}',
					currency: '={{ $json.f.currency }}',
					productIds: '={{ $json.f.productIds }}',
					userId: '={{ $json.f.userId }}',
					userCustomId: '={{ $json.f.userCustomId }}',
					status: '={{ $json.f.status }}',
				},
			},
			[
				{ f: { value: -5, currency: 'EUR' } },
				{ f: { value: 10, currency: 'EURO' } },
				{ f: { value: 10 } },
				{ f: { value: 'ten', currency: 'EUR' } },
				{ f: { productIds: '1, x' } },
				{ f: { userId: '12', userCustomId: 'u-1' } },
				{ f: { status: 'done' } },
			],
			env.opts({ continueOnFail: true }),
		);
		expect(env.emu.requestLog.length).toBe(before);
		expect(r.errorItems.map((i) => i.json.message)).toEqual([
			'Item 0: "Value" must not be negative, got -5',
			'Item 1: "Currency" is not an ISO 4217 currency code: "EURO"',
			'Item 2: "Currency" is missing for the deal value',
			'Item 3: "Value" must be a number, got "ten"',
			'Item 4: "Product IDs" must be a positive whole number, got "x"',
			'Item 5: "User ID" and "User Custom ID" are both set',
			'Item 6: "Status" has a value User.com does not accept: "done"',
		]);
		expect(r.errorItems.map((i) => i.pairedItem)).toEqual(
			[0, 1, 2, 3, 4, 5, 6].map((item) => ({ item })),
		);
	});

	test('guide: several bad references -> one error item listing every field', async () => {
		const r = await runNode(
			{
				resource: 'deal',
				operation: 'create',
				name: 'Bad refs',
				additionalFields: { userId: '999999', productIds: '999999', pipeline: 999, stage: 998 },
				orderProducts: {
					product: [
						{
							productBy: 'customId',
							productCustomId: 'NOPE-1',
							quantity: 1,
							value: 1,
							currency: 'EUR',
						},
					],
				},
			},
			[{}],
			env.opts({ continueOnFail: true }),
		);
		expect(r.items).toHaveLength(1);
		expect(r.errorItems).toHaveLength(1);
		const error = r.errorItems[0].json.error as {
			httpCode: number;
			fields: Record<string, string[]>;
			description: string;
		};
		expect(error.httpCode).toBe(400);
		expect(Object.keys(error.fields).sort()).toEqual(
			['order_products[0].product_custom_id', 'pipeline', 'products', 'stage', 'user_id'].sort(),
		);
		for (const field of Object.keys(error.fields)) expect(error.description).toContain(field);
		expect(error.fields.user_id[0]).toContain('Invalid pk "999999" - object does not exist.');
		expect(requestsTo(env, 'POST', /^deals\/$/).slice(-1)[0].status).toBe(400);
	});

	test('Create Missing Products: missing product custom IDs are created, the deal retried once', async () => {
		const r = await runNode(
			{
				resource: 'deal',
				operation: 'upsert',
				customId: 'ORD-2',
				name: 'Order #2',
				additionalFields: {
					userCustomId: 'u-2',
					productCustomIds: 'SKU-1, SKU-NEW-A',
					value: 30,
					currency: 'PLN',
				},
				orderProducts: {
					product: [
						{
							productBy: 'customId',
							productCustomId: 'SKU-NEW-A',
							productName: 'Gadget A',
							quantity: 1,
							value: 10,
						},
						{
							productBy: 'customId',
							productCustomId: 'SKU-NEW-B',
							productName: 'Gadget B',
							quantity: 2,
							value: 10,
						},
					],
				},
				createMissingProducts: true,
			},
			[{}],
			env.opts(),
		);
		expect(env.emu.state.productByCustomId('SKU-NEW-A')?.name).toBe('Gadget A');
		expect(env.emu.state.productByCustomId('SKU-NEW-B')?.name).toBe('Gadget B');
		expect(
			requestsTo(env, 'POST', /^deals\/update_or_create\/$/)
				.slice(-2)
				.map((e) => e.status),
		).toEqual([400, expect.any(Number)]);
		expect(
			requestsTo(env, 'POST', /^products\/$/)
				.slice(-2)
				.map((e) => (e.body as { custom_id: string }).custom_id)
				.sort(),
		).toEqual(['SKU-NEW-A', 'SKU-NEW-B']);
		expect(r.items[0].json).toMatchObject({ custom_id: 'ORD-2', name: 'Order #2', value: 30 });
		expect(
			(r.items[0].json.created_products as Array<{ custom_id: string }>)
				.map((p) => p.custom_id)
				.sort(),
		).toEqual(['SKU-NEW-A', 'SKU-NEW-B']);
		expect(env.emu.state.dealByCustomId('ORD-2')?.products.length).toBe(2);
	});

	test('without the option, a missing product is an error and nothing is created', async () => {
		const products = env.emu.state.products.size;
		const r = await runNode(
			{
				resource: 'deal',
				operation: 'upsert',
				customId: 'ORD-3',
				name: 'Order #3',
				additionalFields: { productCustomIds: 'SKU-NEW-C' },
			},
			[{}],
			env.opts({ continueOnFail: true }),
		);
		expect(r.errorItems).toHaveLength(1);
		expect(Object.keys((r.errorItems[0].json.error as { fields: object }).fields)).toEqual([
			'products_custom_id',
		]);
		expect(env.emu.state.products.size).toBe(products);
	});

	test('Upsert is idempotent by custom ID', async () => {
		const params = {
			resource: 'deal',
			operation: 'upsert',
			customId: 'ORD-4',
			name: 'Order #4',
			additionalFields: { value: 5, currency: 'USD' },
		};
		const a = await runNode(params, [{}], env.opts());
		const b = await runNode(
			{ ...params, additionalFields: { value: 7, currency: 'USD', status: 'lost' } },
			[{}],
			env.opts(),
		);
		expect(lastRequest(env)).toMatchObject({
			method: 'POST',
			path: 'deals/update_or_create/',
			body: { custom_id: 'ORD-4', name: 'Order #4', value: 7, status: 3 },
		});
		expect(b.items[0].json.id).toBe(a.items[0].json.id);
		expect(b.items[0].json).toMatchObject({ value: 7, status: 3, status_name: 'lost' });
	});

	test('Upsert without a custom ID or name is refused before sending', async () => {
		const before = env.emu.requestLog.length;
		const r = await runNode(
			{ resource: 'deal', operation: 'upsert', customId: '={{ $json.c }}', name: '={{ $json.n }}' },
			[
				{ c: '', n: 'x' },
				{ c: 'ORD-9', n: ' ' },
			],
			env.opts({ continueOnFail: true }),
		);
		expect(r.errorItems.map((i) => i.json.message)).toEqual([
			'Item 0: "Custom ID" is required but empty',
			'Item 1: "Name" is required but empty',
		]);
		expect(env.emu.requestLog.length).toBe(before);
	});

	test('Update by custom ID and by ID; Get; Get Many by user; Delete', async () => {
		env.emu.seed({
			deals: [
				{
					name: 'Order #1',
					custom_id: 'ORD-1',
					value: '120.50',
					currency: 'EUR',
					status: 2,
					user_custom_id: 'u-1',
				},
			],
		});
		await runNode(
			{
				resource: 'deal',
				operation: 'update',
				deal: rl('customId', 'ORD-1'),
				updateFields: { status: 'archived', name: 'Order #1 (archived)' },
			},
			[{}],
			env.opts(),
		);
		expect(lastRequest(env)).toMatchObject({
			method: 'PUT',
			path: 'deals-by-id/ORD-1/',
			body: { status: 4, name: 'Order #1 (archived)' },
		});
		const id = env.emu.state.dealByCustomId('ORD-1')!.id;
		await runNode(
			{ resource: 'deal', operation: 'update', deal: rl('id', id), updateFields: { value: 99 } },
			[{}],
			env.opts(),
		);
		expect(lastRequest(env)).toMatchObject({
			method: 'PUT',
			path: `deals/${id}/`,
			body: { value: 99 },
		});

		const got = await runNode(
			{ resource: 'deal', operation: 'get', deal: rl('id', id) },
			[{}],
			env.opts(),
		);
		expect(lastRequest(env)).toMatchObject({ method: 'GET', path: `deals/${id}/` });
		expect(got.items[0].json).toMatchObject({ id, value: 99, status: 4, status_name: 'archived' });
		const raw = await runNode(
			{ resource: 'deal', operation: 'get', deal: rl('customId', 'ORD-1'), simplify: false },
			[{}],
			env.opts(),
		);
		expect(lastRequest(env).path).toBe('deals-by-id/ORD-1/');
		expect(raw.items[0].json).toHaveProperty('created_by');
		expect(typeof raw.items[0].json.value).toBe('number');

		const byUser = await runNode(
			{
				resource: 'deal',
				operation: 'getAll',
				returnAll: true,
				filterByUser: true,
				user: rl('customId', 'u-1'),
			},
			[{}],
			env.opts(),
		);
		expect(lastRequest(env)).toMatchObject({
			method: 'GET',
			path: 'deals/',
			query: { user_custom_id: 'u-1' },
		});
		expect(byUser.items.map((i) => i.json.custom_id)).toEqual(['ORD-1']);
		const all = await runNode(
			{ resource: 'deal', operation: 'getAll', returnAll: true },
			[{}],
			env.opts(),
		);
		expect(all.items).toHaveLength(env.emu.state.deals.size);
		expect(all.items.every((i) => typeof i.json.value === 'number')).toBe(true);

		const del = await runNode(
			{ resource: 'deal', operation: 'delete', deal: rl('customId', 'ORD-1') },
			[{}],
			env.opts(),
		);
		expect(lastRequest(env)).toMatchObject({ method: 'DELETE', path: 'deals-by-id/ORD-1/' });
		expect(del.items[0].json).toEqual({ deleted: true, custom_id: 'ORD-1' });
		expect(env.emu.state.dealByCustomId('ORD-1')).toBeUndefined();
	});

	test('Update with nothing to change is refused before sending', async () => {
		const before = env.emu.requestLog.length;
		const error = await runNodeExpectError(
			{ resource: 'deal', operation: 'update', deal: rl('customId', 'ORD-4') },
			[{}],
			env.opts(),
		);
		expect(error.message).toContain('"Update Fields" are all empty');
		expect(env.emu.requestLog.length).toBe(before);
	});
});

describe('deal helpers that the emulator does not reach on its own', () => {
	test('missing products found by lookup when User.com does not name the value', async () => {
		const { createUserComApiError, normalizeUserComError } =
			await import('../../nodes/UserCom/transport');
		const { findMissingProducts } = await import('../../nodes/UserCom/actions/deal/shared');
		const { UserCom } = await import('../../nodes/UserCom/UserCom.node');
		let missing: string[] = [];
		const node = new UserCom();
		node.execute = async function (this: import('n8n-workflow').IExecuteFunctions) {
			const error = createUserComApiError(
				this.getNode(),
				normalizeUserComError(
					400,
					{ products_custom_id: ['Object does not exist.'] },
					{ method: 'POST', path: 'deals/' },
				),
			);
			missing = await findMissingProducts.call(
				this,
				error,
				0,
				new Map([
					['SKU-1', 'Mug'],
					['SKU-GONE', 'Gone'],
				]),
			);
			return [[]];
		};
		await runNode({}, [{}], { ...env.opts(), nodeType: node });
		expect(missing).toEqual(['SKU-GONE']);
		expect(env.emu.requestLog.slice(-2).map((e) => `${e.method} ${e.path} ${e.status}`)).toEqual([
			'GET /api/public/products-by-id/SKU-1/details/ 200',
			'GET /api/public/products-by-id/SKU-GONE/details/ 404',
		]);
	});

	test('Get Many by user ID sends user_id', async () => {
		await runNode(
			{
				resource: 'deal',
				operation: 'upsert',
				customId: 'ORD-U',
				name: 'For Bob',
				additionalFields: { userCustomId: 'u-2' },
			},
			[{}],
			env.opts(),
		);
		const uid = env.userId('u-2');
		const r = await runNode(
			{
				resource: 'deal',
				operation: 'getAll',
				returnAll: true,
				filterByUser: true,
				user: rl('id', uid),
			},
			[{}],
			env.opts(),
		);
		expect(lastRequest(env)).toMatchObject({
			method: 'GET',
			path: 'deals/',
			query: { user_id: String(uid) },
		});
		expect(r.items.length).toBeGreaterThan(0);
		expect(r.items.every((i) => i.json.user_id === uid)).toBe(true);
	});
});
