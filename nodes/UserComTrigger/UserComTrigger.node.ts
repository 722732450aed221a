import {
	NodeConnectionTypes,
	type ICredentialTestFunctions,
	type ICredentialsDecrypted,
	type IDataObject,
	type IHookFunctions,
	type INodeCredentialTestResult,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
	type NodeConnectionType,
} from 'n8n-workflow';

import {
	eventLabelOf,
	parseAutomationCall,
	parseEventList,
	resolveBody,
	simplifyCall,
} from './payload';
import { firstString, secretsMatch } from './secret';

export const SECRET_HEADER = 'x-usercom-secret';
export const SECRET_QUERY_PARAMETER = 'secret';
const MIN_SECRET_LENGTH = 16;
const TRIGGER_OUTPUTS: NodeConnectionType[] = [NodeConnectionTypes.Main];

interface TriggerOptions {
	events?: string;
	eventField?: string;
	requireUser?: boolean;
	includeRawBody?: boolean;
}

/** Ends the HTTP request with a JSON error and tells n8n not to answer or start an execution. */
function reject(
	context: IWebhookFunctions,
	status: number,
	error: string,
	message: string,
): IWebhookResponseData {
	const response = context.getResponseObject();
	response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
	response.end(JSON.stringify({ error, message }));
	return { noWebhookResponse: true };
}

