import type { ImportRuntime } from '../actions/import/execute';
import { type Clock, systemClock } from './clock';
import { transportState } from './state';

/**
 * Test-only entry (never imported by the node's code): replaces the transport's clock and random
 * source, and forgets its process-wide state between tests. Dispatchers built directly take their
 * clock, random source and share tuning as constructor options instead.
 */

/** Replaces the clock (nothing: the system clock again). */
export function setTransportClock(clock?: Clock): void {
	transportState.clock = clock ?? systemClock;
}

/** Replaces the random source of jitter (nothing: Math.random again). */
export function setTransportRandom(random?: () => number): void {
	transportState.random = random ?? Math.random;
}

/**
 * Forgets every account's dispatcher, every execution's counters,
 * the base-URL cache and run signals.
 */
export function resetTransport(): void {
	transportState.dispatchers.clear();
	transportState.executions.clear();
	transportState.baseUrls.clear();
	transportState.runSignals = new WeakMap();
}

/**
 * Overrides the import's poll clock, intervals or file size limit (nothing: the defaults again).
 */
export function setImportRuntime(overrides?: Partial<ImportRuntime>): void {
	transportState.importOverrides = { ...(overrides ?? {}) };
}
