/**
 * A fake n8n execution context for the User.com node, close to what n8n 2.x gives a node:
 * - helpers.httpRequestWithAuthentication: n8n's own outbound HTTP client (@n8n/backend-network's
 *   OutboundHttp, axios underneath, as used by n8n-core 2.41), with `returnFullResponse` ->
 *   {body, headers, statusCode}, `ignoreHttpStatusErrors`, the execution's cancel signal, and the
 *   credential injected by running the credential class's generic `authenticate` block
 *   (`={{$credentials.x}}` expressions resolved against the credential data); errors are wrapped
 *   in NodeApiError as n8n does.
 * - getNodeParameter: parameters completed with the node description's defaults by n8n-workflow's
 *   NodeHelpers.getNodeParameters (as the editor stores them), dot paths, fallback values,
 *   `extractValue` for resource locators, and simple `={{ ... }}` expressions evaluated per item
 *   with `$json`, `$itemIndex` and `$now`.
 * - continueOnFail, getExecutionId, getExecutionCancelSignal, logger (captured), getNode,
 *   addExecutionHints (captured), getCredentials (with the credential's defaults filled in).
 */
import { Container } from '@n8n/di';
import { OutboundHttp, removeEmptyBody } from '@n8n/backend-network';
import {
	NodeApiError,
	NodeHelpers,
	type ICredentialDataDecryptedObject,
	type ICredentialType,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestOptions,
	type ILoadOptionsFunctions,
	type INode,
	type INodeExecutionData,
	type INodeListSearchResult,
	type INodeParameters,
	type INodePropertyOptions,
	type INodeType,
	type JsonObject,
	type NodeExecutionHint,
} from 'n8n-workflow';

import { UserComApi } from '../../credentials/UserComApi.credentials';
import { UserCom } from '../../nodes/UserCom/UserCom.node';

export interface HarnessCredentials {
	subdomain: string;
	apiKey: string;
	rateLimit?: number;
	limitShare?: number;
}

export interface LogEntry {
	level: 'debug' | 'info' | 'warn' | 'error' | 'verbose';
	message: string;
	meta?: unknown;
}

export interface SentRequest {
	method: string;
	url: string;
	headers: IDataObject;
	body: unknown;
	qs?: IDataObject;
}

export interface RunNodeOptions {
	credentials: HarnessCredentials;
	continueOnFail?: boolean;
	executionId?: string;
	cancelSignal?: AbortSignal;
	nodeType?: INodeType;
	nodeName?: string;
}

export interface RunResult {
	/** what execute() returned (main outputs) */
	output: INodeExecutionData[][];
	/** the first (only) output */
	items: INodeExecutionData[];
	/** items routed to n8n's error output (json keys exactly error + message, error truthy) */
	errorItems: INodeExecutionData[];
	/** items that stay on the success output */
	successItems: INodeExecutionData[];
	hints: NodeExecutionHint[];
	logs: LogEntry[];
	requests: SentRequest[];
	executionId: string;
}

let executionCounter = 0;
let onTheWire = 0;

/**
 * Requests the harness's HTTP helpers have sent and not yet seen answered or failed, over every
 * run in this test file: a virtual clock holds still while there are any (FakeClock.runWithIo).
 */
export function requestsInFlight(): number {
	return onTheWire;
}

async function onWire<T>(request: Promise<T>): Promise<T> {
	onTheWire++;
	try {
		return await request;
	} finally {
		onTheWire--;
	}
}

function credentialClass(): ICredentialType {
	return new UserComApi();
}

/** Credential data as n8n hands it to a node: the stored values over the credential's defaults. */
export function completeCredentials(data: HarnessCredentials): ICredentialDataDecryptedObject {
	const out: ICredentialDataDecryptedObject = {};
	for (const property of credentialClass().properties) {
		out[property.name] = property.default as ICredentialDataDecryptedObject[string];
	}
	for (const [key, value] of Object.entries(data)) if (value !== undefined) out[key] = value;
	return out;
}

