import type { IDataObject } from 'n8n-workflow';

import { loose, type UserComContext } from './context';

/** The node's "Request Options" collection. */
export interface UserComRequestSettings {
	retryCreatesOnServerErrors: boolean;
	maxWaitSeconds: number;
	timeoutSeconds: number;
}

export const DEFAULT_SETTINGS: Readonly<UserComRequestSettings> = Object.freeze({
	retryCreatesOnServerErrors: false,
	maxWaitSeconds: 300,
	timeoutSeconds: 30,
});

/**
 * A number from a parameter or credential, clamped to [min, max]; empty or not a number: fallback.
 */
export function numberOr(value: unknown, fallback: number, min: number, max: number): number {
	const n = Number(value);
	if (value === undefined || value === null || value === '' || !Number.isFinite(n)) return fallback;
	return Math.min(max, Math.max(min, n));
}

/** Reads the node's "Request Options" collection; contexts without it use the defaults. */
export function readRequestSettings(
	context: UserComContext,
	itemIndex: number,
): UserComRequestSettings {
	let raw: unknown;
	const ctx = loose(context);
	try {
		if (typeof ctx.getNodeParameter === 'function' && ctx.getInputData !== undefined) {
			raw = ctx.getNodeParameter('requestOptions', itemIndex, {});
		}
	} catch {
		raw = undefined;
	}
	const options = (raw && typeof raw === 'object' ? raw : {}) as IDataObject;
	return {
		retryCreatesOnServerErrors: options.retryCreatesOnServerErrors === true,
		maxWaitSeconds: numberOr(options.maxWaitSeconds, DEFAULT_SETTINGS.maxWaitSeconds, 1, 86400),
		timeoutSeconds: numberOr(options.timeoutSeconds, DEFAULT_SETTINGS.timeoutSeconds, 1, 3600),
	};
}
