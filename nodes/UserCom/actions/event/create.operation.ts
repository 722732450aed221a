import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { toNormalizedError, userComApiRequest } from '../../transport';
import { requireString, toUnixSeconds, validationError } from '../../helpers/validation';
import {
	asNodeError,
	dataFields,
	getRef,
	locator,
	objectPath,
	readData,
	refCorrelation,
	timestampField,
	vctx,
	type ObjectRef,
} from '../common';
import { readUserFields, userStandardFields } from '../fields';
import { locatorKeys } from '../recordKeys';

const show = { resource: ['event'], operation: ['create'] };

export const description: INodeProperties[] = [
	{
		displayName:
			'The contact must exist before its events: create it first (User › Upsert), ' +
			'or turn on Create Contact If Missing',
		name: 'eventNotice',
		type: 'notice',
		default: '',
		displayOptions: { show },
	},
	locator({
		name: 'user',
		displayName: 'User',
		object: 'user',
		show,
		description: 'The contact the event belongs to',
	}),
	{
		displayName: 'Event Name',
		name: 'eventName',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. order_placed',
		displayOptions: { show },
	},
	timestampField(show),
	...dataFields(show, 'event'),
	{
		displayName: 'Create Contact If Missing',
		name: 'createContactIfMissing',
		type: 'boolean',
		default: false,
		description:
			'Whether to create the contact (upsert by custom ID, with the fields below) when ' +
			'User.com says it does not exist, then send the event. Needs the user given by custom ID.',
		displayOptions: { show },
	},
	userStandardFields(
		'contactFields',
		'Contact Fields',
		{ ...show, createContactIfMissing: [true] },
		false,
	),
];

function isUserNotFound(error: unknown, itemIndex: number): boolean {
	const n = toNormalizedError(error, itemIndex);
	if (n.category === 'not_found') return true;
	if (n.httpCode === 400) {
		const keys = Object.keys(n.fields ?? {});
		return keys.some(
			(k) => k === 'user_id' || k === 'user_custom_id' || k === 'user' || k === 'client',
		);
	}
	return false;
}

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const ctx = vctx.call(this, itemIndex);
	const ref: ObjectRef = getRef.call(this, 'user', 'User', itemIndex);
	const name = requireString(ctx, this.getNodeParameter('eventName', itemIndex, ''), 'Event Name');
	const timestamp = toUnixSeconds(
		ctx,
		this.getNodeParameter('timestamp', itemIndex, ''),
		'Timestamp',
	);
	const data = readData.call(this, itemIndex);
	const createContact = this.getNodeParameter(
		'createContactIfMissing',
		itemIndex,
		false,
	) as boolean;
	let contactBody: IDataObject | undefined;
	if (createContact) {
		if (ref.mode !== 'customId') {
			throw validationError(
				ctx,
				'Create Contact If Missing',
				'needs the user given by custom ID (a contact cannot be created with a User.com ID)',
				'Switch User to "By Custom ID", or turn the option off.',
			);
		}
		contactBody = {
			...readUserFields.call(this, itemIndex, 'contactFields'),
			custom_id: ref.value,
		};
	}

	const send = async () => {
		if (ref.mode === 'customId') {
			return (await userComApiRequest.call(this, {
				method: 'POST',
				path: `${objectPath.call(this, ref, 'users', 'User', itemIndex)}events/`,
				body: { name, timestamp, data },
				itemIndex,
				correlation: `${refCorrelation('user', ref)} event=${name}`,
			})) as IDataObject;
		}
		return (await userComApiRequest.call(this, {
			method: 'POST',
			path: 'events/',
			body: { user_id: ref.id, name, timestamp, data },
			itemIndex,
			correlation: `${refCorrelation('user', ref)} event=${name}`,
		})) as IDataObject;
	};

	let contactCreated: boolean | undefined;
	let response: IDataObject;
	try {
		response = await send();
	} catch (error) {
		if (!contactBody || !isUserNotFound(error, itemIndex))
			throw asNodeError(this.getNode(), error, itemIndex);
		const upsert = (await userComApiRequest.call(this, {
			method: 'POST',
			path: 'users/update_or_create/',
			body: contactBody,
			itemIndex,
			correlation: `user custom_id=${ref.value}`,
		})) as IDataObject;
		contactCreated = upsert.created === true;
		response = await send();
		return [
			{
				json: {
					...response,
					name,
					timestamp,
					user_custom_id: ref.value,
					contact: { id: upsert.id, created: contactCreated },
				},
			},
		];
	}
	return [
		{
			json: {
				...response,
				name,
				timestamp,
				...(ref.mode === 'id' ? { user_id: ref.id } : { user_custom_id: ref.value }),
			},
		},
	];
}

/** The user this item touches (items on the same user run in input order). */
export function recordKeys(this: IExecuteFunctions, itemIndex: number): string[] {
	return locatorKeys.call(this, 'user', 'user', itemIndex);
}
