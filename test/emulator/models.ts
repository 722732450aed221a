/**
 * Validation (DRF-style, collecting every field error of a serializer at once) and response
 * serializers for users, deals and products.
 */
import type {
	AttributeRec,
	DealRec,
	EmulatorState,
	OrderProductRec,
	ProductRec,
	UserRec,
	ValueType,
} from './state';
import {
	MSG,
	decimalString,
	isDate,
	isDateTime,
	isEmail,
	isoMicro,
	randomString,
	toBool,
	toInt,
	toNumber,
} from './util';

export interface ModelCtx {
	state: EmulatorState;
	now(): number;
	rand(): number;
	/** count a create of `resource` (only called when the write really happens) */
	created(resource: string): void;
	updated(resource: string): void;
}

export type FieldErrors = Record<string, unknown>;
type Apply<T> = (rec: T) => void;

export interface Validated<T> {
	errors: FieldErrors | null;
	apply: Apply<T>;
}

function addErr(errors: FieldErrors, field: string, msg: unknown): void {
	const cur = errors[field];
	if (Array.isArray(cur)) cur.push(msg);
	else errors[field] = [msg];
}

/** Validates and coerces one custom attribute value according to its definition's value_type. */
export function coerceAttributeValue(
	type: ValueType,
	v: unknown,
): { ok: true; value: unknown } | { ok: false; msg: string } {
	if (v === null) return { ok: true, value: null };
	switch (type) {
		case 'integer': {
			const n = toInt(v);
			return n === undefined ? { ok: false, msg: MSG.invalidInt } : { ok: true, value: n };
		}
		case 'float': {
			const n = toNumber(v);
			return n === undefined ? { ok: false, msg: MSG.invalidNumber } : { ok: true, value: n };
		}
		case 'boolean': {
			const b = toBool(v);
			return b === undefined ? { ok: false, msg: MSG.invalidBool } : { ok: true, value: b };
		}
		case 'date':
			return isDate(v) ? { ok: true, value: v } : { ok: false, msg: MSG.invalidDate };
		case 'datetime':
			return isDateTime(v) ? { ok: true, value: v } : { ok: false, msg: MSG.invalidDateTime };
		case 'string':
			if (typeof v === 'string') return { ok: true, value: v };
			if (typeof v === 'number') return { ok: true, value: String(v) };
			return { ok: false, msg: MSG.invalidString };
		case 'fixed':
			if (typeof v === 'string') return { ok: true, value: v };
			if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return { ok: true, value: v };
			return { ok: false, msg: MSG.invalidString };
		default:
			return { ok: true, value: v };
	}
}

// ---------------------------------------------------------------------------------------------
// Users
// ---------------------------------------------------------------------------------------------

export const USER_STR_FIELDS = [
	'city',
	'region',
	'country',
	'timezone',
	'gravatar_url',
	'facebook_url',
	'linkedin_url',
	'twitter_url',
	'google_url',
	'last_ip',
	'browser',
	'browser_language',
	'os_type',
	'resolution',
];
const GENDERS: Record<string, number> = { unknown: 1, male: 2, female: 3 };
const STATUSES: Record<string, number> = { visitor: 1, user: 2 };
/**
 * Keys accepted and silently ignored (read-only in DRF terms). CHOICE: `user_id` (the pre-v2 name of
 * custom_id, still a read field in SDK-NET) is ignored rather than treated as custom_id.
 */
const USER_READ_ONLY = new Set([
	'id',
	'key',
	'name',
	'created_at',
	'updated_at',
	'lists',
	'attributes',
	'companies',
	'chat_id',
	'page_views',
	'web_push_subscription',
	'user_id',
	'most_active_time',
]);

function choice(map: Record<string, number>, v: unknown): number | undefined {
	if (typeof v === 'string' && v.toLowerCase() in map) return map[v.toLowerCase()];
	const n = toInt(v);
	if (n !== undefined && Object.values(map).includes(n)) return n;
	return undefined;
}

