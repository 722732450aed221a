import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { getRef } from './common';

/**
 * The records an item touches, as keys `<object>:<how it is identified>:<value>`, so that the
 * router runs items on the same record one after another in input order. Keys are read with the
 * operation's own validators; an item whose input is invalid fails before sending anything, so
 * it gets no keys rather than an error here.
 */
export type RecordKeys = (this: IExecuteFunctions, itemIndex: number) => string[];

/** Read-only listings (Get Many) touch no record in particular. */
export const noRecordKeys: RecordKeys = () => [];

export function recordKey(object: string, mode: string, value: unknown): string {
	const text = String(value).trim();
	return `${object}:${mode}:${mode === 'email' ? text.toLowerCase() : text}`;
}

/** Keys for a resource-locator parameter (By ID / By Custom ID / By Email). */
export function locatorKeys(
	this: IExecuteFunctions,
	param: string,
	object: string,
	itemIndex: number,
): string[] {
	try {
		const ref = getRef.call(this, param, object, itemIndex);
		return [recordKey(object, ref.mode, ref.value)];
	} catch {
		return [];
	}
}

/** Keys for the identifiers in a request body (custom_id, email) of a record being written. */
export function bodyKeys(object: string, body: IDataObject): string[] {
	const keys: string[] = [];
	if (typeof body.custom_id === 'string' && body.custom_id)
		keys.push(recordKey(object, 'customId', body.custom_id));
	if (typeof body.email === 'string' && body.email)
		keys.push(recordKey(object, 'email', body.email));
	return keys;
}

/** Runs a key reader; invalid input (it throws) means no keys: the item fails without sending. */
export function keysOrNone(read: () => string[]): string[] {
	try {
		return read();
	} catch {
		return [];
	}
}
