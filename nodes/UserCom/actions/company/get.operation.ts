import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { userComApiRequest } from '../../transport';
import { simplifyCompany } from '../../helpers/mapping';
import { noRecordKeys } from '../recordKeys';
import { simplifyField } from '../common';
import { companyCorrelation, companyLocator, companyPath, getCompanyRef } from './shared';

const show = { resource: ['company'], operation: ['get'] };

export const description: INodeProperties[] = [companyLocator(show), simplifyField(show)];

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const ref = getCompanyRef.call(this, itemIndex);
	const simplify = this.getNodeParameter('simplify', itemIndex, true) as boolean;
	const company = (await userComApiRequest.call(this, {
		method: 'GET',
		path: companyPath.call(this, ref, itemIndex),
		itemIndex,
		correlation: companyCorrelation(ref),
	})) as IDataObject;
	return [{ json: simplify ? simplifyCompany(company) : company }];
}

/** Read-only: touches no record in particular. */
export const recordKeys = noRecordKeys;
