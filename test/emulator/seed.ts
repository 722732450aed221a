/**
 * Seeding: put users, products, deals, tags, lists, attributes, segments, companies and
 * pipelines/stages into the state in one call. Seeded records are validated like API input but do
 * not count as API writes.
 */
import type { ModelCtx } from './models';
import {
	newDeal,
	newProduct,
	newUser,
	validateDeal,
	validateProduct,
	validateUser,
} from './models';
import type { ValueType } from './state';
import { pyJson } from './util';

export interface SeedData {
	tags?: Array<string | { id?: number; name: string }>;
	lists?: Array<string | { id?: number; name: string; description?: string }>;
	/** content_type: clientuser|user|company|deal|product|ticket (default user) */
	attributes?: Array<{
		id?: number;
		name: string;
		name_std?: string;
		value_type?: ValueType;
		content_type?: string;
	}>;
	companies?: Array<{ id?: number; name: string; custom_id?: string | null }>;
	pipelines?: Array<{
		id?: number;
		name: string;
		stages?: Array<string | { id?: number; name: string }>;
	}>;
	/** bodies as for POST users/ (custom attributes as top-level keys, `tags` as names), plus `id`, `key` and `lists` (ids or names) */
	users?: Array<Record<string, unknown>>;
	/** bodies as for POST products/, plus `id` */
	products?: Array<Record<string, unknown>>;
	/** bodies as for POST deals/, plus `id` */
	deals?: Array<Record<string, unknown>>;
	segments?: Array<{
		id?: number;
		name: string;
		description?: string;
		user_ids?: number[];
		user_custom_ids?: string[];
	}>;
}

export interface SeedResult {
	tags: number[];
	lists: number[];
	attributes: number[];
	companies: number[];
	pipelines: number[];
	stages: number[];
	users: number[];
	products: number[];
	deals: number[];
	segments: number[];
}

export class SeedError extends Error {}

