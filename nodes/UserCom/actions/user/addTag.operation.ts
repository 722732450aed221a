import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { executeTagOrList, tagOrListDescription } from './tagOrList';
import { locatorKeys } from '../recordKeys';

export const description: INodeProperties[] = tagOrListDescription('addTag', 'tag');

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	return await executeTagOrList.call(this, itemIndex, 'add_tag');
}

/** The user this item touches (items on the same user run in input order). */
export function recordKeys(this: IExecuteFunctions, itemIndex: number): string[] {
	return locatorKeys.call(this, 'user', 'user', itemIndex);
}
