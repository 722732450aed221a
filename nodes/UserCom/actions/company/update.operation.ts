import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { userComApiRequest } from '../../transport';
import { customAttributesField, readCustomAttributes } from '../common';
import { keysOrNone, locatorKeys, recordKey } from '../recordKeys';
import {
	companyCorrelation,
	companyFields,
	companyLocator,
	companyPath,
	companyRefJson,
	getCompanyRef,
	nothingToChange,
	readCompanyFields,
	setAttributesAfterWrite,
} from './shared';

const show = { resource: ['company'], operation: ['update'] };

export const description: INodeProperties[] = [
	companyLocator(show),
	companyFields('updateFields', 'Update Fields', show, { withName: true, withCustomId: true }),
	customAttributesField(
		show,
		'company',
		'Set after the update (a second request); they must exist in User.com',
	),
];

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const ref = getCompanyRef.call(this, itemIndex);
	const body = readCompanyFields.call(this, itemIndex, 'updateFields');
	const attributes = readCustomAttributes.call(this, itemIndex);
	const path = companyPath.call(this, ref, itemIndex);
	if (Object.keys(body).length === 0 && Object.keys(attributes).length === 0) {
		throw nothingToChange.call(this, itemIndex, 'Update Fields');
	}
	const changesFields = Object.keys(body).length > 0;
	// only custom attributes: the set_multiple_attributes request alone
	const company = changesFields
		? ((await userComApiRequest.call(this, {
				method: 'PUT',
				path,
				body,
				itemIndex,
				correlation: companyCorrelation(ref),
			})) as IDataObject)
		: companyRefJson(ref);
	return [
		{
			json: await setAttributesAfterWrite.call(
				this,
				itemIndex,
				company,
				attributes,
				changesFields ? 'updated' : 'nothing',
				changesFields ? undefined : ref,
			),
		},
	];
}

export function recordKeys(this: IExecuteFunctions, itemIndex: number): string[] {
	return keysOrNone(() => {
		const body = readCompanyFields.call(this, itemIndex, 'updateFields');
		const renamed = body.company_id ? [recordKey('company', 'customId', body.company_id)] : [];
		return [...locatorKeys.call(this, 'company', 'company', itemIndex), ...renamed];
	});
}
