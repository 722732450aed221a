import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { executeMember, memberDescription, memberRecordKeys } from './member';

export const description: INodeProperties[] = memberDescription('removeMember');

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	return await executeMember.call(this, itemIndex, 'remove_member');
}

export function recordKeys(this: IExecuteFunctions, itemIndex: number): string[] {
	return memberRecordKeys.call(this, itemIndex);
}
