import { sleep } from 'n8n-workflow';

/**
 * Time source for the transport. Production uses the wall clock and n8n-workflow's `sleep`;
 * tests inject a virtual clock so throttling and backoff are deterministic and instant.
 */
export interface Clock {
	now(): number;
	sleep(ms: number): Promise<void>;
	/**
	 * Lets the event loop turn once (timers, sockets) before going on. Without it (test clocks):
	 * a microtask turn only.
	 */
	yieldTurn?(): Promise<void>;
}

export const systemClock: Clock = {
	now: () => Date.now(),
	sleep: async (ms: number) => {
		if (ms > 0) await sleep(ms);
	},
	yieldTurn: async () => await sleep(0),
};

/**
 * Longest single timer. n8n's `sleep` cannot be cancelled, so long waits are cut into slices:
 * after an interruption at most one slice keeps running in the background.
 */
export const MAX_SLEEP_SLICE_MS = 1000;

/**
 * Waits `ms` on `clock`, or less when `interrupt` settles first (a wake-up or a cancellation).
 * Resolves to true when the full time elapsed, false when interrupted.
 */
export async function interruptibleSleep(
	clock: Clock,
	ms: number,
	interrupt?: Promise<unknown>,
): Promise<boolean> {
	if (ms <= 0) return true;
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

/** Sleeps on `clock`; an abort of `signal` ends the wait at once. Listener removed afterwards. */
export async function sleepUnlessAborted(
	clock: Clock,
	ms: number,
	signal: AbortSignal | undefined,
): Promise<void> {
	if (!signal) {
		await interruptibleSleep(clock, ms);
		return;
	}
	if (signal.aborted) return;
	let onAbort: () => void = () => {};
	const aborted = new Promise<void>((resolve) => {
		onAbort = () => resolve();
		signal.addEventListener('abort', onAbort, { once: true });
	});
	try {
		await interruptibleSleep(clock, ms, aborted);
	} finally {
		signal.removeEventListener('abort', onAbort);
	}
}
