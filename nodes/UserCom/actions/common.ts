import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type {
	IDataObject,
	INode,
	IDisplayOptions,
	IExecuteFunctions,
	INodeParameterResourceLocator,
	INodeProperties,
} from 'n8n-workflow';

import { encodePathId } from '../transport';
import type { ValidationContext } from '../helpers/validation';
import {
	parseJsonObject,
	requireEmail,
	requirePositiveInt,
	requireString,
	validationError,
} from '../helpers/validation';

export interface ObjectRef {
	mode: 'id' | 'customId' | 'email';
	value: string;
	/** the numeric id when mode = id */
	id?: number;
}

/** An error to (re)throw for an item: n8n errors keep their context, anything else is wrapped. */
export function asNodeError(
	node: INode,
	error: unknown,
	itemIndex: number,
): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		if (error.context.itemIndex === undefined) error.context.itemIndex = itemIndex;
		return error;
	}
	return new NodeOperationError(node, error as Error, { itemIndex });
}

export function vctx(this: IExecuteFunctions, itemIndex: number): ValidationContext {
	return { node: this.getNode(), itemIndex };
}

// ---------------------------------------------------------------------------------------------
// Resource locators
// ---------------------------------------------------------------------------------------------

export function locator(options: {
	name: string;
	displayName: string;
	object: 'user' | 'deal' | 'product' | 'company';
	withEmail?: boolean;
	withList?: boolean;
	required?: boolean;
	show: IDisplayOptions['show'];
	description?: string;
}): INodeProperties {
	const listMethod = {
		user: 'searchUsers',
		deal: 'searchDeals',
		product: 'searchProducts',
		company: 'searchCompanies',
	}[options.object];
	const property: INodeProperties = {
		displayName: options.displayName,
		name: options.name,
		type: 'resourceLocator',
		default: { mode: 'id', value: '' },
		required: options.required ?? true,
		description: options.description,
		displayOptions: { show: options.show },
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				typeOptions: { searchListMethod: listMethod, searchable: true },
			},
			{
				displayName: 'By User.com ID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. 12345',
				validation: [
					{
						type: 'regex',
						properties: { regex: '^\\s*[0-9]+\\s*$', errorMessage: 'The User.com ID is a number' },
					},
				],
			},
			{
				displayName: 'By Custom ID',
				name: 'customId',
				type: 'string',
				placeholder: {
					user: 'e.g. customer-42',
					deal: 'e.g. ORD-1001',
					product: 'e.g. SKU-1',
					company: 'e.g. acme',
				}[options.object],
			},
			{
				displayName: 'By Email',
				name: 'email',
				type: 'string',
				placeholder: 'e.g. jane@example.com',
			},
		],
	};
	property.modes = (property.modes ?? []).filter(
		(mode) =>
			(mode.name !== 'list' || options.withList !== false) &&
			(mode.name !== 'email' || options.withEmail === true),
	);
	return property;
}

/** Reads a resource locator parameter and validates it (nothing is sent when it is invalid). */
export function getRef(
	this: IExecuteFunctions,
	name: string,
	label: string,
	itemIndex: number,
): ObjectRef {
	const ctx = vctx.call(this, itemIndex);
	const raw = this.getNodeParameter(name, itemIndex) as
		| INodeParameterResourceLocator
		| string
		| number;
	let mode: string = 'id';
	let value: unknown = raw;
	if (typeof raw === 'object' && raw !== null) {
		mode = (raw.mode as string) ?? 'id';
		value = raw.value;
	}
	if (mode === 'list' || mode === 'id') {
		const id = requirePositiveInt(ctx, value, `${label} (User.com ID)`);
		return { mode: 'id', value: String(id), id };
	}
	if (mode === 'customId') {
		return { mode: 'customId', value: requireString(ctx, value, `${label} (Custom ID)`) };
	}
	if (mode === 'email') {
		return { mode: 'email', value: requireEmail(ctx, value, `${label} (Email)`) };
	}
	throw validationError(
		ctx,
		label,
		`uses an unknown mode "${mode}"`,
		'Choose By User.com ID or By Custom ID.',
	);
}

/**
 * Path of an object given by id or custom id, e.g. users/12/ or users-by-id/abc/.
 * The transport adds the trailing slash; ids are encoded with encodePathId.
 */
export function objectPath(
	this: IExecuteFunctions,
	ref: ObjectRef,
	collection: 'users' | 'deals' | 'products' | 'companies',
	label: string,
	itemIndex: number,
): string {
	if (ref.mode === 'customId' && ref.value.includes('/')) {
		// User.com (Django) decodes %2F before routing, so such an ID can never be found by URL
		throw validationError(
			{ node: this.getNode(), itemIndex },
			`${label} (Custom ID)`,
			`contains "/" (${ref.value}), which User.com cannot look up by custom ID`,
			'Use the User.com ID instead (e.g. from a Get Many or Upsert output).',
		);
	}
	const encoded = encodePathId.call(this, ref.value, label, itemIndex);
	if (ref.mode === 'customId') return `${collection}-by-id/${encoded}/`;
	return `${collection}/${encoded}/`;
}

export function refCorrelation(object: string, ref: ObjectRef): string {
	return `${object} ${ref.mode === 'customId' ? 'custom_id' : ref.mode}=${ref.value}`;
}

// ---------------------------------------------------------------------------------------------
// Shared fields
// ---------------------------------------------------------------------------------------------

export function returnAllFields(show: IDisplayOptions['show']): INodeProperties[] {
	return [
		{
			displayName: 'Return All',
			name: 'returnAll',
			type: 'boolean',
			default: false,
			description: 'Whether to return all results or only up to a given limit',
			displayOptions: { show },
		},
		{
			displayName: 'Limit',
			name: 'limit',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 50,
			description: 'Max number of results to return',
			displayOptions: { show: { ...show, returnAll: [false] } },
		},
	];
}