export function newUser(ctx: ModelCtx, id?: number): UserRec {
	const t = ctx.now();
	const str: Record<string, string | null> = {};
	for (const f of USER_STR_FIELDS) str[f] = null;
	return {
		id: ctx.state.nextId('users', id),
		key: randomString(ctx.rand, 12),
		custom_id: null,
		email: null,
		first_name: null,
		last_name: null,
		phone_number: null,
		gender: 1,
		status: 1,
		score: 0,
		unsubscribed: false,
		notifications: true,
		assigned_to: null,
		company_id: null,
		str,
		first_seen: t,
		last_seen: t,
		last_contacted: null,
		page_views: 0,
		tags: [],
		lists: [],
		attributes: {},
		created_at: t,
		updated_at: t,
	};
}

/**
 * Validates a user create/update body. Every error is collected (DRF serializer semantics).
 * `tags` on update ADD to the user's tags (CHOICE: the reference does not say replace or append;
 * append never loses data).
 */
export function validateUser(
	ctx: ModelCtx,
	body: Record<string, unknown>,
	existing?: UserRec,
): Validated<UserRec> {
	const st = ctx.state;
	const errors: FieldErrors = {};
	const ops: Array<Apply<UserRec>> = [];
	for (const [k, v] of Object.entries(body)) {
		if (USER_READ_ONLY.has(k)) continue;
		if (k === 'email') {
			if (v === null || v === '') ops.push((u) => (u.email = null));
			else if (typeof v !== 'string' || !isEmail(v.trim())) addErr(errors, k, MSG.invalidEmail);
			else ops.push((u) => (u.email = v.trim()));
		} else if (k === 'first_name' || k === 'last_name') {
			if (v === null) ops.push((u) => (u[k] = null));
			else if (typeof v !== 'string' && typeof v !== 'number') addErr(errors, k, MSG.invalidString);
			else if (String(v).length > 40) addErr(errors, k, MSG.maxLength(40));
			else ops.push((u) => (u[k] = String(v)));
		} else if (k === 'custom_id') {
			if (v === null || v === '') ops.push((u) => (u.custom_id = null));
			else if (typeof v !== 'string' && typeof v !== 'number') addErr(errors, k, MSG.invalidString);
			else {
				const cid = String(v);
				const other = st.userByCustomId(cid);
				// CHOICE: custom_id is unique (users-by-id/<custom_id>/ must resolve to one user); DRF UniqueValidator wording.
				if (other && other.id !== existing?.id)
					addErr(errors, k, 'client user with this custom id already exists.');
				else if (cid.length > 255) addErr(errors, k, MSG.maxLength(255));
				else ops.push((u) => (u.custom_id = cid));
			}
		} else if (k === 'phone_number') {
			if (v === null || v === '') ops.push((u) => (u.phone_number = null));
			else if (typeof v !== 'string' && typeof v !== 'number') addErr(errors, k, MSG.invalidString);
			else ops.push((u) => (u.phone_number = String(v)));
		} else if (USER_STR_FIELDS.includes(k)) {
			if (v === null) ops.push((u) => (u.str[k] = null));
			else if (typeof v !== 'string' && typeof v !== 'number') addErr(errors, k, MSG.invalidString);
			else ops.push((u) => (u.str[k] = String(v)));
		} else if (k === 'gender' || k === 'status') {
			const n = choice(k === 'gender' ? GENDERS : STATUSES, v);
			if (n === undefined) addErr(errors, k, MSG.invalidChoice(v));
			else ops.push((u) => (u[k] = n));
		} else if (k === 'score' || k === 'assigned_to') {
			if (v === null && k === 'assigned_to') ops.push((u) => (u.assigned_to = null));
			else {
				const n = toInt(v);
				if (n === undefined) addErr(errors, k, MSG.invalidInt);
				else ops.push((u) => (u[k] = n));
			}
		} else if (k === 'unsubscribed' || k === 'notifications') {
			const b = toBool(v);
			if (b === undefined) addErr(errors, k, MSG.invalidBool);
			else ops.push((u) => (u[k] = b));
		} else if (k === 'first_seen' || k === 'last_seen' || k === 'last_contacted') {
			if (v === null) ops.push((u) => (u[k] = null));
			else if (typeof v === 'number')
				ops.push((u) => (u[k] = v * 1000)); // unix seconds
			else if (isDateTime(v)) ops.push((u) => (u[k] = Date.parse(v as string)));
			else addErr(errors, k, MSG.invalidDateTime);
		} else if (k === 'tags') {
			if (!Array.isArray(v)) addErr(errors, k, MSG.notAList(v));
			else if (!v.every((x) => typeof x === 'string' && x.trim() !== ''))
				addErr(errors, k, MSG.invalidString);
			else
				ops.push((u) => {
					for (const name of v as string[]) {
						const { tag } = st.ensureTag(name.trim());
						if (!u.tags.includes(tag.id)) u.tags.push(tag.id);
					}
				});
		} else if (k === 'company_id') {
			if (v === null) ops.push((u) => (u.company_id = null));
			else {
				const n = toInt(v);
				if (n === undefined) addErr(errors, k, MSG.pkIncorrectType(v));
				else if (!st.companies.has(n)) addErr(errors, k, MSG.invalidPk(v));
				else ops.push((u) => (u.company_id = n));
			}
		} else if (k === 'company_custom_id') {
			// CHOICE: an unknown company custom id creates the company (named after the id), as the
			// UI's auto-assignment would; the reference is silent.
			if (v === null || v === '') ops.push((u) => (u.company_id = null));
			else if (typeof v !== 'string' && typeof v !== 'number') addErr(errors, k, MSG.invalidString);
			else
				ops.push((u) => {
					let c = st.companyByCustomId(String(v));
					if (!c) {
						c = st.newCompany(String(v), String(v), ctx.now());
						st.companies.set(c.id, c);
					}
					u.company_id = c.id;
				});
		} else if (k === 'user_key') {
			if (typeof v === 'string' && v) ops.push((u) => (u.key = v));
		} else {
			const attr = st.attribute('user', k);
			if (!attr) {
				addErr(errors, k, MSG.attributeDoesNotExist);
				continue;
			}
			const c = coerceAttributeValue(attr.value_type, v);
			if (!c.ok) addErr(errors, k, c.msg);
			else ops.push((u) => setUserAttr(u, attr, c.value));
		}
	}
	return {
		errors: Object.keys(errors).length ? errors : null,
		apply: (u) => {
			for (const op of ops) op(u);
			u.updated_at = ctx.now();
		},
	};
}

