import { fixedLatency, heavyTailLatency, LatencyProfile } from '../../test/emulator/latency';

/**
 * Latency profiles of the emulator (time from a request's arrival to its answer, every answer its own
 * draw): the bench's second dimension. Ids are what `--only=s1@300` selects.
 */
export type LatencyId = '5' | '100' | '300' | 'tail';
export const LATENCY_IDS: LatencyId[] = ['5', '100', '300', 'tail'];

export function latencyLabel(id: LatencyId): string {
	return id === 'tail' ? 'heavy tail (150 ms, 5 % at 1–2 s)' : `${id} ms ±20 %`;
}

/** Mean round trip in ms (for deciding what is "slow"). */
export function latencyMeanMs(id: LatencyId): number {
	const t = heavyTailLatency();
	return id === 'tail'
		? (1 - t.tailShare) * ((t.minMs + t.maxMs) / 2) +
				t.tailShare * ((t.tailMinMs + t.tailMaxMs) / 2)
		: Number(id);
}

/**
 * The emulator's latency for a profile. A time-scaled profile scales the latency too, so that
 * latency x rate (the requests a client must keep in flight to reach the limit) stays what it is at
 * full size: at x0.5, "300 ms" is 150 ms ±20 % against L = 10 per 500 ms.
 */
export function latencyFor(p: Profile, id: LatencyId): LatencyProfile {
	const s = p.timeScale;
	if (id === 'tail') {
		const t = heavyTailLatency();
		if (s === 1) return t;
		return {
			...t,
			name: `${t.name}, x${s}`,
			minMs: t.minMs * s,
			maxMs: t.maxMs * s,
			tailMinMs: t.tailMinMs * s,
			tailMaxMs: t.tailMaxMs * s,
		};
	}
	const f = fixedLatency(Number(id) * s);
	return s === 1 ? f : { ...f, name: `${f.name} (${id} ms x${s})` };
}

/**
 * Bench profiles. Times in the scenario definitions are "real-time seconds at L = 10/s"; a profile with
 * windowMs < 1000 scales them by timeScale = windowMs / 1000 (declared in the output).
 */
export interface Profile {
	name: 'full' | 'ci' | 'dev';
	/** requests per window (the limit L) */
	limit: number;
	windowMs: number;
	/** windowMs / 1000 */
	timeScale: number;
	/** items per solo client (scenario 1 and the peers) */
	n: number;
	/** scenario 2: the big and the small execution */
	nBig: number;
	nSmall: number;
	/** scenario 3 items per queue-mode run (split across the executions) */
	nQueue: number;
	queueWorkers: number[];
	/** scenario 4 items through our node while the foreign client runs */
	nForeign: number;
	/** scenario 5 items and injected 429s (retry-after in real seconds, never scaled) */
	nRetryAfter: number;
	retryAfterSeconds: number[];
	/** scenario 6 items and outage length (scaled) */
	nOutage: number;
	outageMs: number;
	/** scenario 7 */
	overheadRequests: number;
	heapQueued: number;
	/**
	 * items for the guide's retry loop at a mean latency >= 100 ms: it sends one request at a time, so
	 * its wall / (N/L) is latency x L whatever N is, and 1,000 items at 300 ms would take 5 minutes
	 */
	nGuideSlow: number;
}

export function makeProfile(name: string): Profile {
	if (name === 'full') {
		return {
			name: 'full',
			limit: 10,
			windowMs: 1000,
			timeScale: 1,
			n: 1000,
			nBig: 1000,
			nSmall: 10,
			nQueue: 500,
			queueWorkers: [2, 3],
			nForeign: 500,
			nRetryAfter: 60,
			retryAfterSeconds: [1, 2, 3],
			nOutage: 200,
			outageMs: 60_000,
			overheadRequests: 5000,
			heapQueued: 100_000,
			nGuideSlow: 300,
		};
	}
	if (name === 'ci') {
		return {
			name: 'ci',
			limit: 10,
			windowMs: 500,
			timeScale: 0.5,
			n: 200,
			nBig: 200,
			nSmall: 10,
			nQueue: 200,
			queueWorkers: [2, 3],
			nForeign: 100,
			nRetryAfter: 30,
			retryAfterSeconds: [1, 1, 1],
			nOutage: 100,
			outageMs: 30_000,
			overheadRequests: 1000,
			heapQueued: 20_000,
			nGuideSlow: 100,
		};
	}
	if (name === 'dev') {
		return {
			...makeProfile('ci'),
			name: 'dev',
			windowMs: 250,
			timeScale: 0.25,
			n: 100,
			nBig: 100,
			nQueue: 100,
			nForeign: 100,
			outageMs: 15_000,
			nGuideSlow: 50,
		};
	}
	throw new Error(`unknown profile ${name} (full | ci | dev)`);
}

export function describeProfile(p: Profile): string {
	const scaled =
		p.timeScale === 1
			? 'real time'
			: `time scaled x${p.timeScale} (every wait/target in seconds is multiplied by ${p.timeScale})`;
	return `profile ${p.name}: L = ${p.limit} per ${p.windowMs} ms (sliding window), ${scaled}, N = ${p.n}`;
}
