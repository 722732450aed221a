import type { IDataObject } from 'n8n-workflow';

import { type Account, resolveAccount } from './account';
import { joinPath } from './baseUrl';
import type { UserComRequestOptions } from './call';
import type { UserComContext } from './context';
import { createUserComApiError, inputError } from './errors';
import { runCall } from './request';
import { readRequestSettings } from './settings';

/**
 * Follows `next` links (same origin only) until exhausted or `limit` items collected.
 * Accepts the paginated envelope {count,next,previous,results} and bare arrays.
 */
export async function userComApiRequestAllItems(
	this: UserComContext,
	options: UserComRequestOptions,
	limit?: number,
): Promise<IDataObject[]> {
	const itemIndex = options.itemIndex ?? 0;
	const account = await resolveAccount(this, itemIndex);
	const settings = readRequestSettings(this, itemIndex);
	const max =
		limit !== undefined && limit !== null && Number.isFinite(limit) && limit > 0
			? Math.floor(limit)
			: Infinity;
	const pageOptions = { ...options, method: options.method ?? 'GET' };
	const items: IDataObject[] = [];
	const seen = new Set<string>();
	let url = joinPath(account.baseUrl, options.path);
	let qs: IDataObject | undefined = options.qs;
	for (;;) {
		seen.add(url);
		const { pageItems, next } = readPage(
			await runCall(this, account, pageOptions, url, qs, settings),
		);
		for (const item of pageItems) {
			if (items.length >= max) break;
			items.push((item && typeof item === 'object' ? item : { value: item }) as IDataObject);
		}
		if (items.length >= max) break;
		if (typeof next !== 'string' || !next) break;
		const nextUrl = resolveNext(this, next, account, itemIndex);
		if (seen.has(nextUrl)) break;
		url = nextUrl;
		qs = undefined;
	}
	return items;
}

/** One page: a bare array, the paginated envelope, a single object, or nothing. */
function readPage(body: unknown): { pageItems: unknown[]; next: unknown } {
	if (Array.isArray(body)) return { pageItems: body, next: null };
	if (body && typeof body === 'object' && Array.isArray((body as IDataObject).results)) {
		return {
			pageItems: (body as IDataObject).results as unknown[],
			next: (body as IDataObject).next,
		};
	}
	if (body && typeof body === 'object' && Object.keys(body).length > 0)
		return { pageItems: [body], next: null };
	return { pageItems: [], next: null };
}

function refuseNext(
	context: UserComContext,
	next: string,
	account: Account,
	itemIndex: number,
	reason: string,
): never {
	const normalized = inputError(`Refused to follow a pagination link: ${reason}`, {
		itemIndex,
		secrets: [account.apiKey],
		description:
			`User.com returned a "next" page on ${next.slice(0, 200)}; ` +
			`the API key is only sent to ${new URL(account.baseUrl).origin}.`,
	});
	normalized.category = 'server';
	throw createUserComApiError(context.getNode(), normalized);
}

/**
 * Validates a `next` link: same origin as the base URL (http upgraded to https for the same host).
 */
function resolveNext(
	context: UserComContext,
	next: string,
	account: Account,
	itemIndex: number,
): string {
	let url: URL;
	try {
		url = new URL(next, account.baseUrl);
	} catch {
		return refuseNext(context, next, account, itemIndex, 'it is not a valid URL');
	}
	const base = new URL(account.baseUrl);
	if (url.origin !== base.origin) {
		const sameHost = url.hostname === base.hostname;
		const upgradable =
			sameHost &&
			url.protocol === 'http:' &&
			base.protocol === 'https:' &&
			(url.port === '' || url.port === '80') &&
			base.port === '';
		if (!upgradable)
			return refuseNext(
				context,
				next,
				account,
				itemIndex,
				`it points to another origin (${url.origin})`,
			);
		url.protocol = 'https:';
		url.port = '';
	}
	if (url.username || url.password)
		return refuseNext(context, next, account, itemIndex, 'it contains credentials');
	return url.toString();
}
