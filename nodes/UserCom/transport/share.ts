/**
 * The learned share of a shared key, as a pure unit: state and an event (time passing, a 429) in,
 * new state out. A 429 while this process keeps under the limit means someone else uses the same
 * key (queue-mode workers, other tools):
 *
 * 1. The first 429 halves the cap: at least one other client is there. Two processes on one key
 *    are now even, with no further 429.
 * 2. Another 429 soon after the pause (three or more processes): every process has been sending at
 *    the same halved rate since the pause, so each got about the same part of the window; each caps
 *    itself at its own requests User.com accepted in it (at least one fewer than before).
 * 3. No further 429 for a few seconds after halving: the 429 may have been a one-off burst from
 *    another tool, so the full cap is tried again; a 429 soon after that keeps the half for good.
 * 4. Probing: after a quiet spell proportional to the cap (small shares probe first,
 *    which evens out unequal shares) the cap goes up by one; a probe that draws a 429
 *    doubles the spell, one that does not is followed by the next after `rampMs`.
 *    A 429 this process did not cause by probing costs one step and is probed back soon.
 *    An account idle for `idleForgetMs` forgets everything.
 */

/** The figures of share learning (ms unless said otherwise). */
export interface ShareTuning {
	/**
	 * A 429 within this time after the halving pause ends measures the share
	 * (three or more processes).
	 */
	confirmMs: number;
	/** Halved and no further 429 for this long: try the full cap again. */
	retryFullMs: number;
	/** A 429 within this time of trying the full cap again: keep the half. */
	keepHalfMs: number;
	/**
	 * Quiet time before a probe = this × the learned cap
	 * (× 2 per failed probe, up to maxSpellFactor).
	 */
	spellPerCapMs: number;
	maxSpellFactor: number;
	/** After a 429 that was not our own probe's: probe back this soon. */
	victimSpellMs: number;
	/** After a successful probe: the next one this soon. */
	rampMs: number;
	/** Several 429s within this time are one congestion and count once. */
	decreaseWindowMs: number;
	/** Spells are randomised by ± this fraction so processes do not probe together. */
	jitter: number;
	/** An account that sends nothing this long forgets its share. */
	idleForgetMs: number;
}

export const DEFAULT_SHARE_TUNING: Readonly<ShareTuning> = Object.freeze({
	confirmMs: 2000,
	retryFullMs: 5000,
	keepHalfMs: 60_000,
	spellPerCapMs: 15_000,
	maxSpellFactor: 2,
	victimSpellMs: 10_000,
	rampMs: 3000,
	decreaseWindowMs: 1000,
	jitter: 0.2,
	idleForgetMs: 180_000,
});

export interface ShareState {
	/**
	 * alone: no share learned (cap null); halved: after a first 429;
	 * learned: a measured or probed cap.
	 */
	phase: 'alone' | 'halved' | 'learned';
	/** Sends per window learned from 429s (null: the configured cap). */
	cap: number | null;
	/** When the cap was halved, and when the pause of that 429 ended (phase 'halved'). */
	halvedAt: number;
	halvedResumeAt: number;
	/** Until when a 429 means that trying the full cap again was wrong (keep the half). */
	keepHalfUntil: number;
	/** The last 429 learned from (later ones within decreaseWindowMs are the same congestion). */
	lastDecreaseAt: number;
	/** When the cap last changed, and whether that change was a probe upwards. */
	capChangedAt: number;
	probing: boolean;
	/** The last cut came from another process's probe: probe back soon. */
	cutByOther: boolean;
	/** Doubles with each failed probe (up to maxSpellFactor). */
	spellFactor: number;
	/** Spreads the probes of processes that learned at the same moment (1 ± jitter). */
	probeJitter: number;
}

/** What the share needs to know of its account at the moment of an event. */
export interface ShareInput {
	/** Sends allowed per window by the configuration. */
	windowCap: number;
	/** End of the account's current pause (429 or 503). */
	blockedUntil: number;
	/** When the account last released a request. */
	lastSendAt: number;
	/** Uniform in [0, 1): drawn once whenever the cap changes, for the probe jitter. */
	random: () => number;
}

export const ALONE: Readonly<ShareState> = Object.freeze({
	phase: 'alone',
	cap: null,
	halvedAt: Number.NEGATIVE_INFINITY,
	halvedResumeAt: Number.NEGATIVE_INFINITY,
	keepHalfUntil: Number.NEGATIVE_INFINITY,
	lastDecreaseAt: Number.NEGATIVE_INFINITY,
	capChangedAt: Number.NEGATIVE_INFINITY,
	probing: false,
	cutByOther: false,
	spellFactor: 1,
	probeJitter: 1,
});

