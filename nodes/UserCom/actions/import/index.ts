import type { INodeProperties } from 'n8n-workflow';

import { importFields } from './description';
import * as getStatus from './getStatus.operation';
import * as importDeals from './importDeals.operation';
import * as importProducts from './importProducts.operation';
import * as importUsers from './importUsers.operation';

export const operations = { importUsers, importDeals, importProducts, getStatus };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['import'] } },
		options: [
			{
				name: 'Get Import Status',
				value: 'getStatus',
				action: 'Get the status of an import',
				description: 'Get the progress and the rejected rows of a CSV import',
			},
			{
				name: 'Import Deals',
				value: 'importDeals',
				action: 'Import deals from a CSV',
				description: 'Create or update many deals with one CSV upload',
			},
			{
				name: 'Import Products',
				value: 'importProducts',
				action: 'Import products from a CSV',
				description: 'Create or update many products with one CSV upload',
			},
			{
				name: 'Import Users',
				value: 'importUsers',
				action: 'Import users from a CSV',
				description: 'Create or update many contacts with one CSV upload',
			},
		],
		default: 'importUsers',
	},
	...importFields,
	...importUsers.description,
	...importDeals.description,
	...importProducts.description,
	...getStatus.description,
];
