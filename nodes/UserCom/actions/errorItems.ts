import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { toNormalizedError } from '../transport';
import type { NormalizedUserComError } from '../transport';

/**
 * The one shape of an item that goes to the error output (or the main output with Continue):
 * `{ error: <normalized error>, message }`, paired with the input item it stands for.
 */
export function errorItemOf(
	error: IDataObject | NormalizedUserComError,
	message: string,
	itemIndex: number,
): INodeExecutionData {
	return {
		json: { error: error as unknown as IDataObject, message },
		pairedItem: { item: itemIndex },
	};
}

/** The error item for a thrown error, normalized (extra fields are added to `error`). */
export function errorItem(
	error: unknown,
	itemIndex: number,
	extra: IDataObject = {},
): INodeExecutionData {
	const normalized = toNormalizedError(error, itemIndex);
	return errorItemOf(
		{ ...normalized, ...extra } as unknown as IDataObject,
		normalized.message,
		itemIndex,
	);
}
