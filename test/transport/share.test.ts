/**
 * The learned share of a shared key as a pure unit (nodes/UserCom/transport/share.ts): state and
 * an event in, new state out, no dispatcher, no clock. Times are plain numbers.
 */
import {
	ALONE,
	capOf,
	DEFAULT_SHARE_TUNING,
	forget,
	type ShareInput,
	type ShareState,
	type ShareTuning,
	shareAfter429,
	shareAt,
} from '../../nodes/UserCom/transport/share';

const T = DEFAULT_SHARE_TUNING;
const T0 = 1_000_000;
const WINDOW_CAP = 10;

/** The account around the share: a pause of `pauseMs` after each 429, sending until `lastSendAt`. */
function input(
	blockedUntil: number,
	lastSendAt = blockedUntil,
	random: () => number = () => 0.5,
): ShareInput {
	return { windowCap: WINDOW_CAP, blockedUntil, lastSendAt, random };
}

/** Freezes a state, so that any change of it in place throws (the unit must return new states). */
function frozen(state: ShareState): ShareState {
	return Object.freeze({ ...state });
}

/** First 429 at T0 (pause 1 s), then a second one at `at` with `accepted` own requests let through. */
function measured(accepted: number, at = T0 + 1500): ShareState {
	const halved = frozen(shareAfter429(ALONE, T0, 0, input(T0 + 1000), T));
	return frozen(shareAfter429(halved, at, accepted, input(at + 1000), T));
}

describe('share learning: the first 429', () => {
	it('alone, the configured cap holds and time changes nothing', () => {
		expect(capOf(ALONE, WINDOW_CAP)).toBe(10);
		expect(shareAt(ALONE, T0 + 10 * T.idleForgetMs, input(T0), T)).toBe(ALONE);
	});

	it('halves the cap and remembers when the pause ends', () => {
		const halved = shareAfter429(ALONE, T0, 0, input(T0 + 1000), T);
		expect(halved).toMatchObject({
			phase: 'halved',
			cap: 5,
			halvedAt: T0,
			halvedResumeAt: T0 + 1000,
			lastDecreaseAt: T0,
		});
		expect(capOf(halved, WINDOW_CAP)).toBe(5);
	});

	it('counts several 429s within decreaseWindowMs as one congestion', () => {
		const halved = frozen(shareAfter429(ALONE, T0, 0, input(T0 + 1000), T));
		expect(shareAfter429(halved, T0 + T.decreaseWindowMs - 1, 5, input(T0 + 1000), T)).toBe(halved);
	});

	it('halved with no further 429 for retryFullMs after the pause: the full cap again, for keepHalfMs on probation', () => {
		const halved = frozen(shareAfter429(ALONE, T0, 0, input(T0 + 1000), T));
		const resume = T0 + 1000;
		expect(shareAt(halved, resume + T.retryFullMs - 1, input(resume), T)).toBe(halved);
		const full = shareAt(halved, resume + T.retryFullMs, input(resume), T);
		expect(full).toMatchObject({
			phase: 'alone',
			cap: null,
			keepHalfUntil: resume + T.retryFullMs + T.keepHalfMs,
		});
		// a 429 on probation keeps the half for good (learned, not halved)
		const again = shareAfter429(
			frozen(full),
			resume + T.retryFullMs + 800,
			0,
			input(resume + T.retryFullMs + 1800),
			T,
		);
		expect(again).toMatchObject({ phase: 'learned', cap: 5 });
		// after the probation a 429 is a new episode: halved again
		const later = resume + T.retryFullMs + T.keepHalfMs + 1;
		expect(shareAfter429(frozen(full), later, 0, input(later + 1000), T)).toMatchObject({
			phase: 'halved',
			cap: 5,
		});
	});
});

describe('share learning: measuring the share (three or more processes)', () => {
	it('a second 429 soon after the pause caps at the own accepted requests', () => {
		expect(measured(4)).toMatchObject({ phase: 'learned', cap: 4 });
		expect(measured(3)).toMatchObject({ phase: 'learned', cap: 3 });
	});

	it('the measure is at least one fewer than the half', () => {
		expect(measured(5).cap).toBe(4);
		expect(measured(9).cap).toBe(4);
	});

	it('hardly anything let through is no fair measure: stays halved and measures after this pause', () => {
		const state = measured(1, T0 + 1500);
		expect(state).toMatchObject({
			phase: 'halved',
			cap: 5,
			halvedAt: T0 + 1500,
			halvedResumeAt: T0 + 2500,
		});
	});

	it('a second 429 later than confirmMs after the pause is one step down, not a measure', () => {
		const at = T0 + 1000 + T.confirmMs + 1;
		expect(measured(2, at)).toMatchObject({ phase: 'learned', cap: 4, cutByOther: true });
	});
});

