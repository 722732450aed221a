import { ArrivalModel, MAX_ARRIVAL_JITTER_MS, type SendTicket, STALL_MS } from './arrivals';
import { type Clock, interruptibleSleep } from './clock';
import { RecentReleases } from './fairness';
import { RetryBudget } from './retry';
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
} from './share';
import { currentClock, random as currentRandom } from './state';

/**
 * Per-account throttle, shared process-wide by every execution and every User.com node.
 *
 * - One pump per account sends the next queued request when the account may send again:
 *   spacing 1/rate (no burst credit), at most the cap of arrivals in any sliding second
 *   (judged by each request's latest possible arrival, see arrivals.ts),
 *   never before a 429 or 503 pause ends. Nothing is pre-booked: the pump re-evaluates each time.
 * - For a moment after each release a watcher times the event loop: a stall while a request is on
 *   its way out of n8n makes it arrive late, and the guard counts it so (watchWayOut).
 * - Each execution has its own FIFO queue; light executions (under a window's worth of requests
 *   in the last 10 s) are served first, then the busy ones take turns (fairness.ts).
 * - The cap is the configured one, or the share of a shared key learned from 429s (share.ts).
 */

export const SAFETY_MARGIN = 0.05;
export const WINDOW_MS = 1000;
/** Added to every arrival estimate: timer granularity and the emulator's and User.com's clocks. */
export const ARRIVAL_SLACK_MS = 10;
/** How long after its release a request may still be on its way out of n8n (credential, socket). */
export const SEND_ALLOWANCE_MS = 50;
/**
 * While a request may still be on its way out, a timer fires this often (watchWayOut): one that
 * fires STALL_MS late means the event loop was blocked or starved, which held the request too. The
 * pump's own wait for the next release does not show a stall that ends before it (real n8n at
 * 300 ms answers: a 57 ms stall right after a release held that request 68 ms, and the 10th after
 * it, released on time, drew a 429).
 */
export const LEAVE_WATCH_SLICE_MS = 10;
/**
 * A 429 this soon after a stall or a database hold may be the burst of our own held requests: it
 * teaches the share only if our own sends cannot explain it (explainedByOwnSends).
 */
const HOLD_EXPLAINS_429_MS = 2 * WINDOW_MS;
/** Round trips longer than this do not widen the in-flight window further. */
const MAX_RTT_FOR_IN_FLIGHT_MS = 5000;

export interface DispatcherConfig {
	/** Account limit in requests per second (User.com default 10). */
	rateLimit: number;
	/** Share of the limit this n8n process may use, in percent (1–100). */
	sharePercent: number;
}

export class DispatchCancelledError extends Error {
	constructor() {
		super('Execution was cancelled');
	}
}

export class DispatchWaitExceededError extends Error {
	constructor(readonly waitedMs: number) {
		super('The request waited longer than allowed for a free slot');
	}
}

/** What a dispatcher runs on; injected in tests and in the shared-key simulation. */
export interface DispatcherOptions {
	clock?: Clock;
	/** Uniform in [0, 1), for the probe jitter of the learned share. */
	random?: () => number;
	tuning?: ShareTuning;
}

export interface AcquireOptions {
	signal?: AbortSignal;
	/** Re-queue at the head of the execution's queue (retries, 429s). */
	head?: boolean;
	/** Absolute clock time after which the request gives up waiting. */
	deadline?: number;
}

/** One queued request: plain fields only (no closures), so 100,000 queued requests stay small. */
interface Job {
	execKey: string;
	enqueuedAt: number;
	deadline: number;
	signal: AbortSignal | undefined;
	resolve: (ticket: SendTicket) => void;
	reject: (error: Error) => void;
}

export function normalizeConfig(config: Partial<DispatcherConfig>): DispatcherConfig {
	const rateLimit = Number(config.rateLimit);
	const share = Number(config.sharePercent);
	return {
		rateLimit: Number.isFinite(rateLimit) && rateLimit > 0 ? rateLimit : 10,
		sharePercent: Number.isFinite(share) && share > 0 ? Math.min(100, share) : 100,
	};
}

