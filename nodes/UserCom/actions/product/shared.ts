import type {
	IDataObject,
	IDisplayOptions,
	IExecuteFunctions,
	INodeProperties,
} from 'n8n-workflow';

import { optionalMoney, optionalString, requireString } from '../../helpers/validation';
import { vctx } from '../common';

export function productFields(
	name: string,
	displayName: string,
	show: IDisplayOptions['show'],
	withName: boolean,
): INodeProperties {
	const options: INodeProperties[] = [
		{ displayName: 'Category Name', name: 'categoryName', type: 'string', default: '' },
		{ displayName: 'Image URL', name: 'imageUrl', type: 'string', default: '' },
		{
			displayName: 'Price',
			name: 'price',
			type: 'number',
			typeOptions: { minValue: 0, numberPrecision: 2 },
			default: 0,
		},
		{ displayName: 'Product URL', name: 'productUrl', type: 'string', default: '' },
	];
	if (withName) {
		options.push({ displayName: 'Custom ID', name: 'customId', type: 'string', default: '' });
		options.push({ displayName: 'Name', name: 'name', type: 'string', default: '' });
		options.sort((a, b) => a.displayName.localeCompare(b.displayName));
	}
	return {
		displayName,
		name,
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: { show },
		options,
	};
}

export function readProductFields(
	this: IExecuteFunctions,
	itemIndex: number,
	collectionName: string,
): IDataObject {
	const ctx = vctx.call(this, itemIndex);
	const raw = this.getNodeParameter(collectionName, itemIndex, {}) as IDataObject;
	const out: IDataObject = {};
	for (const [key, value] of Object.entries(raw)) {
		switch (key) {
			case 'name':
				out.name = requireString(ctx, value, 'Name', 'Enter a product name or remove the field.');
				break;
			case 'customId':
				out.custom_id = requireString(
					ctx,
					value,
					'Custom ID',
					'Enter the custom ID or remove the field.',
				);
				break;
			case 'price': {
				const price = optionalMoney(ctx, value, 'Price');
				if (price !== undefined) out.price = price;
				break;
			}
			case 'productUrl':
			case 'imageUrl':
			case 'categoryName': {
				const text = optionalString(ctx, value, key);
				const api = {
					productUrl: 'product_url',
					imageUrl: 'image_url',
					categoryName: 'category_name',
				}[key];
				if (text !== undefined) out[api] = text;
				break;
			}
		}
	}
	return out;
}
