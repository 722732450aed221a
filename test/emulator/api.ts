/**
 * The /api/public/ routes. Each handler runs after routing, auth, throttling and body parsing.
 */
import { companyRoutes } from './companies';
import type { ApiCtx, ApiRequest, ApiResponse, Route } from './http-types';
import { bad, notFound, ok } from './http-types';
import { importRoutes } from './imports';
import {
	coerceAttributeValue,
	newDeal,
	newProduct,
	newUser,
	serializeDeal,
	serializeProduct,
	serializeUser,
	setUserAttr,
	validateDeal,
	validateProduct,
	validateUser,
} from './models';
import type { DealRec, ProductRec, UserRec } from './state';
import { normalizeContentType } from './state';
import { MSG, isoMicro, nameStd, pyStr, toBool, toInt, toNumber } from './util';

export const PRODUCT_EVENT_TYPES = [
	'click',
	'promo click',
	'view',
	'detail',
	'liking',
	'add to observation',
	'reservation',
	'add',
	'add to cart',
	'remove',
	'checkout',
	'checkout option',
	'order',
	'purchase',
	'return',
	'refund',
];

// ------------------------------------------------------------------------------------------------
// helpers
// ------------------------------------------------------------------------------------------------

/** Request body as a dict; DRF's message when it is something else. Missing body = {}. */
function dict(req: ApiRequest): Record<string, unknown> | ApiResponse {
	const b = req.body;
	if (b === undefined) return {};
	if (b !== null && typeof b === 'object' && !Array.isArray(b)) return b as Record<string, unknown>;
	const t = Array.isArray(b)
		? 'list'
		: b === null
			? 'NoneType'
			: typeof b === 'string'
				? 'str'
				: typeof b === 'boolean'
					? 'bool'
					: 'int';
	return mark(bad({ non_field_errors: [`Invalid data. Expected a dictionary, but got ${t}.`] }));
}
/** Responses returned where a value was expected are marked, so a body with a `status` key is never mistaken for one. */
const RESPONSES = new WeakSet<object>();
function mark(r: ApiResponse): ApiResponse {
	RESPONSES.add(r);
	return r;
}
function isResp(x: unknown): x is ApiResponse {
	return typeof x === 'object' && x !== null && RESPONSES.has(x);
}

const CURSOR_PREFIX = 'o=';
function encodeCursor(offset: number): string {
	return Buffer.from(CURSOR_PREFIX + offset).toString('base64url');
}
function decodeCursor(c: string): number | undefined {
	const s = Buffer.from(c, 'base64url').toString('utf8');
	if (!s.startsWith(CURSOR_PREFIX)) return undefined;
	const n = Number(s.slice(CURSOR_PREFIX.length));
	return Number.isInteger(n) && n >= 0 ? n : undefined;
}

/**
 * Cursor pagination: {count, next, previous, results}, 100 a page. `next`/`previous` are absolute
 * URLs carrying an opaque `cursor` (base64url, DRF-CursorPagination-like) and every other query
 * parameter of the request. CHOICE: a `page_size` parameter (1..1000) is honoured so tests can page
 * through small data sets; a cursor that does not decode -> 404 {"detail": "Invalid cursor"} (DRF).
 */
export function paginate<T>(req: ApiRequest, items: T[], ser: (t: T) => unknown): ApiResponse {
	let size = 100;
	const ps = req.query.get('page_size');
	if (ps !== null) {
		const n = toInt(ps);
		if (n !== undefined && n > 0) size = Math.min(n, 1000);
	}
	let offset = 0;
	const c = req.query.get('cursor');
	if (c !== null) {
		const o = decodeCursor(c);
		if (o === undefined) return notFound('Invalid cursor');
		offset = o;
	}
	const link = (o: number | null) => {
		const q = new URLSearchParams(req.query);
		q.delete('cursor');
		if (o !== null) q.set('cursor', encodeCursor(o));
		const qs = q.toString();
		return `${req.origin}/api/public/${req.rel}${qs ? '?' + qs : ''}`;
	};
	const page = items.slice(offset, offset + size);
	return ok({
		count: items.length,
		next: offset + size < items.length ? link(offset + size) : null,
		previous: offset > 0 ? link(offset - size > 0 ? offset - size : null) : null,
		results: page.map(ser),
	});
}

function byId<T>(m: Map<number, T>, raw: string): T | undefined {
	const n = toInt(raw);
	return n === undefined ? undefined : m.get(n);
}

function userByParam(ctx: ApiCtx, kind: 'id' | 'cid', p: string): UserRec | undefined {
	return kind === 'id' ? byId(ctx.state.users, p) : ctx.state.userByCustomId(p);
}

// ------------------------------------------------------------------------------------------------
// users
// ------------------------------------------------------------------------------------------------

function createUser(ctx: ApiCtx, req: ApiRequest): ApiResponse {
	const body = dict(req);
	if (isResp(body)) return body;
	const v = validateUser(ctx, body);
	if (v.errors) return bad(v.errors);
	const u = newUser(ctx);
	v.apply(u);
	ctx.state.users.set(u.id, u);
	ctx.created('users');
	return ok(serializeUser(ctx.state, u), 201);
}