export class AccountDispatcher {
	private config: DispatcherConfig;
	private readonly clock: Clock;
	private readonly random: () => number;
	private readonly tuning: ShareTuning;
	private readonly queues = new Map<string, Job[]>();
	/** Executions with queued requests, longest since last served first. */
	private order: string[] = [];
	private readonly recent = new RecentReleases();
	private sends: SendTicket[] = [];
	/** Recent round trips and credential loads: when a released request can have arrived. */
	private readonly arrivals = new ArrivalModel();
	/**
	 * When our requests were last held on their way out: the pump woke late from a stall, or a
	 * credential load showed that n8n's database held them (a 429 soon after: explainedByOwnSends).
	 */
	private lastHoldAt = Number.NEGATIVE_INFINITY;
	private lastSendAt = Number.NEGATIVE_INFINITY;
	/** When the pump last released a request (not the planned time lastSendAt may hold). */
	private lastReleaseAt = Number.NEGATIVE_INFINITY;
	private watchingWayOut = false;
	private blockedUntilMs = Number.NEGATIVE_INFINITY;
	private unavailableStreak = 0;
	private share: ShareState = ALONE;
	private pumping = false;
	private wakeResolver: (() => void) | null = null;
	readonly budget = new RetryBudget();

	constructor(
		readonly fingerprint: string,
		config: Partial<DispatcherConfig>,
		options: DispatcherOptions = {},
	) {
		this.config = normalizeConfig(config);
		this.clock = options.clock ?? currentClock;
		this.random = options.random ?? currentRandom;
		this.tuning = options.tuning ?? DEFAULT_SHARE_TUNING;
	}

	configure(config: Partial<DispatcherConfig>): void {
		const next = normalizeConfig(config);
		if (
			next.rateLimit !== this.config.rateLimit ||
			next.sharePercent !== this.config.sharePercent
		) {
			this.config = next;
			this.share = forget(this.share);
			this.wake();
		}
	}

	/** Target rate (requests/s) = limit × share × (1 − margin). */
	get configuredRate(): number {
		return this.config.rateLimit * (this.config.sharePercent / 100) * (1 - SAFETY_MARGIN);
	}

	/** Sends allowed in any sliding second = floor(limit × share), at least 1. */
	get windowCap(): number {
		return Math.max(1, Math.floor((this.config.rateLimit * this.config.sharePercent) / 100));
	}

	private shareInput(): ShareInput {
		return {
			windowCap: this.windowCap,
			blockedUntil: this.blockedUntilMs,
			lastSendAt: this.lastSendAt,
			random: this.random,
		};
	}

	/** The cap in force: the configured one, or the share learned from 429s when smaller. */
	effectiveCap(now = this.clock.now()): number {
		if (this.share.cap !== null)
			this.share = shareAt(this.share, now, this.shareInput(), this.tuning);
		return capOf(this.share, this.windowCap);
	}

	get blockedUntil(): number {
		return this.blockedUntilMs;
	}

	/** Current send rate: the configured one, or the learned cap spread evenly over the window. */
	currentRate(now = this.clock.now()): number {
		const learned =
			this.share.cap === null
				? Number.POSITIVE_INFINITY
				: (this.effectiveCap(now) * 1000) / WINDOW_MS;
		return Math.min(this.configuredRate, learned);
	}

	queueDepth(execKey?: string): number {
		if (execKey !== undefined) return this.queues.get(execKey)?.length ?? 0;
		let total = 0;
		for (const queue of this.queues.values()) total += queue.length;
		return total;
	}

	/** Earliest time the next request may leave. */
	nextSendTime(now: number): number {
		// kept while a 429 can still come back for a request released in their window (report429)
		const horizon =
			now -
			WINDOW_MS -
			ARRIVAL_SLACK_MS -
			Math.min(this.arrivals.roundTrips.slowest, MAX_RTT_FOR_IN_FLIGHT_MS);
		const arrivals = this.arrivals;
		const lateCap = arrivals.lateCapMs(now);
		while (
			this.sends.length > 0 &&
			arrivals.latestArrival(this.sends[0], now, Math.max(lateCap, MAX_ARRIVAL_JITTER_MS)) <=
				horizon
		)
			this.sends.shift();
		let at = Math.max(now, this.lastSendAt + 1000 / this.currentRate(now), this.blockedUntilMs);
		const cap = this.effectiveCap(now);
		if (this.sends.length >= cap) {
			// the cap-th latest possible arrival must have left the window before the next release
			const latest = this.sends
				.map((ticket) => arrivals.latestArrival(ticket, now, lateCap))
				.sort((a, b) => b - a);
			at = Math.max(at, latest[cap - 1] + WINDOW_MS + ARRIVAL_SLACK_MS);
		}
		return at;
	}

