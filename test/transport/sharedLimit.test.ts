/**
 * Several n8n processes on ONE key (queue mode, other tools), simulated on a virtual clock against
 * DRF's sliding-window throttle: see helpers/sharedAccountSim.ts. The figures are deterministic
 * per seed; the benchmark (npm run bench, scenarios 3 and 4) measures the same with real n8n.
 */
import { simulateSharedAccount, SimResult, SimSetup } from './helpers/sharedAccountSim';

const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];

async function runSeeds(make: (seed: number) => SimSetup): Promise<SimResult[]> {
	const results: SimResult[] = [];
	for (const seed of SEEDS) results.push(await simulateSharedAccount(make(seed)));
	return results;
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

describe('one key shared by several processes (simulated)', () => {
	it('two workers each configured with the full limit: few 429s, most of the limit used', async () => {
		const results = await runSeeds((seed) => ({
			seed,
			workers: [{ items: 250 }, { items: 250, startMs: 30 + seed * 17 }],
		}));
		for (const r of results) {
			expect(r.ratio429).toBeLessThanOrEqual(0.02);
			expect(r.maxInWindow).toBeLessThanOrEqual(10);
		}
		expect(mean(results.map((r) => r.throughputOfL))).toBeGreaterThanOrEqual(0.85);
	});

	it('three workers each with the full limit: 429s stay at or below 2 %', async () => {
		const results = await runSeeds((seed) => ({
			seed,
			workers: [
				{ items: 166 },
				{ items: 166, startMs: seed * 23 },
				{ items: 166, startMs: seed * 41 },
			],
		}));
		for (const r of results) expect(r.ratio429).toBeLessThanOrEqual(0.02);
		// the shares are learned from a window all workers filled from the same start: about equal
		expect(mean(results.map((r) => r.throughputOfL))).toBeGreaterThanOrEqual(0.8);
	});

	it('three workers whose executions start up to 0.9 s apart (n8n under load): shares stay about equal', async () => {
		const results = await runSeeds((seed) => ({
			seed,
			outboundMs: [5, 60],
			workers: [
				{ items: 166 },
				{ items: 166, startMs: (seed * 137) % 700 },
				{ items: 166, startMs: (seed * 251) % 900 },
			],
		}));
		for (const r of results) {
			expect(r.ratio429).toBeLessThanOrEqual(0.02);
			// every worker measured its share at the same halved rate: nobody is left with a sliver
			for (const caps of r.caps) expect(caps[5]).toBeGreaterThanOrEqual(3);
		}
		expect(mean(results.map((r) => r.throughputOfL))).toBeGreaterThanOrEqual(0.8);
	});

	it('a worker that joins late gets a fair part, and two workers split the limit with few 429s', async () => {
		const late = await runSeeds((seed) => ({
			seed,
			workers: [{ items: 400 }, { items: 400, startMs: 8000 + seed * 97 }],
		}));
		for (const r of late) expect(r.ratio429).toBeLessThanOrEqual(0.01);
		expect(mean(late.map((r) => r.throughputOfL))).toBeGreaterThanOrEqual(0.83);
		const two = await runSeeds((seed) => ({
			seed,
			workers: [{ items: 250 }, { items: 250, startMs: 30 + seed * 17 }],
		}));
		for (const r of two) expect(r.ratio429).toBeLessThanOrEqual(0.01);
	});

	it('a one-off burst from another tool costs a worker alone only a few seconds at half speed', async () => {
		const results = await runSeeds((seed) => ({
			seed,
			workers: [{ items: 600 }],
			foreign: [{ perSecond: 12, startMs: 10_000 + seed * 37, stopMs: 11_000 + seed * 37 }],
		}));
		for (const r of results) {
			expect(r.throughputOfL).toBeGreaterThanOrEqual(0.88);
			expect(r.caps[0][r.caps[0].length - 1]).toBe(10);
		}
	});

	it('a foreign client at half the limit: ours at or below 2 % 429s, combined at least 0.85 × L', async () => {
		const results = await runSeeds((seed) => ({
			seed,
			workers: [{ items: 500, startMs: 2000 }],
			foreign: [{ perSecond: 5 }],
		}));
		for (const r of results) {
			expect(r.ratio429).toBeLessThanOrEqual(0.02);
			expect(r.combinedOfL).toBeGreaterThanOrEqual(0.85);
		}
	});

	it('the share of limit split evenly: no 429 at all', async () => {
		const two = await runSeeds((seed) => ({
			seed,
			workers: [
				{ items: 100, sharePercent: 50 },
				{ items: 100, sharePercent: 50, startMs: seed * 17 },
			],
		}));
		const three = await runSeeds((seed) => ({
			seed,
			workers: [0, 1, 2].map((k) => ({ items: 60, sharePercent: 33, startMs: k * seed * 13 })),
		}));
		for (const r of [...two, ...three]) expect(r.rejected).toBe(0);
		for (const r of two) expect(r.throughputOfL).toBeGreaterThanOrEqual(0.9);
	});

	it('a worker whose neighbour finished climbs back to the full limit', async () => {
		const r = await simulateSharedAccount({ seed: 3, workers: [{ items: 900 }, { items: 40 }] });
		const caps = r.caps[0];
		// it learned a share while the neighbour ran ...
		expect(Math.min(...caps)).toBeLessThan(10);
		// ... and ends at the full configured cap again
		expect(caps[caps.length - 1]).toBe(10);
		expect(r.ratio429).toBeLessThanOrEqual(0.02);
	});
});

describe('one process at 300 ms answers, several requests in flight (simulated)', () => {
	const SOLO_SEEDS = [1, 2, 3, 4];
	/** 400 items, 6 in flight, User.com's work varying 240–360 ms, n8n's credential loads 1–8 ms. */
	const solo = (seed: number, extra: Partial<SimSetup>): SimSetup => ({
		seed,
		serviceMs: [240, 360],
		outboundMs: [2, 8],
		credentialLoadMs: [1, 8],
		workers: [{ items: 400, inFlight: 6 }],
		...extra,
	});
	const runSolo = async (extra: Partial<SimSetup>) => {
		const results: SimResult[] = [];
		for (const seed of SOLO_SEEDS) results.push(await simulateSharedAccount(solo(seed, extra)));
		return results;
	};

	it('timed credential loads: no 429 and more of the limit than counting round-trip differences in full', async () => {
		const timed = await runSolo({ outliers: false });
		const untimed = await runSolo({ outliers: false, reportLoads: false });
		for (const r of [...timed, ...untimed]) {
			expect(r.rejected).toBe(0);
			expect(r.maxInWindow).toBeLessThanOrEqual(10);
		}
		expect(mean(timed.map((r) => r.throughputOfL))).toBeGreaterThanOrEqual(0.93);
		expect(mean(untimed.map((r) => r.throughputOfL))).toBeLessThan(0.91);
	});

	it('database holds (every ~10 s, 300–500 ms): the held requests count as leaving at its end, no 429', async () => {
		const results = await runSolo({
			outliers: false,
			databaseHolds: { everyMs: 10_000, holdMs: [300, 500] },
		});
		for (const r of results) expect(r.rejected).toBe(0);
	});

	it('rare slow leavers the loads do not show: at most one 429 a run, never taken for another client', async () => {
		const results = await runSolo({ databaseHolds: { everyMs: 10_000, holdMs: [300, 500] } });
		for (const r of results) {
			expect(r.rejected).toBeLessThanOrEqual(1);
			expect(Math.min(...r.caps[0])).toBe(10);
		}
	});
});
