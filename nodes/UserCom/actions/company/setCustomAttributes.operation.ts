import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { userComApiRequest } from '../../transport';
import { validationError } from '../../helpers/validation';
import { customAttributesField, readCustomAttributes, vctx } from '../common';
import { locatorKeys } from '../recordKeys';
import {
	companyCorrelation,
	companyLocator,
	companyPath,
	companyRefJson,
	getCompanyRef,
} from './shared';

const show = { resource: ['company'], operation: ['setCustomAttributes'] };

export const description: INodeProperties[] = [
	{
		displayName:
			'User.com only accepts custom attributes that already exist: ' +
			'create them first in User.com (Settings › Attributes, for companies)',
		name: 'attributesNotice',
		type: 'notice',
		default: '',
		displayOptions: { show },
	},
	companyLocator(show),
	customAttributesField(show, 'company', 'The company attributes to set'),
];

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const ref = getCompanyRef.call(this, itemIndex);
	const attributes = readCustomAttributes.call(this, itemIndex);
	if (Object.keys(attributes).length === 0) {
		throw validationError(
			vctx.call(this, itemIndex),
			'Custom Attributes',
			'is empty',
			'Add at least one attribute and value.',
		);
	}
	const response = (await userComApiRequest.call(this, {
		method: 'POST',
		path: `${companyPath.call(this, ref, itemIndex)}set_multiple_attributes/`,
		body: attributes,
		itemIndex,
		writeKind: 'idempotent',
		correlation: companyCorrelation(ref),
	})) as IDataObject | undefined;
	const json: IDataObject = { success: true, ...companyRefJson(ref), attributes };
	if (response && typeof response === 'object' && !Array.isArray(response))
		json.response = response;
	return [{ json }];
}

export function recordKeys(this: IExecuteFunctions, itemIndex: number): string[] {
	return locatorKeys.call(this, 'company', 'company', itemIndex);
}
