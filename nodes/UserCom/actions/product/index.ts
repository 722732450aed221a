import type { INodeProperties } from 'n8n-workflow';

import * as create from './create.operation';
import * as createEvent from './createEvent.operation';
import * as del from './delete.operation';
import * as get from './get.operation';
import * as getAll from './getAll.operation';
import * as update from './update.operation';

export const operations = { create, update, get, getAll, delete: del, createEvent };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['product'] } },
		options: [
			{
				name: 'Create',
				value: 'create',
				action: 'Create a product',
				description: 'Create a product',
			},
			{
				name: 'Create Product Event',
				value: 'createEvent',
				action: 'Create a product event',
				description: 'Record a product event (view, add to cart, purchase, ...) for a contact',
			},
			{
				name: 'Delete',
				value: 'delete',
				action: 'Delete a product',
				description: 'Delete a product',
			},
			{
				name: 'Get',
				value: 'get',
				action: 'Get a product',
				description: 'Get a product by ID or custom ID',
			},
			{
				name: 'Get Many',
				value: 'getAll',
				action: 'Get many products',
				description: 'List products',
			},
			{
				name: 'Update',
				value: 'update',
				action: 'Update a product',
				description: 'Update a product by ID or custom ID',
			},
		],
		default: 'create',
	},
	...create.description,
	...update.description,
	...get.description,
	...getAll.description,
	...del.description,
	...createEvent.description,
];
