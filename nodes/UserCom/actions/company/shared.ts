import type {
	IDataObject,
	IDisplayOptions,
	IExecuteFunctions,
	INodeProperties,
} from 'n8n-workflow';

import { userComApiRequest } from '../../transport';
import {
	optionalEmail,
	optionalString,
	requireNonNegativeInt,
	requireString,
	splitList,
	validationError,
} from '../../helpers/validation';
import {
	asNodeError,
	getRef,
	locator,
	objectPath,
	refCorrelation,
	vctx,
	type ObjectRef,
} from '../common';

/**
 * Company standard fields (parameter -> User.com field).
 * The own ID is `company_id` in client code (SDK-NET).
 */
const COMPANY_FIELD_MAP: Record<string, string> = {
	name: 'name',
	customId: 'company_id',
	description: 'description',
	email: 'email',
	phoneNumbers: 'phone_numbers',
	address: 'address',
	city: 'city',
	region: 'region',
	country: 'country',
	approxEmployees: 'approx_employees',
};

const FIELD_LABELS: Record<string, string> = {
	name: 'Name',
	customId: 'Custom ID',
	description: 'Description',
	email: 'Email',
	phoneNumbers: 'Phone Numbers',
	address: 'Address',
	city: 'City',
	region: 'Region',
	country: 'Country',
	approxEmployees: 'Approximate Employees',
};

export function companyFields(
	name: string,
	displayName: string,
	show: IDisplayOptions['show'],
	options: { withName?: boolean; withCustomId?: boolean },
): INodeProperties {
	const fields: INodeProperties[] = [
		{ displayName: 'Address', name: 'address', type: 'string', default: '' },
		{
			displayName: 'Approximate Employees',
			name: 'approxEmployees',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 0,
			description: 'Roughly how many people work at the company',
		},
		{ displayName: 'City', name: 'city', type: 'string', default: '' },
		{ displayName: 'Country', name: 'country', type: 'string', default: '' },
		{
			displayName: 'Description',
			name: 'description',
			type: 'string',
			typeOptions: { rows: 2 },
			default: '',
		},
		{
			displayName: 'Email',
			name: 'email',
			type: 'string',
			placeholder: 'name@email.com',
			default: '',
		},
		{
			displayName: 'Phone Numbers',
			name: 'phoneNumbers',
			type: 'string',
			default: '',
			placeholder: 'e.g. +48 500 100 200, +48 22 100 200',
			description: 'Comma-separated phone numbers (replace the ones stored)',
		},
		{ displayName: 'Region', name: 'region', type: 'string', default: '' },
	];
	if (options.withCustomId) {
		fields.push({
			displayName: 'Custom ID',
			name: 'customId',
			type: 'string',
			default: '',
			description: 'Your own ID of the company',
		});
	}
	if (options.withName)
		fields.push({ displayName: 'Name', name: 'name', type: 'string', default: '' });
	fields.sort((a, b) => a.displayName.localeCompare(b.displayName));
	return {
		displayName,
		name,
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: { show },
		options: fields,
	};
}

/** Validates a company field collection and maps it to User.com names. */
export function readCompanyFields(
	this: IExecuteFunctions,
	itemIndex: number,
	collectionName: string,
): IDataObject {
	const ctx = vctx.call(this, itemIndex);
	const raw = this.getNodeParameter(collectionName, itemIndex, {}) as IDataObject;
	const out: IDataObject = {};
	for (const [key, value] of Object.entries(raw)) {
		const api = COMPANY_FIELD_MAP[key];
		// expressions that resolve to nothing leave the field out
		if (api === undefined || value === undefined || value === null) continue;
		const label = FIELD_LABELS[key];
		switch (key) {
			case 'name':
				out.name = requireString(ctx, value, 'Name', 'Enter the company name or remove the field.');
				break;
			case 'customId':
				out.company_id = checkCustomId.call(
					this,
					requireString(ctx, value, 'Custom ID', 'Enter the custom ID or remove the field.'),
					'Custom ID',
					itemIndex,
				);
				break;
			case 'email': {
				const email = optionalEmail(ctx, value, 'Email');
				if (email !== undefined) out.email = email;
				break;
			}
			case 'phoneNumbers': {
				const numbers = splitList(value);
				if (numbers.length) out.phone_numbers = numbers;
				break;
			}
			case 'approxEmployees':
				out.approx_employees = requireNonNegativeInt(ctx, value, label);
				break;
			default: {
				const text = optionalString(ctx, value, label);
				if (text !== undefined) out[api] = text;
			}
		}
	}
	return out;
}

