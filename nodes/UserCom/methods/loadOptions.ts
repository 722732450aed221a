import type { IDataObject, ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

import { userComApiRequestAllItems } from '../transport';

function sortByName(options: INodePropertyOptions[]): INodePropertyOptions[] {
	return options.sort((a, b) => a.name.localeCompare(b.name));
}

/** Every page of a list endpoint (dropdowns must not stop at the first 100). */
async function allOf(this: ILoadOptionsFunctions, path: string): Promise<IDataObject[]> {
	return await userComApiRequestAllItems.call(this, { method: 'GET', path });
}

/** Tags, by name (what add_tag/remove_tag and the `tags` field take). */
export async function getTagNames(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const tags = await allOf.call(this, 'tags/');
	return sortByName(tags.map((t) => ({ name: String(t.name), value: String(t.name) })));
}

/** Tags, by ID (what the users-by-tag listing takes). */
export async function getTagIds(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const tags = await allOf.call(this, 'tags/');
	return sortByName(tags.map((t) => ({ name: String(t.name), value: t.id as number })));
}

export async function getLists(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const lists = await allOf.call(this, 'lists/');
	return sortByName(
		lists.map((l) => ({
			name: String(l.name),
			value: l.id as number,
			description: typeof l.description === 'string' && l.description ? l.description : undefined,
		})),
	);
}

export async function getSegments(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const segments = await allOf.call(this, 'segments/');
	return sortByName(
		segments.map((s) => ({
			name: String(s.name),
			value: s.id as number,
			description: typeof s.description === 'string' && s.description ? s.description : undefined,
		})),
	);
}

async function attributesOf(
	this: ILoadOptionsFunctions,
	contentTypes: string[],
): Promise<INodePropertyOptions[]> {
	const attributes = await allOf.call(this, 'attributes/');
	return sortByName(
		attributes
			.filter((a) => contentTypes.includes(String(a.content_type ?? '').toLowerCase()))
			.map((a) => ({
				name: `${String(a.name ?? a.name_std)}${a.value_type ? ` (${String(a.value_type)})` : ''}`,
				value: String(a.name_std ?? a.name),
			})),
	);
}

export async function getUserAttributes(
	this: ILoadOptionsFunctions,
): Promise<INodePropertyOptions[]> {
	return await attributesOf.call(this, ['user', 'clientuser']);
}

export async function getDealAttributes(
	this: ILoadOptionsFunctions,
): Promise<INodePropertyOptions[]> {
	return await attributesOf.call(this, ['deal']);
}

export async function getProductAttributes(
	this: ILoadOptionsFunctions,
): Promise<INodePropertyOptions[]> {
	return await attributesOf.call(this, ['product']);
}

export async function getCompanyAttributes(
	this: ILoadOptionsFunctions,
): Promise<INodePropertyOptions[]> {
	return await attributesOf.call(this, ['company']);
}
