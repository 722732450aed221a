import type {
	IDataObject,
	IDisplayOptions,
	IExecuteFunctions,
	INodeProperties,
} from 'n8n-workflow';

import { encodePathId, toNormalizedError, userComApiRequest } from '../../transport';
import { DEAL_STATUS, DEAL_STATUS_NAMES, type DealStatusName } from '../../helpers/mapping';
import {
	optionalCurrency,
	optionalMoney,
	optionalPositiveInt,
	optionalString,
	requireMoney,
	requireNonNegativeInt,
	requireOneOf,
	requirePositiveInt,
	requirePositiveIntList,
	requireString,
	splitList,
	toUnixSeconds,
	validationError,
	type ValidationContext,
} from '../../helpers/validation';
import { asNodeError, vctx } from '../common';
import { bodyKeys, keysOrNone, recordKey } from '../recordKeys';

export const DEAL_STATUS_OPTIONS = [
	{ name: 'Abandoned', value: 'abandoned' },
	{ name: 'In Progress', value: 'inProgress' },
	{ name: 'Won', value: 'won' },
	{ name: 'Lost', value: 'lost' },
	{ name: 'Archived', value: 'archived' },
];

const FIELD_LABELS: Record<string, string> = {
	name: 'Name',
	customId: 'Custom ID',
	value: 'Value',
	currency: 'Currency',
	status: 'Status',
	pipeline: 'Pipeline ID',
	stage: 'Stage ID',
	userId: 'User ID',
	userCustomId: 'User Custom ID',
	companyId: 'Company ID',
	companyCustomId: 'Company Custom ID',
	assignedTo: 'Assigned To (Agent ID)',
	productIds: 'Product IDs',
	productCustomIds: 'Product Custom IDs',
	expectedCloseDate: 'Expected Close Date',
};

export function dealFields(
	name: string,
	displayName: string,
	show: IDisplayOptions['show'],
	options: { withName?: boolean; withCustomId?: boolean },
): INodeProperties {
	const fields: INodeProperties[] = [
		{ displayName: 'Assigned To (Agent ID)', name: 'assignedTo', type: 'number', default: 0 },
		{ displayName: 'Company Custom ID', name: 'companyCustomId', type: 'string', default: '' },
		{
			displayName: 'Company ID',
			name: 'companyId',
			type: 'number',
			default: 0,
			description: 'User.com ID of the company',
		},
		{
			displayName: 'Currency',
			name: 'currency',
			type: 'string',
			default: '',
			placeholder: 'e.g. EUR',
			description: 'Three-letter ISO 4217 code of the deal value',
		},
		{
			displayName: 'Expected Close Date',
			name: 'expectedCloseDate',
			type: 'dateTime',
			default: '',
		},
		{
			displayName: 'Pipeline ID',
			name: 'pipeline',
			type: 'number',
			default: 0,
			description:
				'Pipeline ID from User.com (Settings › Sales › Pipelines); ' +
				'there is no API to list pipelines',
		},
		{
			displayName: 'Product Custom IDs',
			name: 'productCustomIds',
			type: 'string',
			default: '',
			placeholder: 'e.g. SKU-1, SKU-2',
			description: 'Comma-separated custom IDs of products linked to the deal',
		},
		{
			displayName: 'Product IDs',
			name: 'productIds',
			type: 'string',
			default: '',
			placeholder: 'e.g. 12, 13',
			description: 'Comma-separated User.com IDs of products linked to the deal',
		},
		{
			displayName: 'Stage ID',
			name: 'stage',
			type: 'number',
			default: 0,
			description: 'Stage ID from User.com (Settings › Sales › Pipelines)',
		},
		{
			displayName: 'Status',
			name: 'status',
			type: 'options',
			default: 'inProgress',
			options: DEAL_STATUS_OPTIONS,
		},
		{
			displayName: 'User Custom ID',
			name: 'userCustomId',
			type: 'string',
			default: '',
			description: 'Custom ID of the contact the deal belongs to',
		},
		{
			displayName: 'User ID',
			name: 'userId',
			type: 'string',
			default: '',
			description: 'User.com ID of the contact the deal belongs to',
		},
		{
			displayName: 'Value',
			name: 'value',
			type: 'number',
			typeOptions: { minValue: 0, numberPrecision: 2 },
			default: 0,
		},
	];
	if (options.withCustomId) {
		fields.unshift({
			displayName: 'Custom ID',
			name: 'customId',
			type: 'string',
			default: '',
			description: 'Your own ID of the deal, e.g. the order number',
		});
	}
	if (options.withName) {
		fields.push({ displayName: 'Name', name: 'name', type: 'string', default: '' });
	}
	fields.sort((a, b) => a.displayName.localeCompare(b.displayName));
	return {
		displayName,
		name,
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: { show },
		options: fields,
	};
}