function listUsers(ctx: ApiCtx, req: ApiRequest, filter?: (u: UserRec) => boolean): ApiResponse {
	let users = [...ctx.state.users.values()];
	if (filter) users = users.filter(filter);
	const email = req.query.get('email');
	if (email !== null)
		users = users.filter((u) => u.email !== null && u.email.toLowerCase() === email.toLowerCase());
	const cid = req.query.get('custom_id');
	if (cid !== null) users = users.filter((u) => u.custom_id === cid);
	const tag = req.query.get('tag_id');
	if (tag !== null) users = users.filter((u) => u.tags.includes(Number(tag)));
	const seg = req.query.get('segment_id');
	if (seg !== null) {
		const s = ctx.state.segments.get(Number(seg));
		users = users.filter((u) => !!s && s.userIds.includes(u.id));
	}
	return paginate(req, users, (u) => serializeUser(ctx.state, u));
}

/** Django-style lookups on custom attributes (SDK-NET FilterExtensions, reference §2.6). */
const ATTRIBUTE_LOOKUPS: Record<string, (have: unknown, want: string) => boolean> = {
	'': (a, b) => String(a) === b,
	contains: (a, b) => String(a).includes(b),
	icontains: (a, b) => String(a).toLowerCase().includes(b.toLowerCase()),
	startswith: (a, b) => String(a).startsWith(b),
	istartswith: (a, b) => String(a).toLowerCase().startsWith(b.toLowerCase()),
	endswith: (a, b) => String(a).endsWith(b),
	iendswith: (a, b) => String(a).toLowerCase().endsWith(b.toLowerCase()),
	gt: (a, b) => compare(a, b) > 0,
	gte: (a, b) => compare(a, b) >= 0,
	lt: (a, b) => compare(a, b) < 0,
	lte: (a, b) => compare(a, b) <= 0,
};
function compare(a: unknown, b: string): number {
	const x = toNumber(a);
	const y = toNumber(b);
	if (x !== undefined && y !== undefined) return x - y;
	return String(a) < b ? -1 : String(a) > b ? 1 : 0;
}

/**
 * Custom attribute filters of a search (`<name_std>__<lookup>=<value>`); undefined when the query has
 * none, a 400 when one names an attribute that does not exist (CHOICE: the reference is silent).
 */
function attributeFilters(
	ctx: ApiCtx,
	q: URLSearchParams,
): Array<(u: UserRec) => boolean> | ApiResponse | undefined {
	const filters: Array<(u: UserRec) => boolean> = [];
	for (const [key, value] of q.entries()) {
		if (['email', 'phone_number', 'key', 'custom_id', 'many', 'cursor', 'page_size'].includes(key))
			continue;
		const m =
			/^(.+?)(?:__(contains|icontains|startswith|istartswith|endswith|iendswith|gt|gte|lt|lte))?$/.exec(
				key,
			);
		if (!m) continue;
		const attr = ctx.state.attribute('user', m[1]);
		if (!attr) return mark(bad({ detail: `Unknown search parameter: ${key}` }));
		const test = ATTRIBUTE_LOOKUPS[m[2] ?? ''];
		filters.push(
			(u) =>
				u.attributes[attr.id] !== undefined &&
				u.attributes[attr.id] !== null &&
				test(u.attributes[attr.id], value),
		);
	}
	return filters.length ? filters : undefined;
}

function searchUsers(ctx: ApiCtx, req: ApiRequest): ApiResponse {
	const q = req.query;
	const byAttributes = attributeFilters(ctx, q);
	if (isResp(byAttributes)) return byAttributes;
	if (byAttributes) {
		// custom attribute lookups answer a paginated list (SDK-NET reads a PaginatedResult)
		const found = [...ctx.state.users.values()].filter((u) => byAttributes.every((f) => f(u)));
		return paginate(req, found, (u) => serializeUser(ctx.state, u));
	}
	let found: UserRec[];
	if (q.get('email') !== null) found = ctx.state.usersByEmail(q.get('email') as string);
	else if (q.get('phone_number') !== null)
		found = [...ctx.state.users.values()].filter((u) => u.phone_number === q.get('phone_number'));
	else if (q.get('key') !== null)
		found = [...ctx.state.users.values()].filter((u) => u.key === q.get('key'));
	else if (q.get('custom_id') !== null)
		found = [...ctx.state.users.values()].filter((u) => u.custom_id === q.get('custom_id'));
	// CHOICE: a search without a supported parameter is a 400 detail (the reference is silent).
	else
		return bad({
			detail: 'Provide one of the search parameters: email, phone_number, key, custom_id.',
		});
	if (toBool(q.get('many') ?? 'false')) return ok(found.map((u) => serializeUser(ctx.state, u)));
	// CHOICE: several matches without many=true -> the oldest (lowest id) one, not a 500.
	if (!found.length) return notFound();
	return ok(serializeUser(ctx.state, found[0]));
}

function upsertUser(ctx: ApiCtx, req: ApiRequest): ApiResponse {
	const body = dict(req);
	if (isResp(body)) return body;
	if (body.custom_id === undefined || body.custom_id === null || body.custom_id === '')
		return bad({
			custom_id: [
				body.custom_id === undefined
					? MSG.required
					: body.custom_id === null
						? MSG.null
						: MSG.blank,
			],
		});
	const existing = ctx.state.userByCustomId(String(body.custom_id));
	const v = validateUser(ctx, body, existing);
	if (v.errors) return bad(v.errors);
	if (existing) {
		v.apply(existing);
		ctx.updated('users');
		// CHOICE: 200 when updated, 201 when created; body is the documented {"created", "id"} either way.
		return ok({ created: false, id: existing.id });
	}
	const u = newUser(ctx);
	v.apply(u);
	ctx.state.users.set(u.id, u);
	ctx.created('users');
	return ok({ created: true, id: u.id }, 201);
}

