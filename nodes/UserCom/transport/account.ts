import { NodeOperationError } from 'n8n-workflow';

import { type BaseUrlResult, resolveBaseUrl } from './baseUrl';
import { CREDENTIAL_NAME, loose, type UserComContext } from './context';
import type { AccountDispatcher } from './dispatcher';
import { scrubSecrets } from './errors';
import { fingerprintAccount, getDispatcher } from './registry';
import { numberOr } from './settings';
import { getClock, transportState } from './state';

/** What a call needs of its credential; the dispatcher is shared by every call of the account. */
export interface Account {
	baseUrl: string;
	apiKey: string;
	dispatcher: AccountDispatcher;
}

const MAX_CACHED_BASE_URLS = 64;

/**
 * resolveBaseUrl() per credential subdomain. It is a pure function of a value that rarely changes,
 * so every request of an account shares one base URL string (which each queued request's URL
 * starts with) instead of building its own.
 */
function baseUrlOf(subdomain: unknown): BaseUrlResult {
	if (typeof subdomain !== 'string') return resolveBaseUrl(subdomain);
	const cache = transportState.baseUrls;
	let resolved = cache.get(subdomain);
	if (!resolved) {
		resolved = resolveBaseUrl(subdomain);
		if (cache.size >= MAX_CACHED_BASE_URLS) cache.clear();
		cache.set(subdomain, resolved);
	}
	return resolved;
}

/**
 * Credential -> base URL, key and the account's dispatcher.
 * Throws NodeOperationError naming the field to fix.
 */
export async function resolveAccount(context: UserComContext, itemIndex: number): Promise<Account> {
	const clock = getClock();
	const loadStartedAt = clock.now();
	const credentials = await loose(context).getCredentials(CREDENTIAL_NAME, itemIndex);
	const loadMs = clock.now() - loadStartedAt;
	const apiKey = typeof credentials.apiKey === 'string' ? credentials.apiKey.trim() : '';
	const resolved = baseUrlOf(credentials.subdomain);
	if (!resolved.ok) {
		throw new NodeOperationError(context.getNode(), scrubSecrets(resolved.error, [apiKey]), {
			itemIndex,
			description: 'Fix the "Subdomain" field of the User.com credential.',
		});
	}
	const baseUrl = resolved.url;
	if (!apiKey) {
		throw new NodeOperationError(context.getNode(), 'The User.com credential has no API key', {
			itemIndex,
			description:
				'Paste the 64-character key from User.com: ' +
				'Settings → App Settings → Advanced → Public REST API keys.',
		});
	}
	const dispatcher = getDispatcher(fingerprintAccount(baseUrl, apiKey), {
		rateLimit: numberOr(credentials.rateLimit, 10, 0.1, 1000),
		sharePercent: numberOr(credentials.limitShare, 100, 1, 100),
	});
	// n8n's request helper loads the credential the same way after the release: a sample of how
	// long a request may wait in n8n before it leaves (the dispatcher's arrival estimate)
	dispatcher.noteLeaveDelay(loadMs);
	return { baseUrl, apiKey, dispatcher };
}

/**
 * How many requests this context's account can use at once right now (see the dispatcher's
 * suggestedInFlight): read again as answers come in, so it follows the observed round trips.
 * Undefined when the credential cannot be resolved (the items then fail with that error).
 */
export async function inFlightAdvisor(
	context: UserComContext,
	itemIndex = 0,
): Promise<(() => number) | undefined> {
	try {
		const { dispatcher } = await resolveAccount(context, itemIndex);
		return () => dispatcher.suggestedInFlight();
	} catch {
		return undefined;
	}
}