export function applySeed(base: ModelCtx, data: SeedData): SeedResult {
	const ctx: ModelCtx = { ...base, created: () => undefined, updated: () => undefined };
	const st = ctx.state;
	const out: SeedResult = {
		tags: [],
		lists: [],
		attributes: [],
		companies: [],
		pipelines: [],
		stages: [],
		users: [],
		products: [],
		deals: [],
		segments: [],
	};
	for (const t of data.tags ?? []) {
		const o = typeof t === 'string' ? { name: t } : t;
		const existing = st.tagByName(o.name);
		if (existing) {
			out.tags.push(existing.id);
			continue;
		}
		const tag = { id: st.nextId('tags', o.id), name: o.name };
		st.tags.set(tag.id, tag);
		out.tags.push(tag.id);
	}
	for (const l of data.lists ?? []) {
		const o = typeof l === 'string' ? { name: l } : l;
		const list = { id: st.nextId('lists', o.id), name: o.name, description: o.description ?? '' };
		st.lists.set(list.id, list);
		out.lists.push(list.id);
	}
	for (const a of data.attributes ?? []) out.attributes.push(st.addAttribute(a).id);
	for (const c of data.companies ?? []) {
		const rec = st.newCompany(c.name, c.custom_id ?? null, ctx.now(), c.id);
		st.companies.set(rec.id, rec);
		out.companies.push(rec.id);
	}
	for (const p of data.pipelines ?? []) {
		const pipe = { id: st.nextId('pipelines', p.id), name: p.name, stageIds: [] as number[] };
		st.pipelines.set(pipe.id, pipe);
		out.pipelines.push(pipe.id);
		for (const s of p.stages ?? []) {
			const o = typeof s === 'string' ? { name: s } : s;
			const stage = { id: st.nextId('stages', o.id), name: o.name, pipelineId: pipe.id };
			st.stages.set(stage.id, stage);
			pipe.stageIds.push(stage.id);
			out.stages.push(stage.id);
		}
	}
	for (const raw of data.users ?? []) {
		const { id, key, lists, ...body } = raw as Record<string, unknown> & {
			id?: number;
			key?: string;
			lists?: Array<number | string>;
		};
		const v = validateUser(ctx, body);
		if (v.errors) throw new SeedError(`user ${pyJson(raw)}: ${pyJson(v.errors)}`);
		const u = newUser(ctx, id);
		if (key) u.key = key;
		v.apply(u);
		for (const l of lists ?? []) {
			const list = typeof l === 'number' ? st.lists.get(l) : st.ensureList(l);
			if (!list) throw new SeedError(`user ${pyJson(raw)}: unknown list ${l}`);
			if (!u.lists.includes(list.id)) u.lists.push(list.id);
		}
		st.users.set(u.id, u);
		out.users.push(u.id);
	}
	for (const raw of data.products ?? []) {
		const { id, ...body } = raw as Record<string, unknown> & { id?: number };
		const v = validateProduct(ctx, body);
		if (v.errors) throw new SeedError(`product ${pyJson(raw)}: ${pyJson(v.errors)}`);
		const p = newProduct(ctx, id);
		v.apply(p);
		st.products.set(p.id, p);
		out.products.push(p.id);
	}
	for (const raw of data.deals ?? []) {
		const { id, ...body } = raw as Record<string, unknown> & { id?: number };
		const v = validateDeal(ctx, body);
		if (v.errors) throw new SeedError(`deal ${pyJson(raw)}: ${pyJson(v.errors)}`);
		const d = newDeal(ctx, id);
		v.apply(d);
		st.deals.set(d.id, d);
		out.deals.push(d.id);
	}
	for (const s of data.segments ?? []) {
		const ids = [...(s.user_ids ?? [])];
		for (const cid of s.user_custom_ids ?? []) {
			const u = st.userByCustomId(cid);
			if (!u) throw new SeedError(`segment ${s.name}: unknown user custom_id ${cid}`);
			ids.push(u.id);
		}
		const seg = {
			id: st.nextId('segments', s.id),
			name: s.name,
			description: s.description ?? '',
			userIds: ids,
			updated_at: ctx.now(),
		};
		st.segments.set(seg.id, seg);
		out.segments.push(seg.id);
	}
	return out;
}