export function orderProductsField(show: IDisplayOptions['show']): INodeProperties {
	return {
		displayName: 'Order Products',
		name: 'orderProducts',
		type: 'fixedCollection',
		placeholder: 'Add Order Product',
		default: {},
		typeOptions: { multipleValues: true },
		description:
			'Order lines stored with the deal (a snapshot: later product changes do not change them)',
		displayOptions: { show },
		options: [
			{
				displayName: 'Product',
				name: 'product',
				values: [
					{
						displayName: 'Currency',
						name: 'currency',
						type: 'string',
						default: '',
						placeholder: 'e.g. EUR',
						description: 'ISO 4217 code; defaults to the deal currency',
					},
					{
						displayName: 'Product By',
						name: 'productBy',
						type: 'options',
						default: 'customId',
						options: [
							{ name: 'Custom ID', value: 'customId' },
							{ name: 'User.com ID', value: 'id' },
						],
					},
					{
						displayName: 'Product Custom ID',
						name: 'productCustomId',
						type: 'string',
						default: '',
						displayOptions: { show: { productBy: ['customId'] } },
					},
					{
						displayName: 'Product ID',
						name: 'productId',
						type: 'string',
						default: '',
						displayOptions: { show: { productBy: ['id'] } },
					},
					{
						displayName: 'Product Name',
						name: 'productName',
						type: 'string',
						default: '',
						description: 'Only used to create the product when Create Missing Products is on',
						displayOptions: { show: { productBy: ['customId'] } },
					},
					{
						displayName: 'Quantity',
						name: 'quantity',
						type: 'number',
						default: 1,
						typeOptions: { minValue: 0 },
					},
					{
						displayName: 'Value',
						name: 'value',
						type: 'number',
						default: 0,
						typeOptions: { minValue: 0, numberPrecision: 2 },
					},
				],
			},
		],
	};
}

export const createMissingProductsField = (show: IDisplayOptions['show']): INodeProperties => ({
	displayName: 'Create Missing Products',
	name: 'createMissingProducts',
	type: 'boolean',
	default: false,
	description:
		'Whether to create products that User.com says do not exist ' +
		'(by custom ID, with the order line name or the custom ID as name) and retry the deal once',
	displayOptions: { show },
});

export interface DealBody {
	body: IDataObject;
	/** product custom ID -> name to create it with */
	productNames: Map<string, string>;
}

function zeroToUndefined(value: unknown): unknown {
	return value === 0 || value === '0' ? undefined : value;
}

