import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { userComApiRequestAllItems } from '../transport';

/** How many objects a resource-locator list shows (User.com has no name search for these). */
const LIST_LIMIT = 200;

async function search(
	this: ILoadOptionsFunctions,
	path: string,
	label: (o: IDataObject) => string,
	filter?: string,
	limit: number | undefined = LIST_LIMIT,
): Promise<INodeListSearchResult> {
	const objects = await userComApiRequestAllItems.call(this, { method: 'GET', path }, limit);
	const needle = filter?.trim().toLowerCase();
	const results = objects
		.map((o) => ({ name: label(o), value: String(o.id) }))
		.filter((r) => !needle || r.name.toLowerCase().includes(needle) || r.value === needle);
	return { results };
}

export async function searchUsers(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	return await search.call(
		this,
		'users/',
		(u) => {
			const name =
				[u.first_name, u.last_name].filter(Boolean).join(' ') || (u.name as string) || '';
			const email = (u.email as string) || '';
			return [name, email && `<${email}>`].filter(Boolean).join(' ') || `User ${String(u.id)}`;
		},
		filter,
	);
}

export async function searchDeals(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	return await search.call(
		this,
		'deals/',
		(d) =>
			String(d.name || `Deal ${String(d.id)}`) + (d.custom_id ? ` (${String(d.custom_id)})` : ''),
		filter,
	);
}

export async function searchProducts(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	return await search.call(
		this,
		'products/',
		(p) =>
			String(p.name || `Product ${String(p.id)}`) +
			(p.custom_id ? ` (${String(p.custom_id)})` : ''),
		filter,
	);
}

/**
 * Every page: accounts have far fewer companies than contacts,
 * and one missing from the list confuses.
 */
export async function searchCompanies(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	return await search.call(
		this,
		'companies/',
		(c) => {
			const customId = c.company_id ?? c.custom_id;
			return (
				String(c.name || `Company ${String(c.id)}`) + (customId ? ` (${String(customId)})` : '')
			);
		},
		filter,
		undefined,
	);
}