function userDetail(kind: 'id' | 'cid') {
	return {
		GET: (ctx: ApiCtx, _r: ApiRequest, p: string[]) => {
			const u = userByParam(ctx, kind, p[0]);
			return u ? ok(serializeUser(ctx.state, u)) : notFound();
		},
		PUT: (ctx: ApiCtx, req: ApiRequest, p: string[]) =>
			updateUser(ctx, req, userByParam(ctx, kind, p[0])),
		PATCH: (ctx: ApiCtx, req: ApiRequest, p: string[]) =>
			updateUser(ctx, req, userByParam(ctx, kind, p[0])),
		DELETE: (ctx: ApiCtx, _r: ApiRequest, p: string[]) => {
			const u = userByParam(ctx, kind, p[0]);
			if (!u) return notFound();
			ctx.state.users.delete(u.id);
			for (const s of ctx.state.segments.values()) s.userIds = s.userIds.filter((x) => x !== u.id);
			for (const c of ctx.state.companies.values()) c.members = c.members.filter((x) => x !== u.id);
			ctx.updated('users.delete');
			return { status: 204 };
		},
	};
}

/** PUT behaves as a partial update: fields that are not sent are left alone (all fields optional). */
function updateUser(ctx: ApiCtx, req: ApiRequest, u: UserRec | undefined): ApiResponse {
	if (!u) return notFound();
	const body = dict(req);
	if (isResp(body)) return body;
	const v = validateUser(ctx, body, u);
	if (v.errors) return bad(v.errors);
	v.apply(u);
	ctx.updated('users');
	return ok(serializeUser(ctx.state, u));
}

function requiredStr(body: Record<string, unknown>, field: string): string | ApiResponse {
	const v = body[field];
	if (v === undefined) return mark(bad({ [field]: [MSG.required] }));
	if (v === null) return mark(bad({ [field]: [MSG.null] }));
	if (typeof v !== 'string' && typeof v !== 'number')
		return mark(bad({ [field]: [MSG.invalidString] }));
	if (String(v).trim() === '') return mark(bad({ [field]: [MSG.blank] }));
	return String(v);
}

/**
 * add_tag / remove_tag / add_to_list / remove_from_list / set_attribute / set_multiple_attributes /
 * remove_attribute / add_many_tags. CHOICES (reference silent): add_tag answers
 * {"created": <tag newly created>, "tag": {"id", "name"}} (what SDK-NET reads); every other action
 * answers 200 with the full user object (it carries the `id` SDK-NET reads after add_to_list);
 * removing a tag/list/attribute the user does not have is a no-op 200; an unknown tag name on
 * remove_tag -> 404 {"detail": "Not found."}.
 */
function userAction(
	ctx: ApiCtx,
	req: ApiRequest,
	u: UserRec | undefined,
	action: string,
): ApiResponse {
	if (!u) return notFound();
	const body = dict(req);
	if (isResp(body)) return body;
	const st = ctx.state;
	const done = () => {
		u.updated_at = ctx.now();
		ctx.updated('users');
		return ok(serializeUser(st, u));
	};
	switch (action) {
		case 'add_tag': {
			const name = requiredStr(body, 'name');
			if (typeof name !== 'string') return name;
			const { tag, created } = st.ensureTag(name.trim());
			if (created) ctx.created('tags');
			if (!u.tags.includes(tag.id)) u.tags.push(tag.id);
			u.updated_at = ctx.now();
			ctx.updated('users');
			return ok({ created, tag: { id: tag.id, name: tag.name } });
		}
		case 'add_many_tags': {
			const names = body.tag_names;
			if (names === undefined) return bad({ tag_names: [MSG.required] });
			if (!Array.isArray(names)) return bad({ tag_names: [MSG.notAList(names)] });
			for (const n of names) {
				const { tag, created } = st.ensureTag(String(n).trim());
				if (created) ctx.created('tags');
				if (!u.tags.includes(tag.id)) u.tags.push(tag.id);
			}
			return done();
		}
		case 'remove_tag': {
			const name = requiredStr(body, 'name');
			if (typeof name !== 'string') return name;
			const tag = st.tagByName(name.trim());
			if (!tag) return notFound();
			u.tags = u.tags.filter((t) => t !== tag.id);
			return done();
		}
		case 'add_to_list':
		case 'remove_from_list': {
			const v = body.list;
			if (v === undefined) return bad({ list: [MSG.required] });
			const n = toInt(v);
			if (n === undefined) return bad({ list: [MSG.pkIncorrectType(v)] });
			if (!st.lists.has(n)) return bad({ list: [MSG.invalidPk(v)] });
			if (action === 'add_to_list') {
				if (!u.lists.includes(n)) u.lists.push(n);
			} else u.lists = u.lists.filter((l) => l !== n);
			return done();
		}
		case 'set_attribute': {
			const name = requiredStr(body, 'attribute');
			if (typeof name !== 'string') return name;
			if (!('value' in body)) return bad({ value: [MSG.required] });
			const attr = st.attribute('user', name);
			if (!attr) return bad({ [name]: [MSG.attributeDoesNotExist] });
			const c = coerceAttributeValue(attr.value_type, body.value);
			if (!c.ok) return bad({ [name]: [c.msg] });
			setUserAttr(u, attr, c.value);
			return done();
		}
		case 'remove_attribute': {
			const name = requiredStr(body, 'attribute');
			if (typeof name !== 'string') return name;
			const attr = st.attribute('user', name);
			if (!attr) return bad({ [name]: [MSG.attributeDoesNotExist] });
			setUserAttr(u, attr, null);
			return done();
		}
		case 'set_multiple_attributes': {
			// only custom attributes; all validated before anything is written
			const errors: Record<string, string[]> = {};
			const sets: Array<() => void> = [];
			for (const [k, val] of Object.entries(body)) {
				const attr = st.attribute('user', k);
				if (!attr) {
					errors[k] = [MSG.attributeDoesNotExist];
					continue;
				}
				const c = coerceAttributeValue(attr.value_type, val);
				if (!c.ok) errors[k] = [c.msg];
				else sets.push(() => setUserAttr(u, attr, c.value));
			}
			if (Object.keys(errors).length) return bad(errors);
			sets.forEach((f) => f());
			return done();
		}
	}
	return notFound();
}

