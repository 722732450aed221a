import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { userComApiRequest } from '../../transport';
import { requireString } from '../../helpers/validation';
import { customAttributesField, readCustomAttributes, vctx } from '../common';
import { readUserFields, userStandardFields } from '../fields';
import { bodyKeys, keysOrNone, recordKey } from '../recordKeys';

const show = { resource: ['user'], operation: ['upsert'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Custom ID',
		name: 'customId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. customer-42',
		description:
			'Your own ID for the contact. If a contact with this custom ID exists it is updated, otherwise it is created. Safe to retry.',
		displayOptions: { show },
	},
	userStandardFields('additionalFields', 'Fields', show, false),
	customAttributesField(show, 'user', 'Custom attributes must be created in User.com first (Settings › Attributes)'),
];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const customId = requireString(
		vctx.call(this, itemIndex),
		this.getNodeParameter('customId', itemIndex, ''),
		'Custom ID',
		'Enter the custom ID that identifies the contact (the upsert matches on it).',
	);
	const body = {
		...readUserFields.call(this, itemIndex, 'additionalFields'),
		...readCustomAttributes.call(this, itemIndex),
		custom_id: customId,
	};
	const response = (await userComApiRequest.call(this, {
		method: 'POST',
		path: 'users/update_or_create/',
		body,
		itemIndex,
		correlation: `user custom_id=${customId}`,
	})) as { id?: number; created?: boolean };
	return [{ json: { ...response, custom_id: customId } }];
}

/** The contact matched by custom ID (and the email it is given). */
export function recordKeys(this: IExecuteFunctions, itemIndex: number): string[] {
	return keysOrNone(() => [
		recordKey('user', 'customId', this.getNodeParameter('customId', itemIndex, '')),
		...bodyKeys('user', readUserFields.call(this, itemIndex, 'additionalFields')),
	]);
}
