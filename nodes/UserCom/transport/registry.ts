import { AccountDispatcher, type DispatcherConfig } from './dispatcher';
import { transportState } from './state';

/**
 * The account's dispatcher, shared by every execution and node of the process (one per base URL +
 * key); a changed rate limit or share in the credential applies to the next send.
 */
export function getDispatcher(
	fingerprint: string,
	config: Partial<DispatcherConfig>,
): AccountDispatcher {
	const registry = transportState.dispatchers;
	let dispatcher = registry.get(fingerprint);
	if (!dispatcher) {
		dispatcher = new AccountDispatcher(fingerprint, config);
		registry.set(fingerprint, dispatcher);
	} else {
		dispatcher.configure(config);
	}
	return dispatcher;
}

/**
 * FNV-1a over base URL + key, two 32-bit lanes with different offsets -> 16 hex chars.
 * Used as registry key and log fingerprint; the raw key is never stored.
 */
export function fingerprintAccount(baseUrl: string, apiKey: string): string {
	const input = `${baseUrl}\u0000${apiKey}`;
	let h1 = 0x811c9dc5;
	let h2 = 0x050c5d1f;
	for (let i = 0; i < input.length; i++) {
		const c = input.charCodeAt(i);
		h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
		h2 = Math.imul(h2 ^ c ^ (i & 0xff), 0x01000193) >>> 0;
	}
	return h1.toString(16).padStart(8, '0') + h2.toString(16).padStart(8, '0');
}
