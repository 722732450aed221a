import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { userComApiRequest } from '../../transport';
import { normalizeProduct, simplifyProduct } from '../../helpers/mapping';
import { getRef, locator, objectPath, refCorrelation, simplifyField } from '../common';
import { locatorKeys } from '../recordKeys';

const show = { resource: ['product'], operation: ['get'] };

export const description: INodeProperties[] = [
	locator({ name: 'product', displayName: 'Product', object: 'product', show }),
	simplifyField(show),
];

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const ref = getRef.call(this, 'product', 'Product', itemIndex);
	const simplify = this.getNodeParameter('simplify', itemIndex, true) as boolean;
	// by custom ID User.com serves the product under .../details/
	const base = objectPath.call(this, ref, 'products', 'Product', itemIndex);
	const product = (await userComApiRequest.call(this, {
		method: 'GET',
		path: ref.mode === 'customId' ? `${base}details/` : base,
		itemIndex,
		correlation: refCorrelation('product', ref),
	})) as IDataObject;
	return [{ json: simplify ? simplifyProduct(product) : normalizeProduct(product) }];
}

/** The product this item touches (items on the same product run in input order). */
export function recordKeys(this: IExecuteFunctions, itemIndex: number): string[] {
	return locatorKeys.call(this, 'product', 'product', itemIndex);
}
