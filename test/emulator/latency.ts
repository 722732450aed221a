/**
 * Latency profiles: how long the emulator takes to answer an API request, as seen by the client
 * (the network round trip plus User.com's own work). The throttle still counts a request when it
 * ARRIVES, as User.com does; only the answer is late. Every answer the throttle decided pays it
 * (200s and 429s alike), each with its own draw, so answers overtake each other under jitter.
 *
 * Spec strings (CLI `--latency`, control plane `{"latency": ...}`, option `latency`):
 *   "300"           300 ms ±20 % (uniform 240–360 ms)
 *   "300±10%"       300 ms ±10 % (also "300+-10%")
 *   "100-200"       uniform 100–200 ms
 *   "tail"          heavy-tailed: 95 % at 150 ms ±20 %, 5 % at 1–2 s
 *   "none" or "0"   no latency
 */

export interface LatencyProfile {
	/** short label for logs and reports, e.g. "300 ms ±20 %" */
	name: string;
	/** most answers: uniform in [minMs, maxMs] */
	minMs: number;
	maxMs: number;
	/** share (0..1) of answers drawn from the tail instead */
	tailShare: number;
	tailMinMs: number;
	tailMaxMs: number;
}

export const DEFAULT_JITTER = 0.2;

const round3 = (v: number) => Math.round(v * 1000) / 1000;

export function fixedLatency(meanMs: number, jitter = DEFAULT_JITTER): LatencyProfile {
	const pct = Math.round(jitter * 100);
	return {
		name: `${meanMs} ms ±${pct} %`,
		minMs: round3(meanMs * (1 - jitter)),
		maxMs: round3(meanMs * (1 + jitter)),
		tailShare: 0,
		tailMinMs: 0,
		tailMaxMs: 0,
	};
}

/** Most answers ~150 ms, about 5 % taking 1–2 s (a slow database query, a GC pause, a congested link). */
export function heavyTailLatency(): LatencyProfile {
	return {
		name: 'heavy tail: 150 ms ±20 %, 5 % at 1–2 s',
		minMs: 120,
		maxMs: 180,
		tailShare: 0.05,
		tailMinMs: 1000,
		tailMaxMs: 2000,
	};
}

function checkProfile(p: LatencyProfile): LatencyProfile {
	const nums = [p.minMs, p.maxMs, p.tailShare, p.tailMinMs, p.tailMaxMs];
	if (nums.some((n) => typeof n !== 'number' || !Number.isFinite(n) || n < 0)) {
		throw new Error(
			`latency: minMs, maxMs, tailShare, tailMinMs and tailMaxMs must be numbers >= 0 (got ${JSON.stringify(p)})`,
		);
	}
	if (p.maxMs < p.minMs || p.tailMaxMs < p.tailMinMs)
		throw new Error(`latency: a maximum is below its minimum (${JSON.stringify(p)})`);
	if (p.tailShare > 1)
		throw new Error(`latency: tailShare is a fraction between 0 and 1 (got ${p.tailShare})`);
	return p;
}

/** A spec string or object -> profile; null for "no latency". Throws with the accepted forms on bad input. */
export function parseLatency(
	spec: string | Partial<LatencyProfile> | null | undefined,
): LatencyProfile | null {
	if (spec === null || spec === undefined) return null;
	if (typeof spec === 'object') {
		const p: LatencyProfile = {
			name: spec.name ?? '',
			minMs: Number(spec.minMs ?? 0),
			maxMs: Number(spec.maxMs ?? spec.minMs ?? 0),
			tailShare: Number(spec.tailShare ?? 0),
			tailMinMs: Number(spec.tailMinMs ?? 0),
			tailMaxMs: Number(spec.tailMaxMs ?? spec.tailMinMs ?? 0),
		};
		if (!p.name)
			p.name = p.tailShare
				? `${p.minMs}–${p.maxMs} ms, ${p.tailShare * 100} % at ${p.tailMinMs}–${p.tailMaxMs} ms`
				: `${p.minMs}–${p.maxMs} ms`;
		checkProfile(p);
		return p.maxMs === 0 && (p.tailShare === 0 || p.tailMaxMs === 0) ? null : p;
	}
	const s = String(spec).trim().replace(/\s+/g, '').toLowerCase();
	if (s === 'none' || s === '0' || s === '') return null;
	if (s === 'tail' || s === 'heavy-tail' || s === 'heavytail') return heavyTailLatency();
	let m = /^(\d+(?:\.\d+)?)(?:ms)?(?:(?:±|\+-|\+\/-)(\d+(?:\.\d+)?)%)?$/.exec(s);
	if (m)
		return checkProfile(
			fixedLatency(Number(m[1]), m[2] === undefined ? DEFAULT_JITTER : Number(m[2]) / 100),
		);
	m = /^(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)(?:ms)?$/.exec(s);
	if (m) {
		const [lo, hi] = [Number(m[1]), Number(m[2])];
		return checkProfile({
			name: `${lo}–${hi} ms`,
			minMs: lo,
			maxMs: hi,
			tailShare: 0,
			tailMinMs: 0,
			tailMaxMs: 0,
		});
	}
	throw new Error(`latency: cannot read "${spec}" (use 300, 300±10%, 100-200, tail or none)`);
}

/** One draw, in ms. `rand` returns [0, 1). */
export function sampleLatency(p: LatencyProfile, rand: () => number): number {
	const tail = p.tailShare > 0 && rand() < p.tailShare;
	const [lo, hi] = tail ? [p.tailMinMs, p.tailMaxMs] : [p.minMs, p.maxMs];
	return lo + rand() * (hi - lo);
}