function userActionRoutes(kind: 'id' | 'cid') {
	const h = (ctx: ApiCtx, req: ApiRequest, p: string[]) =>
		userAction(ctx, req, userByParam(ctx, kind, p[0]), p[1]);
	return { POST: h, DELETE: h }; // remove_* accept DELETE (SDK-NET) and POST; add_* only POST (checked below)
}

// ------------------------------------------------------------------------------------------------
// events
// ------------------------------------------------------------------------------------------------

function eventFieldErrors(body: Record<string, unknown>): Record<string, string[]> {
	const e: Record<string, string[]> = {};
	const name = body.name;
	if (name === undefined) e.name = [MSG.required];
	else if (name === null) e.name = [MSG.null];
	else if (typeof name !== 'string' && typeof name !== 'number') e.name = [MSG.invalidString];
	else if (String(name).trim() === '') e.name = [MSG.blank];
	else if (String(name).length > 255) e.name = [MSG.maxLength(255)];
	if (
		body.data !== undefined &&
		body.data !== null &&
		(typeof body.data !== 'object' || Array.isArray(body.data))
	)
		e.data = [MSG.notADict(body.data)];
	if (
		body.timestamp !== undefined &&
		body.timestamp !== null &&
		toNumber(body.timestamp) === undefined
	)
		e.timestamp = [MSG.invalidInt];
	return e;
}

function storeEvent(ctx: ApiCtx, u: UserRec, body: Record<string, unknown>): ApiResponse {
	const st = ctx.state;
	const name = String(body.name);
	let created = false;
	let typeId = st.eventTypes.get(name);
	if (typeId === undefined) {
		typeId = st.nextId('eventTypes');
		st.eventTypes.set(name, typeId);
		created = true;
	}
	const ev = {
		id: st.nextId('events'),
		user_id: u.id,
		name,
		event_id: typeId,
		data: (body.data as Record<string, unknown>) ?? {},
		timestamp:
			body.timestamp !== undefined && body.timestamp !== null
				? Math.floor(toNumber(body.timestamp) as number)
				: Math.floor(ctx.now() / 1000),
		created_at: ctx.now(),
	};
	st.events.set(ev.id, ev);
	ctx.created('events');
	// CHOICE: 201 for a created event (DRF CreateAPIView); body as documented.
	return ok({ id: ev.id, created }, 201);
}

/** POST /events/ — format 2 errors; the user is validated first (see Quirks.eventsUserFirst). */
function createEvent(ctx: ApiCtx, req: ApiRequest): ApiResponse {
	const body = dict(req);
	if (isResp(body)) return { status: 400, body: { errors: body.body as Record<string, unknown> } };
	const errors: Record<string, string[]> = {};
	const uid = body.user_id;
	let user: UserRec | undefined;
	if (uid === undefined) errors.user_id = [MSG.required];
	else if (uid === null) errors.user_id = [MSG.null];
	else {
		const n = toInt(uid);
		user = n !== undefined ? ctx.state.users.get(n) : undefined;
		if (!user) errors.user_id = [`Client user with ID '${pyStr(uid)}' does not exist`];
	}
	if (errors.user_id && ctx.quirks.eventsUserFirst) return bad({ errors });
	Object.assign(errors, eventFieldErrors(body));
	if (Object.keys(errors).length || !user) return bad({ errors });
	return storeEvent(ctx, user, body);
}

/** POST /users-by-id/<custom_id>/events/ — format 3 404 for an unknown user, then format 2 field errors (CHOICE). */
function createEventByCustomId(ctx: ApiCtx, req: ApiRequest, p: string[]): ApiResponse {
	const u = ctx.state.userByCustomId(p[0]);
	if (!u) return notFound('No ClientUser matches the given query.');
	const body = dict(req);
	if (isResp(body)) return { status: 400, body: { errors: body.body as Record<string, unknown> } };
	const errors = eventFieldErrors(body);
	if (Object.keys(errors).length) return bad({ errors });
	return storeEvent(ctx, u, body);
}