export function setUserAttr(u: UserRec, attr: AttributeRec, value: unknown): void {
	if (value === null) delete u.attributes[attr.id];
	else u.attributes[attr.id] = value;
}

function ts(ms: number | null): string | null {
	return ms === null ? null : isoMicro(ms);
}

export function serializeUser(st: EmulatorState, u: UserRec): Record<string, unknown> {
	const name = `${u.first_name ?? ''} ${u.last_name ?? ''}`.trim();
	return {
		id: u.id,
		key: u.key,
		custom_id: u.custom_id,
		email: u.email,
		name,
		first_name: u.first_name,
		last_name: u.last_name,
		phone_number: u.phone_number,
		gender: Object.keys(GENDERS).find((g) => GENDERS[g] === u.gender),
		status: Object.keys(STATUSES).find((s) => STATUSES[s] === u.status),
		score: u.score,
		unsubscribed: u.unsubscribed,
		notifications: u.notifications,
		assigned_to: u.assigned_to,
		city: u.str.city,
		region: u.str.region,
		country: u.str.country,
		timezone: u.str.timezone,
		browser: u.str.browser,
		browser_language: u.str.browser_language,
		os_type: u.str.os_type,
		resolution: u.str.resolution,
		last_ip: u.str.last_ip,
		first_seen: ts(u.first_seen),
		last_seen: ts(u.last_seen),
		last_contacted: ts(u.last_contacted),
		page_views: u.page_views,
		created_at: ts(u.created_at),
		updated_at: ts(u.updated_at),
		gravatar_url: u.str.gravatar_url,
		facebook_url: u.str.facebook_url,
		linkedin_url: u.str.linkedin_url,
		twitter_url: u.str.twitter_url,
		google_url: u.str.google_url,
		chat_id: 'Chat ID is deprecated and will be removed in future',
		tags: u.tags.map((id) => ({ name: st.tags.get(id)?.name ?? '', id })),
		lists: u.lists.map((id) => ({ id, name: st.lists.get(id)?.name ?? '' })),
		companies: st
			.companiesOf(u)
			.map((c) => ({ id: c.id, name: c.name, member_since: ts(c.created_at) })),
		attributes: Object.entries(u.attributes).map(([aid, value]) => {
			const a = st.attributes.get(Number(aid));
			return { value, name: a?.name ?? '', name_std: a?.name_std ?? '', id: Number(aid) };
		}),
	};
}

