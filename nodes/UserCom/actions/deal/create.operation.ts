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

const show = { resource: ['deal'], operation: ['create'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Name',
		name: 'name',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. Order #1001',
		displayOptions: { show },
	},
	dealFields('additionalFields', 'Additional Fields', show, { withCustomId: true }),
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
	const name = requireString(
		vctx.call(this, itemIndex),
		this.getNodeParameter('name', itemIndex, ''),
		'Name',
		'Enter a deal name (User.com would otherwise create an empty deal).',
	);
	const { body, productNames } = readDealBody.call(this, itemIndex, 'additionalFields', {
		name,
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
				path: 'deals/',
				body,
				itemIndex,
				correlation: body.custom_id
					? `deal custom_id=${body.custom_id as string}`
					: `deal name=${name}`,
			})) as IDataObject,
	);
	const json = normalizeDeal(deal);
	if (createdProducts.length) json.created_products = createdProducts;
	return [{ json }];
}

/** The deal (by the custom ID it is given) and the products it may create. */
export function recordKeys(this: IExecuteFunctions, itemIndex: number): string[] {
	return dealRecordKeys.call(this, itemIndex, 'additionalFields', {});
}