/** Resolves `={{$credentials.x}}`-style expressions the way n8n does for generic authenticate blocks. */
export function resolveCredentialExpression(
	value: unknown,
	credentials: ICredentialDataDecryptedObject,
): unknown {
	if (typeof value !== 'string' || !value.startsWith('=')) return value;
	const template = value.slice(1);
	const single = /^\{\{\s*([^}]+?)\s*\}\}$/.exec(template);
	const evaluate = (expr: string): unknown =>
		// eslint-disable-next-line @typescript-eslint/no-implied-eval
		new Function('$credentials', `return (${expr});`)(credentials);
	if (single) return evaluate(single[1]);
	return template.replace(/\{\{\s*([^}]+?)\s*\}\}/g, (_m, expr: string) => String(evaluate(expr)));
}

/** Applies the credential's `authenticate` (generic type) to request options, as n8n's CredentialsHelper does. */
export function applyAuthentication(
	requestOptions: IHttpRequestOptions,
	credentials: ICredentialDataDecryptedObject,
): IHttpRequestOptions {
	const authenticate = credentialClass().authenticate;
	if (!authenticate || typeof authenticate === 'function' || authenticate.type !== 'generic') {
		throw new Error('The harness only supports generic authenticate blocks');
	}
	const out: IHttpRequestOptions = { ...requestOptions };
	for (const [outerKey, inner] of Object.entries(authenticate.properties) as Array<
		[string, IDataObject]
	>) {
		const target = { ...(((out as unknown as IDataObject)[outerKey] as IDataObject) ?? {}) };
		for (const [key, value] of Object.entries(inner)) {
			target[key] = resolveCredentialExpression(value, credentials) as IDataObject[string];
		}
		(out as unknown as IDataObject)[outerKey] = target;
	}
	return out;
}

function getPath(source: unknown, path: string): unknown {
	let current: unknown = source;
	for (const part of path.split('.')) {
		if (current === null || current === undefined || typeof current !== 'object') return undefined;
		current = (current as IDataObject)[part];
	}
	return current;
}

function evaluateItemExpression(
	value: string,
	item: INodeExecutionData | undefined,
	itemIndex: number,
): unknown {
	const template = value.slice(1);
	const evaluate = (expr: string): unknown =>
		// eslint-disable-next-line @typescript-eslint/no-implied-eval
		new Function('$json', '$itemIndex', '$now', `return (${expr});`)(
			item?.json ?? {},
			itemIndex,
			new Date(),
		);
	const single = /^\{\{([\s\S]+?)\}\}$/.exec(template.trim());
	if (single && !single[1].includes('}}')) return evaluate(single[1]);
	return template.replace(/\{\{([\s\S]+?)\}\}/g, (_m, expr: string) => String(evaluate(expr)));
}

function resolveExpressions(
	value: unknown,
	item: INodeExecutionData | undefined,
	itemIndex: number,
): unknown {
	if (typeof value === 'string' && value.startsWith('=') && value.includes('{{')) {
		return evaluateItemExpression(value, item, itemIndex);
	}
	if (Array.isArray(value)) return value.map((v) => resolveExpressions(v, item, itemIndex));
	if (value && typeof value === 'object') {
		const out: IDataObject = {};
		for (const [k, v] of Object.entries(value as IDataObject)) {
			out[k] = resolveExpressions(v, item, itemIndex) as IDataObject[string];
		}
		return out;
	}
	return value;
}

function isErrorOutputItem(item: INodeExecutionData): boolean {
	const keys = Object.keys(item.json);
	return (
		!!item.json.error &&
		keys.length > 0 &&
		keys.every((k) => k === 'error' || k === 'message') &&
		keys.includes('error')
	);
}

interface ContextParts {
	node: INode;
	nodeType: INodeType;
	parameters: INodeParameters;
	credentials: ICredentialDataDecryptedObject;
	logs: LogEntry[];
	requests: SentRequest[];
	hints: NodeExecutionHint[];
	executionId: string;
	cancelSignal?: AbortSignal;
	items: INodeExecutionData[];
	continueOnFail: boolean;
}

function fullParameters(
	nodeType: INodeType,
	node: INode,
	parameters: INodeParameters,
): INodeParameters {
	const description = nodeType.description;
	const full = NodeHelpers.getNodeParameters(
		description.properties,
		parameters,
		true,
		false,
		node,
		description,
	);
	if (!full) throw new Error('getNodeParameters returned null');
	return full;
}

