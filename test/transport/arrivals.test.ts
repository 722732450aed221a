import {
	ArrivalModel,
	COLD_ARRIVAL_JITTER_MS,
	DISTRUST_LEAVE_MS,
	LEAVE_ALLOWANCE_FACTOR,
	MAX_ARRIVAL_JITTER_MS,
	RecentDurations,
	STALL_MS,
	VARYING_SERVER_MIN_MS,
	VARYING_SERVER_SPREAD_MS,
} from '../../nodes/UserCom/transport/arrivals';

/** A model with three answers (ms) and three credential loads (ms). */
function model(roundTrips: number[], loads: number[]): ArrivalModel {
	const m = new ArrivalModel();
	for (const ms of roundTrips) m.roundTrips.add(ms);
	for (const ms of loads) m.noteCredentialLoad(ms, 0);
	return m;
}

describe('RecentDurations', () => {
	it('keeps the last 32 samples with their fastest, median and slowest', () => {
		const d = new RecentDurations();
		for (let ms = 1; ms <= 40; ms++) d.add(ms);
		expect([d.count, d.fastest, d.median, d.slowest]).toEqual([32, 9, 25, 40]);
		d.add(-5);
		expect(d.fastest).toBe(0);
	});
});

describe('ArrivalModel: the allowance', () => {
	it('a server whose answers vary: twice the slowest credential load plus a timer delay', () => {
		const m = model([250, 300, 350], [4, 10, 7]);
		expect(m.allowanceMs(0)).toBe(LEAVE_ALLOWANCE_FACTOR * 10 + STALL_MS);
	});

	it('never more than MAX_ARRIVAL_JITTER_MS', () => {
		expect(model([250, 300, 350], [4, 100, 7]).allowanceMs(0)).toBe(MAX_ARRIVAL_JITTER_MS);
	});

	it('a steady server (median under VARYING_SERVER_SPREAD_MS over the fastest): the full allowance', () => {
		const m = model([5, 5 + VARYING_SERVER_SPREAD_MS - 1, 40], [4, 10, 7]);
		expect(m.allowanceMs(0)).toBe(MAX_ARRIVAL_JITTER_MS);
	});

	it('a fast server with a wide spread (n8n itself slow): the full allowance', () => {
		const m = model([VARYING_SERVER_MIN_MS - 95, 60, 90], [4, 10, 7]);
		expect(m.roundTrips.median - m.roundTrips.fastest).toBeGreaterThan(VARYING_SERVER_SPREAD_MS);
		expect(m.allowanceMs(0)).toBe(MAX_ARRIVAL_JITTER_MS);
	});

	it('fewer than three loads timed: the full allowance', () => {
		expect(model([250, 300, 350], [4, 10]).allowanceMs(0)).toBe(MAX_ARRIVAL_JITTER_MS);
	});

	it('after distrust: the full allowance for DISTRUST_LEAVE_MS, then the loads again', () => {
		const m = model([250, 300, 350], [4, 10, 7]);
		m.distrust(1000);
		expect(m.allowanceMs(1000 + DISTRUST_LEAVE_MS - 1)).toBe(MAX_ARRIVAL_JITTER_MS);
		expect(m.allowanceMs(1000 + DISTRUST_LEAVE_MS)).toBe(LEAVE_ALLOWANCE_FACTOR * 10 + STALL_MS);
	});

	it('a credential load slower than the allowance is a hold; one within it is not', () => {
		const m = model([250, 300, 350], [4, 10, 7]);
		expect(m.noteCredentialLoad(LEAVE_ALLOWANCE_FACTOR * 10 + STALL_MS, 0)).toBe(false);
		expect(m.noteCredentialLoad(400, 0)).toBe(true);
	});
});

describe('ArrivalModel: how late a request can count (lateCapMs)', () => {
	it("a fast server: up to COLD_ARRIVAL_JITTER_MS (a slow round trip is n8n's own slowness)", () => {
		expect(model([5, 6, 300], [4, 10, 7]).lateCapMs(0)).toBe(COLD_ARRIVAL_JITTER_MS);
	});

	it('a slow but steady server: up to COLD_ARRIVAL_JITTER_MS', () => {
		expect(model([300, 310, 900], [4, 10, 7]).lateCapMs(0)).toBe(COLD_ARRIVAL_JITTER_MS);
	});

	it("a server whose answers vary: the allowance (a slow answer is mostly User.com's work)", () => {
		const m = model([250, 300, 350], [4, 10, 7]);
		expect(m.lateCapMs(0)).toBe(m.allowanceMs(0));
		expect(m.lateCapMs(0)).toBe(LEAVE_ALLOWANCE_FACTOR * 10 + STALL_MS);
	});

	it('before three answers: the allowance', () => {
		const m = model([5, 6], [4, 10, 7]);
		expect(m.lateCapMs(0)).toBe(MAX_ARRIVAL_JITTER_MS);
	});
});

describe('ArrivalModel: the latest possible arrival', () => {
	const warm = () => model([250, 300, 350], [4, 10, 7]);

	it('release + how much slower than the fastest round trip, capped by the allowance', () => {
		const m = warm();
		expect(m.latestArrival({ at: 1000, doneAt: 1270 }, 5000, 150)).toBe(1000 + 20);
		expect(m.latestArrival({ at: 1000, doneAt: 1700 }, 5000, 150)).toBe(1000 + 150);
		expect(m.latestArrival({ at: 1000, doneAt: 1700 }, 5000)).toBe(
			1000 + LEAVE_ALLOWANCE_FACTOR * 10 + STALL_MS,
		);
	});

	it('still in flight: how long it has taken so far', () => {
		expect(warm().latestArrival({ at: 1000, doneAt: null }, 1280, 150)).toBe(1000 + 30);
	});

	it('held by a stall or a database hold: the same, counted from the hold end', () => {
		const ticket = { at: 1000, doneAt: 2000, heldUntil: 1500 };
		expect(warm().latestArrival(ticket, 5000, 150)).toBe(1500 + 150);
		expect(warm().latestArrival({ ...ticket, doneAt: 1760 }, 5000, 150)).toBe(1500 + 10);
	});

	it('released cold (before three answers): up to COLD_ARRIVAL_JITTER_MS, over the whole round trip', () => {
		const m = new ArrivalModel();
		expect(m.latestArrival({ at: 0, doneAt: 5000, cold: true }, 6000)).toBe(COLD_ARRIVAL_JITTER_MS);
		expect(m.latestArrival({ at: 0, doneAt: 300, cold: true }, 6000)).toBe(300);
	});
});