// ---------------------------------------------------------------------------------------------
// Deals
// ---------------------------------------------------------------------------------------------

export const DEAL_STATUSES = [0, 1, 2, 3, 4]; // abandoned, in progress, won, lost, archived
const DEAL_FIELDS = [
	'name',
	'custom_id',
	'value',
	'currency',
	'status',
	'pipeline',
	'stage',
	'user_id',
	'user_custom_id',
	'company_id',
	'company_custom_id',
	'assigned_to',
	'participants',
	'products',
	'products_custom_id',
	'order_products',
	'activities_status',
	'expected_close_date',
	'loss_reason',
	'loss_reason_description',
	'lost_at',
	'won_at',
];
const DEAL_READ_ONLY = new Set([
	'id',
	'created_at',
	'updated_at',
	'tags',
	'restricted_to',
	'agent',
	'scope',
	'created_by',
	'description',
]);

export function newDeal(ctx: ModelCtx, id?: number): DealRec {
	const t = ctx.now();
	return {
		id: ctx.state.nextId('deals', id),
		name: '',
		custom_id: null,
		value: 0,
		currency: null,
		status: 1,
		pipeline: null,
		stage: null,
		user_id: null,
		company_id: null,
		assigned_to: null,
		participants: [],
		products: [],
		order_products: [],
		activities_status: 'no planned',
		expected_close_date: null,
		loss_reason: null,
		loss_reason_description: '',
		lost_at: null,
		won_at: null,
		tags: [],
		attrs: {},
		created_at: t,
		updated_at: t,
	};
}

function pkField(
	errors: FieldErrors,
	field: string,
	v: unknown,
	exists: (n: number) => boolean,
): number | null | undefined {
	if (v === null) return null;
	if (typeof v === 'boolean' || (typeof v !== 'number' && typeof v !== 'string')) {
		addErr(errors, field, MSG.pkIncorrectType(v));
		return undefined;
	}
	const n = toInt(v);
	if (n === undefined) {
		// Django raises ValueError for a non-numeric pk -> DRF "Incorrect type"
		addErr(errors, field, MSG.pkIncorrectType(v));
		return undefined;
	}
	if (!exists(n)) {
		addErr(errors, field, MSG.invalidPk(v));
		return undefined;
	}
	return n;
}

function pkList(
	errors: FieldErrors,
	field: string,
	v: unknown,
	exists: (n: number) => boolean,
): number[] | undefined {
	if (!Array.isArray(v)) {
		addErr(errors, field, MSG.notAList(v));
		return undefined;
	}
	const out: number[] = [];
	let bad = false;
	for (const x of v) {
		// DRF ManyRelatedField stops at the first bad item and reports it alone.
		const sub: FieldErrors = {};
		const n = pkField(sub, field, x, exists);
		if (sub[field]) {
			errors[field] = sub[field];
			bad = true;
			break;
		}
		if (n !== null && n !== undefined && !out.includes(n)) out.push(n);
	}
	return bad ? undefined : out;
}