export function simplifyField(show: IDisplayOptions['show']): INodeProperties {
	return {
		displayName: 'Simplify',
		name: 'simplify',
		type: 'boolean',
		default: true,
		description: 'Whether to return a simplified version of the response instead of the raw data',
		displayOptions: { show },
	};
}

/** Custom attributes chosen from the account's attributes of one content type. */
export function customAttributesField(
	show: IDisplayOptions['show'],
	contentType: 'user' | 'deal' | 'product' | 'company',
	description: string,
): INodeProperties {
	const method = {
		user: 'getUserAttributes',
		deal: 'getDealAttributes',
		product: 'getProductAttributes',
		company: 'getCompanyAttributes',
	}[contentType];
	return {
		displayName: 'Custom Attributes',
		name: 'customAttributes',
		type: 'fixedCollection',
		placeholder: 'Add Custom Attribute',
		default: {},
		typeOptions: { multipleValues: true },
		description,
		displayOptions: { show },
		options: [
			{
				displayName: 'Attribute',
				name: 'attribute',
				values: [
					{
						displayName: 'Name or ID',
						name: 'name',
						type: 'options',
						typeOptions: { loadOptionsMethod: method },
						default: '',
						description:
							'The attribute (its name_std). Choose from the list, or specify an ID using ' +
							'an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
					},
					{
						displayName: 'Value',
						name: 'value',
						type: 'string',
						default: '',
						description:
							'Text, number, true/false, a date (YYYY-MM-DD) or JSON, ' +
							'depending on the attribute type',
					},
				],
			},
		],
	};
}

export function readCustomAttributes(
	this: IExecuteFunctions,
	itemIndex: number,
	paramName = 'customAttributes',
): IDataObject {
	const ctx = vctx.call(this, itemIndex);
	const raw = this.getNodeParameter(paramName, itemIndex, {}) as {
		attribute?: Array<{ name?: string; value?: unknown }>;
	};
	const out: IDataObject = {};
	for (const entry of raw.attribute ?? []) {
		const name = requireString(
			ctx,
			entry.name,
			'Custom Attributes › Name',
			'Choose an attribute or remove the empty row.',
		);
		out[name] = coerceAttributeValue(entry.value);
	}
	return out;
}

/** Attribute values typed as text in the UI: send real booleans/numbers/null where obvious. */
export function coerceAttributeValue(value: unknown): IDataObject[string] {
	if (typeof value !== 'string') return value as IDataObject[string];
	const text = value.trim();
	if (text === 'true') return true;
	if (text === 'false') return false;
	if (text === 'null') return null;
	if (/^-?(0|[1-9]\d{0,14})(\.\d+)?$/.test(text)) return Number(text);
	if (
		(text.startsWith('{') && text.endsWith('}')) ||
		(text.startsWith('[') && text.endsWith(']'))
	) {
		try {
			return JSON.parse(text) as IDataObject[string];
		} catch {
			return value;
		}
	}
	return value;
}

/** Event / product event data: key/value pairs or a JSON object. */
export function dataFields(show: IDisplayOptions['show'], what: string): INodeProperties[] {
	return [
		{
			displayName: 'Data',
			name: 'dataMode',
			type: 'options',
			default: 'keyValue',
			displayOptions: { show },
			options: [
				{ name: 'Key/Value Pairs', value: 'keyValue' },
				{ name: 'JSON', value: 'json' },
			],
			description: `How to give the ${what} data`,
		},
		{
			displayName: 'Data Fields',
			name: 'dataFields',
			type: 'fixedCollection',
			placeholder: 'Add Field',
			default: {},
			typeOptions: { multipleValues: true },
			displayOptions: { show: { ...show, dataMode: ['keyValue'] } },
			options: [
				{
					displayName: 'Field',
					name: 'field',
					values: [
						{ displayName: 'Key', name: 'key', type: 'string', default: '' },
						{ displayName: 'Value', name: 'value', type: 'string', default: '' },
					],
				},
			],
		},
		{
			displayName: 'Data (JSON)',
			name: 'dataJson',
			type: 'json',
			default: '{}',
			displayOptions: { show: { ...show, dataMode: ['json'] } },
			description: `The ${what} data as a JSON object`,
		},
	];
}

export function readData(this: IExecuteFunctions, itemIndex: number): IDataObject {
	const ctx = vctx.call(this, itemIndex);
	const mode = this.getNodeParameter('dataMode', itemIndex, 'keyValue') as string;
	if (mode === 'json') {
		return parseJsonObject(ctx, this.getNodeParameter('dataJson', itemIndex, '{}'), 'Data (JSON)');
	}
	const raw = this.getNodeParameter('dataFields', itemIndex, {}) as {
		field?: Array<{ key?: string; value?: unknown }>;
	};
	const out: IDataObject = {};
	for (const entry of raw.field ?? []) {
		const key = requireString(
			ctx,
			entry.key,
			'Data Fields › Key',
			'Enter a key or remove the empty row.',
		);
		out[key] = coerceAttributeValue(entry.value);
	}
	return out;
}

export function timestampField(show: IDisplayOptions['show']): INodeProperties {
	return {
		displayName: 'Timestamp',
		name: 'timestamp',
		type: 'dateTime',
		default: '',
		displayOptions: { show },
		description:
			'When it happened. Any date n8n understands; sent as UNIX seconds. Empty means now.',
	};
}

/**
 * Removes undefined values (n8n collections leave out unset fields,
 * expressions may give undefined).
 */
export function compact(obj: IDataObject): IDataObject {
	const out: IDataObject = {};
	for (const [k, v] of Object.entries(obj)) if (v !== undefined) out[k] = v;
	return out;
}