	/**
	 * Records a 503 (User.com is unavailable and did not process the request): the whole account
	 * pauses until receivedAt + waitMs, so queued requests do not pour into an outage; only one
	 * request probes per pause. Returns how many 503s in a row the account has seen.
	 */
	reportUnavailable(receivedAt: number, waitMs: number): number {
		this.blockedUntilMs = Math.max(this.blockedUntilMs, receivedAt + Math.max(0, waitMs));
		this.unavailableStreak++;
		this.wake();
		return this.unavailableStreak;
	}

	/** 503s in a row so far (0 after any answer that is not a 503): drives the outage backoff. */
	get unavailableCount(): number {
		return this.unavailableStreak;
	}

	/** Any answer other than a 503 ends an outage streak. */
	reportAnswered(): void {
		this.unavailableStreak = 0;
	}

	/**
	 * Records a 429 received at `receivedAt` for `ticket`: blocks the whole account until
	 * receivedAt + waitMs and lets the share learn from it (share.ts). Returns the block end.
	 */
	report429(receivedAt: number, waitMs: number, ticket?: SendTicket): number {
		this.blockedUntilMs = Math.max(this.blockedUntilMs, receivedAt + Math.max(0, waitMs));
		if (ticket) ticket.rejected = true;
		// sent on a short allowance: whoever caused it, the account is busy enough to need full ones
		if (ticket?.shortAllowance) this.arrivals.distrust(receivedAt);
		// our own sends counted with full allowances explain it (a late leaver of ours, or the burst
		// of requests a stall held): no other client. A stall alone is no proof: three queue-mode
		// workers starting on a busy machine stall often, and one that set its 429s down to stalls
		// kept its full rate while the others shrank (CI, 2026-12-03: 2/s, 3/s and 5/s learned).
		if (ticket && this.explainedByOwnSends(ticket, receivedAt)) return this.blockedUntilMs;
		this.share = shareAfter429(
			this.share,
			receivedAt,
			this.acceptedBefore(ticket?.at ?? receivedAt, ticket),
			this.shareInput(),
			this.tuning,
		);
		return this.blockedUntilMs;
	}

	/** Own requests User.com accepted in the window before `reference` (not the rejected one). */
	private acceptedBefore(reference: number, rejected: SendTicket | undefined): number {
		let accepted = 0;
		for (const sent of this.sends) {
			if (
				sent !== rejected &&
				!sent.rejected &&
				sent.at > reference - WINDOW_MS &&
				sent.at <= reference
			)
				accepted++;
		}
		return accepted;
	}

	/**
	 * Whether a 429 for `rejected`, released on a short allowance or received soon after a stall
	 * or a database hold, would have been possible from our own sends alone had each counted with
	 * the full allowance (held ones from the hold's end): at least the cap of them may have arrived
	 * in the window before the rejected one left. At full rate this is nearly always so, which is
	 * why it is asked only in those cases.
	 */
	private explainedByOwnSends(rejected: SendTicket, now: number): boolean {
		const afterHold = now - this.lastHoldAt <= HOLD_EXPLAINS_429_MS;
		if (!rejected.shortAllowance && !afterHold) return false;
		let arrivedBefore = 0;
		for (const sent of this.sends) {
			if (sent === rejected || sent.rejected || sent.at > rejected.at) continue;
			if (this.arrivals.latestArrival(sent, now, MAX_ARRIVAL_JITTER_MS) > rejected.at - WINDOW_MS)
				arrivedBefore++;
		}
		return arrivedBefore >= this.effectiveCap(now);
	}

	/** How late a warm request may reach User.com now (arrivals.ts). */
	get arrivalAllowanceMs(): number {
		return this.arrivals.allowanceMs(this.clock.now());
	}

	/** Records how long loading the account's credential took (a sample of n8n's send delay). */
	noteLeaveDelay(ms: number, now = this.clock.now()): void {
		// n8n held this load longer than a request is allowed to take to leave (its database was
		// busy): the requests on their way out were likely held with it and leave together now
		if (this.arrivals.noteCredentialLoad(ms, now)) this.noteHold(now);
	}

	/** Requests not yet answered count as setting out now (see explainedByOwnSends for 429s). */
	private noteHold(now: number): void {
		this.lastHoldAt = now;
		for (const ticket of this.sends) {
			if (ticket.doneAt === null) ticket.heldUntil = Math.max(ticket.heldUntil ?? now, now);
		}
		this.wake();
	}

