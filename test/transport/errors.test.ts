import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import {
	createUserComApiError,
	normalizeUserComError,
	parseErrorBody,
	scrubSecrets,
	toNormalizedError,
} from '../../nodes/UserCom/transport/errors';
import { NODE } from './helpers/fakeContext';

const ctx = { method: 'POST', path: '/api/public/deals/', attempts: 1, itemIndex: 2 };

describe('normalizeUserComError: the formats from the User.com error-handling guide', () => {
	it('format 1: flat field errors (deals)', () => {
		const body = {
			user_id: ['Invalid pk "999999" - object does not exist.'],
			products: ['Invalid pk "999999" - object does not exist.'],
		};
		const e = normalizeUserComError(400, body, ctx);
		expect(e).toMatchObject({
			httpCode: 400,
			category: 'validation',
			message:
				'User.com rejected the request: user_id: Invalid pk "999999" - object does not exist.',
			fields: body,
			retryable: false,
			attempts: 1,
			method: 'POST',
			path: '/api/public/deals/',
			itemIndex: 2,
		});
		expect(e.description.split('\n')).toEqual([
			'user_id: Invalid pk "999999" - object does not exist.',
			'products: Invalid pk "999999" - object does not exist.',
			expect.stringMatching(/^Action: fix the request/),
		]);
	});

	it('format 2: errors object (events)', () => {
		const body = {
			errors: {
				user_id: ["Client user with ID '999999' does not exist"],
				name: ['This field is required.'],
			},
		};
		const e = normalizeUserComError(400, body, ctx);
		expect(e.message).toBe(
			"User.com rejected the request: user_id: Client user with ID '999999' does not exist",
		);
		expect(e.fields).toEqual(body.errors);
		expect(e.description).toContain('name: This field is required.');
		expect(e.description).toContain("user_id: Client user with ID '999999' does not exist");
	});

	it('format 3: detail string (user-scoped endpoints, 404)', () => {
		const e = normalizeUserComError(404, { detail: 'No ClientUser matches the given query.' }, ctx);
		expect(e.category).toBe('not_found');
		expect(e.message).toBe('No ClientUser matches the given query.');
		expect(e.fields).toEqual({});
		expect(e.description.split('\n')[0]).toBe('No ClientUser matches the given query.');
		expect(e.description).toMatch(/create it first/);
	});

	it("product 404 and 429 detail bodies keep User.com's words", () => {
		expect(
			normalizeUserComError(404, { detail: "Couldn't find product with custom_id = 9999999" })
				.message,
		).toBe("Couldn't find product with custom_id = 9999999");
		const throttled = normalizeUserComError(429, {
			detail: 'Request was throttled. Expected available in 1 second.',
		});
		expect(throttled).toMatchObject({ category: 'rate_limited', retryable: true });
		expect(throttled.message).toBe('Request was throttled. Expected available in 1 second.');
	});

	it('DRF non_field_errors', () => {
		const e = normalizeUserComError(400, {
			non_field_errors: ['Provide user_id or user_custom_id.'],
		});
		expect(e.message).toBe('User.com rejected the request: Provide user_id or user_custom_id.');
		expect(e.fields).toEqual({ non_field_errors: ['Provide user_id or user_custom_id.'] });
	});

	it('nested field errors get a path like order_products[0].product_id', () => {
		const body = {
			order_products: [{ product_id: ["Could not find product with id '77'"] }, {}],
			status: ['"9" is not a valid choice.'],
			meta: { currency: ['Unknown currency.'] },
		};
		const e = normalizeUserComError(400, body);
		expect(e.fields).toEqual({
			'order_products[0].product_id': ["Could not find product with id '77'"],
			status: ['"9" is not a valid choice.'],
			'meta.currency': ['Unknown currency.'],
		});
		expect(e.message).toBe(
			"User.com rejected the request: order_products[0].product_id: Could not find product with id '77'",
		);
	});

	it('bare string and bare list bodies', () => {
		expect(normalizeUserComError(400, 'Bad things happened').message).toBe('Bad things happened');
		expect(normalizeUserComError(400, '"quoted json string"').message).toBe('quoted json string');
		const list = normalizeUserComError(400, ['First problem.', 'Second problem.']);
		expect(list.message).toBe('First problem.');
		expect(list.description).toContain('Second problem.');
		expect(
			normalizeUserComError(400, [{ email: ['Enter a valid email address.'] }]).fields,
		).toEqual({
			'[0].email': ['Enter a valid email address.'],
		});
	});

	it('JSON delivered as a string or a Buffer is parsed', () => {
		expect(normalizeUserComError(400, '{"detail":"Nope."}').message).toBe('Nope.');
		expect(normalizeUserComError(400, Buffer.from('{"name":["Required."]}')).fields).toEqual({
			name: ['Required.'],
		});
	});

	it('an HTML 502 page becomes one short line', () => {
		const html =
			'<html>\n<head><title>502 Bad Gateway</title></head>\n<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>';
		const e = normalizeUserComError(502, html);
		expect(e).toMatchObject({ category: 'server', retryable: true });
		expect(e.message).toBe('HTTP 502 (non-JSON response): 502 Bad Gateway');
		expect(e.description).not.toContain('<');
		expect(normalizeUserComError(503, '<html><body>down</body></html>').message).toBe(
			'HTTP 503 (non-JSON response)',
		);
	});

	it('empty bodies', () => {
		for (const body of [undefined, null, '', '   ', {}, []]) {
			const e = normalizeUserComError(500, body);
			expect(e.message).toBe('HTTP 500 from User.com with an empty response body');
			expect(e.fields).toEqual({});
		}
	});

	it('categories and actions by status', () => {
		expect(normalizeUserComError(401, { detail: 'Invalid token.' })).toMatchObject({
			category: 'auth',
			retryable: false,
		});
		expect(normalizeUserComError(401, { detail: 'Invalid token.' }).description).toMatch(/API key/);
		expect(normalizeUserComError(403, { detail: 'x' }).category).toBe('auth');
		expect(normalizeUserComError(422, { detail: 'x' }).category).toBe('validation');
		expect(normalizeUserComError(410, { detail: 'x' }).category).toBe('not_found');
		expect(normalizeUserComError(504, {}).category).toBe('server');
		expect(normalizeUserComError(301, '').message).toBe(
			'HTTP 301: User.com answered with a redirect, check the subdomain or base URL',
		);
		expect(normalizeUserComError(null, undefined)).toMatchObject({
			category: 'network',
			httpCode: null,
			retryable: true,
		});
	});

	it('other keys (message, error, numbers, booleans) are kept', () => {
		expect(normalizeUserComError(400, { message: 'Broken.', code: 'x' }).message).toBe('Broken.');
		expect(normalizeUserComError(400, { limit: 5, strict: true }).fields).toEqual({
			limit: ['5'],
			strict: ['true'],
		});
		expect(normalizeUserComError(400, 42).message).toBe('42');
		expect(normalizeUserComError(400, { errors: ['Whole request invalid.'] }).message).toBe(
			'Whole request invalid.',
		);
		expect(parseErrorBody({ errors: [{ a: ['x'] }] }).fields).toEqual({ '[0].a': ['x'] });
	});

	it('long messages are cut to one line', () => {
		const e = normalizeUserComError(400, { detail: `line one\nline two ${'x'.repeat(500)}` });
		expect(e.message).not.toContain('\n');
		expect(e.message.length).toBeLessThanOrEqual(300);
	});

	it('scrubs the key and any Token header value', () => {
		const key = 'a'.repeat(64);
		const e = normalizeUserComError(
			400,
			{
				detail: `Invalid token ${key}`,
				[key]: [`Token ${key}`],
				other: ['Authorization: Token abc123'],
			},
			{ secrets: [key], path: `/api/public/${key}/`, notes: [`note ${key}`] },
		);
		expect(JSON.stringify(e)).not.toContain(key);
		expect(JSON.stringify(e)).not.toContain('abc123');
		expect(scrubSecrets('Bearer xyz', [])).toBe('Bearer ***');
	});
});