function makeLogger(logs: LogEntry[]) {
	const log = (level: LogEntry['level']) => (message: string, meta?: unknown) => {
		logs.push({ level, message, meta });
	};
	return {
		debug: log('debug'),
		info: log('info'),
		warn: log('warn'),
		error: log('error'),
		verbose: log('verbose'),
	};
}

function makeContext(parts: ContextParts): IExecuteFunctions {
	const full = fullParameters(parts.nodeType, parts.node, parts.parameters);
	const ctx = {
		getNode: () => parts.node,
		getInputData: () => parts.items,
		getExecutionId: () => parts.executionId,
		getExecutionCancelSignal: () => parts.cancelSignal,
		continueOnFail: () => parts.continueOnFail,
		logger: makeLogger(parts.logs),
		addExecutionHints: (...hints: NodeExecutionHint[]) => {
			parts.hints.push(...hints);
		},
		getCredentials: async (type: string) => {
			if (type !== 'userComApi')
				throw new Error(`Node does not have credentials of type "${type}"`);
			return { ...parts.credentials };
		},
		getNodeParameter(
			name: string,
			itemIndex: number,
			fallbackValue?: unknown,
			options?: { extractValue?: boolean },
		): unknown {
			const raw = getPath(full, name);
			let value = resolveExpressions(raw, parts.items[itemIndex], itemIndex);
			if (value === undefined) {
				if (arguments.length >= 3) return fallbackValue;
				throw new Error(`Could not get parameter "${name}"`);
			}
			if (
				options?.extractValue &&
				value &&
				typeof value === 'object' &&
				'__rl' in (value as IDataObject)
			) {
				value = (value as IDataObject).value;
			}
			return value;
		},
		helpers: {
			async httpRequestWithAuthentication(
				this: IExecuteFunctions,
				credentialsType: string,
				requestOptions: IHttpRequestOptions,
			): Promise<unknown> {
				removeEmptyBody(requestOptions);
				if (parts.cancelSignal) requestOptions.abortSignal = parts.cancelSignal;
				const credentials = await ctx.getCredentials(credentialsType);
				const authenticated = applyAuthentication(requestOptions, credentials);
				parts.requests.push({
					method: String(authenticated.method ?? 'GET'),
					url: authenticated.url,
					headers: { ...(authenticated.headers ?? {}) } as IDataObject,
					body: authenticated.body,
					qs: authenticated.qs as IDataObject | undefined,
				});
				try {
					return await onWire(Container.get(OutboundHttp).requests().request(authenticated));
				} catch (error) {
					throw new NodeApiError(parts.node, error as JsonObject);
				}
			},
			async httpRequest(requestOptions: IHttpRequestOptions): Promise<unknown> {
				removeEmptyBody(requestOptions);
				return await onWire(Container.get(OutboundHttp).requests().request(requestOptions));
			},
			returnJsonArray: (data: IDataObject | IDataObject[]) =>
				(Array.isArray(data) ? data : [data]).map((json) => ({ json })),
			constructExecutionMetaData: (
				inputData: INodeExecutionData[],
				options: { itemData: { item: number } },
			) => inputData.map((d) => ({ ...d, pairedItem: options.itemData })),
		},
	};
	return ctx as unknown as IExecuteFunctions;
}

function makeNode(parameters: INodeParameters, name = 'User.com'): INode {
	return {
		id: 'usercom-node-1',
		name,
		type: 'n8n-nodes-usercom.userCom',
		typeVersion: 1,
		position: [0, 0],
		parameters,
		credentials: { userComApi: { id: '1', name: 'User.com account' } },
	};
}

