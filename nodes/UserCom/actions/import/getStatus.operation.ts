import { NodeOperationError } from 'n8n-workflow';
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { fetchImportStatus, summarizeStatus } from './execute';
import { normalizeRowErrors } from './status';

const show = { resource: ['import'], operation: ['getStatus'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Import ID',
		name: 'importId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'ccfa2628-0b3e-4a8f-9d33-2f7d1c6a9e10',
		description: 'The import_id returned by an import (the importId field of its output)',
		displayOptions: { show },
	},
];

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const raw = this.getNodeParameter('importId', itemIndex, '') as unknown;
	const importId =
		typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
	if (importId === '') {
		throw new NodeOperationError(
			this.getNode(),
			`Item ${itemIndex}: "Import ID" is required but empty`,
			{
				itemIndex,
				description:
					'Use the importId of an import output, e.g. {{ $json.importId }}. ' +
					'Nothing was sent to User.com for this item.',
			},
		);
	}
	const status = await fetchImportStatus(this, importId, itemIndex);
	const json: IDataObject = {
		...summarizeStatus(status),
		rowsWithErrors: normalizeRowErrors(status.rows_with_errors) as unknown as IDataObject[],
	};
	return [{ json }];
}
