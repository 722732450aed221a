import type {
	IDataObject,
	IDisplayOptions,
	IExecuteFunctions,
	INodeProperties,
} from 'n8n-workflow';

import {
	checkMaxLength,
	optionalEmail,
	optionalNumber,
	optionalPositiveInt,
	optionalString,
	splitList,
} from '../helpers/validation';
import { USER_GENDER, USER_STATUS } from '../helpers/mapping';
import { vctx } from './common';

/** User standard fields (camelCase parameter -> User.com field). */
const USER_FIELD_MAP: Record<string, string> = {
	customId: 'custom_id',
	email: 'email',
	firstName: 'first_name',
	lastName: 'last_name',
	phoneNumber: 'phone_number',
	gender: 'gender',
	status: 'status',
	unsubscribed: 'unsubscribed',
	notifications: 'notifications',
	companyCustomId: 'company_custom_id',
	city: 'city',
	region: 'region',
	country: 'country',
	timezone: 'timezone',
	score: 'score',
	assignedTo: 'assigned_to',
	tags: 'tags',
};

export function userStandardFields(
	name: string,
	displayName: string,
	show: IDisplayOptions['show'],
	withCustomId: boolean,
): INodeProperties {
	const options: INodeProperties[] = [
		{
			displayName: 'Assigned To (Agent ID)',
			name: 'assignedTo',
			type: 'number',
			default: 0,
			description: 'ID of the User.com agent who owns the contact',
		},
		{ displayName: 'City', name: 'city', type: 'string', default: '' },
		{
			displayName: 'Company Custom ID',
			name: 'companyCustomId',
			type: 'string',
			default: '',
			description: 'Custom ID of the company the contact belongs to',
		},
		{ displayName: 'Country', name: 'country', type: 'string', default: '' },
		{
			displayName: 'Email',
			name: 'email',
			type: 'string',
			placeholder: 'name@email.com',
			default: '',
		},
		{
			displayName: 'First Name',
			name: 'firstName',
			type: 'string',
			default: '',
			description: 'At most 40 characters',
		},
		{
			displayName: 'Gender',
			name: 'gender',
			type: 'options',
			default: 'unknown',
			options: [
				{ name: 'Unknown', value: 'unknown' },
				{ name: 'Male', value: 'male' },
				{ name: 'Female', value: 'female' },
			],
		},
		{
			displayName: 'Last Name',
			name: 'lastName',
			type: 'string',
			default: '',
			description: 'At most 40 characters',
		},
		{
			displayName: 'Marketing Notifications',
			name: 'notifications',
			type: 'boolean',
			default: true,
			description: 'Whether the contact gets notifications',
		},
		{ displayName: 'Phone Number', name: 'phoneNumber', type: 'string', default: '' },
		{ displayName: 'Region', name: 'region', type: 'string', default: '' },
		{ displayName: 'Score', name: 'score', type: 'number', default: 0 },
		{
			displayName: 'Status',
			name: 'status',
			type: 'options',
			default: 'visitor',
			options: [
				{ name: 'Visitor', value: 'visitor' },
				{ name: 'User', value: 'user' },
			],
		},
		{
			displayName: 'Tag Names or IDs',
			name: 'tags',
			type: 'multiOptions',
			typeOptions: { loadOptionsMethod: 'getTagNames' },
			default: [],
			description:
				'Tags to set on the contact. Choose from the list, or \
specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
		},
		{
			displayName: 'Timezone',
			name: 'timezone',
			type: 'string',
			default: '',
			placeholder: 'e.g. Europe/Warsaw',
		},
		{
			displayName: 'Unsubscribed',
			name: 'unsubscribed',
			type: 'boolean',
			default: false,
			description: 'Whether the contact is unsubscribed from emails',
		},
	];
	if (withCustomId) {
		options.push({
			displayName: 'Custom ID',
			name: 'customId',
			type: 'string',
			default: '',
			description: 'Your own ID for the contact',
		});
		options.sort((a, b) => a.displayName.localeCompare(b.displayName));
	}
	return {
		displayName,
		name,
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: { show },
		options,
	};
}

/** Reads a user standard-field collection, validates it and maps it to User.com names. */
export function readUserFields(
	this: IExecuteFunctions,
	itemIndex: number,
	name: string,
): IDataObject {
	const ctx = vctx.call(this, itemIndex);
	const raw = this.getNodeParameter(name, itemIndex, {}) as IDataObject;
	const out: IDataObject = {};
	for (const [key, value] of Object.entries(raw)) {
		const apiName = USER_FIELD_MAP[key];
		if (apiName === undefined || value === undefined) continue;
		switch (key) {
			case 'email': {
				const email = optionalEmail(ctx, value, 'Email');
				if (email !== undefined) out.email = email;
				break;
			}
			case 'firstName':
			case 'lastName': {
				const label = key === 'firstName' ? 'First Name' : 'Last Name';
				const text = optionalString(ctx, value, label);
				if (text !== undefined) out[apiName] = checkMaxLength(ctx, text, 40, label);
				break;
			}
			case 'gender':
				if (typeof value === 'string' && value in USER_GENDER)
					out.gender = USER_GENDER[value as keyof typeof USER_GENDER];
				else out.gender = optionalPositiveInt(ctx, value, 'Gender');
				break;
			case 'status':
				if (typeof value === 'string' && value in USER_STATUS)
					out.status = USER_STATUS[value as keyof typeof USER_STATUS];
				else out.status = optionalPositiveInt(ctx, value, 'Status');
				break;
			case 'unsubscribed':
			case 'notifications':
				out[apiName] = value === true || value === 'true';
				break;
			case 'score': {
				const n = optionalNumber(ctx, value, 'Score');
				if (n !== undefined) out.score = n;
				break;
			}
			case 'assignedTo': {
				if (value === 0 || value === '0') break;
				const n = optionalPositiveInt(ctx, value, 'Assigned To (Agent ID)');
				if (n !== undefined) out.assigned_to = n;
				break;
			}
			case 'tags': {
				const tags = splitList(value);
				if (tags.length) out.tags = tags;
				break;
			}
			default: {
				const text = optionalString(ctx, value, key);
				if (text !== undefined) out[apiName] = text;
			}
		}
	}
	return out;
}