/** Runs the node's execute() for the given parameters and input items. */
export async function runNode(
	parameters: INodeParameters,
	items: INodeExecutionData[] | IDataObject[] = [{ json: {} }],
	options: RunNodeOptions,
): Promise<RunResult> {
	const nodeType = options.nodeType ?? new UserCom();
	const inputItems: INodeExecutionData[] = (items as Array<INodeExecutionData | IDataObject>).map(
		(item) =>
			item && typeof item === 'object' && 'json' in item && typeof item.json === 'object'
				? (item as INodeExecutionData)
				: { json: item as IDataObject },
	);
	const node = makeNode(parameters, options.nodeName);
	const parts: ContextParts = {
		node,
		nodeType,
		parameters,
		credentials: completeCredentials(options.credentials),
		logs: [],
		requests: [],
		hints: [],
		executionId: options.executionId ?? `harness-${process.pid}-${++executionCounter}`,
		cancelSignal: options.cancelSignal,
		items: inputItems,
		continueOnFail: options.continueOnFail ?? false,
	};
	const ctx = makeContext(parts);
	if (!nodeType.execute) throw new Error('The node has no execute()');
	const output = (await nodeType.execute.call(ctx)) as INodeExecutionData[][];
	const first = output[0] ?? [];
	return {
		output,
		items: first,
		errorItems: first.filter(isErrorOutputItem),
		successItems: first.filter((i) => !isErrorOutputItem(i)),
		hints: parts.hints,
		logs: parts.logs,
		requests: parts.requests,
		executionId: parts.executionId,
	};
}

/** Like runNode, but resolves to the thrown error (or fails when nothing was thrown). */
export async function runNodeExpectError(
	parameters: INodeParameters,
	items: INodeExecutionData[] | IDataObject[],
	options: RunNodeOptions,
): Promise<Error & { context?: IDataObject; description?: string; httpCode?: string | null }> {
	try {
		await runNode(parameters, items, options);
	} catch (error) {
		return error as Error & { context?: IDataObject };
	}
	throw new Error('Expected the node to throw, but it returned');
}

/** Runs a loadOptions method (dropdown) of the node. */
export async function runLoadOptions(
	method: string,
	options: RunNodeOptions & { parameters?: INodeParameters },
): Promise<INodePropertyOptions[]> {
	const nodeType = options.nodeType ?? new UserCom();
	const fn = (
		nodeType.methods?.loadOptions as
			| Record<string, (this: ILoadOptionsFunctions) => Promise<INodePropertyOptions[]>>
			| undefined
	)?.[method];
	if (!fn) throw new Error(`No loadOptions method ${method}`);
	return await fn.call(loadOptionsContext(nodeType, options));
}

/** Runs a listSearch method (resource locator list) of the node. */
export async function runListSearch(
	method: string,
	filter: string | undefined,
	options: RunNodeOptions & { parameters?: INodeParameters },
): Promise<INodeListSearchResult> {
	const nodeType = options.nodeType ?? new UserCom();
	const fn = (
		nodeType.methods?.listSearch as
			| Record<
					string,
					(this: ILoadOptionsFunctions, filter?: string) => Promise<INodeListSearchResult>
			  >
			| undefined
	)?.[method];
	if (!fn) throw new Error(`No listSearch method ${method}`);
	return await fn.call(loadOptionsContext(nodeType, options), filter);
}

function loadOptionsContext(
	nodeType: INodeType,
	options: RunNodeOptions & { parameters?: INodeParameters },
): ILoadOptionsFunctions {
	const parameters = options.parameters ?? {};
	const parts: ContextParts = {
		node: makeNode(parameters),
		nodeType,
		parameters,
		credentials: completeCredentials(options.credentials),
		logs: [],
		requests: [],
		hints: [],
		executionId: '',
		items: [],
		continueOnFail: false,
	};
	const exec = makeContext(parts) as unknown as IDataObject;
	// a loadOptions context has no input data, no execution id and getNodeParameter(name) without item
	return {
		getNode: exec.getNode,
		getCredentials: exec.getCredentials,
		logger: exec.logger,
		helpers: exec.helpers,
		getNodeParameter: (name: string, fallback?: unknown) =>
			(exec.getNodeParameter as (n: string, i: number, f?: unknown) => unknown)(name, 0, fallback),
		getCurrentNodeParameter: (name: string) =>
			(exec.getNodeParameter as (n: string, i: number, f?: unknown) => unknown)(name, 0, undefined),
	} as unknown as ILoadOptionsFunctions;
}