/** A custom ID that can also be used in a companies-by-id/ path later. */
export function checkCustomId(
	this: IExecuteFunctions,
	customId: string,
	label: string,
	itemIndex: number,
): string {
	if (customId.includes('/')) {
		throw validationError(
			vctx.call(this, itemIndex),
			label,
			`contains "/" (${customId}), which User.com cannot look up by custom ID`,
			'Use a custom ID without "/".',
		);
	}
	return customId;
}

export function companyLocator(show: IDisplayOptions['show']): INodeProperties {
	return locator({ name: 'company', displayName: 'Company', object: 'company', show });
}

export function getCompanyRef(this: IExecuteFunctions, itemIndex: number): ObjectRef {
	return getRef.call(this, 'company', 'Company', itemIndex);
}

/** companies/<id>/ or companies-by-id/<custom id>/ */
export function companyPath(this: IExecuteFunctions, ref: ObjectRef, itemIndex: number): string {
	return objectPath.call(this, ref, 'companies', 'Company', itemIndex);
}

export function companyCorrelation(ref: ObjectRef): string {
	return refCorrelation('company', ref);
}

/** How outputs name the company an action was applied to. */
export function companyRefJson(ref: ObjectRef): IDataObject {
	return ref.mode === 'id' ? { company_id: ref.id } : { company_custom_id: ref.value };
}

/**
 * Sets company custom attributes after a create or update: User.com's client code sets them with
 * set_multiple_attributes (whether create/update bodies take them is not known). Returns the
 * company to output. If this second request fails, the error says the company itself was saved.
 */
export async function setAttributesAfterWrite(
	this: IExecuteFunctions,
	itemIndex: number,
	company: IDataObject,
	attributes: IDataObject,
	/** what the first request did; 'nothing' when the attributes are the only change */
	what: 'created' | 'updated' | 'nothing',
	/** where to send them; default: the company's User.com ID */
	target?: ObjectRef,
): Promise<IDataObject> {
	if (Object.keys(attributes).length === 0) return company;
	const ref: ObjectRef = target ?? {
		mode: 'id',
		value: String(company.id),
		id: Number(company.id),
	};
	const id = company.id ?? ref.value;
	try {
		const response = (await userComApiRequest.call(this, {
			method: 'POST',
			path: `${companyPath.call(this, ref, itemIndex)}set_multiple_attributes/`,
			body: attributes,
			itemIndex,
			writeKind: 'idempotent',
			correlation: companyCorrelation(ref),
		})) as unknown;
		if (
			response &&
			typeof response === 'object' &&
			!Array.isArray(response) &&
			(response as IDataObject).id !== undefined
		) {
			return response as IDataObject;
		}
		return { ...company, custom_attributes: attributes };
	} catch (error) {
		const nodeError = asNodeError(this.getNode(), error, itemIndex);
		if (what === 'nothing') throw nodeError;
		const note =
			`The company itself was ${what} (ID ${String(id)}); only its custom attributes were not ` +
			'set. Fix them and run Set Custom Attributes, or re-run with Create or Update.';
		nodeError.description = [nodeError.description, note].filter(Boolean).join('\n');
		// the error output shows the normalized error the transport attached
		const normalized = (nodeError.context as { userCom?: { description?: string } }).userCom;
		if (normalized)
			normalized.description = [normalized.description, note].filter(Boolean).join('\n');
		throw nodeError;
	}
}

/** A NodeOperationError for an empty required set of changes. */
export function nothingToChange(this: IExecuteFunctions, itemIndex: number, field: string) {
	return validationError(
		vctx.call(this, itemIndex),
		field,
		'are all empty',
		'Add at least one field to change.',
	);
}
