import type { INodeProperties } from 'n8n-workflow';

import * as addMember from './addMember.operation';
import * as addTag from './addTag.operation';
import * as create from './create.operation';
import * as del from './delete.operation';
import * as get from './get.operation';
import * as getAll from './getAll.operation';
import * as removeMember from './removeMember.operation';
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
	addMember,
	removeMember,
	addTag,
	removeTag,
	setCustomAttributes,
};

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['company'] } },
		options: [
			{
				name: 'Add Member',
				value: 'addMember',
				action: 'Add a contact to a company',
				description: 'Add a contact (by ID, custom ID or email) to a company',
			},
			{
				name: 'Add Tag',
				value: 'addTag',
				action: 'Add a tag to a company',
				description: 'Add a tag to a company',
			},
			{
				name: 'Create',
				value: 'create',
				action: 'Create a company',
				description: 'Create a company',
			},
			{
				name: 'Create or Update',
				value: 'upsert',
				action: 'Create or update a company',
				description: 'Create a new record, or update the current one if it already exists (upsert)',
			},
			{
				name: 'Delete',
				value: 'delete',
				action: 'Delete a company',
				description: 'Delete a company',
			},
			{
				name: 'Get',
				value: 'get',
				action: 'Get a company',
				description: 'Get a company by ID or custom ID',
			},
			{
				name: 'Get Many',
				value: 'getAll',
				action: 'Get many companies',
				description: 'List companies',
			},
			{
				name: 'Remove Member',
				value: 'removeMember',
				action: 'Remove a contact from a company',
				description: 'Remove a contact from a company',
			},
			{
				name: 'Remove Tag',
				value: 'removeTag',
				action: 'Remove a tag from a company',
				description: 'Remove a tag from a company',
			},
			{
				name: 'Set Custom Attributes',
				value: 'setCustomAttributes',
				action: 'Set custom attributes of a company',
				description: 'Set custom attribute values of a company',
			},
			{
				name: 'Update',
				value: 'update',
				action: 'Update a company',
				description: 'Update a company by ID or custom ID',
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
	...addMember.description,
	...removeMember.description,
	...addTag.description,
	...removeTag.description,
	...setCustomAttributes.description,
];
