import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { userComApiRequest } from '../../transport';
import { requirePositiveInt, requireString } from '../../helpers/validation';
import { getRef, locator, objectPath, refCorrelation, vctx } from '../common';

type Action = 'add_tag' | 'remove_tag' | 'add_to_list' | 'remove_from_list';

export function tagOrListDescription(operation: string, kind: 'tag' | 'list'): INodeProperties[] {
	const show = { resource: ['user'], operation: [operation] };
	return [
		locator({ name: 'user', displayName: 'User', object: 'user', show }),
		kind === 'tag'
			? {
					displayName: 'Tag Name or ID',
					name: 'tagName',
					type: 'options',
					typeOptions: { loadOptionsMethod: 'getTagNames' },
					required: true,
					default: '',
					description:
						'The tag (by name; adding a new name creates the tag). Choose from the list, or \
specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
					displayOptions: { show },
				}
			: {
					displayName: 'List Name or ID',
					name: 'listId',
					type: 'options',
					typeOptions: { loadOptionsMethod: 'getLists' },
					required: true,
					default: '',
					description:
						'The list. Choose from the list, or \
specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
					displayOptions: { show },
				},
	];
}

export async function executeTagOrList(
	this: IExecuteFunctions,
	itemIndex: number,
	action: Action,
): Promise<INodeExecutionData[]> {
	const ctx = vctx.call(this, itemIndex);
	const ref = getRef.call(this, 'user', 'User', itemIndex);
	let body: IDataObject;
	if (action === 'add_tag' || action === 'remove_tag') {
		body = {
			name: requireString(
				ctx,
				this.getNodeParameter('tagName', itemIndex, ''),
				'Tag',
				'Choose a tag or type its name.',
			),
		};
	} else {
		body = {
			list: requirePositiveInt(ctx, this.getNodeParameter('listId', itemIndex, ''), 'List'),
		};
	}
	const response = (await userComApiRequest.call(this, {
		method: 'POST',
		path: `${objectPath.call(this, ref, 'users', 'User', itemIndex)}${action}/`,
		body,
		itemIndex,
		// adding/removing a tag or list membership twice leaves the same state
		writeKind: 'idempotent',
		correlation: refCorrelation('user', ref),
	})) as IDataObject | undefined;
	const json: IDataObject = {
		success: true,
		...(ref.mode === 'id' ? { id: ref.id } : { custom_id: ref.value }),
		...(body.name !== undefined ? { tag: body.name } : { list: body.list }),
	};
	if (response && typeof response === 'object' && !Array.isArray(response))
		json.response = response;
	return [{ json }];
}
