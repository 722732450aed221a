import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { userComApiRequestAllItems } from '../../transport';
import { simplifyCompany } from '../../helpers/mapping';
import { noRecordKeys } from '../recordKeys';
import { returnAllFields, simplifyField } from '../common';

const show = { resource: ['company'], operation: ['getAll'] };

export const description: INodeProperties[] = [...returnAllFields(show), simplifyField(show)];

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const returnAll = this.getNodeParameter('returnAll', itemIndex, false) as boolean;
	const limit = returnAll ? undefined : (this.getNodeParameter('limit', itemIndex, 50) as number);
	const simplify = this.getNodeParameter('simplify', itemIndex, true) as boolean;
	const companies = await userComApiRequestAllItems.call(
		this,
		{ method: 'GET', path: 'companies/', itemIndex },
		limit,
	);
	const limited = limit === undefined ? companies : companies.slice(0, limit);
	return limited.map((company) => ({ json: simplify ? simplifyCompany(company) : company }));
}

/** Read-only: touches no record in particular. */
export const recordKeys = noRecordKeys;