function inferValueType(v: unknown): ValueType {
	if (typeof v === 'boolean') return 'boolean';
	if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'float';
	if (v !== null && typeof v === 'object') return 'json';
	return 'string';
}

/**
 * Deal create/update validation: all fields at once, flat (format 1) errors in serializer field order.
 * Unknown top-level keys become custom deal attributes, created on the fly (the reference: "If a
 * specified custom attribute doesn't exist yet it will be created").
 */
export function validateDeal(
	ctx: ModelCtx,
	body: Record<string, unknown>,
	existing?: DealRec,
): Validated<DealRec> {
	const st = ctx.state;
	const errors: FieldErrors = {};
	const ops: Array<Apply<DealRec>> = [];
	const has = (k: string) => Object.prototype.hasOwnProperty.call(body, k);
	for (const k of DEAL_FIELDS) {
		if (!has(k)) continue;
		const v = body[k];
		switch (k) {
			case 'name':
			case 'activities_status':
			case 'loss_reason_description':
				if (v === null) addErr(errors, k, MSG.null);
				else if (typeof v !== 'string' && typeof v !== 'number')
					addErr(errors, k, MSG.invalidString);
				else if (String(v).length > 255) addErr(errors, k, MSG.maxLength(255));
				else ops.push((d) => ((d as unknown as Record<string, unknown>)[k] = String(v)));
				break;
			case 'custom_id': {
				if (v === null || v === '') {
					ops.push((d) => (d.custom_id = null));
					break;
				}
				if (typeof v !== 'string' && typeof v !== 'number') {
					addErr(errors, k, MSG.invalidString);
					break;
				}
				const other = st.dealByCustomId(String(v));
				// CHOICE: deal custom_id is unique (deals-by-id/ must resolve to one deal); DRF UniqueValidator wording.
				if (other && other.id !== existing?.id)
					addErr(errors, k, 'deal with this custom id already exists.');
				else ops.push((d) => (d.custom_id = String(v)));
				break;
			}
			case 'value': {
				const n = toNumber(v);
				if (n === undefined) addErr(errors, k, v === null ? MSG.null : MSG.invalidNumber);
				else ops.push((d) => (d.value = n));
				break;
			}
			case 'currency':
				if (v === null || v === '') ops.push((d) => (d.currency = null));
				else if (typeof v !== 'string') addErr(errors, k, MSG.invalidString);
				else if (v.length > 3) addErr(errors, k, MSG.maxLength(3));
				else ops.push((d) => (d.currency = v));
				break;
			case 'status': {
				const n = toInt(v);
				if (n === undefined || !DEAL_STATUSES.includes(n)) addErr(errors, k, MSG.invalidChoice(v));
				else ops.push((d) => (d.status = n));
				break;
			}
			case 'pipeline': {
				const n = pkField(errors, k, v, (x) => st.pipelines.has(x));
				if (n !== undefined) ops.push((d) => (d.pipeline = n));
				break;
			}
			case 'stage': {
				const n = pkField(errors, k, v, (x) => st.stages.has(x));
				if (n !== undefined)
					ops.push((d) => {
						d.stage = n;
						// a stage implies its pipeline
						if (n !== null && !has('pipeline'))
							d.pipeline = st.stages.get(n)?.pipelineId ?? d.pipeline;
					});
				break;
			}
			case 'user_id': {
				const n = pkField(errors, k, v, (x) => st.users.has(x));
				if (n !== undefined) ops.push((d) => (d.user_id = n));
				break;
			}
			case 'user_custom_id': {
				if (v === null) {
					ops.push((d) => (d.user_id = null));
					break;
				}
				const u =
					typeof v === 'string' || typeof v === 'number' ? st.userByCustomId(String(v)) : undefined;
				// DRF SlugRelatedField(slug_field='custom_id') wording.
				if (!u) addErr(errors, k, MSG.slugDoesNotExist('custom_id', v));
				else ops.push((d) => (d.user_id = u.id));
				break;
			}
			case 'company_id': {
				const n = pkField(errors, k, v, (x) => st.companies.has(x));
				if (n !== undefined) ops.push((d) => (d.company_id = n));
				break;
			}
			case 'company_custom_id': {
				if (v === null) {
					ops.push((d) => (d.company_id = null));
					break;
				}
				const c = st.companyByCustomId(String(v));
				if (!c) addErr(errors, k, MSG.slugDoesNotExist('custom_id', v));
				else ops.push((d) => (d.company_id = c.id));
				break;
			}
			case 'assigned_to':
			case 'loss_reason': {
				// CHOICE: agents and loss reasons are not modelled; any integer is accepted.
				if (v === null) ops.push((d) => (d[k] = null));
				else {
					const n = toInt(v);
					if (n === undefined) addErr(errors, k, MSG.invalidInt);
					else ops.push((d) => (d[k] = n));
				}
				break;
			}
			case 'participants': {
				const l = pkList(errors, k, v, (x) => st.users.has(x));
				if (l) ops.push((d) => (d.participants = l));
				break;
			}
			case 'products': {
				const l = pkList(errors, k, v, (x) => st.products.has(x));
				if (l) ops.push((d) => (d.products = l));
				break;
			}
			case 'products_custom_id': {
				if (!Array.isArray(v)) {
					addErr(errors, k, MSG.notAList(v));
					break;
				}
				const ids: number[] = [];
				let bad = false;
				for (const x of v) {
					const p =
						typeof x === 'string' || typeof x === 'number'
							? st.productByCustomId(String(x))
							: undefined;
					if (!p) {
						addErr(errors, k, MSG.slugDoesNotExist('custom_id', x));
						bad = true;
						break;
					}
					if (!ids.includes(p.id)) ids.push(p.id);
				}
				// CHOICE: products_custom_id and products both set the deal's product list (merged).
				if (!bad)
					ops.push(
						(d) => (d.products = [...new Set([...(has('products') ? d.products : []), ...ids])]),
					);
				break;
			}
			case 'order_products': {
				const r = validateOrderProducts(st, v);
				if (r.errors) errors[k] = r.errors;
				else ops.push((d) => (d.order_products = r.items));
				break;
			}
			case 'expected_close_date':
				if (v === null) ops.push((d) => (d.expected_close_date = null));
				else if (!isDate(v)) addErr(errors, k, MSG.invalidDate);
				else ops.push((d) => (d.expected_close_date = v as string));
				break;
			case 'lost_at':
			case 'won_at':
				if (v === null) ops.push((d) => (d[k] = null));
				else if (!isDateTime(v)) addErr(errors, k, MSG.invalidDateTime);
				else ops.push((d) => (d[k] = v as string));
				break;
		}
	}
	const customKeys = Object.keys(body).filter(
		(k) => !DEAL_FIELDS.includes(k) && !DEAL_READ_ONLY.has(k),
	);
	return {
		errors: Object.keys(errors).length ? errors : null,
		apply: (d) => {
			for (const op of ops) op(d);
			for (const k of customKeys) {
				const attr =
					st.attribute('deal', k) ??
					st.addAttribute({
						name: k,
						name_std: k,
						content_type: 'deal',
						value_type: inferValueType(body[k]),
					});
				d.attrs[attr.name_std] = body[k];
			}
			d.updated_at = ctx.now();
		},
	};
}

