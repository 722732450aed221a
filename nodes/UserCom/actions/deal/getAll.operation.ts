import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { userComApiRequestAllItems } from '../../transport';
import { normalizeDeal, simplifyDeal } from '../../helpers/mapping';
import { getRef, locator, returnAllFields, simplifyField } from '../common';
import { noRecordKeys } from '../recordKeys';

const show = { resource: ['deal'], operation: ['getAll'] };

export const description: INodeProperties[] = [
	...returnAllFields(show),
	{
		displayName: 'Only Deals of One User',
		name: 'filterByUser',
		type: 'boolean',
		default: false,
		description: 'Whether to list only the deals of one contact',
		displayOptions: { show },
	},
	locator({
		name: 'user',
		displayName: 'User',
		object: 'user',
		show: { ...show, filterByUser: [true] },
	}),
	simplifyField(show),
];

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const returnAll = this.getNodeParameter('returnAll', itemIndex, false) as boolean;
	const limit = returnAll ? undefined : (this.getNodeParameter('limit', itemIndex, 50) as number);
	const simplify = this.getNodeParameter('simplify', itemIndex, true) as boolean;
	const qs: IDataObject = {};
	if (this.getNodeParameter('filterByUser', itemIndex, false) as boolean) {
		const ref = getRef.call(this, 'user', 'User', itemIndex);
		if (ref.mode === 'id') qs.user_id = ref.id;
		else qs.user_custom_id = ref.value;
	}
	const deals = await userComApiRequestAllItems.call(
		this,
		{ method: 'GET', path: 'deals/', qs, itemIndex },
		limit,
	);
	const limited = limit === undefined ? deals : deals.slice(0, limit);
	return limited.map((deal) => ({ json: simplify ? simplifyDeal(deal) : normalizeDeal(deal) }));
}

/** A listing: touches no record in particular. */
export const recordKeys = noRecordKeys;
