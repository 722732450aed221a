import type { BaseUrlResult } from './baseUrl';
import { type Clock, systemClock } from './clock';
import type { ImportRuntime } from '../actions/import/execute';
import type { AccountDispatcher } from './dispatcher';
import type { ExecutionStats } from './stats';

/**
 * Everything the node keeps between calls, in one place: it lives as long as the n8n process and
 * is shared by every execution and every User.com node in it. Only testing.ts replaces the clock,
 * the random source and the import's tunables, and resets the rest.
 */
export const transportState = {
	clock: systemClock as Clock,
	/** Uniform in [0, 1): jitter of backoffs, 429 waits and probe spells. */
	random: Math.random as () => number,
	/** One dispatcher per account (fingerprint of base URL + key): see registry.ts. */
	dispatchers: new Map<string, AccountDispatcher>(),
	/** Counters per execution id, for the execution hint and summary: see stats.ts. */
	executions: new Map<string, ExecutionStats>(),
	/** resolveBaseUrl() per credential subdomain: see account.ts. */
	baseUrls: new Map<string, BaseUrlResult>(),
	/** The router's stop signal per node-run context: see runSignal.ts. */
	runSignals: new WeakMap<object, AbortSignal>(),
	/**
	 * Tests' overrides of the import's poll clock, intervals and file size limit (actions/import).
	 */
	importOverrides: {} as Partial<ImportRuntime>,
};

export function getClock(): Clock {
	return transportState.clock;
}

export function random(): number {
	return transportState.random();
}

/**
 * A clock that follows the transport's current one (for dispatchers that live across test set-ups).
 */
export const currentClock: Clock = {
	now: () => transportState.clock.now(),
	sleep: (ms: number) => transportState.clock.sleep(ms),
};

/** Lets the event loop turn once on the transport's clock (see Clock.yieldTurn). */
export async function yieldToEventLoop(): Promise<void> {
	await (transportState.clock.yieldTurn?.() ?? Promise.resolve());
}
