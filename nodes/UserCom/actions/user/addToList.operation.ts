import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { executeTagOrList, tagOrListDescription } from './tagOrList';

export const description: INodeProperties[] = tagOrListDescription('addToList', 'list');

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	return await executeTagOrList.call(this, itemIndex, 'add_to_list');
}