describe('share learning: probing upwards', () => {
	it('probes one step after a spell of spellPerCapMs × cap, ramps after a good probe, forgets at the configured cap', () => {
		const learned = measured(2); // cap 2, changed at T0 + 1500, pause until T0 + 2500
		const end = T0 + 2500;
		const spell = 2 * T.spellPerCapMs;
		expect(shareAt(learned, end + spell - 1, input(end, end + spell - 1), T)).toBe(learned);
		let state = frozen(shareAt(learned, end + spell, input(end, end + spell), T));
		expect(state).toMatchObject({ cap: 3, probing: true, capChangedAt: end + spell });
		let at = end + spell;
		for (let cap = 4; cap < WINDOW_CAP; cap++) {
			at += T.rampMs;
			state = frozen(shareAt(state, at, input(end, at), T));
			expect(state.cap).toBe(cap);
		}
		state = shareAt(state, at + T.rampMs, input(end, at + T.rampMs), T);
		expect(state).toMatchObject({ phase: 'alone', cap: null });
	});

	it('a probe that draws a 429 steps back and doubles the spell, up to maxSpellFactor', () => {
		const end = T0 + 2500;
		const spell = 2 * T.spellPerCapMs;
		const probing = frozen(shareAt(measured(2), end + spell, input(end, end + spell), T));
		const failedAt = end + spell + 500;
		const failed = frozen(shareAfter429(probing, failedAt, 3, input(failedAt + 1000), T));
		expect(failed).toMatchObject({ cap: 2, probing: false, cutByOther: false, spellFactor: 2 });
		const resume = failedAt + 1000;
		expect(
			shareAt(failed, resume + 2 * spell - 1, input(resume, resume + 2 * spell - 1), T).cap,
		).toBe(2);
		expect(shareAt(failed, resume + 2 * spell, input(resume, resume + 2 * spell), T).cap).toBe(3);
		const again = shareAfter429(
			frozen({ ...failed, probing: true }),
			resume + 1,
			0,
			input(resume + 1001),
			T,
		);
		expect(again.spellFactor).toBe(T.maxSpellFactor);
	});

	it('a 429 it did not cause by probing costs one step and is probed back after victimSpellMs', () => {
		const hit = T0 + 7000;
		const cut = frozen(shareAfter429(measured(3), hit, 2, input(hit + 1000), T));
		expect(cut).toMatchObject({ cap: 2, cutByOther: true, spellFactor: 1 });
		const end = hit + 1000;
		expect(
			shareAt(cut, end + T.victimSpellMs - 1, input(end, end + T.victimSpellMs - 1), T).cap,
		).toBe(2);
		expect(shareAt(cut, end + T.victimSpellMs, input(end, end + T.victimSpellMs), T).cap).toBe(3);
	});

	it('spreads the spell by ± jitter, drawing a random number only when the cap changes', () => {
		for (const [value, factor] of [
			[0, 1 - T.jitter],
			[0.999999, 1 + T.jitter],
		] as const) {
			let draws = 0;
			const random = () => {
				draws++;
				return value;
			};
			const halved = shareAfter429(ALONE, T0, 0, input(T0 + 1000, T0 + 1000, random), T);
			const learned = frozen(
				shareAfter429(halved, T0 + 1500, 2, input(T0 + 2500, T0 + 2500, random), T),
			);
			expect(draws).toBe(2);
			const end = T0 + 2500;
			const spell = 2 * T.spellPerCapMs * factor;
			expect(shareAt(learned, end + spell - 2, input(end, end + spell - 2, random), T).cap).toBe(2);
			expect(shareAt(learned, end + spell + 1, input(end, end + spell + 1, random), T).cap).toBe(3);
			expect(draws).toBe(2);
		}
	});
});

describe('share learning: forgetting', () => {
	it('an account idle for idleForgetMs forgets its share and its probation', () => {
		const learned = measured(2);
		const end = T0 + 2500;
		const idle = shareAt(learned, end + T.idleForgetMs + 1, input(end, end), T);
		expect(idle).toMatchObject({
			phase: 'alone',
			cap: null,
			keepHalfUntil: Number.NEGATIVE_INFINITY,
		});
		// still sending: not idle
		const busy = end + T.idleForgetMs + 1;
		expect(shareAt(learned, busy, input(end, busy - 10), T).cap).not.toBeNull();
	});

	it('forget() (a changed configuration) keeps the 429 history', () => {
		const state = forget(measured(2));
		expect(state).toMatchObject({ phase: 'alone', cap: null, lastDecreaseAt: T0 + 1500 });
	});
});

describe('share learning: tuning is input', () => {
	it('the defaults are frozen', () => {
		expect(Object.isFrozen(DEFAULT_SHARE_TUNING)).toBe(true);
		expect(Object.isFrozen(ALONE)).toBe(true);
	});

	it('other figures change the timing without touching the defaults', () => {
		const fast: ShareTuning = { ...DEFAULT_SHARE_TUNING, retryFullMs: 100 };
		const halved = frozen(shareAfter429(ALONE, T0, 0, input(T0 + 1000), fast));
		expect(shareAt(halved, T0 + 1100, input(T0 + 1000), fast).phase).toBe('alone');
		expect(shareAt(halved, T0 + 1100, input(T0 + 1000), T).phase).toBe('halved');
		expect(DEFAULT_SHARE_TUNING.retryFullMs).toBe(5000);
	});
});
