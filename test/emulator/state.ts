/**
 * In-memory data of the emulator, directly readable by tests (`emulator.state`), plus seeding.
 * Timestamps are epoch milliseconds from the emulator's clock; serializers render them.
 */
import { nameStd } from './util';

export type ValueType =
	| 'boolean'
	| 'integer'
	| 'date'
	| 'string'
	| 'datetime'
	| 'fixed'
	| 'float'
	| 'json';
/** Stored content types use the read names of §7.4 (`user`, not `clientuser`). */
export type ContentType = 'user' | 'company' | 'deal' | 'product' | 'ticket';

export interface AttributeRec {
	id: number;
	name: string;
	name_std: string;
	value_type: ValueType;
	content_type: ContentType;
}
export interface TagRec {
	id: number;
	name: string;
}
export interface ListRec {
	id: number;
	name: string;
	description: string;
}
export interface SegmentRec {
	id: number;
	name: string;
	description: string;
	userIds: number[];
	updated_at: number;
}
export interface StageRec {
	id: number;
	name: string;
	pipelineId: number;
}
export interface PipelineRec {
	id: number;
	name: string;
	stageIds: number[];
}
export interface CompanyRec {
	id: number;
	name: string;
	/** your own ID of the company (sent and returned as `company_id`, see companies.ts) */
	custom_id: string | null;
	description: string;
	email: string | null;
	phone_numbers: string[];
	address: string | null;
	city: string | null;
	region: string | null;
	country: string | null;
	approx_employees: number | null;
	tags: number[];
	attributes: Record<number, unknown>; // attribute id -> value
	/** contacts added with add_member (or linked through a user's company_custom_id / company_id) */
	members: number[];
	created_at: number;
	updated_at: number;
}
export interface UserRec {
	id: number;
	key: string;
	custom_id: string | null;
	email: string | null;
	first_name: string | null;
	last_name: string | null;
	phone_number: string | null;
	gender: number; // 1 unknown, 2 male, 3 female
	status: number; // 1 visitor, 2 user
	score: number;
	unsubscribed: boolean;
	notifications: boolean;
	assigned_to: number | null;
	company_id: number | null;
	str: Record<string, string | null>; // city, region, country, timezone, urls, browser, ...
	first_seen: number | null;
	last_seen: number | null;
	last_contacted: number | null;
	page_views: number;
	tags: number[];
	lists: number[];
	attributes: Record<number, unknown>; // attribute id -> value
	created_at: number;
	updated_at: number;
}
export interface OrderProductRec {
	product_id: number | null;
	product_custom_id: string | null;
	quantity: number;
	value: number | null;
	currency: string | null;
}
export interface DealRec {
	id: number;
	name: string;
	custom_id: string | null;
	value: number;
	currency: string | null;
	status: number;
	pipeline: number | null;
	stage: number | null;
	user_id: number | null;
	company_id: number | null;
	assigned_to: number | null;
	participants: number[];
	products: number[];
	order_products: OrderProductRec[];
	activities_status: string;
	expected_close_date: string | null;
	loss_reason: number | null;
	loss_reason_description: string;
	lost_at: string | null;
	won_at: string | null;
	tags: number[];
	attrs: Record<string, unknown>; // custom deal attributes by name_std
	created_at: number;
	updated_at: number;
}
export interface ProductRec {
	id: number;
	custom_id: string | null;
	name: string;
	price: number | null;
	description: string;
	product_url: string | null;
	image_url: string | null;
	category_name: string | null;
	attrs: Record<string, unknown>;
	created_at: number;
	updated_at: number;
}
export interface EventRec {
	id: number;
	user_id: number;
	name: string;
	event_id: number; // id of the event type (one per distinct name)
	data: Record<string, unknown>;
	timestamp: number; // unix seconds
	created_at: number;
}
export interface ProductEventRec {
	id: number;
	product_id: number;
	user_id: number;
	event_type: string;
	data: Record<string, unknown>;
	custom_data: unknown;
	timestamp: number; // unix seconds
	created_at: number;
}
export interface ImportRowError {
	row: number;
	message: string;
	errors: Record<string, string[]>;
}
export interface ImportRec {
	id: string;
	kind: 'users' | 'deals' | 'products';
	status: 'in_progress' | 'finished';
	total_count: number;
	succeeded: number;
	failed: number;
	started_at: number;
	finishes_at: number;
	finished_at: number | null;
	author: number;
	rows_with_errors: ImportRowError[];
	trigger_automations: boolean;
	/** parsed rows (field name -> raw string) waiting to be applied when processing finishes */
	pending: Array<Record<string, string>> | null;
	tags: string[];
	lists: string[];
	fileName: string | null;
}

