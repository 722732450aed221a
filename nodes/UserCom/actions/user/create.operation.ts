import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { userComApiRequest } from '../../transport';
import { validationError } from '../../helpers/validation';
import { customAttributesField, readCustomAttributes, vctx } from '../common';
import { readUserFields, userStandardFields } from '../fields';
import { bodyKeys, keysOrNone } from '../recordKeys';

const show = { resource: ['user'], operation: ['create'] };

export const description: INodeProperties[] = [
	{
		displayName:
			'To create or update a contact by your own ID without duplicates, use Upsert instead. ' +
			'Custom attributes must already exist in User.com.',
		name: 'createNotice',
		type: 'notice',
		default: '',
		displayOptions: { show },
	},
	userStandardFields('additionalFields', 'Fields', show, true),
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
	const body = {
		...readUserFields.call(this, itemIndex, 'additionalFields'),
		...readCustomAttributes.call(this, itemIndex),
	};
	if (Object.keys(body).length === 0) {
		throw validationError(
			vctx.call(this, itemIndex),
			'Fields',
			'are all empty: User.com would create an empty contact',
			'Add at least one field, e.g. Email or Custom ID.',
		);
	}
	const user = await userComApiRequest.call(this, {
		method: 'POST',
		path: 'users/',
		body,
		itemIndex,
		correlation: body.custom_id
			? `user custom_id=${body.custom_id as string}`
			: `user email=${(body.email as string) ?? ''}`,
	});
	return [{ json: user }];
}

/** The contact being created, by the custom ID and email it is given. */
export function recordKeys(this: IExecuteFunctions, itemIndex: number): string[] {
	return keysOrNone(() =>
		bodyKeys('user', readUserFields.call(this, itemIndex, 'additionalFields')),
	);
}
