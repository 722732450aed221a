/**
 * When a released request can have reached User.com. User.com counts arrivals, not our send
 * decisions: between the release and the arrival n8n loads and decrypts the credential and opens
 * or reuses a socket, so two requests released 105 ms apart can arrive 10 ms apart. The
 * dispatcher's sliding-window guard works on each request's latest possible arrival, as estimated
 * here from recent round trips and credential loads. Time comes in as arguments (no clock here).
 */

/** A stalled pump, or a timer this late: requests due to leave were held. */
export const STALL_MS = 25;
/** The most a warm request counts as arriving later than the fastest recent one would have. */
export const MAX_ARRIVAL_JITTER_MS = 150;
/** Answers needed before round trips serve as a baseline for arrival estimates. */
export const WARM_RTT_SAMPLES = 3;
/** The allowance until then: n8n's first requests of a process take longest to leave. */
export const COLD_ARRIVAL_JITTER_MS = 1000;
/**
 * n8n's request helper loads the credential again after the release; the node's own credential
 * loads (timed in account.ts) are samples of that delay. A request counts as leaving at most twice
 * the slowest recent sample plus a timer delay short of a stall late; the rest of a slower round
 * trip is User.com's work or the way back, which does not move the arrival.
 */
export const LEAVE_ALLOWANCE_FACTOR = 2;
/**
 * Typical answers (median) this much slower than the fastest mean User.com's own work varies:
 * only then do credential loads set the allowance. With a steady server the full allowance costs
 * nothing (round trips barely differ) and catches a request that was slow to leave n8n for any
 * reason (seen at 5 ms answers: one request 95 ms late on its way out while loads took a few ms).
 */
export const VARYING_SERVER_SPREAD_MS = 25;
/**
 * ...and only where User.com takes this long even at its fastest. When it answers fast, a wide
 * spread of round trips is n8n's own slowness, which delays requests on their way out too (seen in
 * CI at 5 ms answers: a request left 130 ms late while loads were quick, and drew a 429).
 */
export const VARYING_SERVER_MIN_MS = 100;
/**
 * After a 429 for a request released on a short allowance, the account goes back to
 * MAX_ARRIVAL_JITTER_MS for this long: either a request took longer to leave than the credential
 * loads suggested (then that 429 teaches the share nothing), or another client shares the key.
 */
export const DISTRUST_LEAVE_MS = 10 * 60_000;
const RECENT_SAMPLES = 32;

/** One released request: when it was released and, once answered, when the answer came. */
export interface SendTicket {
	at: number;
	doneAt: number | null;
	/** User.com answered 429: the request did not count against the limit. */
	rejected?: boolean;
	/** A stall or a database hold held it on its way out: it set out as late as this. */
	heldUntil?: number;
	/** Released before the account had WARM_RTT_SAMPLES answers (n8n's first, slowest requests). */
	cold?: boolean;
	/** Released while the arrival allowance came from credential loads (under the maximum). */
	shortAllowance?: boolean;
}

/** The last RECENT_SAMPLES durations (ms) of one kind, with their fastest, median and slowest. */
export class RecentDurations {
	private samples: number[] = [];
	fastest = 0;
	median = 0;
	slowest = 0;

	get count(): number {
		return this.samples.length;
	}

	add(ms: number): void {
		this.samples.push(Math.max(0, ms));
		if (this.samples.length > RECENT_SAMPLES) this.samples.shift();
		const sorted = [...this.samples].sort((a, b) => a - b);
		this.fastest = sorted[0];
		this.median = sorted[Math.floor(sorted.length / 2)];
		this.slowest = sorted[sorted.length - 1];
	}
}

export class ArrivalModel {
	readonly roundTrips = new RecentDurations();
	readonly credentialLoads = new RecentDurations();
	/** Until when credential loads do not set the allowance (see DISTRUST_LEAVE_MS). */
	private distrustUntil = Number.NEGATIVE_INFINITY;

	/** Enough answers for round trips to serve as a baseline. */
	get warm(): boolean {
		return this.roundTrips.count >= WARM_RTT_SAMPLES;
	}

