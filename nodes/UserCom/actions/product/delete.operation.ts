import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { userComApiRequest } from '../../transport';
import { getRef, locator, objectPath, refCorrelation } from '../common';
import { locatorKeys } from '../recordKeys';

const show = { resource: ['product'], operation: ['delete'] };

export const description: INodeProperties[] = [
	locator({ name: 'product', displayName: 'Product', object: 'product', show }),
];

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const ref = getRef.call(this, 'product', 'Product', itemIndex);
	await userComApiRequest.call(this, {
		method: 'DELETE',
		path: objectPath.call(this, ref, 'products', 'Product', itemIndex),
		itemIndex,
		correlation: refCorrelation('product', ref),
	});
	return [
		{ json: { deleted: true, ...(ref.mode === 'id' ? { id: ref.id } : { custom_id: ref.value }) } },
	];
}

/** The product this item touches (items on the same product run in input order). */
export function recordKeys(this: IExecuteFunctions, itemIndex: number): string[] {
	return locatorKeys.call(this, 'product', 'product', itemIndex);
}
