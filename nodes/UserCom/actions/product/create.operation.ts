import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { userComApiRequest } from '../../transport';
import { normalizeProduct } from '../../helpers/mapping';
import { optionalString, requireString } from '../../helpers/validation';
import { customAttributesField, readCustomAttributes, vctx } from '../common';
import { productFields, readProductFields } from './shared';
import { keysOrNone, recordKey } from '../recordKeys';

const show = { resource: ['product'], operation: ['create'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Name',
		name: 'name',
		type: 'string',
		required: true,
		default: '',
		displayOptions: { show },
	},
	{
		displayName: 'Custom ID',
		name: 'customId',
		type: 'string',
		default: '',
		placeholder: 'e.g. SKU-1',
		description: 'Your own ID of the product (SKU); deals and product events can refer to it',
		displayOptions: { show },
	},
	productFields('additionalFields', 'Additional Fields', show, false),
	customAttributesField(show, 'product', 'Product attributes'),
];

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const ctx = vctx.call(this, itemIndex);
	const name = requireString(
		ctx,
		this.getNodeParameter('name', itemIndex, ''),
		'Name',
		'Enter the product name.',
	);
	const customId = optionalString(
		ctx,
		this.getNodeParameter('customId', itemIndex, ''),
		'Custom ID',
	);
	const body = {
		...readProductFields.call(this, itemIndex, 'additionalFields'),
		...readCustomAttributes.call(this, itemIndex),
		name,
		...(customId !== undefined ? { custom_id: customId } : {}),
	};
	const product = await userComApiRequest.call(this, {
		method: 'POST',
		path: 'products/',
		body,
		itemIndex,
		correlation: `product ${customId !== undefined ? `custom_id=${customId}` : `name=${name}`}`,
	});
	return [{ json: normalizeProduct(product) }];
}

/** The product being created, by its custom ID. */
export function recordKeys(this: IExecuteFunctions, itemIndex: number): string[] {
	return keysOrNone(() => {
		const customId = optionalString(
			vctx.call(this, itemIndex),
			this.getNodeParameter('customId', itemIndex, ''),
			'Custom ID',
		);
		return customId === undefined ? [] : [recordKey('product', 'customId', customId)];
	});
}
