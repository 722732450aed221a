import type { IExecuteFunctions, INodeParameterResourceLocator } from 'n8n-workflow';

/**
 * Keys of the records an item touches, so the router can run items that touch the same record in
 * input order (e.g. two upserts of one company custom ID must not race). `company:id:12`,
 * `company:custom:acme`, `user:email:jane@example.com` (lower-cased), `user:id:5`, `user:custom:c-1`.
 * ['*'] = may touch anything (serialise); [] = touches nothing another item could.
 */
export type RecordObject = 'user' | 'company';

export function recordKey(object: RecordObject, mode: string, value: unknown): string {
	const text = String(value ?? '').trim();
	if (mode === 'email') return `${object}:email:${text.toLowerCase()}`;
	if (mode === 'customId' || mode === 'custom') return `${object}:custom:${text}`;
	return `${object}:id:${text}`;
}

/** The key of a resource locator parameter, read without validating (validation happens in execute). */
export function locatorKey(this: IExecuteFunctions, name: string, object: RecordObject, itemIndex: number): string {
	const raw = this.getNodeParameter(name, itemIndex) as INodeParameterResourceLocator | string | number;
	if (typeof raw === 'object' && raw !== null) {
		const mode = (raw.mode as string) ?? 'id';
		return recordKey(object, mode === 'list' ? 'id' : mode, raw.value);
	}
	return recordKey(object, 'id', raw);
}

/** Runs a key reader; any failure (a bad expression, a missing parameter) means "may touch anything". */
export function safeKeys(read: () => Array<string | undefined>): string[] {
	try {
		return [...new Set(read().filter((key): key is string => typeof key === 'string' && key !== ''))];
	} catch {
		return ['*'];
	}
}
