import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { userComApiRequest } from '../../transport';
import { requireString } from '../../helpers/validation';
import { vctx } from '../common';
import { locatorKeys } from '../recordKeys';
import {
	companyCorrelation,
	companyLocator,
	companyPath,
	companyRefJson,
	getCompanyRef,
} from './shared';

export function tagDescription(operation: 'addTag' | 'removeTag'): INodeProperties[] {
	const show = { resource: ['company'], operation: [operation] };
	return [
		companyLocator(show),
		{
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
		},
	];
}

/**
 * POST companies/<id>/add_tag/ or remove_tag/ with {"name"} (SDK-NET's paths and body;
 * SDK-NET sends remove_tag as DELETE with a body, the node uses POST as for contacts).
 */
export async function executeTag(
	this: IExecuteFunctions,
	itemIndex: number,
	action: 'add_tag' | 'remove_tag',
): Promise<INodeExecutionData[]> {
	const ref = getCompanyRef.call(this, itemIndex);
	const name = requireString(
		vctx.call(this, itemIndex),
		this.getNodeParameter('tagName', itemIndex, ''),
		'Tag',
		'Choose a tag or type its name.',
	);
	const response = (await userComApiRequest.call(this, {
		method: 'POST',
		path: `${companyPath.call(this, ref, itemIndex)}${action}/`,
		body: { name },
		itemIndex,
		writeKind: 'idempotent',
		correlation: companyCorrelation(ref),
	})) as IDataObject | undefined;
	const json: IDataObject = { success: true, ...companyRefJson(ref), tag: name };
	if (response && typeof response === 'object' && !Array.isArray(response))
		json.response = response;
	return [{ json }];
}

export function tagRecordKeys(this: IExecuteFunctions, itemIndex: number): string[] {
	return locatorKeys.call(this, 'company', 'company', itemIndex);
}
