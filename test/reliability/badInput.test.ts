/**
 * Bad input corpus: values a workflow can hand the node by mistake. Each one must fail with an error
 * that names the field, and nothing may reach User.com (the emulator's request log stays empty).
 * Where only User.com can judge a value (a custom ID with `?`, `#`, spaces, `%` or non-ASCII
 * characters), the request must be well-formed: the ID is percent-encoded into one path segment and
 * decodes back to exactly the given value.
 */
import type { IDataObject, INodeParameterResourceLocator, INodeParameters } from 'n8n-workflow';

import { startEmulator, type Emulator } from '../emulator';
import { lostItems, record, runChecked } from './helpers';
import { resetTransport } from '../../nodes/UserCom/transport/testing';

type Refused = { kind: 'refused'; field: RegExp };
type Encoded = { kind: 'encoded'; path: string; value: string };
interface BadCase {
	name: string;
	params: INodeParameters;
	item?: IDataObject;
	expect: Refused | Encoded;
}

const rl = (mode: string, value: unknown): INodeParameterResourceLocator => ({
	__rl: true,
	mode,
	value: value as string,
});
const refused = (field: string | RegExp): Refused => ({
	kind: 'refused',
	field:
		typeof field === 'string' ? new RegExp(field.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : field,
});
const encoded = (path: string, value: string): Encoded => ({ kind: 'encoded', path, value });

const user = (operation: string, extra: INodeParameters): INodeParameters => ({
	resource: 'user',
	operation,
	...extra,
});
const deal = (operation: string, extra: INodeParameters): INodeParameters => ({
	resource: 'deal',
	operation,
	...extra,
});
const event = (extra: INodeParameters): INodeParameters => ({
	resource: 'event',
	operation: 'create',
	user: rl('customId', 'u-1'),
	eventName: 'ok_event',
	...extra,
});
const product = (operation: string, extra: INodeParameters): INodeParameters => ({
	resource: 'product',
	operation,
	...extra,
});
const company = (operation: string, extra: INodeParameters): INodeParameters => ({
	resource: 'company',
	operation,
	...extra,
});
const member = (operation: string, contact: INodeParameterResourceLocator): INodeParameters =>
	company(operation, { company: rl('customId', 'acme'), user: contact });
const productEvent = (extra: INodeParameters): INodeParameters =>
	product('createEvent', {
		product: rl('customId', 'SKU-1'),
		user: rl('customId', 'u-1'),
		eventType: 'purchase',
		...extra,
	});
const dealCreate = (fields: IDataObject, extra: INodeParameters = {}): INodeParameters =>
	deal('create', { name: 'Order', additionalFields: fields as INodeParameters, ...extra });
const orderLine = (line: IDataObject): INodeParameters => ({
	orderProducts: { product: [{ productBy: 'customId', productCustomId: 'SKU-1', ...line }] },
});

const LONG = 'x'.repeat(41);
const VERY_LONG = 'y'.repeat(5000);

const CASES: BadCase[] = [
	// ---- User: required custom ID, names, email
	{
		name: 'user upsert: empty custom ID',
		params: user('upsert', { customId: '' }),
		expect: refused('"Custom ID"'),
	},
	{
		name: 'user upsert: whitespace custom ID',
		params: user('upsert', { customId: '   ' }),
		expect: refused('"Custom ID"'),
	},
	{
		name: 'user upsert: custom ID expression -> null',
		params: user('upsert', { customId: '={{ $json.cid }}' }),
		item: { cid: null },
		expect: refused('"Custom ID"'),
	},
	{
		name: 'user upsert: custom ID expression -> missing field',
		params: user('upsert', { customId: '={{ $json.nope }}' }),
		item: {},
		expect: refused('"Custom ID"'),
	},
	{
		name: 'user upsert: custom ID is an object',
		params: user('upsert', { customId: '={{ $json.cid }}' }),
		item: { cid: { a: 1 } },
		expect: refused('"Custom ID"'),
	},
	{
		name: 'user upsert: invalid email',
		params: user('upsert', { customId: 'c-1', additionalFields: { email: 'not-an-email' } }),
		expect: refused('"Email"'),
	},
	{
		name: 'user upsert: email with a space',
		params: user('upsert', { customId: 'c-1', additionalFields: { email: 'a b@example.com' } }),
		expect: refused('"Email"'),
	},
	{
		name: 'user upsert: first name of 41 characters',
		params: user('upsert', { customId: 'c-1', additionalFields: { firstName: LONG } }),
		expect: refused('"First Name"'),
	},
	{
		name: 'user upsert: last name of 5000 characters',
		params: user('upsert', { customId: 'c-1', additionalFields: { lastName: VERY_LONG } }),
		expect: refused('"Last Name"'),
	},
	{
		name: 'user create: first name of 41 characters',
		params: user('create', { additionalFields: { firstName: LONG, email: 'ok@example.com' } }),
		expect: refused('"First Name"'),
	},
	{
		name: 'user upsert: custom attribute without a name',
		params: user('upsert', {
			customId: 'c-1',
			customAttributes: { attribute: [{ name: '', value: 'x' }] },
		}),
		expect: refused('Custom Attributes › Name'),
	},
	// ---- User: ids in the locator
	{
		name: 'user get: id 0',
		params: user('get', { user: rl('id', 0) }),
		expect: refused('User (User.com ID)'),
	},
	{
		name: 'user get: negative id',
		params: user('get', { user: rl('id', -5) }),
		expect: refused('User (User.com ID)'),
	},
	{
		name: 'user get: float id',
		params: user('get', { user: rl('id', 1.5) }),
		expect: refused('User (User.com ID)'),
	},
	{
		name: 'user get: id as text',
		params: user('get', { user: rl('id', 'abc') }),
		expect: refused('User (User.com ID)'),
	},
	{
		name: 'user get: id "12abc"',
		params: user('get', { user: rl('id', '12abc') }),
		expect: refused('User (User.com ID)'),
	},
	{
		name: 'user get: id as "1e3"',
		params: user('get', { user: rl('id', '1e3') }),
		expect: refused('User (User.com ID)'),
	},
	{
		name: 'user get: empty id',
		params: user('get', { user: rl('id', '') }),
		expect: refused('User (User.com ID)'),
	},
	{
		name: 'user get: id expression -> null',
		params: user('get', { user: rl('id', '={{ $json.id }}') }),
		item: { id: null },
		expect: refused('User (User.com ID)'),
	},
	{
		name: 'user get: empty custom ID',
		params: user('get', { user: rl('customId', '') }),
		expect: refused('User (Custom ID)'),
	},
	{
		name: 'user get: whitespace custom ID',
		params: user('get', { user: rl('customId', ' \t ') }),
		expect: refused('User (Custom ID)'),
	},
	{
		name: 'user get: custom ID with "/"',
		params: user('get', { user: rl('customId', 'a/b') }),
		expect: refused('User (Custom ID)'),
	},
	{
		name: 'user get: custom ID ".."',
		params: user('get', { user: rl('customId', '..') }),
		expect: refused(/User/),
	},
	{
		name: 'user get: custom ID "."',
		params: user('get', { user: rl('customId', '.') }),
		expect: refused(/User/),
	},
	{
		name: 'user delete: custom ID "../admin"',
		params: user('delete', { user: rl('customId', '../admin') }),
		expect: refused('User (Custom ID)'),
	},
	{
		name: 'user update: custom ID "a/../b"',
		params: user('update', { user: rl('customId', 'a/../b'), updateFields: { firstName: 'X' } }),
		expect: refused('User (Custom ID)'),
	},
	{
		name: 'user get: empty email',
		params: user('get', { user: rl('email', '') }),
		expect: refused('User (Email)'),
	},
	{
		name: 'user update: id as text',
		params: user('update', { user: rl('id', 'abc'), updateFields: { firstName: 'X' } }),
		expect: refused('User (User.com ID)'),
	},
	{
		name: 'user addTag: empty tag',
		params: user('addTag', { user: rl('customId', 'u-1'), tagName: '' }),
		expect: refused('"Tag"'),
	},
	{
		name: 'user getAll: invalid email filter',
		params: user('getAll', { filters: { email: 'nope' } }),
		expect: refused('Filters › Email'),
	},
	// ---- User: custom IDs only User.com can judge -> encoded, well-formed
	{
		name: 'user get: custom ID with "?"',
		params: user('get', { user: rl('customId', 'a?b') }),
		expect: encoded('/api/public/users-by-id/a%3Fb/', 'a?b'),
	},
	{
		name: 'user get: custom ID with "#"',
		params: user('get', { user: rl('customId', 'a#b') }),
		expect: encoded('/api/public/users-by-id/a%23b/', 'a#b'),
	},
	{
		name: 'user get: custom ID with spaces',
		params: user('get', { user: rl('customId', 'ann lee') }),
		expect: encoded('/api/public/users-by-id/ann%20lee/', 'ann lee'),
	},
	{
		name: 'user get: unicode custom ID',
		params: user('get', { user: rl('customId', 'zażółć-☃') }),
		expect: encoded(`/api/public/users-by-id/${encodeURIComponent('zażółć-☃')}/`, 'zażółć-☃'),
	},
	{
		name: 'user get: custom ID with "%2F" text',
		params: user('get', { user: rl('customId', 'a%2Fb') }),
		expect: encoded('/api/public/users-by-id/a%252Fb/', 'a%2Fb'),
	},
	{
		name: 'user get: custom ID "?x=1&y=#z"',
		params: user('get', { user: rl('customId', '?x=1&y=#z') }),
		expect: encoded(`/api/public/users-by-id/${encodeURIComponent('?x=1&y=#z')}/`, '?x=1&y=#z'),
	},
	{
		name: 'user delete: custom ID with "?"',
		params: user('delete', { user: rl('customId', 'del?me') }),
		expect: encoded('/api/public/users-by-id/del%3Fme/', 'del?me'),
	},
	// ---- Event
	{ name: 'event: empty name', params: event({ eventName: '' }), expect: refused('"Event Name"') },
	{
		name: 'event: whitespace name',
		params: event({ eventName: '   ' }),
		expect: refused('"Event Name"'),
	},
	{
		name: 'event: name expression -> null',
		params: event({ eventName: '={{ $json.name }}' }),
		item: { name: null },
		expect: refused('"Event Name"'),
	},
	{
		name: 'event: unparseable timestamp',
		params: event({ timestamp: 'not a date' }),
		expect: refused('"Timestamp"'),
	},
	{
		name: 'event: impossible date',
		params: event({ timestamp: '2026-13-45' }),
		expect: refused('"Timestamp"'),
	},
	{
		name: 'event: invalid JSON data',
		params: event({ dataMode: 'json', dataJson: '{"a": 1' }),
		expect: refused('"Data (JSON)"'),
	},
	{
		name: 'event: JSON data is an array',
		params: event({ dataMode: 'json', dataJson: '[1, 2]' }),
		expect: refused('"Data (JSON)"'),
	},
	{
		name: 'event: JSON data is a string',
		params: event({ dataMode: 'json', dataJson: '"text"' }),
		expect: refused('"Data (JSON)"'),
	},
	{
		name: 'event: JSON data is a number',
		params: event({ dataMode: 'json', dataJson: '42' }),
		expect: refused('"Data (JSON)"'),
	},
	{
		name: 'event: data expression -> array',
		params: event({ dataMode: 'json', dataJson: '={{ $json.data }}' }),
		item: { data: [1, 2] },
		expect: refused('"Data (JSON)"'),
	},
	{
		name: 'event: data field without key',
		params: event({ dataFields: { field: [{ key: '', value: 'x' }] } }),
		expect: refused('Data Fields › Key'),
	},
	{
		name: 'event: user id 0',
		params: event({ user: rl('id', 0) }),
		expect: refused('User (User.com ID)'),
	},
	{
		name: 'event: empty user custom ID',
		params: event({ user: rl('customId', '') }),
		expect: refused('User (Custom ID)'),
	},
	{
		name: 'event: user custom ID with "/"',
		params: event({ user: rl('customId', 'u/1') }),
		expect: refused('User (Custom ID)'),
	},
	// ---- Deal
	{
		name: 'deal create: empty name',
		params: deal('create', { name: '' }),
		expect: refused('"Name"'),
	},
	{
		name: 'deal create: whitespace name',
		params: deal('create', { name: '  ' }),
		expect: refused('"Name"'),
	},
	{
		name: 'deal create: name expression -> null',
		params: deal('create', { name: '={{ $json.n }}' }),
		item: { n: null },
		expect: refused('"Name"'),
	},
	{
		name: 'deal create: negative value',
		params: dealCreate({ value: -1, currency: 'EUR' }),
		expect: refused('"Value"'),
	},
	{
		name: 'deal create: non-numeric value',
		params: dealCreate({ value: '={{ $json.v }}', currency: 'EUR' }),
		item: { v: 'abc' },
		expect: refused('"Value"'),
	},
	{
		name: 'deal create: value "12,50"',
		params: dealCreate({ value: '={{ $json.v }}', currency: 'EUR' }),
		item: { v: '12,50' },
		expect: refused('"Value"'),
	},
	{
		name: 'deal create: value "Infinity"',
		params: dealCreate({ value: '={{ $json.v }}', currency: 'EUR' }),
		item: { v: 'Infinity' },
		expect: refused('"Value"'),
	},
	{
		name: 'deal create: unknown currency "EURO"',
		params: dealCreate({ value: 10, currency: 'EURO' }),
		expect: refused('"Currency"'),
	},
	{
		name: 'deal create: unknown currency "XYZ"',
		params: dealCreate({ value: 10, currency: 'XYZ' }),
		expect: refused('"Currency"'),
	},
	{
		name: 'deal create: value without currency',
		params: dealCreate({ value: 10 }),
		expect: refused('"Currency"'),
	},
	{
		name: 'deal create: unknown status',
		params: dealCreate({ status: 'done' }),
		expect: refused('"Status"'),
	},
	{
		name: 'deal create: user id as text',
		params: dealCreate({ userId: 'abc' }),
		expect: refused('"User ID"'),
	},
	{
		name: 'deal create: negative user id',
		params: dealCreate({ userId: '-3' }),
		expect: refused('"User ID"'),
	},
	{
		name: 'deal create: float user id',
		params: dealCreate({ userId: '1.5' }),
		expect: refused('"User ID"'),
	},
	{
		name: 'deal create: user id and user custom id',
		params: dealCreate({ userId: '5', userCustomId: 'u-1' }),
		expect: refused('"User ID"'),
	},
	{
		name: 'deal create: product ids "1, x"',
		params: dealCreate({ productIds: '1, x' }),
		expect: refused('"Product IDs"'),
	},
	{
		name: 'deal create: unparseable close date',
		params: dealCreate({ expectedCloseDate: 'someday' }),
		expect: refused('"Expected Close Date"'),
	},
	{
		name: 'deal create: order line negative value',
		params: dealCreate({ currency: 'EUR' }, orderLine({ value: -5 })),
		expect: refused('Order Products[0] › Value'),
	},
	{
		name: 'deal create: order line quantity "two"',
		params: dealCreate({ currency: 'EUR' }, orderLine({ quantity: 'two' })),
		expect: refused('Order Products[0] › Quantity'),
	},
	{
		name: 'deal create: order line without product',
		params: dealCreate({ currency: 'EUR' }, orderLine({ productCustomId: '' })),
		expect: refused('Order Products[0] › Product Custom ID'),
	},
	{
		name: 'deal create: order line unknown currency',
		params: dealCreate({}, orderLine({ currency: 'ZZZ' })),
		expect: refused('Order Products[0] › Currency'),
	},
	{
		name: 'deal upsert: empty custom ID',
		params: deal('upsert', { customId: '', name: 'x' }),
		expect: refused('"Custom ID"'),
	},
	{
		name: 'deal upsert: empty name',
		params: deal('upsert', { customId: 'ORD-1', name: '' }),
		expect: refused('"Name"'),
	},
	{
		name: 'deal get: id as text',
		params: deal('get', { deal: rl('id', 'abc') }),
		expect: refused('Deal (User.com ID)'),
	},
	{
		name: 'deal delete: id 0',
		params: deal('delete', { deal: rl('id', 0) }),
		expect: refused('Deal (User.com ID)'),
	},
	{
		name: 'deal delete: custom ID with "/"',
		params: deal('delete', { deal: rl('customId', 'ORD/1') }),
		expect: refused('Deal (Custom ID)'),
	},
	{
		name: 'deal get: custom ID "ORD #1"',
		params: deal('get', { deal: rl('customId', 'ORD #1') }),
		expect: encoded('/api/public/deals-by-id/ORD%20%231/', 'ORD #1'),
	},
	// ---- Product
	{
		name: 'product create: empty name',
		params: product('create', { name: '' }),
		expect: refused('"Name"'),
	},
	{
		name: 'product create: negative price',
		params: product('create', { name: 'Mug', additionalFields: { price: -1 } }),
		expect: refused('"Price"'),
	},
	{
		name: 'product create: price "cheap"',
		params: product('create', { name: 'Mug', additionalFields: { price: '={{ $json.p }}' } }),
		item: { p: 'cheap' },
		expect: refused('"Price"'),
	},
	{
		name: 'product event: unknown event type',
		params: productEvent({ eventType: 'bought' }),
		expect: refused('"Event Type"'),
	},
	{
		name: 'product event: empty event type',
		params: productEvent({ eventType: '' }),
		expect: refused('"Event Type"'),
	},
	{
		name: 'product event: unparseable timestamp',
		params: productEvent({ timestamp: 'yesterday' }),
		expect: refused('"Timestamp"'),
	},
	{
		name: 'product event: invalid JSON data',
		params: productEvent({ dataMode: 'json', dataJson: '{' }),
		expect: refused('"Data (JSON)"'),
	},
	{
		name: 'product get: id 0',
		params: product('get', { product: rl('id', 0) }),
		expect: refused('Product (User.com ID)'),
	},
	{
		name: 'product get: custom ID "SKU?1"',
		params: product('get', { product: rl('customId', 'SKU?1') }),
		expect: encoded('/api/public/products-by-id/SKU%3F1/details/', 'SKU?1'),
	},
	// ---- Company
	{
		name: 'company create: empty name',
		params: company('create', { name: '' }),
		expect: refused('"Name"'),
	},
	{
		name: 'company create: name expression -> null',
		params: company('create', { name: '={{ $json.n }}' }),
		item: { n: null },
		expect: refused('"Name"'),
	},
	{
		name: 'company create: invalid email',
		params: company('create', { name: 'Acme', additionalFields: { email: 'acme.example' } }),
		expect: refused('"Email"'),
	},
	{
		name: 'company create: negative employees',
		params: company('create', { name: 'Acme', additionalFields: { approxEmployees: -1 } }),
		expect: refused('"Approximate Employees"'),
	},
	{
		name: 'company create: employees "1.5"',
		params: company('create', {
			name: 'Acme',
			additionalFields: { approxEmployees: '={{ $json.e }}' },
		}),
		item: { e: '1.5' },
		expect: refused('"Approximate Employees"'),
	},
	{
		name: 'company create: custom ID with "/"',
		params: company('create', { name: 'Acme', additionalFields: { customId: 'a/b' } }),
		expect: refused('"Custom ID"'),
	},
	{
		name: 'company create: custom attribute without a name',
		params: company('create', {
			name: 'Acme',
			customAttributes: { attribute: [{ name: '', value: 'x' }] },
		}),
		expect: refused('Custom Attributes › Name'),
	},
	{
		name: 'company upsert: empty custom ID',
		params: company('upsert', { customId: '', name: 'Acme' }),
		expect: refused('"Custom ID"'),
	},
	{
		name: 'company upsert: custom ID is an object',
		params: company('upsert', { customId: '={{ $json.c }}', name: 'Acme' }),
		item: { c: { a: 1 } },
		expect: refused('"Custom ID"'),
	},
	{
		name: 'company upsert: custom ID "../x"',
		params: company('upsert', { customId: '../x', name: 'Acme' }),
		expect: refused('"Custom ID"'),
	},
	{
		name: 'company upsert: empty name',
		params: company('upsert', { customId: 'acme', name: ' ' }),
		expect: refused('"Name"'),
	},
	{
		name: 'company update: nothing to change',
		params: company('update', { company: rl('customId', 'acme') }),
		expect: refused('"Update Fields"'),
	},
	{
		name: 'company get: id as text',
		params: company('get', { company: rl('id', 'abc') }),
		expect: refused('Company (User.com ID)'),
	},
	{
		name: 'company delete: id 0',
		params: company('delete', { company: rl('id', 0) }),
		expect: refused('Company (User.com ID)'),
	},
	{
		name: 'company delete: custom ID with "/"',
		params: company('delete', { company: rl('customId', 'a/b') }),
		expect: refused('Company (Custom ID)'),
	},
	{
		name: 'company addTag: empty tag',
		params: company('addTag', { company: rl('customId', 'acme'), tagName: '' }),
		expect: refused('"Tag"'),
	},
	{
		name: 'company setCustomAttributes: none',
		params: company('setCustomAttributes', { company: rl('customId', 'acme') }),
		expect: refused('"Custom Attributes"'),
	},
	{
		name: 'company addMember: contact email invalid',
		params: member('addMember', rl('email', 'not-an-email')),
		expect: refused('Contact (Email)'),
	},
	{
		name: 'company addMember: contact id as text',
		params: member('addMember', rl('id', 'abc')),
		expect: refused('Contact (User.com ID)'),
	},
	{
		name: 'company removeMember: contact custom ID with "/"',
		params: member('removeMember', rl('customId', 'u/1')),
		expect: refused('Contact (Custom ID)'),
	},
	{
		name: 'company addMember: company id 0',
		params: company('addMember', { company: rl('id', 0), user: rl('id', 1) }),
		expect: refused('Company (User.com ID)'),
	},
	{
		name: 'company get: custom ID "ACME #1"',
		params: company('get', { company: rl('customId', 'ACME #1') }),
		expect: encoded('/api/public/companies-by-id/ACME%20%231/', 'ACME #1'),
	},
	// ---- User: match by email, new filters
	{
		name: 'user upsert by email: empty email',
		params: user('upsert', { matchBy: 'email', email: '' }),
		expect: refused('"Email"'),
	},
	{
		name: 'user upsert by email: invalid email',
		params: user('upsert', { matchBy: 'email', email: 'ann@' }),
		expect: refused('"Email"'),
	},
	{
		name: 'user upsert by email: a second, different email',
		params: user('upsert', {
			matchBy: 'email',
			email: 'a@example.com',
			additionalFields: { email: 'b@example.com' },
		}),
		expect: refused('Fields › Email'),
	},
	{
		name: 'user getAll: attribute condition without value',
		params: user('getAll', {
			filters: {
				attributeConditions: {
					condition: [{ attribute: 'plan', operator: 'contains', value: '' }],
				},
			},
		}),
		expect: refused('Custom Attribute[0] › Value'),
	},
	{
		name: 'user getAll: attribute condition unknown operator',
		params: user('getAll', {
			filters: {
				attributeConditions: { condition: [{ attribute: 'plan', operator: 'like', value: 'x' }] },
			},
		}),
		expect: refused('Custom Attribute[0] › Operator'),
	},
	{
		name: 'user getAll: phone and email filters together',
		params: user('getAll', { filters: { phoneNumber: '+1', email: 'a@example.com' } }),
		expect: refused('"Filters"'),
	},
	// ---- Import: a row without its identifier is not uploaded
	{
		name: 'import users: row without custom_id or email',
		params: {
			resource: 'import',
			operation: 'importUsers',
			mappingMode: 'defineBelow',
			columns: {
				column: [
					{ name: 'first_name', value: '={{ $json.n }}' },
					{ name: 'email', value: '={{ $json.e }}' },
				],
			},
		},
		item: { n: 'Ann', e: '' },
		expect: refused(/email|custom_id/),
	},
	{
		name: 'import products: row without custom_id',
		params: {
			resource: 'import',
			operation: 'importProducts',
			mappingMode: 'defineBelow',
			columns: {
				column: [
					{ name: 'name', value: 'Mug' },
					{ name: 'custom_id', value: '={{ $json.c }}' },
				],
			},
		},
		item: { c: null },
		expect: refused(/custom_id/),
	},
];

let emu: Emulator;

beforeAll(async () => {
	emu = await startEmulator({
		port: 0,
		rateLimit: 0,
		seed: {
			users: [{ custom_id: 'u-1', email: 'ann@example.com' }],
			products: [{ custom_id: 'SKU-1', name: 'Mug', price: 1 }],
		},
	});
});
afterAll(async () => {
	await emu.close();
	resetTransport();
});
beforeEach(() => {
	emu.requestLog.length = 0;
});

test('the corpus has at least 60 cases', () => {
	expect(CASES.length).toBeGreaterThanOrEqual(60);
});

describe('bad input', () => {
	test.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
		const run = await runChecked(c.params, [c.item ?? {}], {
			credentials: { subdomain: emu.url, apiKey: emu.apiKey, rateLimit: 100 },
			continueOnFail: true,
		});
		const items = run.result?.items ?? [];
		const lost = run.result ? lostItems(1, items) : 1;
		record({
			section: 'bad input',
			name: c.name,
			sent: 1,
			success: run.result?.successItems.length ?? 0,
			error: run.result?.errorItems.length ?? 0,
			lost,
			leaks: run.leaks.length,
		});
		expect(run.thrown).toBeUndefined();
		expect(run.leaks).toEqual([]);
		expect(lost).toBe(0);
		const log = emu.requestLog;
		if (c.expect.kind === 'refused') {
			expect(run.result?.errorItems).toHaveLength(1);
			const json = run.result!.errorItems[0].json;
			const error = json.error as IDataObject;
			const text = `${String(json.message)}\n${String(error.description ?? '')}`;
			expect(text).toMatch(c.expect.field);
			expect(error.category).toBe('input');
			expect(log.map((e) => `${e.method} ${e.path}`)).toEqual([]);
		} else {
			expect(log).toHaveLength(1);
			expect(log[0].path).toBe(c.expect.path);
			// one path segment that decodes back to the exact value
			const segment = c.expect.path.split('/')[4];
			expect(decodeURIComponent(segment)).toBe(c.expect.value);
			expect(log[0].query).toEqual({});
		}
	});
});