export class UserComTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'User.com Trigger',
		name: 'userComTrigger',
		icon: { light: 'file:usercom.svg', dark: 'file:usercom.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: 'Automation API call',
		description:
			'Starts the workflow when a User.com automation "API call" module sends data ' +
			'(the User.com node syncs contacts, events, deals and products)',
		defaults: {
			name: 'User.com Trigger',
		},
		inputs: [],
		outputs: TRIGGER_OUTPUTS,
		credentials: [
			{
				name: 'userComTriggerApi',
				required: true,
				testedBy: 'userComTriggerSecretTest',
			},
		],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				// Empty (not absent): n8n would otherwise default to 'firstEntryJson' and answer with
				// that word as text; with '' it answers with the webhookResponse the node returns.
				responseData: '',
				path: 'usercom',
			},
		],
		properties: [
			{
				displayName:
					'User.com cannot register webhooks through its API, so connect it by hand: ' +
					'1. Activate this workflow and copy the Production URL from "Webhook URLs" above. ' +
					'2. In User.com open Automations, create or edit an automation and add the "API call" ' +
					'module (after a trigger such as "New user" or a deal stage change). ' +
					"3. Paste the URL and append ?secret=YOUR_SECRET (the value in this node's " +
					'credential), or add the header x-usercom-secret: YOUR_SECRET. ' +
					'4. Add the header Content-Type: application/json. ' +
					'5. Optionally put a label in "Extra data (JSON)", e.g. {"event": "deal_won"}, ' +
					'and list it under Options > Only Run for Events. ' +
					'6. Keep "Exclude user info from call" off so the user is sent.',
				name: 'setupNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Output',
				name: 'output',
				type: 'options',
				options: [
					{
						name: 'As Sent',
						value: 'raw',
						description:
							'The call exactly as User.com sent it: path, timestamp, ' +
							'extra and the full user object',
					},
					{
						name: 'Simplified',
						value: 'simplified',
						description:
							'Flat fields: event, automationPath, timestamp, userId, userKey, customId, ' +
							'email, name, firstName, lastName, phoneNumber, status, extra',
					},
				],
				default: 'raw',
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add option',
				default: {},
				options: [
					{
						displayName: 'Event Field in Extra Data',
						name: 'eventField',
						type: 'string',
						default: 'event',
						description:
							'Key of the "Extra data (JSON)" object that holds the event label, ' +
							'e.g. event for {"event": "deal_won"}',
					},
					{
						displayName: 'Include Raw Body',
						name: 'includeRawBody',
						type: 'boolean',
						default: false,
						description: 'Whether to add the request body text, unparsed, as rawBody',
					},
					{
						displayName: 'Only Run for Events',
						name: 'events',
						type: 'string',
						default: '',
						placeholder: 'deal_won, deal_lost',
						description:
							'Comma-separated event labels (case-insensitive). ' +
							'Calls whose extra data carries another label, or none, are answered with 200 ' +
							'{"ignored": true} and start no execution. Empty: run for every call.',
					},
					{
						displayName: 'Require User',
						name: 'requireUser',
						type: 'boolean',
						default: true,
						description:
							'Whether to reject calls without a user object with 400. ' +
							'Turn off for API call modules with "Exclude user info from call" on.',
					},
				],
			},
		],
	};

	methods = {
		credentialTest: {
			// The secret is only ever compared locally (User.com has no API to check it against):
			// the test checks that it is usable.
			async userComTriggerSecretTest(
				this: ICredentialTestFunctions,
				credential: ICredentialsDecrypted,
			): Promise<INodeCredentialTestResult> {
				const secret = credential.data?.secret;
				if (typeof secret !== 'string' || secret.trim().length < MIN_SECRET_LENGTH) {
					return {
						status: 'Error',
						message: `The secret must be at least ${MIN_SECRET_LENGTH} characters long`,
					};
				}
				if (!/^[A-Za-z0-9\-_.~]+$/.test(secret)) {
					return {
						status: 'Error',
						message:
							'Use only letters, digits and -_.~ so the secret can be pasted ' +
							'into a URL without encoding',
					};
				}
				return { status: 'OK', message: 'The secret is usable' };
			},
		},
	};

	// Nothing can be registered on User.com (no webhook API): the user pastes the URL into the
	// automation. The lifecycle therefore only confirms there is nothing to create or delete.
	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return false;
			},
			async create(this: IHookFunctions): Promise<boolean> {
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		// 1. Authentication: nothing else is looked at before the secret matches.
		let expected = '';
		try {
			const credentials = await this.getCredentials('userComTriggerApi');
			expected = typeof credentials?.secret === 'string' ? credentials.secret : '';
		} catch {
			expected = '';
		}
		if (expected === '') {
			return reject(
				this,
				500,
				'Trigger not configured',
				'The User.com Trigger has no secret: ' +
					'select a User.com Trigger Secret credential in the node.',
			);
		}
		const headers = this.getHeaderData() ?? {};
		const query = (this.getQueryData() ?? {}) as IDataObject;
		const provided =
			firstString(headers[SECRET_HEADER]) ?? firstString(query[SECRET_QUERY_PARAMETER]);
		if (provided === undefined || provided === '') {
			return reject(
				this,
				401,
				'Unauthorized',
				`Missing secret: send it in the ${SECRET_HEADER} header ` +
					`or as ?${SECRET_QUERY_PARAMETER}= in the URL.`,
			);
		}
		if (!secretsMatch(provided, expected)) {
			return reject(this, 401, 'Unauthorized', 'Wrong secret.');
		}

		// 2. Body.
		const options = this.getNodeParameter('options', {}) as TriggerOptions;
		const output = this.getNodeParameter('output', 'raw') as string;
		const eventField =
			typeof options.eventField === 'string' && options.eventField.trim() !== ''
				? options.eventField.trim()
				: 'event';
		let rawBody: unknown;
		let parsedBody: unknown;
		try {
			const request = this.getRequestObject() as unknown as { rawBody?: unknown; body?: unknown };
			rawBody = request?.rawBody;
			parsedBody = this.getBodyData();
		} catch {
			parsedBody = undefined;
		}
		const resolved = resolveBody(parsedBody, rawBody);
		if (!resolved.ok) return reject(this, 400, 'Bad Request', resolved.message);
		const parsed = parseAutomationCall(resolved.value, options.requireUser !== false);
		if (!parsed.ok) return reject(this, 400, 'Bad Request', parsed.message);
		const call = parsed.call;

		// 3. Event filter.
		const wanted = parseEventList(options.events);
		const label = eventLabelOf(call.extra, eventField);
		if (
			wanted.length > 0 &&
			(label === undefined || !wanted.includes(label.trim().toLowerCase()))
		) {
			return {
				webhookResponse: {
					ignored: true,
					reason:
						label === undefined
							? `The call has no extra.${eventField}; ` +
								`this trigger only runs for: ${wanted.join(', ')}`
							: `Event "${label}" is not one of: ${wanted.join(', ')}`,
				},
			};
		}

		// 4. Output.
		const json: IDataObject =
			output === 'simplified' ? simplifyCall(call, eventField) : { ...call.body };
		if (options.includeRawBody) {
			const text =
				typeof rawBody === 'string'
					? rawBody
					: rawBody instanceof Uint8Array
						? Buffer.from(rawBody).toString('utf8')
						: JSON.stringify(call.body);
			json.rawBody = text;
		}
		return { workflowData: [[{ json }]], webhookResponse: { received: true } };
	}
}
