#!/usr/bin/env node
// Writes the e2e and example workflow JSON files under test/e2e/workflows/ (run after changing this
// file: `node test/e2e/make-workflows.mjs`; the JSON files are committed and are what the tests import).
//
// All User.com nodes use the credential id CRED_ID; the runner and the demo import a credential with
// that id pointing at the emulator.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const CRED_ID = 'ucE2eCred0000001';
export const CRED_NAME = 'User.com account';
const UC = 'n8n-nodes-usercom.userCom';

const uuid = (wf, name) => {
	const h = crypto.createHash('sha1').update(`${wf}/${name}`).digest('hex');
	return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
};
const rl = (mode, value) => ({ __rl: true, mode, value });

function workflow(id, name, nodes, edges, extra = {}) {
	const connections = {};
	for (const [from, to, output = 0] of edges) {
		connections[from] ??= { main: [] };
		while (connections[from].main.length <= output) connections[from].main.push([]);
		connections[from].main[output].push({ node: to, type: 'main', index: 0 });
	}
	let x = 0;
	const placed = nodes.map((n) => {
		const pos = n.position ?? [(x += 220), n.y ?? 300];
		const { y, ...rest } = n;
		return { id: uuid(id, n.name), typeVersion: 1, position: pos, ...rest };
	});
	return {
		id,
		name,
		active: false,
		nodes: placed,
		connections,
		settings: { executionOrder: 'v1' },
		pinData: {},
		tags: [],
		...extra,
	};
}

const manual = (name = 'Start') => ({ name, type: 'n8n-nodes-base.manualTrigger', parameters: {} });
const uc = (name, parameters, extra = {}) => ({
	name,
	type: UC,
	parameters,
	credentials: { userComApi: { id: CRED_ID, name: CRED_NAME } },
	...extra,
});
/** A Set node producing one item whose `rows` field is `rowsExpr` (an expression giving an array) */
const rowsSet = (name, rowsExpr) => ({
	name,
	type: 'n8n-nodes-base.set',
	typeVersion: 3.4,
	parameters: {
		mode: 'manual',
		assignments: {
			assignments: [{ id: uuid(name, 'rows'), name: 'rows', value: rowsExpr, type: 'array' }],
		},
		options: {},
	},
});
const splitOut = (name) => ({
	name,
	type: 'n8n-nodes-base.splitOut',
	parameters: { fieldToSplitOut: 'rows', options: {} },
});
const noop = (name, y) => ({
	name,
	type: 'n8n-nodes-base.noOp',
	parameters: {},
	...(y ? { y } : {}),
});

const files = {};