function validateOrderProducts(
	st: EmulatorState,
	v: unknown,
): { errors: unknown; items: OrderProductRec[] } {
	if (!Array.isArray(v)) return { errors: [MSG.notAList(v)], items: [] };
	const itemErrors: Array<Record<string, string[]>> = [];
	const items: OrderProductRec[] = [];
	let any = false;
	for (const raw of v) {
		const e: Record<string, string[]> = {};
		if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
			e.non_field_errors = [
				`Invalid data. Expected a dictionary, but got ${Array.isArray(raw) ? 'list' : raw === null ? 'NoneType' : typeof raw === 'string' ? 'str' : 'int'}.`,
			];
			itemErrors.push(e);
			any = true;
			continue;
		}
		const it = raw as Record<string, unknown>;
		const item: OrderProductRec = {
			product_id: null,
			product_custom_id: null,
			quantity: 1,
			value: null,
			currency: null,
		};
		if (it.product_id !== undefined && it.product_id !== null) {
			const n = toInt(it.product_id);
			const p = n !== undefined ? st.products.get(n) : undefined;
			if (!p) e.product_id = [`Could not find product with id '${String(it.product_id)}'`];
			else {
				item.product_id = p.id;
				item.product_custom_id = p.custom_id;
			}
		} else if (it.product_custom_id !== undefined && it.product_custom_id !== null) {
			const p = st.productByCustomId(String(it.product_custom_id));
			if (!p)
				e.product_custom_id = [
					`Could not find product with custom_id '${String(it.product_custom_id)}'`,
				];
			else {
				item.product_id = p.id;
				item.product_custom_id = p.custom_id;
			}
		} else {
			// CHOICE: an order line without any product reference is a non-field error (reference silent).
			e.non_field_errors = ['Either product_id or product_custom_id is required.'];
		}
		if (it.quantity !== undefined) {
			const n = toInt(it.quantity);
			if (n === undefined) e.quantity = [MSG.invalidInt];
			else item.quantity = n;
		}
		if (it.value !== undefined && it.value !== null) {
			const n = toNumber(it.value);
			if (n === undefined) e.value = [MSG.invalidNumber];
			else item.value = n;
		}
		if (it.currency !== undefined && it.currency !== null) item.currency = String(it.currency);
		if (Object.keys(e).length) any = true;
		itemErrors.push(e);
		items.push(item);
	}
	return { errors: any ? itemErrors : null, items };
}