/** The cap in force: the configured one, or the learned one when smaller. */
export function capOf(state: ShareState, windowCap: number): number {
	return Math.min(windowCap, state.cap ?? Number.POSITIVE_INFINITY);
}

/**
 * Forgets what was learned (a changed configuration, the full cap reached). Keeps the 429 history.
 */
export function forget(state: ShareState): ShareState {
	return { ...state, phase: 'alone', cap: null, probing: false, cutByOther: false, spellFactor: 1 };
}

function withCap(
	state: ShareState,
	cap: number,
	now: number,
	input: ShareInput,
	tuning: ShareTuning,
): ShareState {
	const jitter = 1 - tuning.jitter + 2 * tuning.jitter * input.random();
	return {
		...state,
		cap: Math.max(1, cap),
		capChangedAt: now,
		probing: false,
		probeJitter: jitter,
	};
}

/** Quiet time before the next probe upwards. */
function spellMs(state: ShareState, tuning: ShareTuning): number {
	if (state.probing) return tuning.rampMs;
	if (state.cutByOther) return tuning.victimSpellMs * state.probeJitter;
	return tuning.spellPerCapMs * (state.cap ?? 1) * state.spellFactor * state.probeJitter;
}

/**
 * Time has passed: after halving with no further 429, try the full cap again; after a quiet spell,
 * probe one step up; idle for long, forget. Returns `state` itself when nothing changes.
 */
export function shareAt(
	state: ShareState,
	now: number,
	input: ShareInput,
	tuning: ShareTuning,
): ShareState {
	if (state.cap === null) return state;
	const since = Math.max(state.capChangedAt, input.blockedUntil);
	// idle for long: whatever was learned is stale, and the next 429 teaches it again
	if (now - Math.max(input.lastSendAt, since) > tuning.idleForgetMs) {
		return { ...forget(state), keepHalfUntil: Number.NEGATIVE_INFINITY };
	}
	if (state.phase === 'halved') {
		// no second 429: perhaps a one-off burst from another tool; try the full cap again
		if (now - Math.max(state.halvedAt, input.blockedUntil) >= tuning.retryFullMs) {
			return { ...forget(state), keepHalfUntil: now + tuning.keepHalfMs };
		}
		return state;
	}
	if (now - since < spellMs(state, tuning)) return state;
	const cap = state.cap + 1;
	if (cap >= input.windowCap) return forget({ ...state, capChangedAt: now });
	// the previous probe drew no 429: it succeeded
	const spellFactor = state.probing ? 1 : state.spellFactor;
	return { ...state, cap, capChangedAt: now, probing: true, cutByOther: false, spellFactor };
}

/**
 * A 429 received at `at` (`input.blockedUntil` already includes its pause). `accepted` is how many
 * of this process's requests User.com accepted in the window before the rejected one: the measure
 * of the share when several processes resumed together at the halved rate.
 */
export function shareAfter429(
	state: ShareState,
	at: number,
	accepted: number,
	input: ShareInput,
	tuning: ShareTuning,
): ShareState {
	if (at - state.lastDecreaseAt < tuning.decreaseWindowMs) return state;
	const half = Math.max(1, Math.floor(input.windowCap / 2));
	let next: ShareState = { ...state, lastDecreaseAt: at };
	if (next.phase === 'alone') {
		next = withCap(next, half, at, input, tuning);
		if (at < next.keepHalfUntil) return { ...next, phase: 'learned' };
		return { ...next, phase: 'halved', halvedAt: at, halvedResumeAt: input.blockedUntil };
	}
	next = shareAt(next, at, input, tuning);
	const cap = capOf(next, input.windowCap);
	if (next.phase === 'halved' && at - next.halvedResumeAt <= tuning.confirmMs) {
		if (accepted < Math.max(1, Math.floor(half / 2))) {
			// hardly anything got through: a burst still going on, or a window the others had filled
			// before we resumed. Not a fair measure: stay halved and measure again after this pause.
			return { ...next, halvedAt: at, halvedResumeAt: input.blockedUntil };
		}
		return { ...withCap(next, Math.min(accepted, cap - 1), at, input, tuning), phase: 'learned' };
	}
	const ownProbe = next.probing;
	const spellFactor = ownProbe
		? Math.min(next.spellFactor * 2, tuning.maxSpellFactor)
		: next.spellFactor;
	next = withCap({ ...next, spellFactor }, cap - 1, at, input, tuning);
	return { ...next, phase: 'learned', cutByOther: !ownProbe };
}
