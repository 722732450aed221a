import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { userComApiRequest } from '../../transport';
import { requireEmail, requireString, validationError } from '../../helpers/validation';
import { customAttributesField, readCustomAttributes, vctx } from '../common';
import { readUserFields, userStandardFields } from '../fields';
import { bodyKeys, keysOrNone, recordKey } from '../recordKeys';
import { ambiguousEmailError, findUsersByEmail, userIdPath } from './lookup';

const show = { resource: ['user'], operation: ['upsert'] };
const byCustomId = { ...show, matchBy: ['customId'] };
const byEmail = { ...show, matchBy: ['email'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Match By',
		name: 'matchBy',
		type: 'options',
		default: 'customId',
		displayOptions: { show },
		options: [
			{
				name: 'Custom ID',
				value: 'customId',
				description:
					'Your own ID of the contact; User.com updates or creates in one request (safe to retry)',
			},
			{
				name: 'Email',
				value: 'email',
				description:
					'Looks the contact up by email, then updates it or creates it ' +
					'(two requests, not atomic); several contacts with the email is an error',
			},
		],
		description: 'Which value identifies the contact',
	},
	{
		displayName: 'Custom ID',
		name: 'customId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. customer-42',
		description:
			'Your own ID for the contact. If a contact with this custom ID exists it is updated, ' +
			'otherwise it is created. Safe to retry.',
		displayOptions: { show: byCustomId },
	},
	{
		displayName: 'Email',
		name: 'email',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'name@email.com',
		description:
			'The contact with this email is updated, or created when there is none. ' +
			'When several contacts have it, the item fails (nothing is guessed).',
		displayOptions: { show: byEmail },
	},
	userStandardFields('additionalFields', 'Fields', byCustomId, false),
	userStandardFields('additionalFields', 'Fields', byEmail, true),
	customAttributesField(
		show,
		'user',
		'Custom attributes must be created in User.com first (Settings › Attributes)',
	),
];

function matchByOf(this: IExecuteFunctions, itemIndex: number): 'customId' | 'email' {
	return (this.getNodeParameter('matchBy', itemIndex, 'customId') as string) === 'email'
		? 'email'
		: 'customId';
}

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	if (matchByOf.call(this, itemIndex) === 'email') return await upsertByEmail.call(this, itemIndex);
	const customId = requireString(
		vctx.call(this, itemIndex),
		this.getNodeParameter('customId', itemIndex, ''),
		'Custom ID',
		'Enter the custom ID that identifies the contact (the upsert matches on it).',
	);
	const body = {
		...readUserFields.call(this, itemIndex, 'additionalFields'),
		...readCustomAttributes.call(this, itemIndex),
		custom_id: customId,
	};
	const response = (await userComApiRequest.call(this, {
		method: 'POST',
		path: 'users/update_or_create/',
		body,
		itemIndex,
		correlation: `user custom_id=${customId}`,
	})) as { id?: number; created?: boolean };
	return [{ json: { ...response, custom_id: customId } }];
}

/**
 * users/search/?email=<email>&many=true, then PUT users/<id>/ for one match or POST users/
 * for none. User.com has no update-or-create by email, so this is not atomic: items of one
 * run with the same email run one after another (recordKeys), but another writer could
 * create the contact in between.
 */
async function upsertByEmail(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const ctx = vctx.call(this, itemIndex);
	const email = requireEmail(ctx, this.getNodeParameter('email', itemIndex, ''), 'Email');
	const fields = readUserFields.call(this, itemIndex, 'additionalFields');
	if (fields.email !== undefined && String(fields.email).toLowerCase() !== email.toLowerCase()) {
		throw validationError(
			ctx,
			'Fields › Email',
			`(${String(fields.email)}) differs from the Email the contact is matched by (${email})`,
			"Remove Fields › Email; to change a contact's email, use Update.",
		);
	}
	const body: IDataObject = { ...fields, ...readCustomAttributes.call(this, itemIndex), email };
	const matches = await findUsersByEmail.call(this, email, itemIndex);
	if (matches.length > 1) throw ambiguousEmailError.call(this, 'Email', email, matches, itemIndex);
	const correlation = `user email=${email}`;
	if (matches.length === 1) {
		const user = (await userComApiRequest.call(this, {
			method: 'PUT',
			path: userIdPath.call(this, matches[0].id, itemIndex),
			body,
			itemIndex,
			correlation,
		})) as IDataObject;
		return [
			{ json: { created: false, id: user.id ?? matches[0].id, email, ...customIdOf(user, body) } },
		];
	}
	const user = (await userComApiRequest.call(this, {
		method: 'POST',
		path: 'users/',
		body,
		itemIndex,
		correlation,
	})) as IDataObject;
	return [{ json: { created: true, id: user.id, email, ...customIdOf(user, body) } }];
}

function customIdOf(user: IDataObject, body: IDataObject): IDataObject {
	const customId = user.custom_id ?? body.custom_id;
	return customId === undefined || customId === null ? {} : { custom_id: customId };
}

/**
 * The contact matched by custom ID or email, and the identifiers it is given. Invalid input gives
 * no keys: the item then fails before sending anything.
 */
export function recordKeys(this: IExecuteFunctions, itemIndex: number): string[] {
	return keysOrNone(() => {
		const fields = readUserFields.call(this, itemIndex, 'additionalFields');
		const match =
			matchByOf.call(this, itemIndex) === 'email'
				? recordKey(
						'user',
						'email',
						requireEmail(
							vctx.call(this, itemIndex),
							this.getNodeParameter('email', itemIndex, ''),
							'Email',
						),
					)
				: recordKey('user', 'customId', this.getNodeParameter('customId', itemIndex, ''));
		return [...new Set([match, ...bodyKeys('user', fields)])];
	});
}
