import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

/**
 * Base URL expression, identical in result to nodes/UserCom/transport/baseUrl.ts:
 * `acme` -> https://acme.user.com/api/public/,
 * `acme.user.com` -> https://acme.user.com/api/public/,
 * `http://127.0.0.1:4010` -> http://127.0.0.1:4010/api/public/.
 * Plain http to a non-loopback host is upgraded to https so the key never travels unencrypted.
 */
export const USERCOM_BASE_URL_EXPRESSION =
	'={{ (/^[a-z][a-z0-9+.-]*:\\/\\//i.test(String($credentials.subdomain).trim())' +
	' ? String($credentials.subdomain).trim()' +
	'.replace(/[?#].*$/, "")' +
	'.replace(/\\/+$/, "")' +
	'.replace(/^http:\\/\\/(?!(localhost|127\\.\\d+\\.\\d+\\.\\d+|\\[::1\\])(:\\d+)?(\\/|$))/i,' +
	' "https://")' +
	'.replace(/(\\/api\\/public)?$/, "/api/public/")' +
	' : "https://" + String($credentials.subdomain).trim().replace(/\\/+$/, "").toLowerCase()' +
	'.replace(/^([^.]+)$/, "$1.user.com") + "/api/public/") }}';

export class UserComApi implements ICredentialType {
	name = 'userComApi';

	displayName = 'User.com API';

	icon: Icon = { light: 'file:usercom.svg', dark: 'file:usercom.dark.svg' };

	documentationUrl = 'https://apidocs.user.com/get-started/basic-api-usage.html';

	properties: INodeProperties[] = [
		{
			displayName: 'Subdomain',
			name: 'subdomain',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'acme',
			description:
				'Your User.com app subdomain: "acme" for acme.user.com. A full base URL such ' +
				'as https://acme.user.com also works (plain http only for localhost).',
		},
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'The 64-character Public REST API key: ' +
				'in User.com go to Settings → App Settings → Advanced → Public REST API keys',
		},
		{
			displayName: 'Rate Limit (Requests per Second)',
			name: 'rateLimit',
			type: 'number',
			typeOptions: { minValue: 0.1, numberPrecision: 1 },
			default: 10,
			description:
				'The rate limit of your User.com account (default 10 requests per second). ' +
				'All User.com nodes in this n8n process share it.',
		},
		{
			displayName: 'Share of Limit (%)',
			name: 'limitShare',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 100 },
			default: 100,
			description:
				'Share of the rate limit this n8n process may use. In queue mode with several workers, ' +
				'divide 100 by the number of workers (e.g. 25 for 4 workers).',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Token {{ String($credentials.apiKey).trim() }}',
				Accept: '*/*; version=2',
			},
		},
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: USERCOM_BASE_URL_EXPRESSION,
			url: 'segments/',
			method: 'GET',
		},
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message:
						'User.com rejected the API key: ' +
						'copy it again from Settings → App Settings → Advanced → Public REST API keys',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 403,
					message:
						'The API key is not allowed to read segments: ' +
						'check its scope and IP whitelist (API Shield) in User.com',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 404,
					message:
						'No User.com API at this address: check the subdomain (e.g. "acme" for acme.user.com)',
				},
			},
		],
	};
}
