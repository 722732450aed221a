import { NodeOperationError } from 'n8n-workflow';

import type { UserComContext } from './context';

/**
 * Validates an id for a URL path and encodes it. Numbers must be positive integers; strings must
 * not be empty or whitespace-only, nor "." / "..". Throws NodeOperationError naming the field.
 */
export function encodePathId(
	this: UserComContext,
	value: unknown,
	fieldLabel: string,
	itemIndex: number,
): string {
	const node = this.getNode();
	const problem = (what: string) =>
		new NodeOperationError(node, `The ${fieldLabel} ${what}`, {
			itemIndex,
			description:
				`Item ${itemIndex}: enter a valid "${fieldLabel}" ` + '(it goes into the request URL).',
		});
	if (typeof value === 'number') {
		if (!Number.isInteger(value) || value <= 0)
			throw problem(`must be a positive whole number (got ${value})`);
		return String(value);
	}
	if (typeof value === 'bigint') {
		if (value <= BigInt(0)) throw problem(`must be a positive whole number (got ${value})`);
		return value.toString();
	}
	if (value === undefined || value === null) throw problem('is empty');
	if (typeof value !== 'string') throw problem(`must be text or a number (got ${typeof value})`);
	if (value.trim() === '') throw problem('is empty');
	if (value.trim() === '.' || value.trim() === '..') throw problem(`cannot be "${value.trim()}"`);
	return encodeURIComponent(value);
}