export class EmulatorState {
	users = new Map<number, UserRec>();
	deals = new Map<number, DealRec>();
	products = new Map<number, ProductRec>();
	events = new Map<number, EventRec>();
	eventTypes = new Map<string, number>(); // event name -> event type id
	productEvents = new Map<number, ProductEventRec>();
	tags = new Map<number, TagRec>();
	lists = new Map<number, ListRec>();
	segments = new Map<number, SegmentRec>();
	attributes = new Map<number, AttributeRec>();
	pipelines = new Map<number, PipelineRec>();
	stages = new Map<number, StageRec>();
	companies = new Map<number, CompanyRec>();
	imports = new Map<string, ImportRec>();
	private seq: Record<string, number> = {};

	nextId(resource: string, explicit?: number): number {
		const cur = this.seq[resource] ?? 0;
		if (explicit !== undefined) {
			if (explicit > cur) this.seq[resource] = explicit;
			return explicit;
		}
		this.seq[resource] = cur + 1;
		return cur + 1;
	}

	clear(): void {
		for (const m of [
			this.users,
			this.deals,
			this.products,
			this.events,
			this.eventTypes,
			this.productEvents,
			this.tags,
			this.lists,
			this.segments,
			this.attributes,
			this.pipelines,
			this.stages,
			this.companies,
			this.imports,
		] as Array<Map<unknown, unknown>>)
			m.clear();
		this.seq = {};
	}

	userByCustomId(cid: string): UserRec | undefined {
		for (const u of this.users.values()) if (u.custom_id !== null && u.custom_id === cid) return u;
		return undefined;
	}
	usersByEmail(email: string): UserRec[] {
		// CHOICE: exact, case-insensitive match (Django `email__iexact`-like); the reference is silent.
		const e = email.toLowerCase();
		return [...this.users.values()].filter((u) => u.email !== null && u.email.toLowerCase() === e);
	}
	dealByCustomId(cid: string): DealRec | undefined {
		for (const d of this.deals.values()) if (d.custom_id !== null && d.custom_id === cid) return d;
		return undefined;
	}
	productByCustomId(cid: string): ProductRec | undefined {
		for (const p of this.products.values())
			if (p.custom_id !== null && p.custom_id === cid) return p;
		return undefined;
	}
	tagByName(name: string): TagRec | undefined {
		for (const t of this.tags.values()) if (t.name === name) return t;
		return undefined;
	}
	listByName(name: string): ListRec | undefined {
		for (const l of this.lists.values()) if (l.name === name) return l;
		return undefined;
	}
	companyByCustomId(cid: string): CompanyRec | undefined {
		for (const c of this.companies.values()) if (c.custom_id === cid) return c;
		return undefined;
	}
	/** A new company record with every optional field empty. */
	newCompany(name: string, customId: string | null, now: number, id?: number): CompanyRec {
		return {
			id: this.nextId('companies', id),
			name,
			custom_id: customId,
			description: '',
			email: null,
			phone_numbers: [],
			address: null,
			city: null,
			region: null,
			country: null,
			approx_employees: null,
			tags: [],
			attributes: {},
			members: [],
			created_at: now,
			updated_at: now,
		};
	}
	/** Companies a user belongs to: its members lists, plus the one set through company_id/company_custom_id. */
	companiesOf(user: UserRec): CompanyRec[] {
		return [...this.companies.values()].filter(
			(c) => c.members.includes(user.id) || c.id === user.company_id,
		);
	}
	attribute(content: ContentType, key: string): AttributeRec | undefined {
		for (const a of this.attributes.values())
			if (a.content_type === content && a.name_std === key) return a;
		return undefined;
	}
	ensureTag(name: string): { tag: TagRec; created: boolean } {
		const t = this.tagByName(name);
		if (t) return { tag: t, created: false };
		const tag = { id: this.nextId('tags'), name };
		this.tags.set(tag.id, tag);
		return { tag, created: true };
	}
	ensureList(name: string): ListRec {
		const l = this.listByName(name);
		if (l) return l;
		const list = { id: this.nextId('lists'), name, description: '' };
		this.lists.set(list.id, list);
		return list;
	}
	addAttribute(a: {
		id?: number;
		name: string;
		name_std?: string;
		value_type?: ValueType;
		content_type?: string;
	}): AttributeRec {
		const content = normalizeContentType(a.content_type ?? 'user');
		const std = a.name_std ?? nameStd(a.name);
		const existing = this.attribute(content, std);
		if (existing) return existing;
		const rec: AttributeRec = {
			id: this.nextId('attributes', a.id),
			name: a.name,
			name_std: std,
			value_type: a.value_type ?? 'string',
			content_type: content,
		};
		this.attributes.set(rec.id, rec);
		return rec;
	}
}

/** `clientuser` (the create name in §7.4) and `user` are the same content type. */
export function normalizeContentType(c: string): ContentType {
	const v = c.toLowerCase();
	if (v === 'clientuser' || v === 'client_user' || v === 'user') return 'user';
	if (v === 'company' || v === 'deal' || v === 'product' || v === 'ticket') return v;
	return 'user';
}
