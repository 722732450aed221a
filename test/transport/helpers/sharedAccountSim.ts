/**
 * Deterministic simulation of several n8n processes (queue-mode workers) and foreign clients
 * sharing ONE User.com key, on a virtual clock. Each worker has its own AccountDispatcher (as a
 * separate process would) and sends its items one after another, as the node does; the server is
 * DRF's sliding-window throttle (at most `limit` accepted in any (t − window, t]); a 429 carries
 * retry-after = ceil(wait) seconds, at least 1, like DRF. Latencies are seeded random.
 *
 * Used by the shared-limit tests and by `npx ts-node test/transport/helpers/sharedAccountSim.ts`,
 * which prints the figures for a few set-ups (for tuning the dispatcher without real n8n;
 * T_<name>=<value> overrides a figure of DEFAULT_SHARE_TUNING, passed to every worker's dispatcher).
 */
import type { SendTicket } from '../../../nodes/UserCom/transport/arrivals';
import { AccountDispatcher } from '../../../nodes/UserCom/transport/dispatcher';
import { DEFAULT_SHARE_TUNING, type ShareTuning } from '../../../nodes/UserCom/transport/share';
import { FakeClock } from './fakeClock';

export interface SimWorker {
	items: number;
	/** percent of the limit configured in this worker's credential */
	sharePercent?: number;
	/** virtual ms after the start when this worker's execution begins */
	startMs?: number;
	/** items in flight at once (the node's Parallel Requests), default 1 */
	inFlight?: number;
}

export interface SimForeign {
	/** evenly spaced requests per second, fire and forget (no retries), until the workers finish */
	perSecond: number;
	startMs?: number;
	/** virtual ms after the start when the client stops (default: when the workers finish) */
	stopMs?: number;
}

export interface SimSetup {
	limit?: number;
	windowMs?: number;
	workers: SimWorker[];
	foreign?: SimForeign[];
	seed?: number;
	/** The share-learning figures of every worker (default: DEFAULT_SHARE_TUNING). */
	tuning?: ShareTuning;
	/** release → arrival at User.com, ms: [min, max] uniform, plus rare slow outliers */
	outboundMs?: [number, number];
	/**
	 * n8n's credential load, ms: when set, each item loads the credential before its slot (timed
	 * and reported to the dispatcher, as account.ts does) and n8n's request helper loads it again
	 * after the release, so a request's way out is one more load plus outboundMs.
	 */
	credentialLoadMs?: [number, number];
	/**
	 * n8n's database busy now and then (with credentialLoadMs): every `everyMs` (±20 %) it holds
	 * every credential load for `holdMs`, so requests released meanwhile leave together at its end.
	 */
	databaseHolds?: { everyMs: number; holdMs: [number, number] };
	/** Whether the workers time their credential loads for the dispatcher (default true). */
	reportLoads?: boolean;
	/** Rare slow outliers on the way out (2 % of requests, 20–120 ms); default true. */
	outliers?: boolean;
	serviceMs?: [number, number];
	inboundMs?: [number, number];
}

export interface SimResult {
	wallMs: number;
	requests: number;
	rejected: number;
	ratio429: number;
	/** items / (wall × limit) */
	throughputOfL: number;
	/** accepted (ours + foreign) per window over the span our workers were sending, × L */
	combinedOfL: number;
	maxInWindow: number;
	workerWallMs: number[];
	workerRejected: number[];
	foreignRejected: number;
	/** each worker's cap in force, sampled every window while it runs */
	caps: number[][];
	rejections: string[];
}

