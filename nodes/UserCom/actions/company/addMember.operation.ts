import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { executeMember, memberDescription, memberRecordKeys } from './member';

export const description: INodeProperties[] = memberDescription('addMember');

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	return await executeMember.call(this, itemIndex, 'add_member');
}

export function recordKeys(this: IExecuteFunctions, itemIndex: number): string[] {
	return memberRecordKeys.call(this, itemIndex);
}
