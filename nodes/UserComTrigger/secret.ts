/**
 * Constant-time secret comparison without importing 'crypto' (project rule: nodes/ imports only
 * n8n-workflow and relative paths).
 *
 * The running time depends only on the length of the EXPECTED secret, never on where the
 * provided value first differs or on how long it is: every byte of the expected secret is
 * visited, the provided value is read modulo its own length (or as 0 when empty), and the length
 * difference is folded into the same accumulator instead of returning early.
 */
export function secretsMatch(provided: string | undefined | null, expected: string): boolean {
	if (typeof expected !== 'string' || expected.length === 0) return false;
	const a = Buffer.from(typeof provided === 'string' ? provided : '', 'utf8');
	const b = Buffer.from(expected, 'utf8');
	// Length mismatch is recorded, not returned early.
	let diff = a.length ^ b.length;
	const aLength = a.length;
	for (let i = 0; i < b.length; i++) {
		const aByte = aLength === 0 ? 0 : a[i % aLength];
		diff |= aByte ^ b[i];
	}
	// An empty provided value must never match, even against a secret of NUL bytes.
	diff |= aLength === 0 ? 1 : 0;
	return diff === 0;
}

/** First value of a header or query parameter that may be a string or an array of strings. */
export function firstString(value: unknown): string | undefined {
	if (typeof value === 'string') return value;
	if (Array.isArray(value)) {
		const first: unknown = value[0];
		return typeof first === 'string' ? first : undefined;
	}
	return undefined;
}