function mulberry32(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

const MAX_429_JITTER_MS = 100;

export async function simulateSharedAccount(setup: SimSetup): Promise<SimResult> {
	const limit = setup.limit ?? 10;
	const windowMs = setup.windowMs ?? 1000;
	const rand = mulberry32(setup.seed ?? 1);
	const between = ([lo, hi]: [number, number]) => lo + rand() * (hi - lo);
	const outbound = setup.outboundMs ?? [4, 25];
	const service = setup.serviceMs ?? [2, 8];
	const inbound = setup.inboundMs ?? [1, 4];
	// one event-loop turn per flush: the dispatchers and the simulated server wait only on promises
	// and this clock (no setImmediate, timers or I/O), and one turn runs every queued promise
	// callback to the end, so the figures are the same as with more turns, in half the time
	const clock = new FakeClock(1_700_000_000_000, { flushTurns: 1 });
	// the dispatchers' jitter (probe spells) from the same seed, one source for all workers
	const dispatcherRandom = mulberry32((setup.seed ?? 1) * 7919);
	const tuning = setup.tuning ?? DEFAULT_SHARE_TUNING;
	const t0 = clock.now();
	const acceptedAt: number[] = [];
	let requests = 0;
	let rejected = 0;
	let foreignRejected = 0;
	let ourFirst = Number.POSITIVE_INFINITY;
	let ourLast = 0;

	// the database holds, drawn up front: [start, end] in virtual time
	const holds: Array<[number, number]> = [];
	if (setup.databaseHolds) {
		const { everyMs, holdMs } = setup.databaseHolds;
		for (let at = t0 + everyMs * (0.8 + 0.4 * rand()); at < t0 + 3_600_000; ) {
			holds.push([at, at + between(holdMs)]);
			at += everyMs * (0.8 + 0.4 * rand());
		}
	}
	/** When the database hold going on at `at` ends (`at` when there is none). */
	function holdEndAt(at: number): number {
		for (const [start, end] of holds) if (start <= at && at < end) return end;
		return at;
	}

	/** DRF SimpleRateThrottle: returns null (accepted) or the retry-after in seconds. */
	function throttle(at: number): number | null {
		let count = 0;
		let oldest = Number.POSITIVE_INFINITY;
		for (let i = acceptedAt.length - 1; i >= 0 && acceptedAt[i] > at - windowMs; i--) {
			count++;
			oldest = acceptedAt[i];
		}
		if (count >= limit) return Math.max(1, Math.ceil((oldest + windowMs - at) / 1000));
		acceptedAt.push(at);
		return null;
	}

	const workerWallMs: number[] = [];
	const caps: number[][] = setup.workers.map(() => []);
	const rejections: string[] = [];
	const workerRejected: number[] = [];
	let running = setup.workers.length;

	async function worker(index: number, w: SimWorker): Promise<void> {
		const d = new AccountDispatcher(
			`sim-worker-${index}`,
			{ rateLimit: limit * (1000 / windowMs), sharePercent: w.sharePercent ?? 100 },
			{ clock, random: dispatcherRandom, tuning },
		);
		workerRejected[index] = 0;
		if (w.startMs) await clock.sleep(w.startMs);
		const started = clock.now();
		let nextSample = started;
		let nextItem = 0;
		const load = setup.credentialLoadMs;
		/** How long a credential load started now takes (waiting out a database hold first). */
		const loadTime = (range: [number, number]): number =>
			Math.max(0, holdEndAt(clock.now()) - clock.now()) + between(range);
		const lane = async () => {
			for (let item = nextItem++; item < w.items; item = nextItem++) {
				if (load) {
					const loadMs = loadTime(load);
					await clock.sleep(loadMs);
					if (setup.reportLoads !== false) d.noteLeaveDelay(loadMs);
				}
				let head = false;
				for (;;) {
					const ticket: SendTicket = await d.acquire('execution', { head });
					const inN8n = load ? loadTime(load) : 0;
					// (drawn in this order so that set-ups without loads keep their random sequence)
					const network = between(outbound);
					const outlier = setup.outliers !== false && rand() < 0.02 ? between([20, 120]) : 0;
					await clock.sleep(inN8n + network + outlier);
					const arrival = clock.now();
					requests++;
					ourFirst = Math.min(ourFirst, arrival);
					const wait = throttle(arrival);
					await clock.sleep(between(service) + between(inbound));
					const receivedAt = clock.now();
					d.complete(ticket, receivedAt);
					if (wait === null) {
						ourLast = Math.max(ourLast, arrival);
						break;
					}
					rejected++;
					workerRejected[index]++;
					rejections.push(`w${index}@${((receivedAt - t0) / 1000).toFixed(1)}`);
					d.report429(
						receivedAt,
						wait * 1000 + Math.floor(rand() * (MAX_429_JITTER_MS + 1)),
						ticket,
					);
					head = true;
				}
				while (clock.now() >= nextSample) {
					caps[index].push(d.effectiveCap(clock.now()));
					nextSample += windowMs;
				}
				// n8n moves on to the next item
				await clock.sleep(between([0.5, 2]));
			}
		};
		await Promise.all(Array.from({ length: w.inFlight ?? 1 }, lane));
		workerWallMs[index] = clock.now() - started;
		running--;
	}

	async function foreign(f: SimForeign): Promise<void> {
		if (f.startMs) await clock.sleep(f.startMs);
		const spacing = 1000 / f.perSecond;
		const start = clock.now();
		for (let i = 0; running > 0 && (f.stopMs === undefined || clock.now() - t0 < f.stopMs); i++) {
			const due = start + i * spacing + between([0, 3]);
			if (due > clock.now()) await clock.sleep(due - clock.now());
			const at = clock.now() + between(outbound);
			void clock.sleep(at - clock.now()).then(() => {
				if (throttle(clock.now()) !== null) foreignRejected++;
			});
		}
	}

	const all = [
		...setup.workers.map((w, i) => worker(i, w)),
		...(setup.foreign ?? []).map((f) => foreign(f)),
	];
	await clock.run(Promise.all(all), 24 * 3_600_000);
	const wallMs = Math.max(...workerWallMs.map((ms, i) => ms + (setup.workers[i].startMs ?? 0)));
	const items = setup.workers.reduce((a, w) => a + w.items, 0);
	let maxInWindow = 0;
	for (let i = 0, j = 0; i < acceptedAt.length; i++) {
		while (acceptedAt[j] <= acceptedAt[i] - windowMs) j++;
		maxInWindow = Math.max(maxInWindow, i - j + 1);
	}
	const inSpan = acceptedAt.filter((t) => t >= ourFirst && t <= ourLast).length;
	return {
		wallMs,
		requests,
		rejected,
		ratio429: requests ? rejected / requests : 0,
		throughputOfL: items / (wallMs / windowMs) / limit,
		combinedOfL: inSpan / ((ourLast - ourFirst) / windowMs) / limit,
		maxInWindow,
		workerWallMs,
		workerRejected,
		foreignRejected,
		caps,
		rejections,
	};
}

/** CLI: prints the figures of the benchmark's shared-key set-ups for a few seeds. */
async function main(): Promise<void> {
	// T_<name>=<ms> overrides a figure of the share tuning, for tuning
	const tuning: ShareTuning = { ...DEFAULT_SHARE_TUNING };
	for (const key of Object.keys(tuning) as Array<keyof ShareTuning>) {
		const value = process.env[`T_${key}`];
		if (value !== undefined) tuning[key] = Number(value);
	}
	const seeds = Array.from({ length: Number(process.env.SIM_SEEDS ?? 5) }, (_, i) => i + 1);
	const setups: Array<[string, (seed: number) => SimSetup]> = [
		[
			'2 workers x 250, full limit',
			(seed) => ({ seed, workers: [{ items: 250 }, { items: 250, startMs: 30 + seed * 17 }] }),
		],
		[
			'3 workers x 166, full limit',
			(seed) => ({
				seed,
				workers: [
					{ items: 166 },
					{ items: 166, startMs: seed * 23 },
					{ items: 166, startMs: seed * 41 },
				],
			}),
		],
		[
			'3 workers x 166, slow n8n',
			(seed) => ({
				seed,
				outboundMs: [5, 60],
				workers: [
					{ items: 166 },
					{ items: 166, startMs: (seed * 137) % 700 },
					{ items: 166, startMs: (seed * 251) % 900 },
				],
			}),
		],
		[
			'3 workers x 333, full limit',
			(seed) => ({
				seed,
				workers: [
					{ items: 333 },
					{ items: 333, startMs: seed * 23 },
					{ items: 333, startMs: seed * 41 },
				],
			}),
		],
		[
			'3 workers, one joins 5 s late',
			(seed) => ({
				seed,
				workers: [
					{ items: 333 },
					{ items: 333, startMs: seed * 23 },
					{ items: 333, startMs: 5000 + seed * 97 },
				],
			}),
		],
		[
			'3 workers, 400/250/100 items',
			(seed) => ({
				seed,
				workers: [
					{ items: 400 },
					{ items: 250, startMs: seed * 23 },
					{ items: 100, startMs: seed * 41 },
				],
			}),
		],
		[
			'2 workers, one joins 8 s late',
			(seed) => ({ seed, workers: [{ items: 400 }, { items: 400, startMs: 8000 + seed * 97 }] }),
		],
		[
			'solo 600, one foreign burst',
			(seed) => ({
				seed,
				workers: [{ items: 600 }],
				foreign: [{ perSecond: 12, startMs: 10_000 + seed * 37, stopMs: 11_000 + seed * 37 }],
			}),
		],
		[
			'2 workers x 250, 50 %',
			(seed) => ({
				seed,
				workers: [
					{ items: 250, sharePercent: 50 },
					{ items: 250, sharePercent: 50, startMs: seed * 17 },
				],
			}),
		],
		[
			'3 workers x 166, 33 %',
			(seed) => ({
				seed,
				workers: [0, 1, 2].map((k) => ({ items: 166, sharePercent: 33, startMs: k * seed * 13 })),
			}),
		],
		['solo 1000', (seed) => ({ seed, workers: [{ items: 1000 }] })],
		[
			'foreign L/2 + ours 500',
			(seed) => ({ seed, workers: [{ items: 500, startMs: 2000 }], foreign: [{ perSecond: 5 }] }),
		],
	];
	const only = process.argv[2];
	for (const [name, make] of setups) {
		if (only && !name.includes(only)) continue;
		const rows: string[] = [];
		const brief: string[] = [];
		for (const seed of seeds) {
			const r = await simulateSharedAccount({ ...make(seed), tuning });
			brief.push(
				`${(r.ratio429 * 100).toFixed(1)}%/${(name.includes('foreign') ? r.combinedOfL : r.throughputOfL).toFixed(2)}`,
			);
			rows.push(
				`seed ${seed}: 429 ${r.rejected}/${r.requests} = ${(r.ratio429 * 100).toFixed(2)} %, items/wall ${r.throughputOfL.toFixed(3)} L, combined ${r.combinedOfL.toFixed(3)} L, max/window ${r.maxInWindow}, walls ${r.workerWallMs.map((w) => (w / 1000).toFixed(1)).join('/')} s${r.foreignRejected ? `, foreign 429 ${r.foreignRejected}` : ''}`,
			);
		}
		const tp = brief.map((b) => Number(b.split('/')[1]));
		const rr = brief.map((b) => Number(b.split('%')[0]));
		if (process.env.SIM_SUMMARY)
			console.log(
				`${name.padEnd(30)} 429 max ${Math.max(...rr).toFixed(1)}% mean ${(rr.reduce((a, b) => a + b, 0) / rr.length).toFixed(2)}%  L min ${Math.min(...tp).toFixed(2)} mean ${(tp.reduce((a, b) => a + b, 0) / tp.length).toFixed(3)}`,
			);
		else if (process.env.SIM_BRIEF) console.log(`${name.padEnd(30)} ${brief.join('  ')}`);
		else console.log(`${name}\n  ${rows.join('\n  ')}`);
		if (process.env.SIM_CAPS) {
			const r = await simulateSharedAccount({ ...make(Number(process.env.SIM_CAPS)), tuning });
			r.caps.forEach((c, i) => console.log(`  caps w${i}: ${c.join(' ')}`));
			console.log(`  429s: ${r.rejections.join(' ')}`);
		}
	}
}

if (require.main === module) {
	main().catch((e) => {
		console.error(e);
		process.exitCode = 1;
	});
}
