import type { IHttpRequestOptions, INode } from 'n8n-workflow';

import type { FakeClock } from './fakeClock';

export const API_KEY = 'k3y'.repeat(21) + 'Z'; // 64 characters
export const NODE: INode = {
	id: 'node-1',
	name: 'User.com',
	type: 'n8n-nodes-usercom.userCom',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

export interface RecordedCall {
	at: number;
	executionId: string;
	options: IHttpRequestOptions;
	credentialType: string;
}

export interface ScriptedResponse {
	statusCode: number;
	body?: unknown;
	headers?: Record<string, unknown>;
	/** Virtual milliseconds the request takes. */
	latencyMs?: number;
}

export type Script = (
	call: RecordedCall,
	index: number,
) => ScriptedResponse | Error | Promise<ScriptedResponse | Error>;

export function networkError(code: string, message = `connect ${code} 1.2.3.4:443`): Error {
	const error = new Error(message) as Error & { code: string };
	error.code = code;
	return error;
}

/** Scripted fake of n8n's request helper: records every call with its virtual send time. */
export class FakeHttp {
	readonly calls: RecordedCall[] = [];

	constructor(
		readonly clock: FakeClock,
		public script: Script = () => ({ statusCode: 200, body: {} }),
	) {}

	handler(executionId: string) {
		return async (credentialType: string, options: IHttpRequestOptions) => {
			const call: RecordedCall = { at: this.clock.now(), executionId, options, credentialType };
			this.calls.push(call);
			const result = await this.script(call, this.calls.length - 1);
			if (result instanceof Error) {
				throw result;
			}
			if (result.latencyMs) await this.clock.sleep(result.latencyMs);
			return { body: result.body, headers: result.headers ?? {}, statusCode: result.statusCode };
		};
	}

	sendTimes(executionId?: string): number[] {
		return this.calls.filter((c) => !executionId || c.executionId === executionId).map((c) => c.at);
	}
}

export interface LogEntry {
	level: 'debug' | 'warn';
	message: string;
	meta?: object;
}

export interface ContextOptions {
	executionId?: string | null;
	credentials?: Record<string, unknown>;
	requestOptions?: Record<string, unknown> | 'missing';
	signal?: AbortSignal;
	noLogger?: boolean;
	loadOptions?: boolean;
	/** Virtual milliseconds each credential load takes (n8n reads and decrypts it). */
	credentialLoadMs?: number;
}

export function makeContext(http: FakeHttp, logs: LogEntry[], opts: ContextOptions = {}) {
	const executionId = opts.executionId === undefined ? 'exec-1' : opts.executionId;
	const credentials = {
		subdomain: 'acme',
		apiKey: API_KEY,
		rateLimit: 10,
		limitShare: 100,
		...opts.credentials,
	};
	const ctx: Record<string, unknown> = {
		getNode: () => NODE,
		getCredentials: async () => {
			if (opts.credentialLoadMs) await http.clock.sleep(opts.credentialLoadMs);
			return credentials;
		},
		helpers: { httpRequestWithAuthentication: http.handler(executionId ?? 'none') },
	};
	if (!opts.noLogger) {
		ctx.logger = {
			debug: (message: string, meta?: object) => logs.push({ level: 'debug', message, meta }),
			warn: (message: string, meta?: object) => logs.push({ level: 'warn', message, meta }),
		};
	}
	if (executionId !== null) ctx.getExecutionId = () => executionId;
	if (opts.signal) ctx.getExecutionCancelSignal = () => opts.signal;
	if (!opts.loadOptions) {
		ctx.getInputData = () => [{ json: {} }];
		ctx.getNodeParameter = (name: string, _itemIndex: number, fallback: unknown) => {
			if (name !== 'requestOptions') throw new Error(`unexpected parameter ${name}`);
			if (opts.requestOptions === 'missing')
				throw new Error('Could not get parameter "requestOptions"');
			return opts.requestOptions ?? fallback;
		};
	}
	// eslint-disable-next-line @typescript-eslint/no-explicit-any
	return ctx as any;
}
