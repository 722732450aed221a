import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { userComApiRequest } from '../../transport';
import { normalizeDeal, simplifyDeal } from '../../helpers/mapping';
import { getRef, locator, objectPath, refCorrelation, simplifyField } from '../common';
import { locatorKeys } from '../recordKeys';

const show = { resource: ['deal'], operation: ['get'] };

export const description: INodeProperties[] = [
	locator({ name: 'deal', displayName: 'Deal', object: 'deal', show }),
	simplifyField(show),
];

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const ref = getRef.call(this, 'deal', 'Deal', itemIndex);
	const simplify = this.getNodeParameter('simplify', itemIndex, true) as boolean;
	const deal = (await userComApiRequest.call(this, {
		method: 'GET',
		path: objectPath.call(this, ref, 'deals', 'Deal', itemIndex),
		itemIndex,
		correlation: refCorrelation('deal', ref),
	})) as IDataObject;
	return [{ json: simplify ? simplifyDeal(deal) : normalizeDeal(deal) }];
}

/** The deal this item touches (items on the same deal run in input order). */
export function recordKeys(this: IExecuteFunctions, itemIndex: number): string[] {
	return locatorKeys.call(this, 'deal', 'deal', itemIndex);
}
