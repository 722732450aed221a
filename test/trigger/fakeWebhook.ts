import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';

export interface FakeCall {
	secret?: string | null; // credential secret; null = no credential selected
	headers?: Record<string, string | string[]>;
	query?: IDataObject;
	body?: unknown; // what n8n's body parser produced (getBodyData)
	rawBody?: Buffer | string;
	parameters?: IDataObject; // node parameters: output, options
}

export interface RecordedResponse {
	status?: number;
	headers?: Record<string, string>;
	body?: string;
	ended: boolean;
}

/** A fake IWebhookFunctions with just what the trigger uses, recording the raw HTTP response. */
export function fakeWebhookContext(call: FakeCall): {
	context: IWebhookFunctions;
	response: RecordedResponse;
} {
	const response: RecordedResponse = { ended: false };
	const parameters: IDataObject = { output: 'raw', options: {}, ...(call.parameters ?? {}) };
	const res = {
		writeHead(status: number, headers?: Record<string, string>) {
			response.status = status;
			response.headers = headers;
			return res;
		},
		end(body?: string) {
			response.body = body;
			response.ended = true;
			return res;
		},
	};
	const context = {
		async getCredentials(name: string) {
			if (name !== 'userComTriggerApi') throw new Error(`unexpected credential ${name}`);
			if (call.secret === null) throw new Error('Node does not have any credentials set');
			return { secret: call.secret ?? 'correct-horse-battery-staple-42' };
		},
		getHeaderData: () => ({ ...(call.headers ?? {}) }),
		getQueryData: () => ({ ...(call.query ?? {}) }),
		getBodyData: () => (call.body === undefined ? {} : call.body) as IDataObject,
		getRequestObject: () => ({
			rawBody: call.rawBody,
			body: call.body,
			headers: call.headers ?? {},
		}),
		getResponseObject: () => res,
		getNodeParameter: (name: string, fallback?: unknown) =>
			name in parameters ? parameters[name] : fallback,
		getNode: () => ({
			name: 'User.com Trigger',
			type: 'userComTrigger',
			typeVersion: 1,
			parameters,
		}),
		getWebhookName: () => 'default',
		getMode: () => 'webhook',
	} as unknown as IWebhookFunctions;
	return { context, response };
}

export const SECRET = 'correct-horse-battery-staple-42';

export const SAMPLE_CALL = {
	path: 6,
	timestamp: '2021-02-01T07:27:44.469241+00:00',
	extra: { event: 'deal_won', deal: 'ORD-1' },
	user: {
		id: 7,
		key: 'x7NM5xw2eFxl',
		custom_id: 'cust-7',
		name: 'John Doe',
		first_name: 'John',
		last_name: 'Doe',
		email: 'johndoe@example.org',
		gender: 'unknown',
		status: 'visitor',
		phone_number: null,
		first_seen: '2021-01-07T13:33:24.576109Z',
	},
};