// ------------------------------------------------------------------------------------------------
// e2e: main operations of every resource, in the guide's order (products, contacts, deals, events)
// ------------------------------------------------------------------------------------------------
files['e2e-operations.json'] = workflow(
	'ucE2eOps00000001',
	'E2E: User.com operations',
	[
		manual(),
		uc('Create Product', {
			resource: 'product',
			operation: 'create',
			name: 'E2E Grinder',
			customId: 'E2E-SKU-1',
			additionalFields: { price: 129.9, categoryName: 'Kitchen' },
		}),
		uc('Update Product', {
			resource: 'product',
			operation: 'update',
			product: rl('customId', 'E2E-SKU-1'),
			updateFields: { price: 119.5 },
		}),
		uc('Get Product', {
			resource: 'product',
			operation: 'get',
			product: rl('customId', 'E2E-SKU-1'),
		}),
		uc('Upsert User', {
			resource: 'user',
			operation: 'upsert',
			customId: 'e2e-user-1',
			additionalFields: { email: 'e2e.one@example.com', firstName: 'Eve', lastName: 'Example' },
			customAttributes: { attribute: [{ name: 'loyalty_points', value: '10' }] },
		}),
		uc('Create User', {
			resource: 'user',
			operation: 'create',
			additionalFields: { customId: 'e2e-user-2', email: 'e2e.two@example.com', firstName: 'Ed' },
		}),
		uc('Update User', {
			resource: 'user',
			operation: 'update',
			user: rl('customId', 'e2e-user-2'),
			updateFields: { lastName: 'Second', city: 'Gdansk' },
		}),
		uc('Get User', {
			resource: 'user',
			operation: 'get',
			user: rl('email', 'e2e.one@example.com'),
		}),
		uc('Add Tag', {
			resource: 'user',
			operation: 'addTag',
			user: rl('customId', 'e2e-user-1'),
			tagName: 'E2E',
		}),
		uc('Set Attributes', {
			resource: 'user',
			operation: 'setCustomAttributes',
			user: rl('customId', 'e2e-user-1'),
			customAttributes: { attribute: [{ name: 'loyalty_points', value: '250' }] },
		}),
		uc('Upsert Deal', {
			resource: 'deal',
			operation: 'upsert',
			customId: 'E2E-ORD-1',
			name: 'E2E order 1',
			additionalFields: { userCustomId: 'e2e-user-1', value: 239, currency: 'EUR', status: 'won' },
			orderProducts: {
				product: [
					{
						productBy: 'customId',
						productCustomId: 'E2E-SKU-1',
						quantity: 2,
						value: 119.5,
						currency: 'EUR',
					},
				],
			},
		}),
		uc('Get Deal', {
			resource: 'deal',
			operation: 'get',
			deal: rl('customId', 'E2E-ORD-1'),
			simplify: false,
		}),
		uc('Create Event', {
			resource: 'event',
			operation: 'create',
			user: rl('customId', 'e2e-user-1'),
			eventName: 'order_placed',
			dataMode: 'keyValue',
			dataFields: {
				field: [
					{ key: 'order', value: 'E2E-ORD-1' },
					{ key: 'total', value: '239' },
				],
			},
		}),
		uc('Product Event', {
			resource: 'product',
			operation: 'createEvent',
			product: rl('customId', 'E2E-SKU-1'),
			user: rl('customId', 'e2e-user-1'),
			eventType: 'purchase',
		}),
		uc(
			'List Users',
			{ resource: 'user', operation: 'getAll', returnAll: true, filters: {} },
			{ y: 100 },
		),
		uc('List Deals Of User', {
			resource: 'deal',
			operation: 'getAll',
			returnAll: true,
			filterByUser: true,
			user: rl('customId', 'e2e-user-1'),
		}),
		uc(
			'List Products',
			{ resource: 'product', operation: 'getAll', returnAll: false, limit: 3 },
			{ y: 500 },
		),
	],
	[
		['Start', 'Create Product'],
		['Create Product', 'Update Product'],
		['Update Product', 'Get Product'],
		['Get Product', 'Upsert User'],
		['Upsert User', 'Create User'],
		['Create User', 'Update User'],
		['Update User', 'Get User'],
		['Get User', 'Add Tag'],
		['Add Tag', 'Set Attributes'],
		['Set Attributes', 'Upsert Deal'],
		['Upsert Deal', 'Get Deal'],
		['Get Deal', 'Create Event'],
		['Create Event', 'Product Event'],
		['Product Event', 'List Users'],
		['Product Event', 'List Deals Of User'],
		['Product Event', 'List Products'],
	],
);

