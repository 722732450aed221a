import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { userComApiRequest } from '../../transport';
import { simplifyUser } from '../../helpers/mapping';
import { getRef, locator, objectPath, refCorrelation, simplifyField } from '../common';
import { locatorKeys } from '../recordKeys';

const show = { resource: ['user'], operation: ['get'] };

export const description: INodeProperties[] = [
	locator({ name: 'user', displayName: 'User', object: 'user', withEmail: true, show }),
	simplifyField(show),
];

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const ref = getRef.call(this, 'user', 'User', itemIndex);
	const simplify = this.getNodeParameter('simplify', itemIndex, true) as boolean;
	let user: IDataObject;
	if (ref.mode === 'email') {
		user = await userComApiRequest.call(this, {
			method: 'GET',
			path: 'users/search/',
			qs: { email: ref.value },
			itemIndex,
			correlation: refCorrelation('user', ref),
		});
	} else {
		user = await userComApiRequest.call(this, {
			method: 'GET',
			path: objectPath.call(this, ref, 'users', 'User', itemIndex),
			itemIndex,
			correlation: refCorrelation('user', ref),
		});
	}
	return [{ json: simplify ? simplifyUser(user) : user }];
}

/** The user this item touches (items on the same user run in input order). */
export function recordKeys(this: IExecuteFunctions, itemIndex: number): string[] {
	return locatorKeys.call(this, 'user', 'user', itemIndex);
}
