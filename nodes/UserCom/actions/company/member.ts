import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { userComApiRequest } from '../../transport';
import { getRef, locator } from '../common';
import { locatorKeys } from '../recordKeys';
import { resolveUserId } from '../user/lookup';
import {
	companyCorrelation,
	companyLocator,
	companyPath,
	companyRefJson,
	getCompanyRef,
} from './shared';

export function memberDescription(operation: 'addMember' | 'removeMember'): INodeProperties[] {
	const show = { resource: ['company'], operation: [operation] };
	return [
		companyLocator(show),
		locator({
			name: 'user',
			displayName: 'Contact',
			object: 'user',
			withEmail: true,
			show,
			description:
				'The contact. By custom ID or email, the node first looks up its ' +
				'User.com ID (one more request).',
		}),
	];
}

/**
 * POST companies/<id>/add_member/ (or remove_member/) with {"user_id": <User.com user id>},
 * the body the official Magento plugin sends. A contact given by custom ID or email is looked up
 * first; an email that matches several contacts is an error, never a guess.
 */
export async function executeMember(
	this: IExecuteFunctions,
	itemIndex: number,
	action: 'add_member' | 'remove_member',
): Promise<INodeExecutionData[]> {
	const ref = getCompanyRef.call(this, itemIndex);
	const userRef = getRef.call(this, 'user', 'Contact', itemIndex);
	const path = `${companyPath.call(this, ref, itemIndex)}${action}/`;
	const userId = await resolveUserId.call(this, userRef, 'Contact', itemIndex);
	const response = (await userComApiRequest.call(this, {
		method: 'POST',
		path,
		body: { user_id: userId },
		itemIndex,
		// adding or removing a member twice leaves the same state
		writeKind: 'idempotent',
		correlation: `${companyCorrelation(ref)} user id=${userId}`,
	})) as IDataObject | undefined;
	const json: IDataObject = { success: true, ...companyRefJson(ref), user_id: userId };
	if (userRef.mode === 'customId') json.user_custom_id = userRef.value;
	if (userRef.mode === 'email') json.user_email = userRef.value;
	if (response && typeof response === 'object' && !Array.isArray(response))
		json.response = response;
	return [{ json }];
}

export function memberRecordKeys(this: IExecuteFunctions, itemIndex: number): string[] {
	return [
		...locatorKeys.call(this, 'company', 'company', itemIndex),
		...locatorKeys.call(this, 'user', 'user', itemIndex),
	];
}
