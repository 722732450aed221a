/** Analysis of the emulator's request log: the figures the bench reports come only from here. */

export interface Req {
	/** ms (epoch) when the request arrived at the emulator (counted against the limit then) */
	t: number;
	/** ms (epoch) when its answer was written */
	doneAt?: number;
	status: number;
	/** custom_id of the row, when the body had one */
	item?: string;
	/** client label derived from the custom_id prefix ("<client>-<i>") */
	client: string;
	method: string;
	path: string;
}

export function clientOf(item: string | undefined): string {
	if (!item) return 'unknown';
	const i = item.lastIndexOf('-');
	return i > 0 ? item.slice(0, i) : item;
}

/** Largest number of accepted requests in any sliding window [t, t + windowMs). */
export function slidingMax(times: number[], windowMs: number): number {
	const ts = [...times].sort((a, b) => a - b);
	let best = 0;
	let lo = 0;
	for (let hi = 0; hi < ts.length; hi++) {
		while (ts[hi] - ts[lo] >= windowMs) lo++;
		best = Math.max(best, hi - lo + 1);
	}
	return best;
}

/** Most intervals [t, doneAt) open at once (answers without doneAt are ignored). */
export function maxConcurrent(reqs: Req[]): number {
	const ev: Array<[number, number]> = [];
	for (const r of reqs) {
		if (r.doneAt === undefined) continue;
		ev.push([r.t, 1], [Math.max(r.t, r.doneAt), -1]);
	}
	// at equal times an answer closes before the next arrival opens
	ev.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
	let cur = 0;
	let best = 0;
	for (const [, d] of ev) {
		cur += d;
		best = Math.max(best, cur);
	}
	return best;
}

export function isOk(status: number): boolean {
	return status >= 200 && status < 300;
}

export interface ClientFigures {
	client: string;
	items: number;
	requests: number;
	accepted: number;
	status429: number;
	/** other non-2xx (5xx, network) */
	otherErrors: number;
	/** items whose row never got a 2xx (lost) */
	lost: number;
	/** accepted writes of an item after its first (a resent request the server had already applied) */
	duplicates: number;
	/** most requests of this client at the server at once (arrived, not yet answered) */
	maxInFlight: number;
	firstMs: number | null;
	lastAcceptedMs: number | null;
}

export function figuresFor(reqs: Req[], client: string, items: string[]): ClientFigures {
	const mine = reqs.filter((r) => r.client === client);
	const okSet = new Set<string>();
	let status429 = 0;
	let other = 0;
	let accepted = 0;
	let first: number | null = null;
	let lastOk: number | null = null;
	for (const r of mine) {
		if (first === null || r.t < first) first = r.t;
		if (isOk(r.status)) {
			accepted++;
			if (r.item) okSet.add(r.item);
			if (lastOk === null || r.t > lastOk) lastOk = r.t;
		} else if (r.status === 429) status429++;
		else other++;
	}
	const lost = items.filter((i) => !okSet.has(i)).length;
	return {
		duplicates: accepted - okSet.size,
		maxInFlight: maxConcurrent(mine),
		client,
		items: items.length,
		requests: mine.length,
		accepted,
		status429,
		otherErrors: other,
		lost,
		firstMs: first,
		lastAcceptedMs: lastOk,
	};
}

/** Accepted (and 429) requests per non-overlapping window since t0, for the chart. */
export function perWindow(
	reqs: Req[],
	t0: number,
	windowMs: number,
): { accepted: Array<[number, number]>; rejected: Array<[number, number]> } {
	const acc = new Map<number, number>();
	const rej = new Map<number, number>();
	let maxW = 0;
	for (const r of reqs) {
		const w = Math.floor((r.t - t0) / windowMs);
		if (w < 0) continue;
		maxW = Math.max(maxW, w);
		if (isOk(r.status)) acc.set(w, (acc.get(w) ?? 0) + 1);
		else if (r.status === 429) rej.set(w, (rej.get(w) ?? 0) + 1);
	}
	const accepted: Array<[number, number]> = [];
	const rejected: Array<[number, number]> = [];
	for (let w = 0; w <= maxW; w++) {
		accepted.push([w, acc.get(w) ?? 0]);
		if (rej.get(w)) rejected.push([w, rej.get(w)!]);
	}
	return { accepted, rejected };
}

export function round(v: number, digits = 3): number {
	const f = Math.pow(10, digits);
	return Math.round(v * f) / f;
}
