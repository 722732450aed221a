/**
 * Companies: `companies/`, `companies/<id>/`, `companies-by-id/<custom id>/` and their actions
 * (add_member, remove_member, add_tag, remove_tag, set_attribute, set_multiple_attributes).
 *
 * User.com publishes no documentation for companies; what is modelled here comes from client code
 * (reference §7.5: SDK-NET, SDK-PHP, the official Magento plugin). CHOICES where that code is silent:
 * - the company's own ID is the body/response field `company_id` (SDK-NET's Company model and
 *   CreateCompanyRequest); it is unique: a second company with it -> 400
 *   {"company_id": ["company with this company id already exists."]} (DRF UniqueValidator wording);
 * - `name` is required on create (the Magento plugin sends only the name);
 * - `phone_numbers` is a list of strings; `approx_employees` an integer;
 * - other keys are company custom attributes that must exist (content type `company`), as for users:
 *   {"<key>": ["Attribute does not exist."]};
 * - an unknown custom ID -> 404 {"detail": "No Company matches the given query."} (Django's
 *   get_object_or_404 text, which DRF passes on); an unknown numeric ID -> 404 {"detail": "Not found."};
 * - there is no update_or_create for companies (no client uses one);
 * - add_member / remove_member take {"user_id": <User.com user id>} (Magento plugin); an unknown user
 *   -> 400 {"user_id": ["Invalid pk \"9\" - object does not exist."]}; removing a non-member is a
 *   no-op; both answer 200 with the company;
 * - add_tag answers {"created", "tag": {"id", "name"}} like the user action (what SDK-NET reads);
 *   remove_tag of an unknown tag name -> 404; remove_* accept POST and DELETE (SDK-NET uses DELETE);
 * - PUT is a partial update, like users and deals.
 */
import type { ApiCtx, ApiRequest, ApiResponse, Route } from './http-types';
import { bad, notFound, ok } from './http-types';
import type { FieldErrors } from './models';
import { coerceAttributeValue } from './models';
import type { CompanyRec } from './state';
import { MSG, isEmail, isoMicro, toInt } from './util';

export interface CompanyRouteHelpers {
	dict(req: ApiRequest): Record<string, unknown> | ApiResponse;
	isResp(x: unknown): x is ApiResponse;
	paginate<T>(req: ApiRequest, items: T[], ser: (t: T) => unknown): ApiResponse;
	requiredStr(body: Record<string, unknown>, field: string): string | ApiResponse;
}

const STR_FIELDS = ['address', 'city', 'region', 'country'] as const;
const READ_ONLY = new Set([
	'id',
	'created_at',
	'updated_at',
	'tags',
	'attributes',
	'members',
	'users',
]);
const UNKNOWN_CUSTOM_ID = 'No Company matches the given query.';

function addErr(errors: FieldErrors, field: string, msg: string): void {
	const cur = errors[field];
	if (Array.isArray(cur)) cur.push(msg);
	else errors[field] = [msg];
}

export function serializeCompany(
	ctx: { state: ApiCtx['state'] },
	c: CompanyRec,
): Record<string, unknown> {
	const st = ctx.state;
	return {
		id: c.id,
		name: c.name,
		description: c.description,
		email: c.email,
		country: c.country,
		region: c.region,
		city: c.city,
		address: c.address,
		approx_employees: c.approx_employees,
		phone_numbers: [...c.phone_numbers],
		company_id: c.custom_id,
		created_at: isoMicro(c.created_at),
		updated_at: isoMicro(c.updated_at),
		tags: c.tags.map((id) => ({ id, name: st.tags.get(id)?.name ?? '' })),
		attributes: Object.entries(c.attributes).map(([aid, value]) => {
			const a = st.attributes.get(Number(aid));
			return { value, name: a?.name ?? '', name_std: a?.name_std ?? '', id: Number(aid) };
		}),
	};
}