// ------------------------------------------------------------------------------------------------
// e2e: companies (B2B): upsert twice, a contact by email, members by email and custom ID, tag,
// attributes, get, list, remove a member; an unknown company custom ID to the error output
// ------------------------------------------------------------------------------------------------
files['e2e-company.json'] = workflow(
	'ucE2eCompany0001',
	'E2E: companies',
	[
		manual(),
		uc('Create Company', {
			resource: 'company',
			operation: 'upsert',
			customId: 'e2e-co-1',
			name: 'E2E Industries',
			additionalFields: {
				city: 'Gdansk',
				country: 'PL',
				phoneNumbers: '+48 500 100 200, +48 58 100 200',
				approxEmployees: 40,
			},
			customAttributes: { attribute: [{ name: 'industry', value: 'Manufacturing' }] },
		}),
		uc('Update Company', {
			resource: 'company',
			operation: 'upsert',
			customId: 'e2e-co-1',
			name: 'E2E Industries Ltd',
			additionalFields: { email: 'office@e2e-industries.example' },
		}),
		uc('Contact by Email', {
			resource: 'user',
			operation: 'upsert',
			matchBy: 'email',
			email: 'buyer@e2e-industries.example',
			additionalFields: { firstName: 'Bea', companyCustomId: 'e2e-co-1' },
		}),
		uc('Add Member by Email', {
			resource: 'company',
			operation: 'addMember',
			company: rl('customId', 'e2e-co-1'),
			user: rl('email', 'buyer@e2e-industries.example'),
		}),
		uc('Add Member by Custom ID', {
			resource: 'company',
			operation: 'addMember',
			company: rl('customId', 'e2e-co-1'),
			user: rl('customId', 'cust-002'),
		}),
		uc('Tag Company', {
			resource: 'company',
			operation: 'addTag',
			company: rl('customId', 'e2e-co-1'),
			tagName: 'Key account',
		}),
		uc('Set Company Attributes', {
			resource: 'company',
			operation: 'setCustomAttributes',
			company: rl('customId', 'e2e-co-1'),
			customAttributes: { attribute: [{ name: 'industry', value: 'Robotics' }] },
		}),
		uc('Get Company', {
			resource: 'company',
			operation: 'get',
			company: rl('customId', 'e2e-co-1'),
		}),
		uc('Remove Member', {
			resource: 'company',
			operation: 'removeMember',
			company: rl('customId', 'e2e-co-1'),
			user: rl('customId', 'cust-002'),
		}),
		uc('List Companies', { resource: 'company', operation: 'getAll', returnAll: true }, { y: 100 }),
		uc(
			'Get Unknown Company',
			{ resource: 'company', operation: 'get', company: rl('customId', 'no-such-company') },
			{ onError: 'continueErrorOutput', y: 500 },
		),
		noop('Found', 400),
		noop('Not Found', 600),
	],
	[
		['Start', 'Create Company'],
		['Create Company', 'Update Company'],
		['Update Company', 'Contact by Email'],
		['Contact by Email', 'Add Member by Email'],
		['Add Member by Email', 'Add Member by Custom ID'],
		['Add Member by Custom ID', 'Tag Company'],
		['Tag Company', 'Set Company Attributes'],
		['Set Company Attributes', 'Get Company'],
		['Get Company', 'Remove Member'],
		['Remove Member', 'List Companies'],
		['Remove Member', 'Get Unknown Company'],
		['Get Unknown Company', 'Found', 0],
		['Get Unknown Company', 'Not Found', 1],
	],
);

// ------------------------------------------------------------------------------------------------
// e2e: "Continue (using error output)": items 1 and 3 are bad, 0 and 2 good
// ------------------------------------------------------------------------------------------------
files['e2e-error-output.json'] = workflow(
	'ucE2eErr00000001',
	'E2E: error output',
	[
		manual(),
		rowsSet(
			'Rows',
			'={{ [ { "user": "cust-001", "event": "newsletter_opened" }, { "user": "no-such-contact", "event": "newsletter_opened" }, { "user": "cust-002", "event": "newsletter_opened" }, { "user": "cust-003", "event": "" } ] }}',
		),
		splitOut('Split Rows'),
		uc(
			'Send Event',
			{
				resource: 'event',
				operation: 'create',
				user: rl('customId', '={{ $json.user }}'),
				eventName: '={{ $json.event }}',
			},
			{ onError: 'continueErrorOutput' },
		),
		noop('Sent', 200),
		noop('Failed', 400),
	],
	[
		['Start', 'Rows'],
		['Rows', 'Split Rows'],
		['Split Rows', 'Send Event'],
		['Send Event', 'Sent', 0],
		['Send Event', 'Failed', 1],
	],
);

// ------------------------------------------------------------------------------------------------
// e2e: two bulk upserts started together in one n8n process (execute-batch), one key, 10 req/s
// ------------------------------------------------------------------------------------------------
for (const [letter, id] of [
	['a', 'ucE2eConA0000001'],
	['b', 'ucE2eConB0000001'],
]) {
	files[`e2e-concurrent-${letter}.json`] = workflow(
		id,
		`E2E: concurrent bulk upsert ${letter.toUpperCase()}`,
		[
			manual(),
			rowsSet(
				'Rows',
				`={{ Array.from({ length: 25 }, (_, i) => ({ id: "conc-${letter}-" + (i + 1), email: "conc.${letter}." + (i + 1) + "@example.com" })) }}`,
			),
			splitOut('Split Rows'),
			uc('Upsert Contacts', {
				resource: 'user',
				operation: 'upsert',
				customId: '={{ $json.id }}',
				additionalFields: { email: '={{ $json.email }}' },
			}),
		],
		[
			['Start', 'Rows'],
			['Rows', 'Split Rows'],
			['Split Rows', 'Upsert Contacts'],
		],
	);
}