/** Validates and maps a deal field collection (+ order products) to the User.com body. */
export function readDealBody(
	this: IExecuteFunctions,
	itemIndex: number,
	collectionName: string,
	extra: { name?: string; customId?: string; requireCurrencyWithValue: boolean },
): DealBody {
	const ctx = vctx.call(this, itemIndex);
	const raw = this.getNodeParameter(collectionName, itemIndex, {}) as IDataObject;
	const body: IDataObject = {};
	const productNames = new Map<string, string>();
	if (extra.name !== undefined) body.name = extra.name;
	if (extra.customId !== undefined) body.custom_id = extra.customId;
	const label = (key: string) => FIELD_LABELS[key] ?? key;
	for (const [key, value] of Object.entries(raw)) {
		// expressions that resolve to nothing leave the field out
		if (value === undefined || value === null) continue;
		switch (key) {
			case 'name':
				body.name = requireString(ctx, value, 'Name', 'Enter a deal name or remove the field.');
				break;
			case 'customId':
				body.custom_id = requireString(
					ctx,
					value,
					'Custom ID',
					'Enter the custom ID or remove the field.',
				);
				break;
			case 'value': {
				const n = optionalMoney(ctx, value, 'Value');
				if (n !== undefined) body.value = n;
				break;
			}
			case 'currency': {
				const c = optionalCurrency(ctx, value, 'Currency');
				if (c !== undefined) body.currency = c;
				break;
			}
			case 'status':
				body.status =
					DEAL_STATUS[requireOneOf<DealStatusName>(ctx, value, DEAL_STATUS_NAMES, 'Status')];
				break;
			case 'pipeline':
			case 'stage':
			case 'companyId':
			case 'assignedTo':
			case 'userId': {
				const n = optionalPositiveInt(ctx, zeroToUndefined(value), label(key));
				const api = {
					pipeline: 'pipeline',
					stage: 'stage',
					companyId: 'company_id',
					assignedTo: 'assigned_to',
					userId: 'user_id',
				}[key];
				if (n !== undefined) body[api] = n;
				break;
			}
			case 'userCustomId':
			case 'companyCustomId': {
				const text = optionalString(ctx, value, label(key));
				if (text !== undefined)
					body[key === 'userCustomId' ? 'user_custom_id' : 'company_custom_id'] = text;
				break;
			}
			case 'productIds': {
				const ids = requirePositiveIntList(ctx, value, 'Product IDs');
				if (ids.length) body.products = ids;
				break;
			}
			case 'productCustomIds': {
				const ids = splitList(value);
				if (ids.length) {
					body.products_custom_id = ids;
					for (const id of ids) if (!productNames.has(id)) productNames.set(id, id);
				}
				break;
			}
			case 'expectedCloseDate': {
				if (value === '' || value === undefined || value === null) break;
				const seconds = toUnixSeconds(ctx, value, 'Expected Close Date');
				body.expected_close_date = new Date(seconds * 1000).toISOString().slice(0, 10);
				break;
			}
		}
	}
	if (body.user_id !== undefined && body.user_custom_id !== undefined) {
		throw validationError(
			ctx,
			'User ID',
			'and "User Custom ID" are both set',
			'Give the contact by one of them only.',
		);
	}
	const orderProducts = readOrderProducts(
		ctx,
		this.getNodeParameter('orderProducts', itemIndex, {}) as IDataObject,
		body.currency as string | undefined,
		productNames,
	);
	if (orderProducts.length) body.order_products = orderProducts;
	if (extra.requireCurrencyWithValue && body.value !== undefined && body.currency === undefined) {
		throw validationError(
			ctx,
			'Currency',
			'is missing for the deal value',
			'Add Currency (e.g. EUR) next to Value.',
		);
	}
	return { body, productNames };
}

function readOrderProducts(
	ctx: ValidationContext,
	raw: IDataObject,
	dealCurrency: string | undefined,
	productNames: Map<string, string>,
): IDataObject[] {
	const rows = (raw.product as IDataObject[] | undefined) ?? [];
	return rows.map((row, index) => {
		const label = (field: string) => `Order Products[${index}] › ${field}`;
		const out: IDataObject = {};
		if ((row.productBy ?? 'customId') === 'id') {
			out.product_id = requirePositiveInt(ctx, row.productId, label('Product ID'));
		} else {
			const customId = requireString(
				ctx,
				row.productCustomId,
				label('Product Custom ID'),
				'Enter the product custom ID or remove the order line.',
			);
			out.product_custom_id = customId;
			const name = optionalString(ctx, row.productName, label('Product Name'));
			if (name !== undefined || !productNames.has(customId))
				productNames.set(customId, name ?? customId);
		}
		out.quantity = requireNonNegativeInt(ctx, row.quantity ?? 1, label('Quantity'));
		out.value = requireMoney(ctx, row.value ?? 0, label('Value'));
		const currency = optionalCurrency(ctx, row.currency, label('Currency')) ?? dealCurrency;
		if (currency === undefined) {
			throw validationError(
				ctx,
				label('Currency'),
				'is missing',
				'Add the order line currency, or set the deal Currency.',
			);
		}
		out.currency = currency;
		return out;
	});
}

