import type { INodeProperties } from 'n8n-workflow';

import * as company from './company';
import * as deal from './deal';
import * as event from './event';
import * as importResource from './import';
import * as product from './product';
import * as user from './user';

/**
 * The Resource dropdown. To register a new resource (e.g. Import): add its option here,
 * spread its `description` into `nodeProperties` below, and add it to `resources` in router.ts.
 */
export const resourceProperty: INodeProperties = {
	displayName: 'Resource',
	name: 'resource',
	type: 'options',
	noDataExpression: true,
	options: [
		{
			name: 'Company',
			value: 'company',
			description: 'Companies (B2B accounts) and their contacts',
		},
		{ name: 'Deal', value: 'deal', description: 'Deals and orders' },
		{ name: 'Event', value: 'event', description: 'Custom events of a contact' },
		{
			name: 'Import',
			value: 'import',
			description: 'Bulk CSV imports of users, deals and products',
		},
		{ name: 'Product', value: 'product', description: 'Products and product events' },
		{ name: 'User', value: 'user', description: 'Contacts' },
	],
	default: 'user',
};

/** Upper bound of Parallel Requests (Auto stays below it too). */
export const MAX_PARALLEL_REQUESTS = 50;

/** Node-wide request settings read by the transport (shown for every resource and operation). */
export const requestOptionsProperty: INodeProperties = {
	displayName: 'Request Options',
	name: 'requestOptions',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [
		{
			displayName: 'Max Wait (Seconds)',
			name: 'maxWaitSeconds',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 300,
			description:
				'Longest time one request may wait for the rate limit and retries before the item ' +
				'fails with a rate-limit error',
		},
		{
			displayName: 'Parallel Requests',
			name: 'parallelRequests',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: MAX_PARALLEL_REQUESTS },
			default: 0,
			description:
				'How many items to send to User.com at the same time. ' +
				`0 = Auto: as many as the account's rate limit needs at the answer times User.com shows ` +
				`(up to ${MAX_PARALLEL_REQUESTS}); 1 = one after another. ` +
				'Items on the same record always run one after another, in input order.',
		},
		{
			displayName: 'Retry Creates on Server Errors',
			name: 'retryCreatesOnServerErrors',
			type: 'boolean',
			default: false,
			description:
				'Whether to retry create requests after a 500/502/504, a timeout or a lost connection. ' +
				'Off by default because the first attempt may already have created the record ' +
				'(duplicates); prefer the Upsert operations.',
		},
		{
			displayName: 'Timeout (Seconds)',
			name: 'timeoutSeconds',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 30,
			description: 'How long to wait for User.com to answer one request',
		},
	],
};

export const nodeProperties: INodeProperties[] = [
	resourceProperty,
	...user.description,
	...event.description,
	...deal.description,
	...product.description,
	...company.description,
	...importResource.description,
	requestOptionsProperty,
];