	/**
	 * The event loop was blocked or starved from before `dueAt` until `now`: requests released
	 * shortly before `sleptAt` and not answered before `dueAt` may have been held in n8n and leave
	 * now, so they count as arriving now.
	 */
	private markHeld(sleptAt: number, dueAt: number, now: number): void {
		for (const ticket of this.sends) {
			if (
				ticket.at >= sleptAt - SEND_ALLOWANCE_MS &&
				(ticket.doneAt === null || ticket.doneAt >= dueAt)
			) {
				ticket.heldUntil = Math.max(ticket.heldUntil ?? now, now);
			}
		}
	}

	/**
	 * Until SEND_ALLOWANCE_MS after the last release, a timer every LEAVE_WATCH_SLICE_MS; a late one
	 * marks the requests on their way out as held. Apart from the pump: the pump's waits end early
	 * whenever an answer comes, and an answer can be handled while timers are starved.
	 */
	private async watchWayOut(): Promise<void> {
		if (this.watchingWayOut) return;
		this.watchingWayOut = true;
		// at most a watch's worth of timers after the last release, whatever the clock does
		const slicesPerRelease = Math.ceil(SEND_ALLOWANCE_MS / LEAVE_WATCH_SLICE_MS);
		let watched = this.lastReleaseAt;
		let slices = 0;
		try {
			for (;;) {
				if (this.lastReleaseAt !== watched) {
					watched = this.lastReleaseAt;
					slices = 0;
				}
				const sleptAt = this.clock.now();
				if (sleptAt >= watched + SEND_ALLOWANCE_MS || slices >= slicesPerRelease) break;
				const dueAt = sleptAt + LEAVE_WATCH_SLICE_MS;
				await this.clock.sleep(LEAVE_WATCH_SLICE_MS);
				slices++;
				const woke = this.clock.now();
				if (woke - dueAt > STALL_MS) this.markHeld(sleptAt, dueAt, woke);
			}
		} finally {
			this.watchingWayOut = false;
		}
	}

	/**
	 * How many requests are worth having out at once to use this account's whole rate: the rate
	 * times the slowest recent round trip (capped), plus two ready to leave when a slot opens. One at
	 * a time until WARM_RTT_SAMPLES answers have come (n8n's first requests leave slowest), and while
	 * one at a time keeps up (rate × the median round trip under half a request): then nothing can
	 * bunch up.
	 */
	suggestedInFlight(now = this.clock.now()): number {
		const { roundTrips } = this.arrivals;
		if (!this.arrivals.warm) return 1;
		const rate = this.currentRate(now);
		// a typical answer within half a request's spacing: one at a time keeps up
		if ((rate * roundTrips.median) / 1000 < 0.5) return 1;
		const rtt = Math.min(roundTrips.slowest, MAX_RTT_FOR_IN_FLIGHT_MS);
		return Math.ceil((rate * rtt) / 1000) + 2;
	}

	/** Records when the answer to a released request came (or the request failed). */
	complete(ticket: SendTicket, doneAt: number): void {
		if (ticket.doneAt !== null) return;
		ticket.doneAt = doneAt;
		this.arrivals.roundTrips.add(doneAt - ticket.at);
		this.wake();
	}

	/**
	 * Waits for the account's next free slot for this execution. Resolves at release time with a
	 * ticket that the caller completes when the answer arrives.
	 */
	acquire(execKey: string, options: AcquireOptions = {}): Promise<SendTicket> {
		const { signal } = options;
		if (signal?.aborted) return Promise.reject(new DispatchCancelledError());
		return new Promise<SendTicket>((resolve, reject) => {
			const job: Job = {
				execKey,
				enqueuedAt: this.clock.now(),
				deadline: options.deadline ?? Number.POSITIVE_INFINITY,
				signal,
				resolve,
				reject,
			};
			if (signal) this.watch(signal, job);
			let queue = this.queues.get(execKey);
			if (!queue) {
				queue = [];
				this.queues.set(execKey, queue);
				this.order.push(execKey);
			}
			if (options.head) queue.unshift(job);
			else queue.push(job);
			this.kick();
		});
	}

	/** Settles a job that has left its queue, and stops watching its signal. */
	private settle(job: Job, outcome: SendTicket | Error): void {
		if (job.signal) this.unwatch(job.signal, job);
		if (outcome instanceof Error) job.reject(outcome);
		else job.resolve(outcome);
	}

	/**
	 * One abort listener per signal (not per queued request): on abort every request queued with
	 * that signal is dropped at once.
	 */
	private readonly watched = new Map<AbortSignal, { jobs: Set<Job>; onAbort: () => void }>();

