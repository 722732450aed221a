import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import {
	encodePathId,
	toNormalizedError,
	userComApiRequest,
	userComApiRequestAllItems,
} from '../../transport';
import { asNodeError, objectPath, refCorrelation, type ObjectRef } from '../common';

/**
 * Every contact with this email: `GET users/search/?email=<email>&many=true`. User.com documents a
 * list for many=true; a paginated envelope is accepted too, and a 404 counts as no match (what the
 * search answers without a match is not documented).
 */
export async function findUsersByEmail(
	this: IExecuteFunctions,
	email: string,
	itemIndex: number,
): Promise<IDataObject[]> {
	try {
		return await userComApiRequestAllItems.call(this, {
			method: 'GET',
			path: 'users/search/',
			qs: { email, many: true },
			itemIndex,
			correlation: `user email=${email}`,
		});
	} catch (error) {
		if (toNormalizedError(error, itemIndex).httpCode === 404) return [];
		throw asNodeError(this.getNode(), error, itemIndex);
	}
}

/** An error for an email that matches several contacts: never guess which one is meant. */
export function ambiguousEmailError(
	this: IExecuteFunctions,
	field: string,
	email: string,
	matches: IDataObject[],
	itemIndex: number,
): NodeOperationError {
	const ids = matches.map((m) => String(m.id)).join(', ');
	return new NodeOperationError(
		this.getNode(),
		`Item ${itemIndex}: "${field}" ${email} matches ${matches.length} ` +
			`contacts in User.com (IDs ${ids})`,
		{
			itemIndex,
			description:
				"The node does not guess which contact is meant. Use the contact's " +
				'User.com ID or custom ID instead, or merge the duplicates in User.com. ' +
				'Nothing was changed for this item.',
		},
	);
}

/**
 * The User.com ID of a contact given by ID, custom ID (`GET users-by-id/<custom id>/`) or email
 * (exactly one match of `users/search/`).
 */
export async function resolveUserId(
	this: IExecuteFunctions,
	ref: ObjectRef,
	label: string,
	itemIndex: number,
): Promise<number> {
	if (ref.mode === 'id') return ref.id as number;
	if (ref.mode === 'email') {
		const matches = await findUsersByEmail.call(this, ref.value, itemIndex);
		if (matches.length === 1) return Number(matches[0].id);
		if (matches.length > 1)
			throw ambiguousEmailError.call(this, `${label} (Email)`, ref.value, matches, itemIndex);
		throw new NodeOperationError(
			this.getNode(),
			`Item ${itemIndex}: no contact in User.com has the email ${ref.value}`,
			{
				itemIndex,
				description:
					`Check "${label} (Email)", or create the contact first ` +
					'(User › Create or Update with Match By Email). Nothing was changed for this item.',
			},
		);
	}
	const user = (await userComApiRequest.call(this, {
		method: 'GET',
		path: objectPath.call(this, ref, 'users', label, itemIndex),
		itemIndex,
		correlation: refCorrelation('user', ref),
	})) as IDataObject;
	return Number(user.id);
}

/** users/<id>/ for a numeric ID found by a search (kept in one place so paths stay encoded). */
export function userIdPath(this: IExecuteFunctions, id: unknown, itemIndex: number): string {
	return `users/${encodePathId.call(this, id as string | number, 'User ID', itemIndex)}/`;
}