function listUserEvents(ctx: ApiCtx, req: ApiRequest, u: UserRec | undefined): ApiResponse {
	if (!u) return notFound();
	const evs = [...ctx.state.events.values()].filter((e) => e.user_id === u.id);
	// Item shape per SDK-NET (§2.13): id, client, timestamp, items (key/value pairs), event, event_id.
	return paginate(req, evs, (e) => ({
		id: e.id,
		client: e.user_id,
		timestamp: isoMicro(e.timestamp * 1000),
		items: Object.entries(e.data).map(([key, value]) => ({ key, value })),
		event: e.name,
		event_id: e.event_id,
	}));
}

function listUserProductEvents(ctx: ApiCtx, req: ApiRequest, u: UserRec | undefined): ApiResponse {
	if (!u) return notFound();
	const evs = [...ctx.state.productEvents.values()].filter((e) => e.user_id === u.id);
	return paginate(req, evs, (e) => ({
		id: e.id,
		client: e.user_id,
		product_id: e.product_id,
		timestamp: isoMicro(e.timestamp * 1000),
		event_type: e.event_type,
		custom_data: e.custom_data,
	}));
}

// ------------------------------------------------------------------------------------------------
// deals
// ------------------------------------------------------------------------------------------------

function createDeal(ctx: ApiCtx, req: ApiRequest): ApiResponse {
	const body = dict(req);
	if (isResp(body)) return body;
	const v = validateDeal(ctx, body);
	if (v.errors) return bad(v.errors);
	const d = newDeal(ctx);
	v.apply(d);
	ctx.state.deals.set(d.id, d);
	ctx.created('deals');
	return ok(serializeDeal(ctx.state, d), 201);
}

/**
 * POST /deals/update_or_create/ — match by custom_id (required). CHOICE: returns the full deal (as the
 * reference says) without a `created` key; the status tells: 201 created, 200 updated.
 */
function upsertDeal(ctx: ApiCtx, req: ApiRequest): ApiResponse {
	const body = dict(req);
	if (isResp(body)) return body;
	const cid = body.custom_id;
	const existing =
		cid !== undefined && cid !== null && cid !== ''
			? ctx.state.dealByCustomId(String(cid))
			: undefined;
	const v = validateDeal(ctx, body, existing);
	if (cid === undefined || cid === null || cid === '') {
		const errors = { ...(v.errors ?? {}) } as Record<string, unknown>;
		const ordered: Record<string, unknown> = {};
		// keep serializer field order: name comes before custom_id
		if ('name' in errors) ordered.name = errors.name;
		ordered.custom_id = [cid === undefined ? MSG.required : cid === null ? MSG.null : MSG.blank];
		for (const [k, val] of Object.entries(errors)) if (!(k in ordered)) ordered[k] = val;
		return bad(ordered);
	}
	if (v.errors) return bad(v.errors);
	if (existing) {
		v.apply(existing);
		ctx.updated('deals');
		return ok(serializeDeal(ctx.state, existing));
	}
	const d = newDeal(ctx);
	v.apply(d);
	ctx.state.deals.set(d.id, d);
	ctx.created('deals');
	return ok(serializeDeal(ctx.state, d), 201);
}

function listDeals(ctx: ApiCtx, req: ApiRequest): ApiResponse {
	let deals = [...ctx.state.deals.values()];
	const q = req.query;
	if (q.get('user_id') !== null) deals = deals.filter((d) => d.user_id === toInt(q.get('user_id')));
	if (q.get('user_custom_id') !== null) {
		const u = ctx.state.userByCustomId(q.get('user_custom_id') as string);
		deals = deals.filter((d) => !!u && d.user_id === u.id);
	}
	if (q.get('userkey') !== null) {
		const u = [...ctx.state.users.values()].find((x) => x.key === q.get('userkey'));
		deals = deals.filter((d) => !!u && d.user_id === u.id);
	}
	if (q.get('custom_id') !== null) deals = deals.filter((d) => d.custom_id === q.get('custom_id'));
	return paginate(req, deals, (d) => serializeDeal(ctx.state, d));
}

function dealDetail(kind: 'id' | 'cid') {
	const find = (ctx: ApiCtx, p: string): DealRec | undefined =>
		kind === 'id' ? byId(ctx.state.deals, p) : ctx.state.dealByCustomId(p);
	const update = (ctx: ApiCtx, req: ApiRequest, p: string[]) => {
		const d = find(ctx, p[0]);
		if (!d) return notFound();
		const body = dict(req);
		if (isResp(body)) return body;
		const v = validateDeal(ctx, body, d);
		if (v.errors) return bad(v.errors);
		v.apply(d);
		ctx.updated('deals');
		return ok(serializeDeal(ctx.state, d));
	};
	return {
		GET: (ctx: ApiCtx, _r: ApiRequest, p: string[]) => {
			const d = find(ctx, p[0]);
			return d ? ok(serializeDeal(ctx.state, d)) : notFound();
		},
		PUT: update,
		PATCH: update,
		DELETE: (ctx: ApiCtx, _r: ApiRequest, p: string[]) => {
			const d = find(ctx, p[0]);
			if (!d) return notFound();
			ctx.state.deals.delete(d.id);
			ctx.updated('deals.delete');
			return { status: 204 };
		},
	};
}

// ------------------------------------------------------------------------------------------------
// products
// ------------------------------------------------------------------------------------------------

