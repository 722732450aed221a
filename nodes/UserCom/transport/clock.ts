import { sleep } from 'n8n-workflow';

/**
 * Time source for the transport. Production uses the wall clock and n8n-workflow's `sleep`;
 * tests inject a virtual clock so throttling and backoff are deterministic and instant.
 */
export interface Clock {
	now(): number;
	sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
	now: () => Date.now(),
	sleep: async (ms: number) => {
		if (ms > 0) await sleep(ms);
	},
};

let activeClock: Clock = systemClock;
let activeRandom: () => number = Math.random;

export function getClock(): Clock {
	return activeClock;
}

/** Uniform random number in [0, 1); injectable so jitter is deterministic in tests. */
export function random(): number {
	return activeRandom();
}

/** Test hook: replace the clock (pass nothing to restore the system clock). */
export function __setClockForTests(clock?: Clock): void {
	activeClock = clock ?? systemClock;
}

/** Test hook: replace the random source used for jitter (pass nothing to restore Math.random). */
export function __setRandomForTests(fn?: () => number): void {
	activeRandom = fn ?? Math.random;
}

/**
 * Longest single timer. n8n's `sleep` cannot be cancelled, so long waits are cut into slices:
 * after an interruption at most one slice keeps running in the background.
 */
export const MAX_SLEEP_SLICE_MS = 1000;

/**
 * Waits `ms` on the active clock, or less when `interrupt` settles first (a wake-up or a
 * cancellation). Resolves to true when the full time elapsed, false when interrupted.
 */
export async function interruptibleSleep(ms: number, interrupt?: Promise<unknown>): Promise<boolean> {
	if (ms <= 0) return true;
	const clock = activeClock;
	let interrupted = false;
	const stop = interrupt?.then(
		() => {
			interrupted = true;
		},
		() => {
			interrupted = true;
		},
	);
	const end = clock.now() + ms;
	for (;;) {
		if (interrupted) return false;
		const left = end - clock.now();
		if (left <= 0) return true;
		const slice = clock.sleep(Math.min(left, MAX_SLEEP_SLICE_MS));
		await (stop ? Promise.race([slice, stop]) : slice);
	}
}
