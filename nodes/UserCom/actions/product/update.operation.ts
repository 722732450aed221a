import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { userComApiRequest } from '../../transport';
import { normalizeProduct } from '../../helpers/mapping';
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
import { productFields, readProductFields } from './shared';
import { bodyKeys, keysOrNone, locatorKeys } from '../recordKeys';

const show = { resource: ['product'], operation: ['update'] };

export const description: INodeProperties[] = [
	locator({ name: 'product', displayName: 'Product', object: 'product', show }),
	productFields('updateFields', 'Update Fields', show, true),
	customAttributesField(show, 'product', 'Product attributes'),
];

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const ref = getRef.call(this, 'product', 'Product', itemIndex);
	const body = {
		...readProductFields.call(this, itemIndex, 'updateFields'),
		...readCustomAttributes.call(this, itemIndex),
	};
	if (Object.keys(body).length === 0) {
		throw validationError(
			vctx.call(this, itemIndex),
			'Update Fields',
			'are all empty',
			'Add at least one field to change.',
		);
	}
	const product = await userComApiRequest.call(this, {
		method: 'PUT',
		path: objectPath.call(this, ref, 'products', 'Product', itemIndex),
		body,
		itemIndex,
		correlation: refCorrelation('product', ref),
	});
	return [{ json: normalizeProduct(product) }];
}

/** The product, and the custom ID it is given. */
export function recordKeys(this: IExecuteFunctions, itemIndex: number): string[] {
	return [
		...locatorKeys.call(this, 'product', 'product', itemIndex),
		...keysOrNone(() =>
			bodyKeys('product', readProductFields.call(this, itemIndex, 'updateFields')),
		),
	];
}