// ------------------------------------------------------------------------------------------------
// e2e: a 429 injected mid-run (by the runner, through the emulator control plane) is waited out
// ------------------------------------------------------------------------------------------------
files['e2e-rate-limited.json'] = workflow(
	'ucE2e42900000001',
	'E2E: 429 mid-run',
	[
		manual(),
		rowsSet(
			'Rows',
			'={{ Array.from({ length: 20 }, (_, i) => ({ id: "rl-" + (i + 1), email: "rl." + (i + 1) + "@example.com" })) }}',
		),
		splitOut('Split Rows'),
		uc('Upsert Contacts', {
			resource: 'user',
			operation: 'upsert',
			customId: '={{ $json.id }}',
			additionalFields: { email: '={{ $json.email }}' },
		}),
	],
	[
		['Start', 'Rows'],
		['Rows', 'Split Rows'],
		['Split Rows', 'Upsert Contacts'],
	],
);

// ------------------------------------------------------------------------------------------------
// e2e: bulk CSV import (multipart upload through n8n's request helper), one row rejected
// ------------------------------------------------------------------------------------------------
files['e2e-import.json'] = workflow(
	'ucE2eImp00000001',
	'E2E: CSV import of contacts',
	[
		manual(),
		rowsSet(
			'Rows',
			'={{ [ { "custom_id": "imp-1", "email": "imp.one@example.com", "first_name": "Ina" }, { "custom_id": "imp-2", "email": "imp.two@example.com", "first_name": "Igor" }, { "custom_id": "imp-3", "email": "not-an-email", "first_name": "Bad" } ] }}',
		),
		splitOut('Split Rows'),
		uc(
			'Import Users',
			{
				resource: 'import',
				operation: 'importUsers',
				source: 'items',
				mappingMode: 'autoMapAll',
				waitForCompletion: true,
			},
			{ onError: 'continueErrorOutput' },
		),
		noop('Imported', 200),
		noop('Rejected', 400),
	],
	[
		['Start', 'Rows'],
		['Rows', 'Split Rows'],
		['Split Rows', 'Import Users'],
		['Import Users', 'Imported', 0],
		['Import Users', 'Rejected', 1],
	],
);

