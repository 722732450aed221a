import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { encodePathId, userComApiRequestAllItems } from '../../transport';
import { simplifyUser } from '../../helpers/mapping';
import {
	optionalEmail,
	requireOneOf,
	requireString,
	validationError,
	type ValidationContext,
} from '../../helpers/validation';
import { returnAllFields, simplifyField, vctx } from '../common';
import { noRecordKeys } from '../recordKeys';

/** Django-style lookups User.com's search takes on custom attributes (SDK-NET FilterExtensions). */
const ATTRIBUTE_OPERATORS = [
	{ name: 'Contains', value: 'contains' },
	{ name: 'Contains (Ignore Case)', value: 'icontains' },
	{ name: 'Starts With', value: 'startswith' },
	{ name: 'Starts With (Ignore Case)', value: 'istartswith' },
	{ name: 'Ends With', value: 'endswith' },
	{ name: 'Ends With (Ignore Case)', value: 'iendswith' },
	{ name: 'Greater Than', value: 'gt' },
	{ name: 'Greater Than or Equal', value: 'gte' },
	{ name: 'Less Than', value: 'lt' },
	{ name: 'Less Than or Equal', value: 'lte' },
] as const;
type AttributeOperator = (typeof ATTRIBUTE_OPERATORS)[number]['value'];
const OPERATOR_VALUES = ATTRIBUTE_OPERATORS.map((o) => o.value) as AttributeOperator[];

const show = { resource: ['user'], operation: ['getAll'] };

export const description: INodeProperties[] = [
	...returnAllFields(show),
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		displayOptions: { show },
		description: 'User.com filters by one of these at a time',
		options: [
			{
				displayName: 'Custom Attribute',
				name: 'attributeConditions',
				type: 'fixedCollection',
				placeholder: 'Add Condition',
				default: {},
				typeOptions: { multipleValues: true },
				description:
					'Contacts whose custom attributes match every condition (User.com search lookups)',
				options: [
					{
						displayName: 'Condition',
						name: 'condition',
						values: [
							{
								displayName: 'Attribute Name or ID',
								name: 'attribute',
								type: 'options',
								typeOptions: { loadOptionsMethod: 'getUserAttributes' },
								default: '',
								description:
									'The attribute (its name_std). Choose from the list, or \
specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
							},
							{
								displayName: 'Operator',
								name: 'operator',
								type: 'options',
								default: 'icontains',
								options: ATTRIBUTE_OPERATORS.map((o) => ({ name: o.name, value: o.value })),
							},
							{ displayName: 'Value', name: 'value', type: 'string', default: '' },
						],
					},
				],
			},
			{
				displayName: 'Email',
				name: 'email',
				type: 'string',
				placeholder: 'name@email.com',
				default: '',
				description: 'All contacts with exactly this email',
			},
			{
				displayName: 'Phone Number',
				name: 'phoneNumber',
				type: 'string',
				placeholder: 'e.g. +48500100200',
				default: '',
				description: 'All contacts with exactly this phone number',
			},
			{
				displayName: 'Segment Name or ID',
				name: 'segmentId',
				type: 'options',
				typeOptions: { loadOptionsMethod: 'getSegments' },
				default: '',
				description:
					'Contacts in this segment. Choose from the list, or \
specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			},
			{
				displayName: 'Tag Name or ID',
				name: 'tagId',
				type: 'options',
				typeOptions: { loadOptionsMethod: 'getTagIds' },
				default: '',
				description:
					'Contacts with this tag. Choose from the list, or \
specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			},
		],
	},
	simplifyField(show),
];

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const ctx = vctx.call(this, itemIndex);
	const returnAll = this.getNodeParameter('returnAll', itemIndex, false) as boolean;
	const limit = returnAll ? undefined : (this.getNodeParameter('limit', itemIndex, 50) as number);
	const simplify = this.getNodeParameter('simplify', itemIndex, true) as boolean;
	const filters = this.getNodeParameter('filters', itemIndex, {}) as IDataObject;
	const active = Object.entries(filters).filter(([key, v]) => {
		if (key === 'attributeConditions')
			return ((v as IDataObject | undefined)?.condition as unknown[] | undefined)?.length;
		return v !== undefined && v !== '' && v !== null;
	});
	if (active.length > 1) {
		throw validationError(
			ctx,
			'Filters',
			`has ${active.length} filters (${active.map(([k]) => k).join(', ')}) ` +
				'but User.com filters by one at a time',
			'Keep one filter (Custom Attribute, Email, Phone Number, Segment or Tag) ' +
				'and filter the rest with an n8n Filter node.',
		);
	}
	let path = 'users/';
	const qs: IDataObject = {};
	if (active.length === 1) {
		const [key, value] = active[0];
		if (key === 'email') {
			path = 'users/search/';
			qs.email = optionalEmail(ctx, value, 'Filters › Email');
			qs.many = true;
		} else if (key === 'phoneNumber') {
			// documented only in client code (SDK-NET): one contact without many=true, like email
			path = 'users/search/';
			qs.phone_number = requireString(ctx, value, 'Filters › Phone Number');
			qs.many = true;
		} else if (key === 'attributeConditions') {
			path = 'users/search/';
			Object.assign(qs, attributeQuery(ctx, value as IDataObject));
		} else if (key === 'segmentId') {
			path = `segments/${encodePathId.call(this, value, 'Filters › Segment', itemIndex)}/users/`;
		} else if (key === 'tagId') {
			path = `tags/${encodePathId.call(this, value, 'Filters › Tag', itemIndex)}/users/`;
		}
	}
	const users = await userComApiRequestAllItems.call(
		this,
		{ method: 'GET', path, qs, itemIndex },
		limit,
	);
	const limited = limit === undefined ? users : users.slice(0, limit);
	return limited.map((user) => ({ json: simplify ? simplifyUser(user) : user }));
}

/**
 * `<name_std>__<lookup>=<value>` query parameters; every condition checked before anything is sent.
 */
function attributeQuery(ctx: ValidationContext, raw: IDataObject): IDataObject {
	const qs: IDataObject = {};
	const conditions = (raw.condition as IDataObject[] | undefined) ?? [];
	conditions.forEach((condition, index) => {
		const label = (field: string) => `Filters › Custom Attribute[${index}] › ${field}`;
		const attribute = requireString(
			ctx,
			condition.attribute,
			label('Attribute'),
			'Choose an attribute or remove the condition.',
		);
		const operator = requireOneOf(
			ctx,
			condition.operator ?? 'icontains',
			OPERATOR_VALUES,
			label('Operator'),
		);
		const value = requireString(
			ctx,
			condition.value,
			label('Value'),
			'Enter the value to compare with, or remove the condition.',
		);
		const key = `${attribute}__${operator}`;
		if (key in qs) {
			throw validationError(
				ctx,
				label('Operator'),
				`repeats ${attribute} ${operator}`,
				'Keep one condition per attribute and operator.',
			);
		}
		qs[key] = value;
	});
	return qs;
}

/** A listing: touches no record in particular. */
export const recordKeys = noRecordKeys;
