import { UserComApi, USERCOM_BASE_URL_EXPRESSION } from '../../credentials/UserComApi.credentials';
import { isLoopbackHost, joinPath, resolveBaseUrl } from '../../nodes/UserCom/transport/baseUrl';
import { encodePathId } from '../../nodes/UserCom/transport';
import { NodeOperationError, Workflow, type INodeTypes } from 'n8n-workflow';
import { NODE } from './helpers/fakeContext';

/** Evaluates the credential test's baseURL with n8n-workflow's own expression engine. */
function evalCredentialExpression(subdomain: string): string {
	return evalExpression(USERCOM_BASE_URL_EXPRESSION, { subdomain });
}

function evalExpression(expression: string, credentials: Record<string, unknown>): string {
	const nodeTypes = {
		getByName: () => ({ description: { properties: [] } }),
		getByNameAndVersion: () => ({ description: { properties: [] } }),
		getKnownTypes: () => ({}),
	} as unknown as INodeTypes;
	const node = {
		id: '1',
		name: 'n',
		type: 'x',
		typeVersion: 1,
		position: [0, 0] as [number, number],
		parameters: {},
	};
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	return workflow.expression.getParameterValue(expression, null, 0, 0, 'n', [], 'internal', {
		$credentials: credentials,
	} as never) as string;
}

describe('resolveBaseUrl', () => {
	it.each([
		['acme', 'https://acme.user.com/api/public/'],
		['  ACME ', 'https://acme.user.com/api/public/'],
		['acme.user.com', 'https://acme.user.com/api/public/'],
		['acme.user.com/', 'https://acme.user.com/api/public/'],
		['https://acme.user.com', 'https://acme.user.com/api/public/'],
		['https://acme.user.com/', 'https://acme.user.com/api/public/'],
		['https://acme.user.com/api/public', 'https://acme.user.com/api/public/'],
		['https://acme.user.com/api/public/', 'https://acme.user.com/api/public/'],
		['http://127.0.0.1:4010', 'http://127.0.0.1:4010/api/public/'],
		['http://localhost:4010/', 'http://localhost:4010/api/public/'],
		['http://[::1]:4010', 'http://[::1]:4010/api/public/'],
		['https://acme.user.com/api/public/?x=1#y', 'https://acme.user.com/api/public/'],
	])('%s -> %s, and the credential test expression computes the same', (input, expected) => {
		expect(resolveBaseUrl(input)).toEqual({ ok: true, url: expected });
		expect(evalCredentialExpression(input)).toBe(expected);
	});

	it.each([
		['', /no subdomain/],
		['   ', /no subdomain/],
		['http://acme.user.com', /must use https/],
		['http://127.evil.com', /must use https/],
		['ftp://acme.user.com', /must start with https/],
		['https://user:pw@acme.user.com', /user name or password/],
		['acme_corp', /not valid/],
		['acme..user.com', /not a valid host name/],
		['https://', /not a valid URL/],
	])('rejects %j', (input, message) => {
		const result = resolveBaseUrl(input);
		expect(result.ok).toBe(false);
		if (!result.ok) expect(result.error).toMatch(message);
	});

	it('rejects a non-string subdomain', () => {
		expect(resolveBaseUrl(undefined).ok).toBe(false);
	});

	it('the credential expression never sends the key over plain http to a non-loopback host', () => {
		expect(evalCredentialExpression('http://acme.user.com')).toBe(
			'https://acme.user.com/api/public/',
		);
		expect(evalCredentialExpression('http://127.0.0.1.evil.com')).toBe(
			'https://127.0.0.1.evil.com/api/public/',
		);
	});

	it('recognises loopback hosts only', () => {
		expect(isLoopbackHost('127.0.0.1')).toBe(true);
		expect(isLoopbackHost('127.9.9.9')).toBe(true);
		expect(isLoopbackHost('LOCALHOST')).toBe(true);
		expect(isLoopbackHost('[::1]')).toBe(true);
		expect(isLoopbackHost('128.0.0.1')).toBe(false);
		expect(isLoopbackHost('localhost.evil.com')).toBe(false);
	});

	it('joins paths with exactly one trailing slash, keeping a query string', () => {
		const base = 'https://acme.user.com/api/public/';
		expect(joinPath(base, 'users')).toBe(`${base}users/`);
		expect(joinPath(base, '/users/')).toBe(`${base}users/`);
		expect(joinPath(base, 'users/search?email=a')).toBe(`${base}users/search/?email=a`);
		expect(joinPath(base, '')).toBe(base);
	});
});

describe('credential userComApi', () => {
	const credential = new UserComApi();

	it('declares name, fields, auth headers and a cheap GET test', () => {
		expect(credential.name).toBe('userComApi');
		expect(credential.displayName).toBe('User.com API');
		expect(credential.properties.map((p) => p.name)).toEqual([
			'subdomain',
			'apiKey',
			'rateLimit',
			'limitShare',
		]);
		const key = credential.properties.find((p) => p.name === 'apiKey');
		expect(key?.typeOptions?.password).toBe(true);
		expect(credential.properties.find((p) => p.name === 'rateLimit')?.default).toBe(10);
		expect(credential.properties.find((p) => p.name === 'limitShare')?.default).toBe(100);
		expect(credential.authenticate.properties.headers).toEqual({
			Authorization: '=Token {{ String($credentials.apiKey).trim() }}',
			Accept: '*/*; version=2',
		});
		expect(credential.test.request).toMatchObject({ method: 'GET', url: 'segments/' });
		expect(credential.test.request.baseURL).toBe(USERCOM_BASE_URL_EXPRESSION);
		expect(credential.documentationUrl).toMatch(/^https:\/\//);
	});

	it('sends the key trimmed (a pasted trailing newline does not break auth)', () => {
		const header = credential.authenticate.properties.headers?.Authorization as string;
		expect(evalExpression(header, { apiKey: ` ${'k'.repeat(64)}\n` })).toBe(
			`Token ${'k'.repeat(64)}`,
		);
	});
});

describe('encodePathId', () => {
	const ctx = { getNode: () => NODE } as never;
	const encode = (value: unknown) => encodePathId.call(ctx, value, 'User Custom ID', 3);

	it('URL-encodes ids so they stay one path segment', () => {
		expect(encode('a/b c?d#e%f')).toBe('a%2Fb%20c%3Fd%23e%25f');
		expect(encode('ORD-1')).toBe('ORD-1');
		expect(encode('zażółć')).toBe('za%C5%BC%C3%B3%C5%82%C4%87');
		expect(encode(42)).toBe('42');
		expect(encode(BigInt(7))).toBe('7');
		expect(encode('..a')).toBe('..a');
	});

	it.each([
		['', /is empty/],
		['   ', /is empty/],
		[undefined, /is empty/],
		[null, /is empty/],
		['.', /cannot be "\."/],
		[' .. ', /cannot be "\.\."/],
		[0, /positive whole number/],
		[-5, /positive whole number/],
		[1.5, /positive whole number/],
		[BigInt(0), /positive whole number/],
		[{ id: 1 }, /must be text or a number/],
	])('rejects %p as an input error naming the field and item', (value, message) => {
		let caught: unknown;
		try {
			encode(value);
		} catch (error) {
			caught = error;
		}
		expect(caught).toBeInstanceOf(NodeOperationError);
		const error = caught as NodeOperationError;
		expect(error.message).toMatch(message);
		expect(error.message).toContain('User Custom ID');
		expect(error.context.itemIndex).toBe(3);
	});
});
