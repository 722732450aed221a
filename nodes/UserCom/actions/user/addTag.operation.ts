import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { executeTagOrList, tagOrListDescription } from './tagOrList';

export const description: INodeProperties[] = tagOrListDescription('addTag', 'tag');

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	return await executeTagOrList.call(this, itemIndex, 'add_tag');
}