function createProduct(ctx: ApiCtx, req: ApiRequest): ApiResponse {
	const body = dict(req);
	if (isResp(body)) return body;
	const v = validateProduct(ctx, body);
	if (v.errors) return bad(v.errors);
	const p = newProduct(ctx);
	v.apply(p);
	ctx.state.products.set(p.id, p);
	ctx.created('products');
	return ok(serializeProduct(ctx.state, p), 201);
}

function productDetail(kind: 'id' | 'cid') {
	const find = (ctx: ApiCtx, p: string): ProductRec | undefined =>
		kind === 'id' ? byId(ctx.state.products, p) : ctx.state.productByCustomId(p);
	const update = (ctx: ApiCtx, req: ApiRequest, p: string[]) => {
		const prod = find(ctx, p[0]);
		if (!prod) return notFound();
		const body = dict(req);
		if (isResp(body)) return body;
		const v = validateProduct(ctx, body, prod);
		if (v.errors) return bad(v.errors);
		v.apply(prod);
		ctx.updated('products');
		return ok(serializeProduct(ctx.state, prod));
	};
	return {
		GET: (ctx: ApiCtx, _r: ApiRequest, p: string[]) => {
			const prod = find(ctx, p[0]);
			return prod ? ok(serializeProduct(ctx.state, prod)) : notFound();
		},
		PUT: update,
		PATCH: update,
		DELETE: (ctx: ApiCtx, _r: ApiRequest, p: string[]) => {
			const prod = find(ctx, p[0]);
			if (!prod) return notFound();
			ctx.state.products.delete(prod.id);
			ctx.updated('products.delete');
			return { status: 204 };
		},
	};
}

/**
 * Product events. Order: product (404), then user (user_id -> 400 detail, user_custom_id -> 404
 * detail), then the remaining fields (event_type choice, data, timestamp) all at once.
 * CHOICES (reference shows only the messages): the unknown-user_id 400 body is {"detail": ...};
 * an unknown numeric product id -> 404 {"detail": "Not found."}; no user reference at all ->
 * 400 {"user_id": ["This field is required."]}. Keys of `data` (except `custom_data`) overwrite the
 * product's attributes, as the docs say product events do. Response 201 {"id": n}.
 */
function productEvent(kind: 'id' | 'cid') {
	return (ctx: ApiCtx, req: ApiRequest, p: string[]): ApiResponse => {
		const st = ctx.state;
		const prod = kind === 'id' ? byId(st.products, p[0]) : st.productByCustomId(p[0]);
		if (!prod)
			return kind === 'id'
				? notFound()
				: notFound(`Couldn't find product with custom_id = ${p[0]}`);
		const body = dict(req);
		if (isResp(body)) return body;
		let user: UserRec | undefined;
		if (body.user_id !== undefined && body.user_id !== null) {
			const n = toInt(body.user_id);
			user = n !== undefined ? st.users.get(n) : undefined;
			if (!user)
				return bad({ detail: `Client user with ID '${pyStr(body.user_id)}' does not exist` });
		} else if (body.user_custom_id !== undefined && body.user_custom_id !== null) {
			user = st.userByCustomId(String(body.user_custom_id));
			if (!user) return notFound('user for given user_id not found');
		} else return bad({ user_id: [MSG.required] });
		const errors: Record<string, string[]> = {};
		const et = body.event_type;
		if (et === undefined) errors.event_type = [MSG.required];
		else if (typeof et !== 'string' || !PRODUCT_EVENT_TYPES.includes(et))
			errors.event_type = [MSG.invalidChoice(et)];
		if (
			body.data !== undefined &&
			body.data !== null &&
			(typeof body.data !== 'object' || Array.isArray(body.data))
		)
			errors.data = [MSG.notADict(body.data)];
		if (
			body.timestamp !== undefined &&
			body.timestamp !== null &&
			toNumber(body.timestamp) === undefined
		)
			errors.timestamp = [MSG.invalidInt];
		if (Object.keys(errors).length) return bad(errors);
		const data = { ...((body.data as Record<string, unknown>) ?? {}) };
		const custom = data.custom_data ?? null;
		delete data.custom_data;
		const pv = validateProduct(
			ctx,
			Object.fromEntries(Object.entries(data).filter(([k]) => k !== 'custom_id')),
			prod,
		);
		if (!pv.errors) pv.apply(prod);
		const ev = {
			id: st.nextId('productEvents'),
			product_id: prod.id,
			user_id: user.id,
			event_type: et as string,
			data,
			custom_data: custom,
			timestamp:
				body.timestamp !== undefined && body.timestamp !== null
					? Math.floor(toNumber(body.timestamp) as number)
					: Math.floor(ctx.now() / 1000),
			created_at: ctx.now(),
		};
		st.productEvents.set(ev.id, ev);
		ctx.created('productEvents');
		return ok({ id: ev.id }, 201);
	};
}

// ------------------------------------------------------------------------------------------------
// tags, lists, segments, attributes
// ------------------------------------------------------------------------------------------------

