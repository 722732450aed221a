import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { userComApiRequest } from '../../transport';
import { normalizeDeal } from '../../helpers/mapping';
import { requireString } from '../../helpers/validation';
import { customAttributesField, readCustomAttributes, vctx } from '../common';
import {
	createMissingProductsField,
	dealFields,
	orderProductsField,
	dealRecordKeys,
	readDealBody,
	sendDealWithProducts,
} from './shared';
import { keysOrNone, recordKey } from '../recordKeys';

const show = { resource: ['deal'], operation: ['upsert'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Custom ID',
		name: 'customId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. ORD-1001',
		description:
			'Your own ID of the deal. The deal with this custom ID is updated, ' +
			'or created when there is none. Safe to retry.',
		displayOptions: { show },
	},
	{
		displayName: 'Name',
		name: 'name',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. Order #1001',
		displayOptions: { show },
	},
	dealFields('additionalFields', 'Additional Fields', show, {}),
	orderProductsField(show),
	customAttributesField(
		show,
		'deal',
		'Deal attributes that do not exist yet are created by User.com',
	),
	createMissingProductsField(show),
];

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const ctx = vctx.call(this, itemIndex);
	const customId = requireString(
		ctx,
		this.getNodeParameter('customId', itemIndex, ''),
		'Custom ID',
		'Enter the custom ID that identifies the deal (the upsert matches on it).',
	);
	const name = requireString(
		ctx,
		this.getNodeParameter('name', itemIndex, ''),
		'Name',
		'Enter a deal name.',
	);
	const { body, productNames } = readDealBody.call(this, itemIndex, 'additionalFields', {
		name,
		customId,
		requireCurrencyWithValue: true,
	});
	Object.assign(body, readCustomAttributes.call(this, itemIndex));
	const createMissing = this.getNodeParameter('createMissingProducts', itemIndex, false) as boolean;
	const { deal, createdProducts } = await sendDealWithProducts.call(
		this,
		itemIndex,
		createMissing,
		productNames,
		async () =>
			(await userComApiRequest.call(this, {
				method: 'POST',
				path: 'deals/update_or_create/',
				body,
				itemIndex,
				correlation: `deal custom_id=${customId}`,
			})) as IDataObject,
	);
	const json = normalizeDeal(deal);
	if (createdProducts.length) json.created_products = createdProducts;
	return [{ json }];
}

/** The deal matched by custom ID and the products it may create. */
export function recordKeys(this: IExecuteFunctions, itemIndex: number): string[] {
	return [
		...keysOrNone(() => [
			recordKey('deal', 'customId', this.getNodeParameter('customId', itemIndex, '')),
		]),
		...dealRecordKeys.call(this, itemIndex, 'additionalFields', {}),
	];
}
