import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { runImport } from './execute';

/** Fields are shared by the three import operations (see ./description.ts). */
export const description: INodeProperties[] = [];

/** Batch operation: one upload for all input items (see ARCHITECTURE.md, router contract). */
export async function executeBatch(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await runImport(this, items, 'products');
}