describe('createUserComApiError / toNormalizedError', () => {
	it("throws NodeApiError with User.com's message, description, httpCode, itemIndex and context.userCom", () => {
		const normalized = normalizeUserComError(
			429,
			{ detail: 'Request was throttled. Expected available in 3 seconds.' },
			{ itemIndex: 4 },
		);
		const error = createUserComApiError(NODE, normalized);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe('Request was throttled. Expected available in 3 seconds.');
		expect(error.description).toBe(normalized.description);
		expect(error.httpCode).toBe('429');
		expect(error.context.itemIndex).toBe(4);
		expect(error.context.userCom).toEqual(normalized);
		expect(toNormalizedError(error, 9)).toEqual({ ...normalized, itemIndex: 9 });
	});

	it('keeps messages that contain system error words', () => {
		const normalized = normalizeUserComError(null, undefined);
		normalized.message = 'Could not reach User.com: ECONNREFUSED';
		expect(createUserComApiError(NODE, normalized).message).toBe(
			'Could not reach User.com: ECONNREFUSED',
		);
	});

	it('maps a NodeOperationError to category input', () => {
		const error = new NodeOperationError(NODE, 'The User Custom ID is empty', {
			description: 'Enter it',
			itemIndex: 1,
		});
		expect(toNormalizedError(error, 1)).toMatchObject({
			category: 'input',
			httpCode: null,
			message: 'The User Custom ID is empty',
			retryable: false,
			itemIndex: 1,
		});
		expect(toNormalizedError(error, 1).description).toMatch(/^Enter it/);
	});

	it('maps a foreign NodeApiError by its status and anything else to input', () => {
		const foreign = new NodeApiError(
			NODE,
			{ message: 'boom' },
			{ message: 'boom', httpCode: '503' },
		);
		expect(toNormalizedError(foreign, 0)).toMatchObject({
			httpCode: 503,
			category: 'server',
			retryable: true,
		});
		const noCode = new NodeApiError(NODE, { message: 'odd' }, { message: 'odd' });
		expect(toNormalizedError(noCode, 0)).toMatchObject({ httpCode: null, category: 'network' });
		expect(toNormalizedError(new Error('plain'), 2)).toMatchObject({
			category: 'input',
			message: 'plain',
			itemIndex: 2,
		});
		expect(toNormalizedError('text', 0).message).toBe('text');
		expect(toNormalizedError(undefined, 0).message).toBe('Unknown error');
	});
});
