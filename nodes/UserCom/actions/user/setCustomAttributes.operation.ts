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
import { locatorKeys } from '../recordKeys';

const show = { resource: ['user'], operation: ['setCustomAttributes'] };

export const description: INodeProperties[] = [
	{
		displayName:
			'User.com only accepts custom attributes that already exist: ' +
			'create them first in User.com (Settings › Attributes)',
		name: 'attributesNotice',
		type: 'notice',
		default: '',
		displayOptions: { show },
	},
	locator({ name: 'user', displayName: 'User', object: 'user', show }),
	customAttributesField(show, 'user', 'The attributes to set'),
];

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const ref = getRef.call(this, 'user', 'User', itemIndex);
	const attributes = readCustomAttributes.call(this, itemIndex);
	if (Object.keys(attributes).length === 0) {
		throw validationError(
			vctx.call(this, itemIndex),
			'Custom Attributes',
			'is empty',
			'Add at least one attribute and value.',
		);
	}
	const response = await userComApiRequest.call(this, {
		method: 'POST',
		path: `${objectPath.call(this, ref, 'users', 'User', itemIndex)}set_multiple_attributes/`,
		body: attributes,
		itemIndex,
		writeKind: 'idempotent',
		correlation: refCorrelation('user', ref),
	});
	return [
		{
			json: {
				success: true,
				...(ref.mode === 'id' ? { id: ref.id } : { custom_id: ref.value }),
				attributes,
				...(response && typeof response === 'object' && !Array.isArray(response)
					? { response }
					: {}),
			},
		},
	];
}

/** The user this item touches (items on the same user run in input order). */
export function recordKeys(this: IExecuteFunctions, itemIndex: number): string[] {
	return locatorKeys.call(this, 'user', 'user', itemIndex);
}