export function serializeDeal(st: EmulatorState, d: DealRec): Record<string, unknown> {
	const user = d.user_id !== null ? st.users.get(d.user_id) : undefined;
	const company = d.company_id !== null ? st.companies.get(d.company_id) : undefined;
	const out: Record<string, unknown> = {
		id: d.id,
		name: d.name,
		value: decimalString(d.value),
		currency: d.currency,
		custom_id: d.custom_id,
		stage: d.stage,
		pipeline: d.pipeline,
		assigned_to: d.assigned_to,
		restricted_to: null,
		agent: null,
		company_id: d.company_id,
		user_id: d.user_id,
		status: d.status,
		products: d.products,
		scope: 2,
		created_by: null,
		created_at: isoMicro(d.created_at),
		updated_at: isoMicro(d.updated_at),
		tags: d.tags.map((id) => ({ id, name: st.tags.get(id)?.name ?? '' })),
		activities_status: d.activities_status,
		expected_close_date: d.expected_close_date,
		loss_reason: d.loss_reason,
		loss_reason_description: d.loss_reason_description,
		lost_at: d.lost_at,
		won_at: d.won_at,
		participants: d.participants,
		user_custom_id: user?.custom_id ?? null,
		products_custom_id: d.products
			.map((id) => st.products.get(id)?.custom_id)
			.filter((x) => x !== null && x !== undefined),
		company_custom_id: company?.custom_id ?? null,
		order_products: d.order_products.map((o) => ({
			product_id: o.product_id,
			product_custom_id: o.product_custom_id,
			quantity: o.quantity,
			value: o.value,
			currency: o.currency,
		})),
	};
	// v2: every custom deal attribute is a top-level key (null when unset)
	for (const a of st.attributes.values())
		if (a.content_type === 'deal' && !(a.name_std in out))
			out[a.name_std] = d.attrs[a.name_std] ?? null;
	return out;
}

