import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { userComApiRequest } from '../../transport';
import { requireString } from '../../helpers/validation';
import { customAttributesField, readCustomAttributes, vctx } from '../common';
import { keysOrNone, recordKey } from '../recordKeys';
import { companyFields, readCompanyFields, setAttributesAfterWrite } from './shared';

const show = { resource: ['company'], operation: ['create'] };

export const description: INodeProperties[] = [
	{
		displayName:
			'To create or update a company by your own ID without duplicates, ' +
			'use Create or Update instead. Custom attributes must already exist in User.com.',
		name: 'createNotice',
		type: 'notice',
		default: '',
		displayOptions: { show },
	},
	{
		displayName: 'Name',
		name: 'name',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. Acme Corp',
		displayOptions: { show },
	},
	companyFields('additionalFields', 'Additional Fields', show, { withCustomId: true }),
	customAttributesField(
		show,
		'company',
		'Set after the company is created (a second request); they must exist in User.com',
	),
];

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const name = requireString(
		vctx.call(this, itemIndex),
		this.getNodeParameter('name', itemIndex, ''),
		'Name',
		'Enter the company name.',
	);
	const body: IDataObject = {
		...readCompanyFields.call(this, itemIndex, 'additionalFields'),
		name,
	};
	const attributes = readCustomAttributes.call(this, itemIndex);
	const company = (await userComApiRequest.call(this, {
		method: 'POST',
		path: 'companies/',
		body,
		itemIndex,
		correlation: body.company_id
			? `company custom_id=${body.company_id as string}`
			: `company name=${name}`,
	})) as IDataObject;
	return [
		{ json: await setAttributesAfterWrite.call(this, itemIndex, company, attributes, 'created') },
	];
}

export function recordKeys(this: IExecuteFunctions, itemIndex: number): string[] {
	return keysOrNone(() => {
		const body = readCompanyFields.call(this, itemIndex, 'additionalFields');
		return body.company_id ? [recordKey('company', 'customId', body.company_id)] : [];
	});
}