	/**
	 * How much later than the fastest request a warm request can reach User.com: with a server
	 * whose answers vary (VARYING_SERVER_SPREAD_MS), twice the slowest recent credential load plus
	 * a timer delay short of a stall, at most MAX_ARRIVAL_JITTER_MS; else, and until
	 * WARM_RTT_SAMPLES loads have been timed, MAX_ARRIVAL_JITTER_MS.
	 */
	allowanceMs(now: number): number {
		const { credentialLoads } = this;
		if (credentialLoads.count < WARM_RTT_SAMPLES) return MAX_ARRIVAL_JITTER_MS;
		if (now < this.distrustUntil) return MAX_ARRIVAL_JITTER_MS;
		if (!this.serverTimesVary) return MAX_ARRIVAL_JITTER_MS;
		return Math.min(
			MAX_ARRIVAL_JITTER_MS,
			LEAVE_ALLOWANCE_FACTOR * credentialLoads.slowest + STALL_MS,
		);
	}

	/**
	 * User.com is slow even at its fastest (VARYING_SERVER_MIN_MS) and its answers vary
	 * (VARYING_SERVER_SPREAD_MS): only then is a slower round trip mostly User.com's own work.
	 * Otherwise it is n8n's slowness (a stall, a held database read), which may have held the
	 * request on its way out.
	 */
	private get serverTimesVary(): boolean {
		const { roundTrips } = this;
		return (
			roundTrips.fastest >= VARYING_SERVER_MIN_MS &&
			roundTrips.median - roundTrips.fastest >= VARYING_SERVER_SPREAD_MS
		);
	}

	/**
	 * The most a warm request counts as arriving late, for the sliding-window guard: the allowance,
	 * or, where slow round trips are n8n's own (not serverTimesVary), as late as its round trip shows
	 * up to COLD_ARRIVAL_JITTER_MS. Seen in real n8n at 5 ms answers: a request answered 223 ms
	 * after its release had reached the emulator 213 ms late, and the 10th after it, released on
	 * time for a 150 ms allowance, drew a 429. Where User.com's own times vary the allowance stays
	 * the cap: there a slow answer is mostly User.com's work, and counting it as late would cost
	 * a slot for every slow answer.
	 */
	lateCapMs(now: number): number {
		const allowance = this.allowanceMs(now);
		const slowTripsAreOurs = this.warm && !this.serverTimesVary;
		return slowTripsAreOurs ? Math.max(allowance, COLD_ARRIVAL_JITTER_MS) : allowance;
	}

	/** After a 429 on a short allowance: full allowances for DISTRUST_LEAVE_MS. */
	distrust(now: number): void {
		this.distrustUntil = now + DISTRUST_LEAVE_MS;
	}

	/**
	 * Records how long loading the credential took; true when it took longer than a request is
	 * allowed to take to leave (n8n's database held it, and with it the requests on their way out).
	 */
	noteCredentialLoad(ms: number, now: number): boolean {
		const held = ms > this.allowanceMs(now);
		this.credentialLoads.add(ms);
		return held;
	}

	/**
	 * Latest time a released request can have reached User.com, relative to the others: its release
	 * time plus how much longer its round trip took than the fastest recent one (while it is still in
	 * flight: how much longer it has taken so far), capped by the allowance; for a request that a
	 * stall or a database hold held, the same counted from the hold's end. n8n's first requests of
	 * a process take longest to leave (in real n8n the first two left ~180 ms late and reached
	 * User.com 2 ms apart after being released 105 ms apart), so a request released before
	 * WARM_RTT_SAMPLES answers came counts up to COLD_ARRIVAL_JITTER_MS late, also after the round
	 * trips of later requests have set a baseline.
	 */
	latestArrival(ticket: SendTicket, now: number, allowance = this.allowanceMs(now)): number {
		// a held request set out on its way when the hold ended
		const from = Math.max(ticket.at, ticket.heldUntil ?? ticket.at);
		const elapsed = (ticket.doneAt ?? now) - from;
		const cap = ticket.cold ? COLD_ARRIVAL_JITTER_MS : allowance;
		const baseline = this.warm ? this.roundTrips.fastest : 0;
		return from + Math.min(cap, Math.max(0, elapsed - baseline));
	}
}