// ------------------------------------------------------------------------------------------------
// Examples (imported by the demo, shown in the README)
// ------------------------------------------------------------------------------------------------
files['examples/1-shop-order-sync.json'] = workflow(
	'ucDemoOrder00001',
	'Example 1: shop order -> User.com (products, contact, deal, event)',
	[
		manual('When clicking "Execute workflow"'),
		{
			name: 'Order (sample)',
			type: 'n8n-nodes-base.set',
			typeVersion: 3.4,
			parameters: {
				mode: 'raw',
				jsonOutput:
					'{\n  "order_id": "ORD-2001",\n  "customer": { "id": "cust-101", "email": "frank@example.com", "first_name": "Frank", "last_name": "Fischer" },\n  "lines": [ { "sku": "SKU-001", "name": "Espresso machine", "qty": 1, "price": 499 }, { "sku": "SKU-010", "name": "Travel mug", "qty": 2, "price": 14.5 } ],\n  "total": 528,\n  "currency": "EUR"\n}',
				options: {},
			},
		},
		{
			name: 'One Item per Line',
			type: 'n8n-nodes-base.splitOut',
			parameters: { fieldToSplitOut: 'lines', include: 'allOtherFields', options: {} },
		},
		uc(
			'1. Products',
			{
				resource: 'product',
				operation: 'create',
				name: '={{ $json.lines.name }}',
				customId: '={{ $json.lines.sku }}',
				additionalFields: { price: '={{ $json.lines.price }}' },
			},
			{
				onError: 'continueRegularOutput',
				notes:
					"Products first (the guide's order). A SKU that already exists answers 400: the run goes on.",
			},
		),
		uc(
			'2. Contact (upsert by custom ID)',
			{
				resource: 'user',
				operation: 'upsert',
				customId: "={{ $('One Item per Line').item.json.customer.id }}",
				additionalFields: {
					email: "={{ $('One Item per Line').item.json.customer.email }}",
					firstName: "={{ $('One Item per Line').item.json.customer.first_name }}",
					lastName: "={{ $('One Item per Line').item.json.customer.last_name }}",
				},
			},
			{ executeOnce: true, notes: 'Execute Once: one contact for the whole order' },
		),
		uc('3. Deal (order, upsert by order ID)', {
			resource: 'deal',
			operation: 'upsert',
			customId: "={{ $('Order (sample)').item.json.order_id }}",
			name: "=Order {{ $('Order (sample)').item.json.order_id }}",
			additionalFields: {
				userCustomId: "={{ $('Order (sample)').item.json.customer.id }}",
				value: "={{ $('Order (sample)').item.json.total }}",
				currency: "={{ $('Order (sample)').item.json.currency }}",
				status: 'won',
				productCustomIds: "={{ $('Order (sample)').item.json.lines.map(l => l.sku).join(',') }}",
			},
			createMissingProducts: true,
		}),
		uc('4. Event (order placed)', {
			resource: 'event',
			operation: 'create',
			user: rl('customId', "={{ $('Order (sample)').item.json.customer.id }}"),
			eventName: 'order_placed',
			dataMode: 'json',
			dataJson:
				"={{ JSON.stringify({ order_id: $('Order (sample)').item.json.order_id, total: $('Order (sample)').item.json.total }) }}",
		}),
	],
	[
		['When clicking "Execute workflow"', 'Order (sample)'],
		['Order (sample)', 'One Item per Line'],
		['One Item per Line', '1. Products'],
		['1. Products', '2. Contact (upsert by custom ID)'],
		['2. Contact (upsert by custom ID)', '3. Deal (order, upsert by order ID)'],
		['3. Deal (order, upsert by order ID)', '4. Event (order placed)'],
	],
);

files['examples/2-bulk-contact-sync.json'] = workflow(
	'ucDemoBulk000001',
	'Example 2: bulk contact sync (upsert many, shared rate limit, failures to a list)',
	[
		manual('When clicking "Execute workflow"'),
		rowsSet(
			'Contacts (sample, 60 rows)',
			'={{ Array.from({ length: 60 }, (_, i) => ({ id: "crm-" + String(i + 1).padStart(3, "0"), email: i === 41 ? "not-an-email" : "contact" + (i + 1) + "@example.com", first_name: "Contact " + (i + 1) })) }}',
		),
		splitOut('One Item per Contact'),
		uc(
			'Upsert Contact',
			{
				resource: 'user',
				operation: 'upsert',
				customId: '={{ $json.id }}',
				additionalFields: { email: '={{ $json.email }}', firstName: '={{ $json.first_name }}' },
			},
			{
				onError: 'continueErrorOutput',
				notes:
					'One node, all rows: the node keeps to the account rate limit (10 req/s by default, shared by every User.com node in this n8n) and waits out 429s. Bad rows go to the error output.',
			},
		),
		noop('Synced', 200),
		noop('Needs Fixing', 400),
	],
	[
		['When clicking "Execute workflow"', 'Contacts (sample, 60 rows)'],
		['Contacts (sample, 60 rows)', 'One Item per Contact'],
		['One Item per Contact', 'Upsert Contact'],
		['Upsert Contact', 'Synced', 0],
		['Upsert Contact', 'Needs Fixing', 1],
	],
);