const PRODUCT_FIELD_RE = /^(products|products_custom_id|order_products)(\b|\[|\.|$)/;

/**
 * Which product custom IDs User.com reported as missing
 * (empty when the error is about something else).
 */
export async function findMissingProducts(
	this: IExecuteFunctions,
	error: unknown,
	itemIndex: number,
	productNames: Map<string, string>,
): Promise<string[]> {
	const normalized = toNormalizedError(error, itemIndex);
	if (normalized.httpCode !== 400 && normalized.httpCode !== 404) return [];
	const productMessages = Object.entries(normalized.fields ?? {})
		.filter(([field]) => PRODUCT_FIELD_RE.test(field))
		.flatMap(([, messages]) => messages);
	if (productMessages.length === 0) {
		// a 404 without field errors may still be about a product (some endpoints answer that way)
		if (!/product/i.test(normalized.message ?? '')) return [];
		productMessages.push(normalized.message);
	}
	const candidates = [...productNames.keys()];
	const text = productMessages.join('\n');
	const mentioned = candidates.filter((id) => text.includes(id));
	if (mentioned.length > 0) return mentioned;
	// messages that do not name the value: ask User.com which referenced products exist
	const missing: string[] = [];
	for (const customId of candidates) {
		try {
			const pathId = encodePathId.call(this, customId, 'Product Custom ID', itemIndex);
			await userComApiRequest.call(this, {
				method: 'GET',
				path: `products-by-id/${pathId}/details/`,
				itemIndex,
				correlation: `product custom_id=${customId}`,
			});
		} catch (lookupError) {
			const n = toNormalizedError(lookupError, itemIndex);
			if (n.category === 'not_found') missing.push(customId);
			else throw asNodeError(this.getNode(), lookupError, itemIndex);
		}
	}
	return missing;
}

export async function createProducts(
	this: IExecuteFunctions,
	itemIndex: number,
	customIds: string[],
	productNames: Map<string, string>,
): Promise<IDataObject[]> {
	const created: IDataObject[] = [];
	for (const customId of customIds) {
		const product = (await userComApiRequest.call(this, {
			method: 'POST',
			path: 'products/',
			body: { custom_id: customId, name: productNames.get(customId) ?? customId },
			itemIndex,
			correlation: `product custom_id=${customId}`,
		})) as IDataObject;
		created.push({
			id: product.id,
			custom_id: customId,
			name: product.name ?? productNames.get(customId),
		});
	}
	return created;
}

/**
 * Sends a deal write; with Create Missing Products, creates the products User.com
 * reports missing and retries once.
 */
export async function sendDealWithProducts(
	this: IExecuteFunctions,
	itemIndex: number,
	createMissing: boolean,
	productNames: Map<string, string>,
	send: () => Promise<IDataObject>,
): Promise<{ deal: IDataObject; createdProducts: IDataObject[] }> {
	try {
		return { deal: await send(), createdProducts: [] };
	} catch (error) {
		if (!createMissing || productNames.size === 0)
			throw asNodeError(this.getNode(), error, itemIndex);
		const missing = await findMissingProducts.call(this, error, itemIndex, productNames);
		if (missing.length === 0) throw asNodeError(this.getNode(), error, itemIndex);
		const createdProducts = await createProducts.call(this, itemIndex, missing, productNames);
		return { deal: await send(), createdProducts };
	}
}

/**
 * The records a deal write touches: the deal by its custom ID and, when missing products are
 * created first, each product by custom ID (two deals creating the same product run in order).
 */
export function dealRecordKeys(
	this: IExecuteFunctions,
	itemIndex: number,
	collectionName: string,
	extra: { name?: string; customId?: string },
): string[] {
	return keysOrNone(() => {
		const { body, productNames } = readDealBody.call(this, itemIndex, collectionName, {
			...extra,
			requireCurrencyWithValue: false,
		});
		const keys = bodyKeys('deal', body);
		if (this.getNodeParameter('createMissingProducts', itemIndex, false) === true) {
			for (const customId of productNames.keys())
				keys.push(recordKey('product', 'customId', customId));
		}
		return keys;
	});
}
