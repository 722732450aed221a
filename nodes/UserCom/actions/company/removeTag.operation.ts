import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { executeTag, tagDescription, tagRecordKeys } from './tag';

export const description: INodeProperties[] = tagDescription('removeTag');

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	return await executeTag.call(this, itemIndex, 'remove_tag');
}

export function recordKeys(this: IExecuteFunctions, itemIndex: number): string[] {
	return tagRecordKeys.call(this, itemIndex);
}