/** The built-in "demo" data set: a few of everything and 150 tags (two pages for dropdowns). */
export function demoSeed(): SeedData {
	const tagNames = ['Newsletter', 'VIP', 'Lead', 'Customer', 'Churn risk'];
	for (let i = tagNames.length + 1; i <= 150; i++)
		tagNames.push(`Tag ${String(i).padStart(3, '0')}`);
	return {
		tags: tagNames,
		lists: [
			{ name: 'Newsletter', description: 'Monthly newsletter' },
			{ name: 'Product updates', description: '' },
			{ name: 'Beta testers', description: '' },
			{ name: 'Partners', description: '' },
			{ name: 'Webinar attendees', description: '' },
		],
		attributes: [
			{
				name: 'Loyalty points',
				name_std: 'loyalty_points',
				value_type: 'integer',
				content_type: 'clientuser',
			},
			{ name: 'Plan', name_std: 'plan', value_type: 'fixed', content_type: 'clientuser' },
			{ name: 'VIP', name_std: 'vip', value_type: 'boolean', content_type: 'clientuser' },
			{ name: 'Birthday', name_std: 'birthday', value_type: 'date', content_type: 'clientuser' },
			{
				name: 'Last order at',
				name_std: 'last_order_at',
				value_type: 'datetime',
				content_type: 'clientuser',
			},
			{
				name: 'Lifetime value',
				name_std: 'lifetime_value',
				value_type: 'float',
				content_type: 'clientuser',
			},
			{ name: 'Notes', name_std: 'notes', value_type: 'string', content_type: 'clientuser' },
			{
				name: 'Order source',
				name_std: 'order_source',
				value_type: 'string',
				content_type: 'deal',
			},
			{ name: 'Brand', name_std: 'brand', value_type: 'string', content_type: 'product' },
			{ name: 'Industry', name_std: 'industry', value_type: 'string', content_type: 'company' },
		],
		companies: [
			{ name: 'Acme Corp', custom_id: 'acme' },
			{ name: 'Globex', custom_id: 'globex' },
		],
		pipelines: [
			{ name: 'Orders', stages: ['New', 'Paid', 'Shipped', 'Delivered'] },
			{ name: 'Sales', stages: ['Lead', 'Qualified', 'Proposal', 'Negotiation'] },
		],
		users: [
			{
				custom_id: 'cust-001',
				email: 'alice@example.com',
				first_name: 'Alice',
				last_name: 'Anders',
				tags: ['Customer', 'VIP'],
				lists: ['Newsletter'],
				loyalty_points: 120,
				plan: 'pro',
				vip: true,
				company_custom_id: 'acme',
			},
			{
				custom_id: 'cust-002',
				email: 'bob@example.com',
				first_name: 'Bob',
				last_name: 'Brown',
				tags: ['Lead'],
				lists: ['Newsletter', 'Beta testers'],
				loyalty_points: 15,
				plan: 'free',
			},
			{
				custom_id: 'cust-003',
				email: 'carol@example.com',
				first_name: 'Carol',
				last_name: 'Chen',
				phone_number: '+48500100200',
				tags: ['Customer'],
				birthday: '1990-04-12',
			},
			{
				custom_id: 'cust-004',
				email: 'dave@example.com',
				first_name: 'Dave',
				last_name: 'Dietrich',
				unsubscribed: true,
				tags: ['Churn risk'],
			},
			{ email: 'erin@example.com', first_name: 'Erin', last_name: 'Evans' },
		],
		products: [
			{
				custom_id: 'SKU-001',
				name: 'Espresso machine',
				price: 499,
				category_name: 'Kitchen',
				brand: 'Brewtime',
			},
			{
				custom_id: 'SKU-002',
				name: 'Coffee grinder',
				price: 129.9,
				category_name: 'Kitchen',
				brand: 'Brewtime',
			},
			{ custom_id: 'SKU-003', name: 'Milk frother', price: 59.5, category_name: 'Kitchen' },
			{ custom_id: 'SKU-004', name: 'Coffee beans 1kg', price: 24.99, category_name: 'Food' },
			{ custom_id: 'SKU-005', name: 'Descaler', price: 9.99, category_name: 'Care' },
		],
		deals: [
			{
				custom_id: 'ORD-1001',
				name: 'Order #1001',
				user_custom_id: 'cust-001',
				value: 523.99,
				currency: 'EUR',
				status: 2,
				stage: 2,
				order_products: [
					{ product_custom_id: 'SKU-001', quantity: 1, value: 499, currency: 'EUR' },
					{ product_custom_id: 'SKU-004', quantity: 1, value: 24.99, currency: 'EUR' },
				],
				products_custom_id: ['SKU-001', 'SKU-004'],
				order_source: 'web',
			},
			{
				custom_id: 'ORD-1002',
				name: 'Order #1002',
				user_custom_id: 'cust-002',
				value: 129.9,
				currency: 'EUR',
				status: 1,
				stage: 1,
			},
		],
		segments: [
			{
				name: 'Active',
				description: 'Seen in the last 30 days',
				user_custom_ids: ['cust-001', 'cust-002', 'cust-003'],
			},
			{ name: 'New', description: 'Created in the last 7 days', user_custom_ids: ['cust-003'] },
			{ name: 'Inactive', description: 'Not seen for 90 days', user_custom_ids: ['cust-004'] },
			{ name: 'VIP customers', description: '', user_custom_ids: ['cust-001'] },
		],
	};
}
