import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { toNormalizedError, userComApiRequest } from '../../transport';
import { PRODUCT_EVENT_TYPES, type ProductEventType } from '../../helpers/mapping';
import {
	optionalString,
	requireOneOf,
	toUnixSeconds,
	validationError,
} from '../../helpers/validation';
import {
	asNodeError,
	dataFields,
	getRef,
	locator,
	objectPath,
	readData,
	refCorrelation,
	timestampField,
	vctx,
} from '../common';
import { locatorKeys } from '../recordKeys';

const show = { resource: ['product'], operation: ['createEvent'] };

function titleCase(value: string): string {
	return value.replace(/\b\w/g, (c) => c.toUpperCase());
}

export const description: INodeProperties[] = [
	locator({ name: 'product', displayName: 'Product', object: 'product', show }),
	locator({
		name: 'user',
		displayName: 'User',
		object: 'user',
		show,
		description: 'The contact who did it',
	}),
	{
		displayName: 'Event Type',
		name: 'eventType',
		type: 'options',
		required: true,
		default: 'view',
		options: [...PRODUCT_EVENT_TYPES]
			.sort((a, b) => a.localeCompare(b))
			.map((value) => ({ name: titleCase(value), value })),
		description: 'User.com accepts only these 16 types',
		displayOptions: { show },
	},
	timestampField(show),
	...dataFields(show, 'product event'),
	{
		displayName: 'Create Product If Missing',
		name: 'createProductIfMissing',
		type: 'boolean',
		default: false,
		description:
			'Whether to create the product (by custom ID) when User.com says it does not exist, ' +
			'then send the event again. Needs the product given by custom ID.',
		displayOptions: { show },
	},
	{
		displayName: 'Product Name',
		name: 'productName',
		type: 'string',
		default: '',
		description:
			'Name for a product created by Create Product If Missing (defaults to the custom ID)',
		displayOptions: { show: { ...show, createProductIfMissing: [true] } },
	},
];

function isProductNotFound(error: unknown, itemIndex: number): boolean {
	const n = toNormalizedError(error, itemIndex);
	if (n.httpCode !== 404) return false;
	const text = [n.message, ...Object.values(n.fields ?? {}).flat()].join(' ');
	return /product/i.test(text) && !/user/i.test(text);
}

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const ctx = vctx.call(this, itemIndex);
	const product = getRef.call(this, 'product', 'Product', itemIndex);
	const user = getRef.call(this, 'user', 'User', itemIndex);
	const eventType = requireOneOf<ProductEventType>(
		ctx,
		this.getNodeParameter('eventType', itemIndex, ''),
		PRODUCT_EVENT_TYPES,
		'Event Type',
	);
	const timestamp = toUnixSeconds(
		ctx,
		this.getNodeParameter('timestamp', itemIndex, ''),
		'Timestamp',
	);
	const data = readData.call(this, itemIndex);
	const createIfMissing = this.getNodeParameter(
		'createProductIfMissing',
		itemIndex,
		false,
	) as boolean;
	if (createIfMissing && product.mode !== 'customId') {
		throw validationError(
			ctx,
			'Create Product If Missing',
			'needs the product given by custom ID',
			'Switch Product to "By Custom ID", or turn the option off.',
		);
	}
	const body: IDataObject = {
		...(user.mode === 'id' ? { user_id: user.id } : { user_custom_id: user.value }),
		event_type: eventType,
		timestamp,
		data,
	};
	const path = `${objectPath.call(this, product, 'products', 'Product', itemIndex)}product_event/`;
	const correlation =
		`${refCorrelation('product', product)} ${refCorrelation('user', user)} ` +
		`event_type=${eventType}`;
	const send = async () =>
		(await userComApiRequest.call(this, {
			method: 'POST',
			path,
			body,
			itemIndex,
			correlation,
		})) as IDataObject;
	let createdProduct: IDataObject | undefined;
	let response: IDataObject;
	try {
		response = await send();
	} catch (error) {
		if (!createIfMissing || !isProductNotFound(error, itemIndex))
			throw asNodeError(this.getNode(), error, itemIndex);
		const name =
			optionalString(ctx, this.getNodeParameter('productName', itemIndex, ''), 'Product Name') ??
			product.value;
		const created = (await userComApiRequest.call(this, {
			method: 'POST',
			path: 'products/',
			body: { custom_id: product.value, name },
			itemIndex,
			correlation: `product custom_id=${product.value}`,
		})) as IDataObject;
		createdProduct = { id: created.id, custom_id: product.value, name: created.name ?? name };
		response = await send();
	}
	return [
		{
			json: {
				...response,
				event_type: eventType,
				timestamp,
				...(product.mode === 'id'
					? { product_id: product.id }
					: { product_custom_id: product.value }),
				...(user.mode === 'id' ? { user_id: user.id } : { user_custom_id: user.value }),
				...(createdProduct ? { created_product: createdProduct } : {}),
			},
		},
	];
}

/** The product (which may be created) and the contact. */
export function recordKeys(this: IExecuteFunctions, itemIndex: number): string[] {
	return [
		...locatorKeys.call(this, 'product', 'product', itemIndex),
		...locatorKeys.call(this, 'user', 'user', itemIndex),
	];
}
