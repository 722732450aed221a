import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { userComApiRequest } from '../../transport';
import { locatorKeys } from '../recordKeys';
import { companyCorrelation, companyLocator, companyPath, getCompanyRef } from './shared';

const show = { resource: ['company'], operation: ['delete'] };

export const description: INodeProperties[] = [companyLocator(show)];

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const ref = getCompanyRef.call(this, itemIndex);
	await userComApiRequest.call(this, {
		method: 'DELETE',
		path: companyPath.call(this, ref, itemIndex),
		itemIndex,
		correlation: companyCorrelation(ref),
	});
	return [
		{ json: { deleted: true, ...(ref.mode === 'id' ? { id: ref.id } : { custom_id: ref.value }) } },
	];
}

export function recordKeys(this: IExecuteFunctions, itemIndex: number): string[] {
	return locatorKeys.call(this, 'company', 'company', itemIndex);
}