/** Validates a create/update body; every field error at once (DRF serializer semantics). */
function validateCompany(
	ctx: ApiCtx,
	body: Record<string, unknown>,
	existing?: CompanyRec,
): { errors: FieldErrors | null; apply: (c: CompanyRec) => void } {
	const st = ctx.state;
	const errors: FieldErrors = {};
	const ops: Array<(c: CompanyRec) => void> = [];
	if (!existing && body.name === undefined) addErr(errors, 'name', MSG.required);
	for (const [k, v] of Object.entries(body)) {
		if (READ_ONLY.has(k)) continue;
		if (k === 'name') {
			if (v === null) addErr(errors, k, MSG.null);
			else if (typeof v !== 'string' && typeof v !== 'number') addErr(errors, k, MSG.invalidString);
			else if (String(v).trim() === '') addErr(errors, k, MSG.blank);
			else if (String(v).length > 255) addErr(errors, k, MSG.maxLength(255));
			else ops.push((c) => (c.name = String(v)));
		} else if (k === 'description') {
			if (v === null) ops.push((c) => (c.description = ''));
			else if (typeof v !== 'string' && typeof v !== 'number') addErr(errors, k, MSG.invalidString);
			else ops.push((c) => (c.description = String(v)));
		} else if (k === 'email') {
			if (v === null || v === '') ops.push((c) => (c.email = null));
			else if (typeof v !== 'string' || !isEmail(v.trim())) addErr(errors, k, MSG.invalidEmail);
			else ops.push((c) => (c.email = v.trim()));
		} else if ((STR_FIELDS as readonly string[]).includes(k)) {
			const key = k as (typeof STR_FIELDS)[number];
			if (v === null) ops.push((c) => (c[key] = null));
			else if (typeof v !== 'string' && typeof v !== 'number') addErr(errors, k, MSG.invalidString);
			else ops.push((c) => (c[key] = String(v)));
		} else if (k === 'approx_employees') {
			if (v === null) ops.push((c) => (c.approx_employees = null));
			else {
				const n = toInt(v);
				if (n === undefined || n < 0) addErr(errors, k, MSG.invalidInt);
				else ops.push((c) => (c.approx_employees = n));
			}
		} else if (k === 'phone_numbers') {
			if (v === null) ops.push((c) => (c.phone_numbers = []));
			else if (!Array.isArray(v)) addErr(errors, k, MSG.notAList(v));
			else if (!v.every((x) => typeof x === 'string' || typeof x === 'number'))
				addErr(errors, k, MSG.invalidString);
			else ops.push((c) => (c.phone_numbers = v.map(String)));
		} else if (k === 'company_id') {
			if (v === null || v === '') ops.push((c) => (c.custom_id = null));
			else if (typeof v !== 'string' && typeof v !== 'number') addErr(errors, k, MSG.invalidString);
			else {
				const cid = String(v);
				const other = st.companyByCustomId(cid);
				if (other && other.id !== existing?.id)
					addErr(errors, k, 'company with this company id already exists.');
				else if (cid.length > 255) addErr(errors, k, MSG.maxLength(255));
				else ops.push((c) => (c.custom_id = cid));
			}
		} else {
			const attr = st.attribute('company', k);
			if (!attr) {
				addErr(errors, k, MSG.attributeDoesNotExist);
				continue;
			}
			const c = coerceAttributeValue(attr.value_type, v);
			if (!c.ok) addErr(errors, k, c.msg);
			else ops.push((rec) => setAttr(rec, attr.id, c.value));
		}
	}
	return {
		errors: Object.keys(errors).length ? errors : null,
		apply: (c) => {
			for (const op of ops) op(c);
			c.updated_at = ctx.now();
		},
	};
}

function setAttr(c: CompanyRec, attrId: number, value: unknown): void {
	if (value === null) delete c.attributes[attrId];
	else c.attributes[attrId] = value;
}

