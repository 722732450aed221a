import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { userComApiRequest } from '../../transport';
import { getRef, locator, objectPath, refCorrelation } from '../common';
import { locatorKeys } from '../recordKeys';

const show = { resource: ['deal'], operation: ['delete'] };

export const description: INodeProperties[] = [
	locator({ name: 'deal', displayName: 'Deal', object: 'deal', show }),
];

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const ref = getRef.call(this, 'deal', 'Deal', itemIndex);
	await userComApiRequest.call(this, {
		method: 'DELETE',
		path: objectPath.call(this, ref, 'deals', 'Deal', itemIndex),
		itemIndex,
		correlation: refCorrelation('deal', ref),
	});
	return [
		{ json: { deleted: true, ...(ref.mode === 'id' ? { id: ref.id } : { custom_id: ref.value }) } },
	];
}

/** The deal this item touches (items on the same deal run in input order). */
export function recordKeys(this: IExecuteFunctions, itemIndex: number): string[] {
	return locatorKeys.call(this, 'deal', 'deal', itemIndex);
}
