import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { userComApiRequest } from '../../transport';
import { getRef, locator, objectPath, refCorrelation } from '../common';
import { locatorKeys } from '../recordKeys';

const show = { resource: ['user'], operation: ['delete'] };

export const description: INodeProperties[] = [
	locator({ name: 'user', displayName: 'User', object: 'user', show }),
];

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const ref = getRef.call(this, 'user', 'User', itemIndex);
	await userComApiRequest.call(this, {
		method: 'DELETE',
		path: objectPath.call(this, ref, 'users', 'User', itemIndex),
		itemIndex,
		correlation: refCorrelation('user', ref),
	});
	return [
		{ json: { deleted: true, ...(ref.mode === 'id' ? { id: ref.id } : { custom_id: ref.value }) } },
	];
}

/** The user this item touches (items on the same user run in input order). */
export function recordKeys(this: IExecuteFunctions, itemIndex: number): string[] {
	return locatorKeys.call(this, 'user', 'user', itemIndex);
}
