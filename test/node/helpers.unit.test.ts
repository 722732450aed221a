import type { INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import * as v from '../../nodes/UserCom/helpers/validation';
import { ISO_4217_CURRENCIES, isIsoCurrency } from '../../nodes/UserCom/helpers/currencies';
import {
	dealStatusName,
	dealStatusToCode,
	moneyToNumber,
	normalizeDeal,
	simplifyDeal,
	simplifyUser,
} from '../../nodes/UserCom/helpers/mapping';
import { coerceAttributeValue } from '../../nodes/UserCom/actions/common';

const ctx: v.ValidationContext = {
	node: {
		id: '1',
		name: 'User.com',
		type: 'n8n-nodes-usercom.userCom',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	} as INode,
	itemIndex: 4,
};

function failure(fn: () => unknown): NodeOperationError {
	try {
		fn();
	} catch (error) {
		expect(error).toBeInstanceOf(NodeOperationError);
		return error as NodeOperationError;
	}
	throw new Error('expected a validation error');
}

describe('validation helpers', () => {
	test('errors name the item, the field and the fix, and carry the item index', () => {
		const error = failure(() => v.requireString(ctx, ' ', 'Deal Name', 'Enter a deal name.'));
		expect(error.message).toBe('Item 4: "Deal Name" is required but empty');
		expect(error.description).toBe(
			'Enter a deal name. Nothing was sent to User.com for this item.',
		);
		expect(error.context.itemIndex).toBe(4);
	});

	test('strings: trimmed, numbers accepted, objects refused', () => {
		expect(v.requireString(ctx, '  a ', 'F')).toBe('a');
		expect(v.requireString(ctx, 12, 'F')).toBe('12');
		expect(failure(() => v.requireString(ctx, { a: 1 }, 'F')).message).toContain('must be text');
		expect(v.optionalString(ctx, '', 'F')).toBeUndefined();
		expect(failure(() => v.checkMaxLength(ctx, 'x'.repeat(41), 40, 'First Name')).message).toBe(
			'Item 4: "First Name" is 41 characters long; User.com accepts at most 40',
		);
		expect(v.checkMaxLength(ctx, 'x'.repeat(40), 40, 'First Name')).toHaveLength(40);
	});

	test('IDs are positive integers', () => {
		expect(v.requirePositiveInt(ctx, '42', 'ID')).toBe(42);
		expect(v.requirePositiveInt(ctx, 7, 'ID')).toBe(7);
		for (const bad of [0, -1, 1.5, 'abc', '1e3', Number.MAX_SAFE_INTEGER + 10]) {
			expect(() => v.requirePositiveInt(ctx, bad, 'ID')).toThrow(NodeOperationError);
			expect(() => v.requirePositiveInt(ctx, bad, 'ID')).toThrow(
				`"ID" must be a positive whole number, got ${typeof bad === 'string' ? `"${bad}"` : bad}`,
			);
		}
		for (const empty of ['', null])
			expect(() => v.requirePositiveInt(ctx, empty, 'ID')).toThrow('"ID" is required but empty');
		expect(v.requirePositiveIntList(ctx, '1, 2,3', 'IDs')).toEqual([1, 2, 3]);
		expect(() => v.requirePositiveIntList(ctx, '1,x', 'IDs')).toThrow(
			'"IDs" must be a positive whole number, got "x"',
		);
	});

	test('numbers and money', () => {
		expect(v.requireNumber(ctx, '19.99', 'Value')).toBe(19.99);
		expect(v.requireNumber(ctx, '-2', 'Value')).toBe(-2);
		expect(() => v.requireNumber(ctx, '19,99', 'Value')).toThrow('must be a number');
		expect(() => v.requireNumber(ctx, Infinity, 'Value')).toThrow('finite');
		expect(v.requireMoney(ctx, 0, 'Value')).toBe(0);
		expect(() => v.requireMoney(ctx, -0.01, 'Value')).toThrow('must not be negative');
		expect(v.optionalMoney(ctx, '', 'Value')).toBeUndefined();
		expect(v.requireNonNegativeInt(ctx, '3', 'Quantity')).toBe(3);
		expect(() => v.requireNonNegativeInt(ctx, 1.5, 'Quantity')).toThrow('whole number');
	});

	test('currencies: a fixed ISO 4217 list, case-insensitive input', () => {
		expect(ISO_4217_CURRENCIES.length).toBeGreaterThan(150);
		expect(isIsoCurrency('PLN')).toBe(true);
		expect(isIsoCurrency('ABC')).toBe(false);
		expect(v.requireCurrency(ctx, 'eur', 'Currency')).toBe('EUR');
		expect(() => v.requireCurrency(ctx, 'EURO', 'Currency')).toThrow(
			'not an ISO 4217 currency code',
		);
		expect(() => v.requireCurrency(ctx, 'XYZ', 'Currency')).toThrow(
			'not an ISO 4217 currency code',
		);
		expect(v.optionalCurrency(ctx, undefined, 'Currency')).toBeUndefined();
	});

	test('emails, JSON objects, choices', () => {
		expect(v.optionalEmail(ctx, 'a@b.co', 'Email')).toBe('a@b.co');
		expect(() => v.optionalEmail(ctx, 'not-an-email', 'Email')).toThrow(
			'not a valid email address',
		);
		expect(() => v.requireEmail(ctx, '', 'Email')).toThrow('"Email" is required but empty');
		expect(v.parseJsonObject(ctx, '{"a": 1}', 'Data')).toEqual({ a: 1 });
		expect(v.parseJsonObject(ctx, { a: 2 }, 'Data')).toEqual({ a: 2 });
		expect(v.parseJsonObject(ctx, '', 'Data')).toEqual({});
		expect(() => v.parseJsonObject(ctx, '[1]', 'Data')).toThrow('must be a JSON object');
		expect(() => v.parseJsonObject(ctx, '{a:1}', 'Data')).toThrow('is not valid JSON');
		expect(() => v.parseJsonObject(ctx, 5, 'Data')).toThrow('must be a JSON object');
		expect(v.requireOneOf(ctx, 'add to cart', ['add to cart', 'view'], 'Event Type')).toBe(
			'add to cart',
		);
		expect(
			failure(() => v.requireOneOf(ctx, 'Add To Cart', ['add to cart'], 'Event Type')).description,
		).toContain('Use one of: add to cart.');
	});

	test('any n8n date becomes UNIX seconds; empty means now', () => {
		const now = Date.UTC(2026, 10, 25, 13, 0, 0, 500);
		expect(v.toUnixSeconds(ctx, '', 'Timestamp', now)).toBe(Math.floor(now / 1000));
		expect(v.toUnixSeconds(ctx, '2026-11-25T12:00:00Z', 'Timestamp')).toBe(1795608000);
		expect(v.toUnixSeconds(ctx, '2026-11-25T13:00:00+01:00', 'Timestamp')).toBe(1795608000);
		expect(v.toUnixSeconds(ctx, 1795608000, 'Timestamp')).toBe(1795608000);
		expect(v.toUnixSeconds(ctx, 1795608000999, 'Timestamp')).toBe(1795608000);
		expect(v.toUnixSeconds(ctx, '1795608000', 'Timestamp')).toBe(1795608000);
		expect(v.toUnixSeconds(ctx, new Date('2026-11-25T12:00:00Z'), 'Timestamp')).toBe(1795608000);
		// a Luxon DateTime (what $now and date expressions give)
		expect(v.toUnixSeconds(ctx, { toMillis: () => 1795608000000 }, 'Timestamp')).toBe(1795608000);
		expect(() => v.toUnixSeconds(ctx, 'soon', 'Timestamp')).toThrow('"Timestamp" is not a date');
		expect(() => v.toUnixSeconds(ctx, { a: 1 }, 'Timestamp')).toThrow('is not a date');
	});

	test('lists split on commas', () => {
		expect(v.splitList(' a, b ,,c ')).toEqual(['a', 'b', 'c']);
		expect(v.splitList(['x', ' y '])).toEqual(['x', 'y']);
		expect(v.splitList(undefined)).toEqual([]);
	});
});

describe('mapping helpers', () => {
	test('deal status both ways', () => {
		expect(
			['abandoned', 'inProgress', 'won', 'lost', 'archived'].map((s) =>
				dealStatusToCode(s as never),
			),
		).toEqual([0, 1, 2, 3, 4]);
		expect(dealStatusName(2)).toBe('won');
		expect(dealStatusName('3')).toBe('lost');
		expect(dealStatusName(9)).toBeUndefined();
	});

	test('deal value string -> number, order product values too', () => {
		expect(moneyToNumber('1250.00')).toBe(1250);
		expect(moneyToNumber('abc')).toBe('abc');
		expect(moneyToNumber(null)).toBeNull();
		const deal = normalizeDeal({
			id: 1,
			value: '99.90',
			status: 1,
			order_products: [{ value: '10.00', quantity: 1 }],
		});
		expect(deal).toEqual({
			id: 1,
			value: 99.9,
			status: 1,
			status_name: 'inProgress',
			order_products: [{ value: 10, quantity: 1 }],
		});
		expect(simplifyDeal({ id: 1, value: '5.00', status: 0, scope: 2, created_by: 3 })).toEqual({
			id: 1,
			value: 5,
			status: 0,
			status_name: 'abandoned',
		});
	});

	test('simplified user: tag names, flat attributes', () => {
		expect(
			simplifyUser({
				id: 1,
				email: 'a@b.co',
				page_views: 3,
				tags: [{ id: 1, name: 'vip' }],
				lists: [{ id: 2, name: 'Customers' }],
				attributes: [{ name: 'Plan', name_std: 'plan', value: 'pro', id: 9 }],
			}),
		).toEqual({
			id: 1,
			email: 'a@b.co',
			tags: ['vip'],
			lists: ['Customers'],
			attributes: { plan: 'pro' },
		});
	});

	test('attribute values typed in the UI become real booleans, numbers, null and JSON', () => {
		expect(coerceAttributeValue('true')).toBe(true);
		expect(coerceAttributeValue('false')).toBe(false);
		expect(coerceAttributeValue('null')).toBeNull();
		expect(coerceAttributeValue('12.5')).toBe(12.5);
		expect(coerceAttributeValue('007')).toBe('007');
		expect(coerceAttributeValue('12345678901234567890')).toBe('12345678901234567890');
		expect(coerceAttributeValue('{"a":1}')).toEqual({ a: 1 });
		expect(coerceAttributeValue('{oops')).toBe('{oops');
		expect(coerceAttributeValue('2026-11-25')).toBe('2026-11-25');
		expect(coerceAttributeValue(5)).toBe(5);
	});
});
