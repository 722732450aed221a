import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { userComApiRequest } from '../../transport';
import { normalizeDeal } from '../../helpers/mapping';
import { validationError } from '../../helpers/validation';
import {
	customAttributesField,
	getRef,
	locator,
	objectPath,
	readCustomAttributes,
	refCorrelation,
	vctx,
} from '../common';
import {
	createMissingProductsField,
	dealFields,
	orderProductsField,
	dealRecordKeys,
	readDealBody,
	sendDealWithProducts,
} from './shared';
import { locatorKeys } from '../recordKeys';

const show = { resource: ['deal'], operation: ['update'] };

export const description: INodeProperties[] = [
	locator({ name: 'deal', displayName: 'Deal', object: 'deal', show }),
	dealFields('updateFields', 'Update Fields', show, { withName: true, withCustomId: true }),
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
	const ref = getRef.call(this, 'deal', 'Deal', itemIndex);
	const { body, productNames } = readDealBody.call(this, itemIndex, 'updateFields', {
		requireCurrencyWithValue: false,
	});
	Object.assign(body, readCustomAttributes.call(this, itemIndex));
	if (Object.keys(body).length === 0) {
		throw validationError(
			vctx.call(this, itemIndex),
			'Update Fields',
			'are all empty',
			'Add at least one field to change.',
		);
	}
	const createMissing = this.getNodeParameter('createMissingProducts', itemIndex, false) as boolean;
	const path = objectPath.call(this, ref, 'deals', 'Deal', itemIndex);
	const { deal, createdProducts } = await sendDealWithProducts.call(
		this,
		itemIndex,
		createMissing,
		productNames,
		async () =>
			(await userComApiRequest.call(this, {
				method: 'PUT',
				path,
				body,
				itemIndex,
				correlation: refCorrelation('deal', ref),
			})) as IDataObject,
	);
	const json = normalizeDeal(deal);
	if (createdProducts.length) json.created_products = createdProducts;
	return [{ json }];
}

/** The deal, the custom ID it is given and the products it may create. */
export function recordKeys(this: IExecuteFunctions, itemIndex: number): string[] {
	return [
		...locatorKeys.call(this, 'deal', 'deal', itemIndex),
		...dealRecordKeys.call(this, itemIndex, 'updateFields', {}),
	];
}