function simpleCollection<T extends { id: number }>(
	resource: 'tags' | 'lists',
	ser: (t: T) => unknown,
	make: (ctx: ApiCtx, body: Record<string, unknown>) => T | ApiResponse,
): Route[] {
	const map = (ctx: ApiCtx) => ctx.state[resource] as unknown as Map<number, T>;
	return [
		{
			pattern: new RegExp(`^${resource}/$`),
			methods: {
				GET: (ctx, req) => paginate(req, [...map(ctx).values()], ser),
				POST: (ctx, req) => {
					const body = dict(req);
					if (isResp(body)) return body;
					const r = make(ctx, body);
					if (isResp(r)) return r;
					ctx.created(resource);
					return ok(ser(r), 201);
				},
			},
		},
		{
			pattern: new RegExp(`^${resource}/(\\d+)/$`),
			methods: {
				GET: (ctx, _r, p) => {
					const t = map(ctx).get(Number(p[0]));
					return t ? ok(ser(t)) : notFound();
				},
				PUT: (ctx, req, p) => {
					const t = map(ctx).get(Number(p[0])) as unknown as Record<string, unknown> | undefined;
					if (!t) return notFound();
					const body = dict(req);
					if (isResp(body)) return body;
					const name = requiredStr(body, 'name');
					if (typeof name !== 'string') return name;
					t.name = name;
					if (resource === 'lists' && typeof body.description === 'string')
						t.description = body.description;
					return ok(ser(t as unknown as T));
				},
				DELETE: (ctx, _r, p) => {
					const id = Number(p[0]);
					if (!map(ctx).delete(id)) return notFound();
					for (const u of ctx.state.users.values())
						u[resource] = u[resource].filter((x) => x !== id);
					return { status: 204 };
				},
			},
		},
		{
			pattern: new RegExp(`^${resource}/(\\d+)/users/$`),
			methods: {
				GET: (ctx, req, p) => {
					const id = Number(p[0]);
					if (!map(ctx).has(id)) return notFound();
					return listUsers(ctx, req, (u) => u[resource].includes(id));
				},
			},
		},
	];
}

function serializeSegment(
	ctx: ApiCtx,
	req: ApiRequest,
	s: { id: number; name: string; description: string; userIds: number[]; updated_at: number },
) {
	return {
		id: s.id,
		name: s.name,
		description: s.description,
		users: `${req.origin}/api/public/segments/${s.id}/users/`,
		object_count: s.userIds.filter((id) => ctx.state.users.has(id)).length,
		too_heavy: false,
		update_interval: 240,
		last_counted: isoMicro(s.updated_at),
		updated_at: isoMicro(s.updated_at),
	};
}

// ------------------------------------------------------------------------------------------------
// route table
// ------------------------------------------------------------------------------------------------

const SEG = '([^/]+)';
const USER_ACTIONS =
	'(add_tag|remove_tag|add_to_list|remove_from_list|set_attribute|set_multiple_attributes|remove_attribute|add_many_tags)';

function onlyPostForAdds(kind: 'id' | 'cid') {
	const r = userActionRoutes(kind);
	return {
		POST: r.POST,
		DELETE: (ctx: ApiCtx, req: ApiRequest, p: string[]) =>
			p[1].startsWith('remove_')
				? r.DELETE(ctx, req, p)
				: {
						status: 405,
						body: { detail: 'Method "DELETE" not allowed.' },
						headers: { allow: 'POST, OPTIONS' },
					},
	};
}

