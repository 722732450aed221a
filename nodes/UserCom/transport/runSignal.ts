import { transportState } from './state';

/**
 * A signal that stops one node run's requests: the router binds it to the run's context so that,
 * after a 401/403 or when the execution is stopped, requests still queued for a slot are dropped
 * at once instead of being sent. Keyed by the context object itself,
 * so nothing leaks to other runs.
 */
export function bindRunSignal(context: object, signal: AbortSignal): void {
	transportState.runSignals.set(context, signal);
}

export function unbindRunSignal(context: object): void {
	transportState.runSignals.delete(context);
}

export function runSignalOf(context: object): AbortSignal | undefined {
	return transportState.runSignals.get(context);
}
