import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { encodePathId, userComApiRequestAllItems } from '../../transport';
import { simplifyUser } from '../../helpers/mapping';
import { optionalEmail, validationError } from '../../helpers/validation';
import { returnAllFields, simplifyField, vctx } from '../common';
import { noRecordKeys } from '../recordKeys';

const show = { resource: ['user'], operation: ['getAll'] };

export const description: INodeProperties[] = [
	...returnAllFields(show),
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		displayOptions: { show },
		description: 'User.com filters by one of these at a time',
		options: [
			{ displayName: 'Email', name: 'email', type: 'string', placeholder: 'name@email.com', default: '', description: 'All contacts with exactly this email' },
			{
				displayName: 'Segment Name or ID',
				name: 'segmentId',
				type: 'options',
				typeOptions: { loadOptionsMethod: 'getSegments' },
				default: '',
				description:
					'Contacts in this segment. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			},
			{
				displayName: 'Tag Name or ID',
				name: 'tagId',
				type: 'options',
				typeOptions: { loadOptionsMethod: 'getTagIds' },
				default: '',
				description:
					'Contacts with this tag. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			},
		],
	},
	simplifyField(show),
];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const ctx = vctx.call(this, itemIndex);
	const returnAll = this.getNodeParameter('returnAll', itemIndex, false) as boolean;
	const limit = returnAll ? undefined : (this.getNodeParameter('limit', itemIndex, 50) as number);
	const simplify = this.getNodeParameter('simplify', itemIndex, true) as boolean;
	const filters = this.getNodeParameter('filters', itemIndex, {}) as IDataObject;
	const active = Object.entries(filters).filter(([, v]) => v !== undefined && v !== '' && v !== null);
	if (active.length > 1) {
		throw validationError(
			ctx,
			'Filters',
			`has ${active.length} filters (${active.map(([k]) => k).join(', ')}) but User.com filters by one at a time`,
			'Keep one filter (Email, Segment or Tag) and filter the rest with an n8n Filter node.',
		);
	}
	let path = 'users/';
	const qs: IDataObject = {};
	if (active.length === 1) {
		const [key, value] = active[0];
		if (key === 'email') {
			path = 'users/search/';
			qs.email = optionalEmail(ctx, value, 'Filters › Email');
			qs.many = true;
		} else if (key === 'segmentId') {
			path = `segments/${encodePathId.call(this, value, 'Filters › Segment', itemIndex)}/users/`;
		} else if (key === 'tagId') {
			path = `tags/${encodePathId.call(this, value, 'Filters › Tag', itemIndex)}/users/`;
		}
	}
	const users = await userComApiRequestAllItems.call(this, { method: 'GET', path, qs, itemIndex }, limit);
	const limited = limit === undefined ? users : users.slice(0, limit);
	return limited.map((user) => ({ json: simplify ? simplifyUser(user) : user }));
}

/** A listing: touches no record in particular. */
export const recordKeys = noRecordKeys;