	private watch(signal: AbortSignal, job: Job): void {
		let entry = this.watched.get(signal);
		if (!entry) {
			const jobs = new Set<Job>();
			const onAbort = () => {
				for (const queued of [...jobs]) {
					this.remove(queued);
					this.settle(queued, new DispatchCancelledError());
				}
				this.wake();
			};
			entry = { jobs, onAbort };
			this.watched.set(signal, entry);
			signal.addEventListener('abort', onAbort, { once: true });
		}
		entry.jobs.add(job);
	}

	private unwatch(signal: AbortSignal, job: Job): void {
		const entry = this.watched.get(signal);
		if (!entry) return;
		entry.jobs.delete(job);
		if (entry.jobs.size === 0) {
			signal.removeEventListener('abort', entry.onAbort);
			this.watched.delete(signal);
		}
	}

	/** Drops (rejects) every queued request of one execution. */
	cancelExecution(execKey: string): number {
		const queue = this.queues.get(execKey);
		if (!queue) return 0;
		const jobs = [...queue];
		for (const job of jobs) {
			this.remove(job);
			this.settle(job, new DispatchCancelledError());
		}
		this.wake();
		return jobs.length;
	}

	private remove(job: Job): void {
		const queue = this.queues.get(job.execKey);
		if (!queue) return;
		const index = queue.indexOf(job);
		if (index >= 0) queue.splice(index, 1);
		if (queue.length === 0) this.dropQueue(job.execKey);
	}

	private dropQueue(execKey: string): void {
		this.queues.delete(execKey);
		const index = this.order.indexOf(execKey);
		if (index >= 0) this.order.splice(index, 1);
	}

	/**
	 * Serves a light execution first (fairness.ts), else the longest-waiting, then moves it to the
	 * tail (or drops its empty queue).
	 */
	private pickNext(now: number): Job | undefined {
		if (this.order.length === 0) return undefined;
		const lightLimit = this.effectiveCap(now);
		const [execKey] = this.order.splice(this.recent.pick(this.order, now, lightLimit), 1);
		const queue = this.queues.get(execKey) as Job[];
		const job = queue.shift();
		if (queue.length > 0) this.order.push(execKey);
		else this.queues.delete(execKey);
		if (job) this.recent.note(execKey, now);
		return job;
	}

	private wake(): void {
		const resolver = this.wakeResolver;
		this.wakeResolver = null;
		resolver?.();
	}

	private kick(): void {
		if (this.pumping) {
			this.wake();
			return;
		}
		this.pumping = true;
		void this.pump();
	}

	private expire(at: number): void {
		for (const queue of [...this.queues.values()]) {
			for (const job of [...queue]) {
				if (job.deadline < at) {
					this.remove(job);
					this.settle(job, new DispatchWaitExceededError(at - job.enqueuedAt));
				}
			}
		}
	}

	private async pump(): Promise<void> {
		const clock = this.clock;
		// when the pump last planned to release (it slept until then)
		let plannedAt = Number.NEGATIVE_INFINITY;
		try {
			while (this.order.length > 0) {
				const now = clock.now();
				const at = this.nextSendTime(now);
				if (at > now) {
					plannedAt = at;
					this.expire(at);
					if (this.order.length === 0) break;
					const wakeUp = new Promise<void>((resolve) => {
						this.wakeResolver = resolve;
					});
					await interruptibleSleep(clock, at - now, wakeUp);
					this.wakeResolver = null;
					const woke = clock.now();
					if (woke - at > STALL_MS) {
						// the stall held a release too: held requests may leave in a burst with it
						this.lastHoldAt = woke;
						this.markHeld(now, at, woke);
					}
					continue;
				}
				const job = this.pickNext(now);
				if (!job) break;
				const ticket: SendTicket = { at: now, doneAt: null };
				if (!this.arrivals.warm) ticket.cold = true;
				else if (this.arrivals.allowanceMs(now) < MAX_ARRIVAL_JITTER_MS)
					ticket.shortAllowance = true;
				this.sends.push(ticket);
				this.lastReleaseAt = now;
				void this.watchWayOut();
				// a timer that fires a little late does not push every later release back with it
				this.lastSendAt = now >= plannedAt && now - plannedAt < STALL_MS ? plannedAt : now;
				plannedAt = Number.NEGATIVE_INFINITY;
				this.settle(job, ticket);
			}
		} finally {
			this.pumping = false;
		}
	}
}
