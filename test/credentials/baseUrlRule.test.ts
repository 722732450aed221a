/**
 * One base-URL rule. The credential's test request builds its baseURL with an n8n expression
 * (credentials/UserComApi.credentials.ts: credentials may only use expressions), the node with
 * resolveBaseUrl (nodes/UserCom/transport/baseUrl.ts). Both are fed the same table of subdomains here
 * and must agree: the same base URL for every accepted input; for every input the node refuses, the
 * expression must still never send the key over plain http to a host that is not loopback.
 */
import { Workflow, type INodeTypes } from 'n8n-workflow';
import { USERCOM_BASE_URL_EXPRESSION } from '../../credentials/UserComApi.credentials';
import { resolveBaseUrl } from '../../nodes/UserCom/transport/baseUrl';

/** Evaluates the expression with n8n-workflow's own expression engine, as n8n does for the credential test. */
function credentialBaseUrl(subdomain: string): string {
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
	return workflow.expression.getParameterValue(
		USERCOM_BASE_URL_EXPRESSION,
		null,
		0,
		0,
		'n',
		[],
		'internal',
		{
			$credentials: { subdomain },
		} as never,
	) as string;
}

/** Accepted by the node: [what the user typed, the base URL both must compute]. */
const ACCEPTED: Array<[string, string]> = [
	['acme', 'https://acme.user.com/api/public/'],
	['  ACME ', 'https://acme.user.com/api/public/'],
	['acme-shop', 'https://acme-shop.user.com/api/public/'],
	['acme2', 'https://acme2.user.com/api/public/'],
	['acme/', 'https://acme.user.com/api/public/'],
	['acme.user.com', 'https://acme.user.com/api/public/'],
	['Acme.User.com//', 'https://acme.user.com/api/public/'],
	['crm.example.com', 'https://crm.example.com/api/public/'],
	['https://acme.user.com', 'https://acme.user.com/api/public/'],
	['https://acme.user.com/', 'https://acme.user.com/api/public/'],
	['HTTPS://ACME.user.com', 'https://acme.user.com/api/public/'],
	['https://acme.user.com:443', 'https://acme.user.com/api/public/'],
	['https://acme.user.com:8443/', 'https://acme.user.com:8443/api/public/'],
	['https://acme.user.com/api/public', 'https://acme.user.com/api/public/'],
	['https://acme.user.com/api/public/', 'https://acme.user.com/api/public/'],
	['https://acme.user.com/api/public///', 'https://acme.user.com/api/public/'],
	['https://acme.user.com/proxy', 'https://acme.user.com/proxy/api/public/'],
	['https://acme.user.com/api/public/?x=1#y', 'https://acme.user.com/api/public/'],
	['https://acme.user.com#frag', 'https://acme.user.com/api/public/'],
	['http://127.0.0.1:4010', 'http://127.0.0.1:4010/api/public/'],
	['http://127.0.0.1', 'http://127.0.0.1/api/public/'],
	['http://127.10.20.30:9/', 'http://127.10.20.30:9/api/public/'],
	['http://localhost:4010/', 'http://localhost:4010/api/public/'],
	['http://LOCALHOST:4010', 'http://localhost:4010/api/public/'],
	['http://[::1]:4010', 'http://[::1]:4010/api/public/'],
	[' http://127.0.0.1:4010/api/public ', 'http://127.0.0.1:4010/api/public/'],
];

/** Refused by the node (nothing is sent); the credential test must at least not use plain http off loopback. */
const REFUSED: string[] = [
	'http://acme.user.com',
	'http://127.0.0.1.evil.com',
	'http://localhost.evil.com',
	'http://localhost:4010@evil.com',
	'http://127.0.0.1@evil.com',
	'http://128.0.0.1:4010',
	'https://user:pw@acme.user.com',
	'ftp://acme.user.com',
	'acme_corp',
	'acme..user.com',
	'acme.user.com/api/public',
];

describe('one base-URL rule: credential expression and resolveBaseUrl agree', () => {
	it.each(ACCEPTED)('%j -> %s in both', (input, expected) => {
		expect(resolveBaseUrl(input)).toEqual({ ok: true, url: expected });
		// the expression may keep the user's spelling (HTTPS://ACME…, :443): the same URL once parsed
		expect(new URL(credentialBaseUrl(input)).href).toBe(expected);
	});

	it.each(REFUSED)(
		'%j: the node refuses it, the credential test never uses plain http off loopback',
		(input) => {
			expect(resolveBaseUrl(input).ok).toBe(false);
			const url = new URL(credentialBaseUrl(input));
			// ftp:// stays ftp:// (n8n's HTTP client cannot send it at all); http:// is upgraded to https://
			if (url.protocol === 'http:')
				expect(['localhost', '127.0.0.1', '[::1]']).toContain(url.hostname);
			else expect(['https:', 'ftp:']).toContain(url.protocol);
		},
	);
});
