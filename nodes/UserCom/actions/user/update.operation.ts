import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { userComApiRequest } from '../../transport';
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
import { readUserFields, userStandardFields } from '../fields';
import { bodyKeys, keysOrNone, locatorKeys } from '../recordKeys';

const show = { resource: ['user'], operation: ['update'] };

export const description: INodeProperties[] = [
	locator({ name: 'user', displayName: 'User', object: 'user', show }),
	userStandardFields('updateFields', 'Update Fields', show, true),
	customAttributesField(
		show,
		'user',
		'Custom attributes must be created in User.com first (Settings › Attributes)',
	),
];

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const ref = getRef.call(this, 'user', 'User', itemIndex);
	const body = {
		...readUserFields.call(this, itemIndex, 'updateFields'),
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
	const user = await userComApiRequest.call(this, {
		method: 'PUT',
		path: objectPath.call(this, ref, 'users', 'User', itemIndex),
		body,
		itemIndex,
		correlation: refCorrelation('user', ref),
	});
	return [{ json: user }];
}

/** The contact, and the custom ID and email it is given. */
export function recordKeys(this: IExecuteFunctions, itemIndex: number): string[] {
	return [
		...locatorKeys.call(this, 'user', 'user', itemIndex),
		...keysOrNone(() => bodyKeys('user', readUserFields.call(this, itemIndex, 'updateFields'))),
	];
}