export function companyRoutes(h: CompanyRouteHelpers): Route[] {
	const find = (ctx: ApiCtx, kind: 'id' | 'cid', p: string): CompanyRec | undefined => {
		if (kind === 'cid') return ctx.state.companyByCustomId(p);
		const n = toInt(p);
		return n === undefined ? undefined : ctx.state.companies.get(n);
	};
	const missing = (kind: 'id' | 'cid') =>
		kind === 'cid' ? notFound(UNKNOWN_CUSTOM_ID) : notFound();

	const create = (ctx: ApiCtx, req: ApiRequest): ApiResponse => {
		const body = h.dict(req);
		if (h.isResp(body)) return body;
		const v = validateCompany(ctx, body);
		if (v.errors) return bad(v.errors);
		const c = ctx.state.newCompany('', null, ctx.now());
		v.apply(c);
		ctx.state.companies.set(c.id, c);
		ctx.created('companies');
		return ok(serializeCompany(ctx, c), 201);
	};

	const detail = (kind: 'id' | 'cid') => {
		const update = (ctx: ApiCtx, req: ApiRequest, p: string[]): ApiResponse => {
			const c = find(ctx, kind, p[0]);
			if (!c) return missing(kind);
			const body = h.dict(req);
			if (h.isResp(body)) return body;
			const v = validateCompany(ctx, body, c);
			if (v.errors) return bad(v.errors);
			v.apply(c);
			ctx.updated('companies');
			return ok(serializeCompany(ctx, c));
		};
		return {
			GET: (ctx: ApiCtx, _r: ApiRequest, p: string[]) => {
				const c = find(ctx, kind, p[0]);
				return c ? ok(serializeCompany(ctx, c)) : missing(kind);
			},
			PUT: update,
			PATCH: update,
			DELETE: (ctx: ApiCtx, _r: ApiRequest, p: string[]) => {
				const c = find(ctx, kind, p[0]);
				if (!c) return missing(kind);
				ctx.state.companies.delete(c.id);
				for (const u of ctx.state.users.values()) if (u.company_id === c.id) u.company_id = null;
				for (const d of ctx.state.deals.values()) if (d.company_id === c.id) d.company_id = null;
				ctx.updated('companies.delete');
				return { status: 204 };
			},
		};
	};

	const action =
		(kind: 'id' | 'cid') =>
		(ctx: ApiCtx, req: ApiRequest, p: string[]): ApiResponse => {
			const name = p[1];
			if (req.method === 'DELETE' && !name.startsWith('remove_')) {
				return {
					status: 405,
					body: { detail: 'Method "DELETE" not allowed.' },
					headers: { allow: 'POST, OPTIONS' },
				};
			}
			const c = find(ctx, kind, p[0]);
			if (!c) return missing(kind);
			const body = h.dict(req);
			if (h.isResp(body)) return body;
			const st = ctx.state;
			const done = () => {
				c.updated_at = ctx.now();
				ctx.updated('companies');
				return ok(serializeCompany(ctx, c));
			};
			switch (name) {
				case 'add_member':
				case 'remove_member': {
					const v = body.user_id;
					if (v === undefined) return bad({ user_id: [MSG.required] });
					if (v === null) return bad({ user_id: [MSG.null] });
					const n = typeof v === 'boolean' ? undefined : toInt(v);
					if (n === undefined) return bad({ user_id: [MSG.pkIncorrectType(v)] });
					const user = st.users.get(n);
					if (!user) return bad({ user_id: [MSG.invalidPk(v)] });
					if (name === 'add_member') {
						if (!c.members.includes(n)) c.members.push(n);
					} else {
						c.members = c.members.filter((m) => m !== n);
						if (user.company_id === c.id) user.company_id = null;
					}
					return done();
				}
				case 'add_tag': {
					const tagName = h.requiredStr(body, 'name');
					if (typeof tagName !== 'string') return tagName;
					const { tag, created } = st.ensureTag(tagName.trim());
					if (created) ctx.created('tags');
					if (!c.tags.includes(tag.id)) c.tags.push(tag.id);
					c.updated_at = ctx.now();
					ctx.updated('companies');
					return ok({ created, tag: { id: tag.id, name: tag.name } });
				}
				case 'remove_tag': {
					const tagName = h.requiredStr(body, 'name');
					if (typeof tagName !== 'string') return tagName;
					const tag = st.tagByName(tagName.trim());
					if (!tag) return notFound();
					c.tags = c.tags.filter((t) => t !== tag.id);
					return done();
				}
				case 'set_attribute': {
					const attrName = h.requiredStr(body, 'attribute');
					if (typeof attrName !== 'string') return attrName;
					if (!('value' in body)) return bad({ value: [MSG.required] });
					const attr = st.attribute('company', attrName);
					if (!attr) return bad({ [attrName]: [MSG.attributeDoesNotExist] });
					const r = coerceAttributeValue(attr.value_type, body.value);
					if (!r.ok) return bad({ [attrName]: [r.msg] });
					setAttr(c, attr.id, r.value);
					return done();
				}
				case 'set_multiple_attributes': {
					// custom attributes only; every value validated before anything is written
					const errors: Record<string, string[]> = {};
					const sets: Array<() => void> = [];
					for (const [k, val] of Object.entries(body)) {
						const attr = st.attribute('company', k);
						if (!attr) {
							errors[k] = [MSG.attributeDoesNotExist];
							continue;
						}
						const r = coerceAttributeValue(attr.value_type, val);
						if (!r.ok) errors[k] = [r.msg];
						else sets.push(() => setAttr(c, attr.id, r.value));
					}
					if (Object.keys(errors).length) return bad(errors);
					sets.forEach((f) => f());
					return done();
				}
			}
			return notFound();
		};

	const SEG = '([^/]+)';
	const ACTIONS =
		'(add_member|remove_member|add_tag|remove_tag|set_attribute|set_multiple_attributes)';
	return [
		{
			pattern: /^companies\/$/,
			methods: {
				GET: (ctx, req) =>
					h.paginate(req, [...ctx.state.companies.values()], (c) => serializeCompany(ctx, c)),
				POST: create,
			},
		},
		{ pattern: /^companies\/(\d+)\/$/, methods: detail('id') },
		{
			pattern: new RegExp(`^companies/(\\d+)/${ACTIONS}/$`),
			methods: { POST: action('id'), DELETE: action('id') },
		},
		{ pattern: new RegExp(`^companies-by-id/${SEG}/$`), methods: detail('cid') },
		{
			pattern: new RegExp(`^companies-by-id/${SEG}/${ACTIONS}/$`),
			methods: { POST: action('cid'), DELETE: action('cid') },
		},
	];
}
