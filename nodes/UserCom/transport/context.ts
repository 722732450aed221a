import type {
	IDataObject,
	IExecuteFunctions,
	IHookFunctions,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	INode,
	IWebhookFunctions,
} from 'n8n-workflow';

import { runSignalOf } from './runSignal';

/** Any n8n context the transport runs in (anything with the request helper and credentials). */
export type UserComContext =
	| IExecuteFunctions
	| ILoadOptionsFunctions
	| IHookFunctions
	| IWebhookFunctions;

export const CREDENTIAL_NAME = 'userComApi';

const FALLBACK_EXECUTION_KEY = '__no_execution__';

/** The parts of the context the transport uses; some are missing in some context types. */
interface LooseContext {
	getNode: () => INode;
	getExecutionId?: () => string;
	getExecutionCancelSignal?: () => AbortSignal | undefined;
	getInputData?: unknown;
	getNodeParameter?: (...args: unknown[]) => unknown;
	getCredentials: (type: string, itemIndex?: number) => Promise<IDataObject>;
	helpers: {
		httpRequestWithAuthentication: (
			this: unknown,
			type: string,
			options: IHttpRequestOptions,
		) => Promise<unknown>;
	};
}

export function loose(context: UserComContext): LooseContext {
	return context as unknown as LooseContext;
}

/** The execution id (queues and counters are per execution); loadOptions has none. */
export function executionKeyOf(context: UserComContext): string {
	try {
		const id = loose(context).getExecutionId?.();
		if (typeof id === 'string' && id) return id;
		if (typeof id === 'number') return String(id);
	} catch {
		// loadOptions and some hook contexts have no execution
	}
	return FALLBACK_EXECUTION_KEY;
}

/**
 * The run's stop signal (bound by the router), else the execution's cancel signal, when there is
 * one.
 */
export function cancelSignalOf(context: UserComContext): AbortSignal | undefined {
	// the router's signal for this run already follows the execution's own
	const runSignal = runSignalOf(context);
	if (runSignal) return runSignal;
	try {
		const signal = loose(context).getExecutionCancelSignal?.();
		return signal && typeof signal.aborted === 'boolean' ? signal : undefined;
	} catch {
		return undefined;
	}
}