// ---------------------------------------------------------------------------------------------
// Products
// ---------------------------------------------------------------------------------------------

const PRODUCT_STR = ['name', 'description', 'product_url', 'image_url', 'category_name'];
const PRODUCT_READ_ONLY = new Set(['id', 'created_at', 'updated_at']);

export function newProduct(ctx: ModelCtx, id?: number): ProductRec {
	const t = ctx.now();
	return {
		id: ctx.state.nextId('products', id),
		custom_id: null,
		name: '',
		price: null,
		description: '',
		product_url: null,
		image_url: null,
		category_name: null,
		attrs: {},
		created_at: t,
		updated_at: t,
	};
}

/**
 * Product create/update. CHOICE: unknown keys become product attributes created on the fly (the
 * official Magento plugin sends arbitrary product attributes to POST /products/ and expects success).
 */
export function validateProduct(
	ctx: ModelCtx,
	body: Record<string, unknown>,
	existing?: ProductRec,
): Validated<ProductRec> {
	const st = ctx.state;
	const errors: FieldErrors = {};
	const ops: Array<Apply<ProductRec>> = [];
	for (const [k, v] of Object.entries(body)) {
		if (PRODUCT_READ_ONLY.has(k)) continue;
		if (k === 'custom_id') {
			if (v === null || v === '') ops.push((p) => (p.custom_id = null));
			else if (typeof v !== 'string' && typeof v !== 'number') addErr(errors, k, MSG.invalidString);
			else {
				const other = st.productByCustomId(String(v));
				if (other && other.id !== existing?.id)
					addErr(errors, k, 'product with this custom id already exists.');
				else ops.push((p) => (p.custom_id = String(v)));
			}
		} else if (k === 'price') {
			if (v === null) ops.push((p) => (p.price = null));
			else {
				const n = toNumber(v);
				if (n === undefined) addErr(errors, k, MSG.invalidNumber);
				else ops.push((p) => (p.price = n));
			}
		} else if (PRODUCT_STR.includes(k)) {
			if (v === null) {
				if (k === 'name' || k === 'description') addErr(errors, k, MSG.null);
				else ops.push((p) => ((p as unknown as Record<string, unknown>)[k] = null));
			} else if (typeof v !== 'string' && typeof v !== 'number')
				addErr(errors, k, MSG.invalidString);
			else if (k === 'name' && String(v).length > 255) addErr(errors, k, MSG.maxLength(255));
			else ops.push((p) => ((p as unknown as Record<string, unknown>)[k] = String(v)));
		} else {
			ops.push((p) => {
				const attr =
					st.attribute('product', k) ??
					st.addAttribute({
						name: k,
						name_std: k,
						content_type: 'product',
						value_type: inferValueType(v),
					});
				p.attrs[attr.name_std] = v;
			});
		}
	}
	return {
		errors: Object.keys(errors).length ? errors : null,
		apply: (p) => {
			for (const op of ops) op(p);
			p.updated_at = ctx.now();
		},
	};
}

export function serializeProduct(st: EmulatorState, p: ProductRec): Record<string, unknown> {
	const out: Record<string, unknown> = {
		id: p.id,
		custom_id: p.custom_id,
		name: p.name,
		description: p.description,
		price: p.price === null ? null : decimalString(p.price),
		product_url: p.product_url,
		image_url: p.image_url,
		category_name: p.category_name,
		created_at: isoMicro(p.created_at),
		updated_at: isoMicro(p.updated_at),
	};
	for (const a of st.attributes.values())
		if (a.content_type === 'product' && !(a.name_std in out))
			out[a.name_std] = p.attrs[a.name_std] ?? null;
	return out;
}
