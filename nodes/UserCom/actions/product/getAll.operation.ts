import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { userComApiRequestAllItems } from '../../transport';
import { normalizeProduct, simplifyProduct } from '../../helpers/mapping';
import { returnAllFields, simplifyField } from '../common';
import { noRecordKeys } from '../recordKeys';

const show = { resource: ['product'], operation: ['getAll'] };

export const description: INodeProperties[] = [...returnAllFields(show), simplifyField(show)];

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const returnAll = this.getNodeParameter('returnAll', itemIndex, false) as boolean;
	const limit = returnAll ? undefined : (this.getNodeParameter('limit', itemIndex, 50) as number);
	const simplify = this.getNodeParameter('simplify', itemIndex, true) as boolean;
	const products = await userComApiRequestAllItems.call(
		this,
		{ method: 'GET', path: 'products/', itemIndex },
		limit,
	);
	const limited = limit === undefined ? products : products.slice(0, limit);
	return limited.map((product) => ({
		json: simplify ? simplifyProduct(product) : normalizeProduct(product),
	}));
}

/** A listing: touches no record in particular. */
export const recordKeys = noRecordKeys;
