import { createHash } from 'node:crypto';
/**
 * n8n workflows used by the bench. Every workflow is Webhook (POST, respond when the last node
 * finishes) -> Split Out (body.items -> one item per row) -> the client under test.
 * The same rows go to every client: { custom_id, email }, written with POST users/update_or_create/.
 */

export type ClientKind = 'ours' | 'httpDefault' | 'httpBatching' | 'httpRetry';

export interface BenchWorkflowSpec {
	id: string; // 16 chars, fixed
	name: string;
	path: string; // webhook path
	kind: ClientKind;
	/** ours: credential id; peers: base URL + key written into the node */
	credentialId?: string;
	baseUrl?: string;
	apiKey?: string;
	/** peer batching: items per batch and interval (ms) */
	batchSize?: number;
	batchIntervalMs?: number;
	/** peer Retry On Fail: tries and wait (ms, n8n caps at 5 tries / 5000 ms) */
	maxTries?: number;
	waitBetweenTriesMs?: number;
	/** ours: node type, 'n8n-nodes-usercom.userCom' when installed from the tarball */
	nodeType?: string;
}

function uuid(seed: string, n: number): string {
	const hex = createHash('sha256').update(`${seed}:${n}`).digest('hex').slice(0, 32);
	return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function buildWorkflow(spec: BenchWorkflowSpec): Record<string, unknown> {
	const webhook = {
		parameters: {
			httpMethod: 'POST',
			path: spec.path,
			responseMode: 'lastNode',
			responseData: 'noData',
			options: {},
		},
		id: uuid(spec.id, 1),
		name: 'Webhook',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		position: [0, 0],
		webhookId: uuid(spec.id, 9),
	};
	const split = {
		parameters: { fieldToSplitOut: 'body.items', include: 'noOtherFields', options: {} },
		id: uuid(spec.id, 2),
		name: 'Split Out',
		type: 'n8n-nodes-base.splitOut',
		typeVersion: 1,
		position: [220, 0],
	};
	let client: Record<string, unknown>;
	if (spec.kind === 'ours') {
		client = {
			parameters: {
				resource: 'user',
				operation: 'upsert',
				customId: '={{ $json.custom_id }}',
				additionalFields: { email: '={{ $json.email }}' },
			},
			id: uuid(spec.id, 3),
			name: 'User.com',
			type: spec.nodeType ?? 'n8n-nodes-usercom.userCom',
			typeVersion: 1,
			position: [440, 0],
			credentials: { userComApi: { id: spec.credentialId, name: `bench ${spec.credentialId}` } },
		};
	} else {
		const options: Record<string, unknown> = {};
		if (spec.kind === 'httpBatching') {
			options.batching = {
				batch: { batchSize: spec.batchSize ?? 10, batchInterval: spec.batchIntervalMs ?? 1000 },
			};
		}
		client = {
			parameters: {
				method: 'POST',
				url: `${spec.baseUrl}users/update_or_create/`,
				sendHeaders: true,
				headerParameters: {
					parameters: [
						{ name: 'Authorization', value: `Token ${spec.apiKey}` },
						{ name: 'Accept', value: '*/*; version=2' },
					],
				},
				sendBody: true,
				specifyBody: 'json',
				jsonBody: '={{ JSON.stringify({ custom_id: $json.custom_id, email: $json.email }) }}',
				options,
			},
			id: uuid(spec.id, 3),
			name: 'HTTP Request',
			type: 'n8n-nodes-base.httpRequest',
			typeVersion: 4.2,
			position: [440, 0],
			...(spec.kind === 'httpRetry'
				? {
						retryOnFail: true,
						maxTries: spec.maxTries ?? 5,
						waitBetweenTries: spec.waitBetweenTriesMs ?? 5000,
					}
				: {}),
		};
	}
	return {
		id: spec.id,
		name: spec.name,
		active: false,
		nodes: [webhook, split, client],
		connections: {
			Webhook: { main: [[{ node: 'Split Out', type: 'main', index: 0 }]] },
			'Split Out': { main: [[{ node: client.name as string, type: 'main', index: 0 }]] },
		},
		settings: {
			executionOrder: 'v1',
			saveDataSuccessExecution: 'none',
			saveManualExecutions: false,
		},
	};
}

export interface BenchCredentialSpec {
	id: string;
	baseUrl: string;
	apiKey: string;
	rateLimit: number;
	limitShare: number;
}

export function buildCredential(c: BenchCredentialSpec): Record<string, unknown> {
	return {
		id: c.id,
		name: `bench ${c.id}`,
		type: 'userComApi',
		data: {
			subdomain: c.baseUrl,
			apiKey: c.apiKey,
			rateLimit: c.rateLimit,
			limitShare: c.limitShare,
		},
	};
}

export function makeItems(prefix: string, n: number): Array<{ custom_id: string; email: string }> {
	const out = [];
	for (let i = 0; i < n; i++)
		out.push({ custom_id: `${prefix}-${i}`, email: `${prefix}-${i}@bench.example` });
	return out;
}
