import type { INodeProperties } from 'n8n-workflow';

import * as addTag from './addTag.operation';
import * as addToList from './addToList.operation';
import * as create from './create.operation';
import * as del from './delete.operation';
import * as get from './get.operation';
import * as getAll from './getAll.operation';
import * as removeFromList from './removeFromList.operation';
import * as removeTag from './removeTag.operation';
import * as setCustomAttributes from './setCustomAttributes.operation';
import * as update from './update.operation';
import * as upsert from './upsert.operation';

export const operations = {
	create,
	update,
	upsert,
	get,
	getAll,
	delete: del,
	addTag,
	removeTag,
	addToList,
	removeFromList,
	setCustomAttributes,
};

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['user'] } },
		options: [
			{
				name: 'Add Tag',
				value: 'addTag',
				action: 'Add a tag to a user',
				description: 'Add a tag to a contact',
			},
			{
				name: 'Add to List',
				value: 'addToList',
				action: 'Add a user to a list',
				description: 'Add a contact to a list',
			},
			{ name: 'Create', value: 'create', action: 'Create a user', description: 'Create a contact' },
			{
				name: 'Create or Update',
				value: 'upsert',
				action: 'Create or update a user',
				description: 'Create a new record, or update the current one if it already exists (upsert)',
			},
			{ name: 'Delete', value: 'delete', action: 'Delete a user', description: 'Delete a contact' },
			{
				name: 'Get',
				value: 'get',
				action: 'Get a user',
				description: 'Get a contact by ID, custom ID or email',
			},
			{
				name: 'Get Many',
				value: 'getAll',
				action: 'Get many users',
				description:
					'List contacts, optionally by email, phone number, custom attribute, segment or tag',
			},
			{
				name: 'Remove From List',
				value: 'removeFromList',
				action: 'Remove a user from a list',
				description: 'Remove a contact from a list',
			},
			{
				name: 'Remove Tag',
				value: 'removeTag',
				action: 'Remove a tag from a user',
				description: 'Remove a tag from a contact',
			},
			{
				name: 'Set Custom Attributes',
				value: 'setCustomAttributes',
				action: 'Set custom attributes of a user',
				description: 'Set custom attribute values of a contact',
			},
			{
				name: 'Update',
				value: 'update',
				action: 'Update a user',
				description: 'Update a contact by ID or custom ID',
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
	...addTag.description,
	...removeTag.description,
	...addToList.description,
	...removeFromList.description,
	...setCustomAttributes.description,
];