export const routes: Route[] = [
	{ pattern: /^users\/$/, methods: { GET: (ctx, req) => listUsers(ctx, req), POST: createUser } },
	{ pattern: /^users\/search\/$/, methods: { GET: searchUsers } },
	{ pattern: /^users\/update_or_create\/$/, methods: { POST: upsertUser } },
	{ pattern: /^users\/(\d+)\/$/, methods: userDetail('id') },
	{ pattern: new RegExp(`^users/(\\d+)/${USER_ACTIONS}/$`), methods: onlyPostForAdds('id') },
	{
		pattern: /^users\/(\d+)\/events\/$/,
		methods: { GET: (ctx, req, p) => listUserEvents(ctx, req, byId(ctx.state.users, p[0])) },
	},
	{
		pattern: /^users\/(\d+)\/product_events\/$/,
		methods: { GET: (ctx, req, p) => listUserProductEvents(ctx, req, byId(ctx.state.users, p[0])) },
	},
	{
		pattern: /^users\/(\d+)\/segments\/$/,
		methods: {
			GET: (ctx, req, p) => {
				const u = byId(ctx.state.users, p[0]);
				if (!u) return notFound();
				return paginate(
					req,
					[...ctx.state.segments.values()].filter((s) => s.userIds.includes(u.id)),
					(s) => serializeSegment(ctx, req, s),
				);
			},
		},
	},
	{ pattern: new RegExp(`^users-by-id/${SEG}/$`), methods: userDetail('cid') },
	{
		pattern: new RegExp(`^users-by-id/${SEG}/events/$`),
		methods: {
			POST: createEventByCustomId,
			GET: (ctx, req, p) => listUserEvents(ctx, req, ctx.state.userByCustomId(p[0])),
		},
	},
	{
		pattern: new RegExp(`^users-by-id/${SEG}/product_events/$`),
		methods: {
			GET: (ctx, req, p) => listUserProductEvents(ctx, req, ctx.state.userByCustomId(p[0])),
		},
	},
	{ pattern: new RegExp(`^users-by-id/${SEG}/${USER_ACTIONS}/$`), methods: onlyPostForAdds('cid') },
	{ pattern: /^events\/$/, methods: { POST: createEvent } },
	{ pattern: /^deals\/$/, methods: { GET: listDeals, POST: createDeal } },
	{ pattern: /^deals\/update_or_create\/$/, methods: { POST: upsertDeal } },
	{ pattern: /^deals\/(\d+)\/$/, methods: dealDetail('id') },
	{ pattern: new RegExp(`^deals-by-id/${SEG}/$`), methods: dealDetail('cid') },
	{
		pattern: /^products\/$/,
		methods: {
			GET: (ctx, req) =>
				paginate(req, [...ctx.state.products.values()], (p) => serializeProduct(ctx.state, p)),
			POST: createProduct,
		},
	},
	{ pattern: /^products\/(\d+)\/$/, methods: productDetail('id') },
	{ pattern: /^products\/(\d+)\/product_event\/$/, methods: { POST: productEvent('id') } },
	{ pattern: new RegExp(`^products-by-id/${SEG}/$`), methods: productDetail('cid') },
	{
		pattern: new RegExp(`^products-by-id/${SEG}/details/$`),
		methods: { GET: productDetail('cid').GET },
	},
	{
		pattern: new RegExp(`^products-by-id/${SEG}/product_event/$`),
		methods: { POST: productEvent('cid') },
	},
	...importRoutes,
	...companyRoutes({ dict, isResp, paginate, requiredStr }),
	...simpleCollection(
		'tags',
		(t: { id: number; name: string }) => ({ id: t.id, name: t.name }),
		(ctx, body) => {
			const name = requiredStr(body, 'name');
			if (typeof name !== 'string') return name;
			if (ctx.state.tagByName(name))
				return mark(bad({ name: ['tag with this name already exists.'] }));
			return ctx.state.ensureTag(name).tag;
		},
	),
	...simpleCollection(
		'lists',
		(l: { id: number; name: string; description: string }) => ({
			id: l.id,
			name: l.name,
			description: l.description,
		}),
		(ctx, body) => {
			const name = requiredStr(body, 'name');
			if (typeof name !== 'string') return name;
			const l = {
				id: ctx.state.nextId('lists'),
				name,
				description: typeof body.description === 'string' ? body.description : '',
			};
			ctx.state.lists.set(l.id, l);
			return l;
		},
	),
	{
		pattern: /^segments\/$/,
		methods: {
			GET: (ctx, req) =>
				paginate(req, [...ctx.state.segments.values()], (s) => serializeSegment(ctx, req, s)),
		},
	},
	{
		pattern: /^segments\/(\d+)\/$/,
		methods: {
			GET: (ctx, req, p) => {
				const s = ctx.state.segments.get(Number(p[0]));
				return s ? ok(serializeSegment(ctx, req, s)) : notFound();
			},
		},
	},
	{
		pattern: /^segments\/(\d+)\/users\/$/,
		methods: {
			GET: (ctx, req, p) => {
				const s = ctx.state.segments.get(Number(p[0]));
				if (!s) return notFound();
				return listUsers(ctx, req, (u) => s.userIds.includes(u.id));
			},
		},
	},
	{
		pattern: /^attributes\/$/,
		methods: {
			/**
			 * content_type in responses uses the read names of §7.4 (user, company, deal, product);
			 * the filter accepts `clientuser` as an alias of `user`.
			 */
			GET: (ctx, req) => {
				let attrs = [...ctx.state.attributes.values()];
				const ct = req.query.get('content_type');
				if (ct) attrs = attrs.filter((a) => a.content_type === normalizeContentType(ct));
				return paginate(req, attrs, (a) => ({
					id: a.id,
					name: a.name,
					name_std: a.name_std,
					value_type: a.value_type,
					content_type: a.content_type,
				}));
			},
			POST: (ctx, req) => {
				const body = dict(req);
				if (isResp(body)) return body;
				const errors: Record<string, string[]> = {};
				const VT = ['boolean', 'integer', 'date', 'string', 'datetime', 'fixed', 'float', 'json'];
				const CT = ['clientuser', 'user', 'company', 'deal', 'product', 'ticket'];
				if (typeof body.name !== 'string' || !body.name.trim())
					errors.name = [body.name === undefined ? MSG.required : MSG.blank];
				if (body.value_type === undefined) errors.value_type = [MSG.required];
				else if (!VT.includes(String(body.value_type)))
					errors.value_type = [MSG.invalidChoice(body.value_type)];
				if (body.content_type === undefined) errors.content_type = [MSG.required];
				else if (!CT.includes(String(body.content_type)))
					errors.content_type = [MSG.invalidChoice(body.content_type)];
				if (Object.keys(errors).length) return bad(errors);
				const ct = normalizeContentType(String(body.content_type));
				if (ctx.state.attribute(ct, nameStd(String(body.name))))
					return bad({ name: ['Attribute with this name already exists.'] });
				const a = ctx.state.addAttribute({
					name: String(body.name),
					content_type: ct,
					value_type: body.value_type as never,
				});
				ctx.created('attributes');
				return ok(
					{
						id: a.id,
						name: a.name,
						name_std: a.name_std,
						value_type: a.value_type,
						content_type: a.content_type,
					},
					201,
				);
			},
		},
	},
	{
		pattern: /^attributes\/(\d+)\/$/,
		methods: {
			GET: (ctx, _r, p) => {
				const a = ctx.state.attributes.get(Number(p[0]));
				return a
					? ok({
							id: a.id,
							name: a.name,
							name_std: a.name_std,
							value_type: a.value_type,
							content_type: a.content_type,
						})
					: notFound();
			},
			DELETE: (ctx, _r, p) =>
				ctx.state.attributes.delete(Number(p[0])) ? { status: 204 } : notFound(),
		},
	},
];
