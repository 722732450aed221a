import type { IDataObject } from 'n8n-workflow';

/** Deal status: User.com stores an integer 0-4. */
export const DEAL_STATUS = {
	abandoned: 0,
	inProgress: 1,
	won: 2,
	lost: 3,
	archived: 4,
} as const;
export type DealStatusName = keyof typeof DEAL_STATUS;
export const DEAL_STATUS_NAMES = Object.keys(DEAL_STATUS) as DealStatusName[];

export function dealStatusToCode(status: DealStatusName): number {
	return DEAL_STATUS[status];
}

export function dealStatusName(code: unknown): string | undefined {
	const n = typeof code === 'string' && code.trim() !== '' ? Number(code) : code;
	const entry = Object.entries(DEAL_STATUS).find(([, v]) => v === n);
	return entry?.[0];
}

/** Gender and status of a user: names in responses, integers in the model. */
export const USER_GENDER = { unknown: 1, male: 2, female: 3 } as const;
export const USER_STATUS = { visitor: 1, user: 2 } as const;

/** The 16 product event types User.com accepts (closed list, spaces and lower case). */
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
] as const;
export type ProductEventType = (typeof PRODUCT_EVENT_TYPES)[number];

/** "1250.00" -> 1250; numbers pass; anything else is left as it is. */
export function moneyToNumber(value: unknown): unknown {
	if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)))
		return Number(value);
	return value;
}

/** A deal as returned by User.com, with `value` as a number and a readable status name added. */
export function normalizeDeal(deal: IDataObject): IDataObject {
	const out: IDataObject = { ...deal };
	if ('value' in out) out.value = moneyToNumber(out.value) as IDataObject[string];
	const name = dealStatusName(out.status);
	if (name !== undefined) out.status_name = name;
	if (Array.isArray(out.order_products)) {
		out.order_products = (out.order_products as IDataObject[]).map((op) =>
			typeof op === 'object' && op !== null && 'value' in op
				? { ...op, value: moneyToNumber(op.value) as IDataObject[string] }
				: op,
		);
	}
	return out;
}

export function normalizeProduct(product: IDataObject): IDataObject {
	const out: IDataObject = { ...product };
	if ('price' in out) out.price = moneyToNumber(out.price) as IDataObject[string];
	return out;
}

function pick(source: IDataObject, keys: string[]): IDataObject {
	const out: IDataObject = {};
	for (const key of keys) if (source[key] !== undefined) out[key] = source[key];
	return out;
}

/** The user fields people use, with tags/lists as names and custom attributes as a flat object. */
export function simplifyUser(user: IDataObject): IDataObject {
	const out = pick(user, [
		'id',
		'custom_id',
		'user_id',
		'key',
		'email',
		'first_name',
		'last_name',
		'name',
		'phone_number',
		'status',
		'gender',
		'unsubscribed',
		'score',
		'city',
		'country',
		'company_custom_id',
		'created_at',
		'updated_at',
		'last_seen',
	]);
	if (Array.isArray(user.tags)) {
		out.tags = (user.tags as unknown[]).map((t) =>
			typeof t === 'object' && t !== null ? ((t as IDataObject).name as string) : (t as string),
		);
	}
	if (Array.isArray(user.lists)) {
		out.lists = (user.lists as unknown[]).map((l) =>
			typeof l === 'object' && l !== null ? ((l as IDataObject).name ?? (l as IDataObject).id) : l,
		) as IDataObject[string];
	}
	if (Array.isArray(user.attributes)) {
		const attributes: IDataObject = {};
		for (const a of user.attributes as IDataObject[]) {
			if (a && typeof a === 'object') {
				const key = (a.name_std ?? a.name) as string | undefined;
				if (key) attributes[key] = a.value;
			}
		}
		out.attributes = attributes;
	}
	return out;
}

export function simplifyDeal(deal: IDataObject): IDataObject {
	return pick(normalizeDeal(deal), [
		'id',
		'custom_id',
		'name',
		'value',
		'currency',
		'status',
		'status_name',
		'pipeline',
		'stage',
		'user_id',
		'user_custom_id',
		'company_id',
		'products',
		'products_custom_id',
		'expected_close_date',
		'created_at',
		'updated_at',
	]);
}

export function simplifyProduct(product: IDataObject): IDataObject {
	return pick(normalizeProduct(product), [
		'id',
		'custom_id',
		'name',
		'price',
		'product_url',
		'image_url',
		'category_name',
		'created_at',
		'updated_at',
	]);
}

/** Tags as names: User.com answers `[{"id", "name"}]`, some clients send plain names. */
function tagNames(tags: unknown[]): string[] {
	return tags.map((t) =>
		typeof t === 'object' && t !== null ? String((t as IDataObject).name) : String(t),
	);
}

/** Custom attributes `[{"name_std", "value"}]` -> `{ name_std: value }`. */
function flatAttributes(attributes: unknown[]): IDataObject {
	const out: IDataObject = {};
	for (const a of attributes as IDataObject[]) {
		if (a && typeof a === 'object') {
			const key = (a.name_std ?? a.name) as string | undefined;
			if (key) out[key] = a.value;
		}
	}
	return out;
}

/**
 * The company's own ID. Client code names it `company_id` (SDK-NET); `custom_id` is what User.com's
 * other objects use. Both are accepted; a number in `company_id` is not taken for one.
 */
export function companyCustomId(company: IDataObject): string | undefined {
	const value = company.custom_id ?? company.company_id;
	if (typeof value === 'string' && value !== '') return value;
	return undefined;
}

export function simplifyCompany(company: IDataObject): IDataObject {
	const out = pick(company, [
		'id',
		'name',
		'description',
		'email',
		'phone_numbers',
		'address',
		'city',
		'region',
		'country',
		'approx_employees',
		'created_at',
		'updated_at',
	]);
	const customId = companyCustomId(company);
	out.custom_id = customId ?? null;
	if (Array.isArray(company.tags)) out.tags = tagNames(company.tags as unknown[]);
	if (Array.isArray(company.attributes))
		out.attributes = flatAttributes(company.attributes as unknown[]);
	return out;
}