files['examples/3-error-output.json'] = workflow(
	'ucDemoErrors0001',
	'Example 3: error output (route failed items, keep the good ones)',
	[
		manual('When clicking "Execute workflow"'),
		rowsSet(
			'Events (sample)',
			'={{ [ { "user": "cust-001", "event": "webinar_joined" }, { "user": "unknown-contact", "event": "webinar_joined" }, { "user": "cust-002", "event": "webinar_joined" } ] }}',
		),
		splitOut('One Item per Event'),
		uc(
			'Send Event',
			{
				resource: 'event',
				operation: 'create',
				user: rl('customId', '={{ $json.user }}'),
				eventName: '={{ $json.event }}',
			},
			{ onError: 'continueErrorOutput' },
		),
		noop('Sent', 200),
		{
			name: 'Explain Failure',
			type: 'n8n-nodes-base.set',
			typeVersion: 3.4,
			y: 400,
			parameters: {
				mode: 'manual',
				assignments: {
					assignments: [
						{
							id: 'e1',
							name: 'contact',
							value: "={{ $('One Item per Event').item.json.user }}",
							type: 'string',
						},
						{ id: 'e2', name: 'category', value: '={{ $json.error.category }}', type: 'string' },
						{
							id: 'e3',
							name: 'what_to_do',
							value: '={{ $json.error.description }}',
							type: 'string',
						},
					],
				},
				options: {},
			},
		},
	],
	[
		['When clicking "Execute workflow"', 'Events (sample)'],
		['Events (sample)', 'One Item per Event'],
		['One Item per Event', 'Send Event'],
		['Send Event', 'Sent', 0],
		['Send Event', 'Explain Failure', 1],
	],
);

files['examples/4-b2b-account-sync.json'] = workflow(
	'ucDemoCompany001',
	'Example 4: B2B account sync (company, contacts by email, members)',
	[
		manual('When clicking "Execute workflow"'),
		{
			name: 'Account (sample)',
			type: 'n8n-nodes-base.set',
			typeVersion: 3.4,
			parameters: {
				mode: 'raw',
				jsonOutput:
					'{\n  "account_id": "ACC-300",\n  "name": "Initech",\n  "city": "Austin",\n  "country": "US",\n  "employees": 120,\n  "contacts": [ { "email": "peter@initech.example", "first_name": "Peter" }, { "email": "samir@initech.example", "first_name": "Samir" }, { "email": "alice@example.com", "first_name": "Alice" } ]\n}',
				options: {},
			},
		},
		uc(
			'1. Company (upsert by account ID)',
			{
				resource: 'company',
				operation: 'upsert',
				customId: '={{ $json.account_id }}',
				name: '={{ $json.name }}',
				additionalFields: {
					city: '={{ $json.city }}',
					country: '={{ $json.country }}',
					approxEmployees: '={{ $json.employees }}',
				},
				customAttributes: { attribute: [{ name: 'industry', value: 'Software' }] },
			},
			{
				notes:
					'No update-or-create for companies in User.com: looks up by custom ID, then updates or creates.',
			},
		),
		rowsSet('Contacts', "={{ $('Account (sample)').item.json.contacts }}"),
		splitOut('One Item per Contact'),
		uc(
			'2. Contact (upsert by email)',
			{
				resource: 'user',
				operation: 'upsert',
				matchBy: 'email',
				email: '={{ $json.email }}',
				additionalFields: {
					firstName: '={{ $json.first_name }}',
					companyCustomId: "={{ $('Account (sample)').item.json.account_id }}",
				},
			},
			{
				notes:
					'Source without customer IDs: match by email (one match updates, none creates, several is an error).',
			},
		),
		uc('3. Add to Company', {
			resource: 'company',
			operation: 'addMember',
			company: rl('customId', "={{ $('Account (sample)').item.json.account_id }}"),
			user: rl('id', '={{ $json.id }}'),
		}),
	],
	[
		['When clicking "Execute workflow"', 'Account (sample)'],
		['Account (sample)', '1. Company (upsert by account ID)'],
		['1. Company (upsert by account ID)', 'Contacts'],
		['Contacts', 'One Item per Contact'],
		['One Item per Contact', '2. Contact (upsert by email)'],
		['2. Contact (upsert by email)', '3. Add to Company'],
	],
);

for (const [file, wf] of Object.entries(files)) {
	const p = path.join(here, 'workflows', file);
	fs.mkdirSync(path.dirname(p), { recursive: true });
	fs.writeFileSync(p, JSON.stringify(wf, null, 2) + '\n');
}
console.log(`wrote ${Object.keys(files).length} workflows to ${path.join(here, 'workflows')}`);
