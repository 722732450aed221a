import type { IExecuteFunctions } from 'n8n-workflow';

import { resources } from '../../nodes/UserCom/actions/router';
import { rl } from './helpers';

type KeysFn = (this: IExecuteFunctions, itemIndex: number) => string[];

/** Just enough of an execution context for recordKeys: per-item parameters, or a throwing reader. */
function ctx(items: Array<Record<string, unknown>>): IExecuteFunctions {
	return {
		getNode: () => ({
			id: 'n1',
			name: 'User.com',
			type: 'n8n-nodes-usercom.userCom',
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
		}),
		getNodeParameter: (name: string, itemIndex: number, fallback?: unknown) => {
			const params = items[itemIndex];
			if (params === undefined) throw new Error(`no item ${itemIndex}`);
			if (params.__throw) throw new Error('expression failed');
			return name in params ? params[name] : fallback;
		},
	} as unknown as IExecuteFunctions;
}

function keys(resource: string, operation: string, params: Record<string, unknown>): string[] {
	const fn = (resources[resource][operation] as { recordKeys?: KeysFn }).recordKeys;
	if (!fn) throw new Error(`${resource}.${operation} has no recordKeys`);
	return fn.call(ctx([params]), 0);
}

describe('recordKeys of the company and changed user operations', () => {
	test('every company operation exports recordKeys', () => {
		for (const [op, module] of Object.entries(resources.company)) {
			expect([op, typeof (module as { recordKeys?: unknown }).recordKeys]).toEqual([
				op,
				'function',
			]);
		}
	});

	test('company keys by ID and custom ID; member operations add the contact', () => {
		expect(keys('company', 'upsert', { customId: 'acme' })).toEqual(['company:customId:acme']);
		expect(keys('company', 'create', { additionalFields: { customId: 'acme' } })).toEqual([
			'company:customId:acme',
		]);
		expect(keys('company', 'create', {})).toEqual([]);
		expect(
			keys('company', 'update', { company: rl('id', 12), updateFields: { customId: 'new-id' } }),
		).toEqual(['company:id:12', 'company:customId:new-id']);
		expect(keys('company', 'delete', { company: rl('customId', 'acme') })).toEqual([
			'company:customId:acme',
		]);
		expect(keys('company', 'addTag', { company: rl('list', '7') })).toEqual(['company:id:7']);
		expect(keys('company', 'setCustomAttributes', { company: rl('id', 7) })).toEqual([
			'company:id:7',
		]);
		expect(
			keys('company', 'addMember', {
				company: rl('customId', 'acme'),
				user: rl('email', ' Jane@Example.COM '),
			}),
		).toEqual(['company:customId:acme', 'user:email:jane@example.com']);
		expect(
			keys('company', 'removeMember', { company: rl('id', 3), user: rl('customId', 'c-1') }),
		).toEqual(['company:id:3', 'user:customId:c-1']);
		expect(keys('company', 'get', { company: rl('id', 3) })).toEqual([]);
		expect(keys('company', 'getAll', {})).toEqual([]);
	});

	test('User › Create or Update: the match key plus the email/custom ID it writes', () => {
		expect(keys('user', 'upsert', { customId: 'c-1' })).toEqual(['user:customId:c-1']);
		expect(
			keys('user', 'upsert', { customId: 'c-1', additionalFields: { email: 'A@B.co' } }),
		).toEqual(['user:customId:c-1', 'user:email:a@b.co']);
		expect(
			keys('user', 'upsert', {
				matchBy: 'email',
				email: 'a@b.co',
				additionalFields: { email: 'A@B.co' },
			}),
		).toEqual(['user:email:a@b.co']);
		expect(
			keys('user', 'upsert', {
				matchBy: 'email',
				email: 'Jane@Example.com',
				additionalFields: { customId: 'c-9' },
			}),
		).toEqual(['user:email:jane@example.com', 'user:customId:c-9']);
		expect(keys('user', 'getAll', {})).toEqual([]);
	});

	test('a parameter that cannot be read or is invalid gives no keys (the item fails before sending), never a throw', () => {
		for (const [resource, operation] of [
			['company', 'upsert'],
			['company', 'update'],
			['company', 'addMember'],
			['company', 'delete'],
			['user', 'upsert'],
		]) {
			expect(keys(resource, operation, { __throw: true })).toEqual([]);
		}
		expect(keys('company', 'upsert', { customId: ' ' })).toEqual([]);
		expect(
			keys('company', 'addMember', {
				company: rl('customId', 'acme'),
				user: rl('email', 'not-an-email'),
			}),
		).toEqual(['company:customId:acme']);
	});
});
