import { runListSearch, runLoadOptions, runNode } from '../harness';
import { startEnv, type TestEnv } from './helpers';

let env: TestEnv;
beforeAll(async () => {
	env = await startEnv();
	// more than one page (User.com pages hold up to 100) of tags and user attributes
	env.emu.seed({
		tags: Array.from({ length: 230 }, (_, i) => `tag-${String(i).padStart(3, '0')}`),
		attributes: Array.from({ length: 120 }, (_, i) => ({
			name: `Attr ${i}`,
			name_std: `attr_${i}`,
			value_type: 'string' as const,
			content_type: 'user',
		})),
		deals: [
			{ name: 'Deal One', custom_id: 'D-1' },
			{ name: 'Other deal', custom_id: 'D-2' },
		],
		users: Array.from({ length: 150 }, (_, i) => ({
			custom_id: `bulk-${i}`,
			email: `bulk${i}@example.com`,
		})),
	});
});
afterAll(async () => {
	await env.emu.close();
});

describe('dropdowns (loadOptions) load every page', () => {
	test('tags by name and by ID: all 232, sorted', async () => {
		const names = await runLoadOptions('getTagNames', env.opts());
		expect(names).toHaveLength(env.emu.state.tags.size);
		expect(names.length).toBeGreaterThan(200);
		expect(names.map((o) => o.value)).toContain('tag-229');
		expect(names.map((o) => o.name)).toEqual(
			[...names.map((o) => o.name)].sort((a, b) => a.localeCompare(b)),
		);
		const pages = env.emu.requestLog.filter((e) => e.path === '/api/public/tags/').length;
		expect(pages).toBeGreaterThanOrEqual(3);
		const ids = await runLoadOptions('getTagIds', env.opts());
		expect(ids.find((o) => o.name === 'vip')?.value).toBe(env.emu.state.tagByName('vip')!.id);
	});

	test('lists and segments', async () => {
		const lists = await runLoadOptions('getLists', env.opts());
		expect(lists).toEqual([
			{
				name: 'Customers',
				value: env.emu.state.listByName('Customers')!.id,
				description: 'Paying customers',
			},
			{ name: 'Leads', value: env.emu.state.listByName('Leads')!.id, description: undefined },
		]);
		const segments = await runLoadOptions('getSegments', env.opts());
		expect(segments.map((s) => s.name)).toEqual(['Active']);
	});

	test('custom attributes per content type, by name_std', async () => {
		const user = await runLoadOptions('getUserAttributes', env.opts());
		expect(user.length).toBe(122);
		expect(user.map((o) => o.value)).toEqual(expect.arrayContaining(['plan', 'seats', 'attr_119']));
		expect(user.find((o) => o.value === 'plan')?.name).toBe('Plan (string)');
		expect((await runLoadOptions('getDealAttributes', env.opts())).map((o) => o.value)).toEqual([
			'channel',
		]);
		expect((await runLoadOptions('getProductAttributes', env.opts())).map((o) => o.value)).toEqual([
			'brand',
		]);
	});
});

describe('resource locator lists (listSearch)', () => {
	test('users, deals and products, with a filter', async () => {
		const users = await runListSearch('searchUsers', undefined, env.opts());
		expect(users.results.length).toBe(env.emu.state.users.size);
		const ann = await runListSearch('searchUsers', 'ann@', env.opts());
		expect(ann.results.map((r) => r.name)).toEqual([
			'Ann Lee <ann@example.com>',
			'Ann2 <ann@example.com>',
		]);
		expect(ann.results[0].value).toBe(String(env.userId('u-1')));
		const deals = await runListSearch('searchDeals', 'one', env.opts());
		expect(deals.results).toEqual([
			{ name: 'Deal One (D-1)', value: String(env.emu.state.dealByCustomId('D-1')!.id) },
		]);
		const products = await runListSearch('searchProducts', 'sku-2', env.opts());
		expect(products.results).toEqual([
			{ name: 'Shirt (SKU-2)', value: String(env.productId('SKU-2')) },
		]);
	});
});

describe('Return All and Limit', () => {
	test('Limit stops after the first page; Return All follows next to the end', async () => {
		const pages = () =>
			env.emu.requestLog.filter((e) => e.method === 'GET' && e.path === '/api/public/users/')
				.length;
		const before = pages();
		const limited = await runNode(
			{ resource: 'user', operation: 'getAll', limit: 5 },
			[{}],
			env.opts(),
		);
		expect(limited.items).toHaveLength(5);
		expect(pages() - before).toBe(1);
		const all = await runNode(
			{ resource: 'user', operation: 'getAll', returnAll: true },
			[{}],
			env.opts(),
		);
		expect(all.items).toHaveLength(env.emu.state.users.size);
		expect(all.items.length).toBeGreaterThan(150);
		expect(new Set(all.items.map((i) => i.json.id)).size).toBe(all.items.length);
		expect(pages() - before).toBe(1 + Math.ceil(env.emu.state.users.size / 100));
	});
});
