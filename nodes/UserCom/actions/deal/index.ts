import type { INodeProperties } from 'n8n-workflow';

import * as create from './create.operation';
import * as del from './delete.operation';
import * as get from './get.operation';
import * as getAll from './getAll.operation';
import * as update from './update.operation';
import * as upsert from './upsert.operation';

export const operations = { create, update, upsert, get, getAll, delete: del };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['deal'] } },
		options: [
			{
				name: 'Create',
				value: 'create',
				action: 'Create a deal',
				description: 'Create a deal (order)',
			},
			{
				name: 'Create or Update',
				value: 'upsert',
				action: 'Create or update a deal',
				description: 'Create a new record, or update the current one if it already exists (upsert)',
			},
			{ name: 'Delete', value: 'delete', action: 'Delete a deal', description: 'Delete a deal' },
			{
				name: 'Get',
				value: 'get',
				action: 'Get a deal',
				description: 'Get a deal by ID or custom ID',
			},
			{
				name: 'Get Many',
				value: 'getAll',
				action: 'Get many deals',
				description: 'List deals, optionally of one contact',
			},
			{
				name: 'Update',
				value: 'update',
				action: 'Update a deal',
				description: 'Update a deal by ID or custom ID',
			},
		],
		default: 'upsert',
	},
	...create.description,
	...update.description,
	...upsert.description,
	...get.description,
	...getAll.description,
	...del.description,
];
