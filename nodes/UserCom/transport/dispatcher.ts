import { getClock, interruptibleSleep, random } from './clock';
import { RetryBudget } from './retry';

/**
 * Per-account throttle, shared process-wide by every execution and every User.com node.
 *
 * - One pump per account sends the next queued request when the account may send again:
 *   spacing 1/rate (no burst credit), at most `windowCap` arrivals in any sliding second
 *   (judged by each request's latest possible arrival, see MAX_ARRIVAL_JITTER_MS),
 *   never before a 429 block ends. Nothing is pre-booked: the pump re-evaluates each time.
 * - Each execution has its own FIFO queue; the pump serves the queues round-robin.
 * - Learned share: a 429 while this process keeps under the limit means someone else uses the
 *   same key (queue-mode workers, other tools). See `SHARE_TUNING` for the figures.
 *   1. The first 429 pauses the account (retry-after) and halves its cap: at least one other
 *      client is there. Two processes on one key are now even, with no further 429.
 *   2. Another 429 soon after (three or more processes): every process has been sending at the
 *      same halved rate since the pause, so each got about the same part of the window; each caps
 *      itself at its own requests User.com accepted in it (at least one fewer than before).
 *   3. No further 429 for a few seconds after halving: the 429 may have been a one-off burst from
 *      another tool, so the full cap is tried again; a 429 soon after that keeps the half for good.
 *   4. Probing: after a quiet spell proportional to the cap (small shares probe first, which evens
 *      out unequal shares) the cap goes up by one; a probe that draws a 429 doubles the spell, one
 *      that does not is followed by the next after `rampMs`, so a process whose neighbours finished
 *      climbs back quickly. A 429 this process did not cause by probing (another one probed) costs
 *      one step and is probed back soon. An account idle for `idleForgetMs` forgets everything.
 */

export const SAFETY_MARGIN = 0.05;

/** The learned-share figures (ms). Mutable only for the simulation (test/transport/helpers). */
export const SHARE_TUNING = {
	/** A 429 within this time after the halving pause ends measures the share (three or more processes). */
	confirmMs: 2000,
	/** Halved and no further 429 for this long: try the full cap again. */
	retryFullMs: 5000,
	/** A 429 within this time of trying the full cap again: keep the half. */
	keepHalfMs: 60_000,
	/** Quiet time before a probe = this × the learned cap (× 2 per failed probe, up to maxSpellFactor). */
	spellPerCapMs: 15_000,
	maxSpellFactor: 2,
	/** After a 429 that was not our own probe's: probe back this soon. */
	victimSpellMs: 10_000,
	/** After a successful probe: the next one this soon. */
	rampMs: 3000,
	/** Several 429s within this time are one congestion and count once. */
	decreaseWindowMs: 1000,
	/** Spells are randomised by ± this fraction so processes do not probe together. */
	jitter: 0.2,
	/** An account that sends nothing this long forgets its share. */
	idleForgetMs: 180_000,
};
export const WINDOW_MS = 1000;
/**
 * User.com counts arrivals, not our send decisions. Between the moment a request is released and
 * the moment it reaches User.com, n8n loads and decrypts the credential and opens or reuses a
 * socket: 5–150 ms that vary from request to request, so two requests released 105 ms apart can
 * arrive 10 ms apart. The sliding-window guard therefore works on each request's latest possible
 * arrival: its release time plus how much slower its round trip was than the fastest recent one
 * (capped, so a slow server does not stall the account), plus a small fixed slack.
 */
export const MAX_ARRIVAL_JITTER_MS = 150;
export const ARRIVAL_SLACK_MS = 10;
const RTT_SAMPLES = 32;
/** Round trips longer than this do not widen the in-flight window further. */
const MAX_RTT_FOR_IN_FLIGHT_MS = 5000;

/** Where the account stands in learning its share of a shared key. */
type SharePhase = 'alone' | 'halved' | 'learned';

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

export interface AcquireOptions {
	signal?: AbortSignal;
	/** Re-queue at the head of the execution's queue (retries, 429s). */
	head?: boolean;
	/** Absolute clock time after which the request gives up waiting. */
	deadline?: number;
}

/** One released request: when it was released and, once answered, when the answer came. */
export interface SendTicket {
	at: number;
	doneAt: number | null;
	/** User.com answered 429: the request did not count against the limit. */
	rejected?: boolean;
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
	private readonly queues = new Map<string, Job[]>();
	/** Round-robin order of executions with queued requests; the head is served next. */
	private order: string[] = [];
	private sends: SendTicket[] = [];
	private rtts: number[] = [];
	private lastSendAt = Number.NEGATIVE_INFINITY;
	private blockedUntilMs = Number.NEGATIVE_INFINITY;
	private unavailableStreak = 0;
	/** Sends per window learned from 429s (null: the configured cap). */
	private learnedCap: number | null = null;
	private phase: SharePhase = 'alone';
	/** When the cap was halved (phase 'halved'). */
	private halvedAt = Number.NEGATIVE_INFINITY;
	private halvedResumeAt = Number.NEGATIVE_INFINITY;
	/** Until when a 429 means that trying the full cap again was wrong (keep the half). */
	private keepHalfUntil = Number.NEGATIVE_INFINITY;
	private lastDecreaseAt = Number.NEGATIVE_INFINITY;
	/** When the learned cap last changed, and whether that change was a probe upwards. */
	private capChangedAt = Number.NEGATIVE_INFINITY;
	private probing = false;
	/** The last cut came from another process's probe: probe back soon. */
	private cutByOther = false;
	/** Doubles with each failed probe (up to maxSpellFactor). */
	private spellFactor = 1;
	/** Spreads the probes of processes that learned at the same moment. */
	private probeJitter = 1;
	private pumping = false;
	private wakeResolver: (() => void) | null = null;
	readonly budget = new RetryBudget();

	constructor(
		readonly fingerprint: string,
		config: Partial<DispatcherConfig>,
	) {
		this.config = normalizeConfig(config);
	}

	configure(config: Partial<DispatcherConfig>): void {
		const next = normalizeConfig(config);
		if (next.rateLimit !== this.config.rateLimit || next.sharePercent !== this.config.sharePercent) {
			this.config = next;
			this.forgetShare();
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

	/** The cap in force: the configured one, or the share learned from 429s when smaller. */
	effectiveCap(now = getClock().now()): number {
		this.probe(now);
		return Math.min(this.windowCap, this.learnedCap ?? Number.POSITIVE_INFINITY);
	}

	get blockedUntil(): number {
		return this.blockedUntilMs;
	}

	/** Current send rate: the configured one, or the learned cap spread evenly over the window. */
	currentRate(now = getClock().now()): number {
		const learned = this.learnedCap === null ? Number.POSITIVE_INFINITY : (this.effectiveCap(now) * 1000) / WINDOW_MS;
		return Math.min(this.configuredRate, learned);
	}

	private forgetShare(): void {
		this.learnedCap = null;
		this.phase = 'alone';
		this.probing = false;
		this.cutByOther = false;
		this.spellFactor = 1;
	}

	private setCap(cap: number, now: number): void {
		this.learnedCap = Math.max(1, cap);
		this.capChangedAt = now;
		this.probing = false;
		this.probeJitter = 1 - SHARE_TUNING.jitter + 2 * SHARE_TUNING.jitter * random();
	}

	/** Quiet time before the next probe upwards. */
	private spellMs(): number {
		const t = SHARE_TUNING;
		if (this.probing) return t.rampMs;
		if (this.cutByOther) return t.victimSpellMs * this.probeJitter;
		return t.spellPerCapMs * (this.learnedCap ?? 1) * this.spellFactor * this.probeJitter;
	}

	/** Moves the learned share on with time: retry the full cap after halving, probe upwards, forget. */
	private probe(now: number): void {
		if (this.learnedCap === null) return;
		const t = SHARE_TUNING;
		const since = Math.max(this.capChangedAt, this.blockedUntilMs);
		// idle for long: whatever was learned is stale, and the next 429 teaches it again
		if (now - Math.max(this.lastSendAt, since) > t.idleForgetMs) {
			this.forgetShare();
			this.keepHalfUntil = Number.NEGATIVE_INFINITY;
			return;
		}
		if (this.phase === 'halved') {
			// no second 429: perhaps a one-off burst from another tool; try the full cap again
			if (now - Math.max(this.halvedAt, this.blockedUntilMs) >= t.retryFullMs) {
				this.forgetShare();
				this.keepHalfUntil = now + t.keepHalfMs;
			}
			return;
		}
		if (now - since < this.spellMs()) return;
		// the previous probe drew no 429: it succeeded
		if (this.probing) this.spellFactor = 1;
		this.learnedCap++;
		this.capChangedAt = now;
		this.probing = true;
		this.cutByOther = false;
		if (this.learnedCap >= this.windowCap) this.forgetShare();
	}

	queueDepth(execKey?: string): number {
		if (execKey !== undefined) return this.queues.get(execKey)?.length ?? 0;
		let total = 0;
		for (const queue of this.queues.values()) total += queue.length;
		return total;
	}

	/** Earliest time the next request may leave. */
	nextSendTime(now: number): number {
		const horizon = now - WINDOW_MS - MAX_ARRIVAL_JITTER_MS - ARRIVAL_SLACK_MS;
		while (this.sends.length > 0 && this.sends[0].at <= horizon) this.sends.shift();
		let at = Math.max(now, this.lastSendAt + 1000 / this.currentRate(now), this.blockedUntilMs);
		const cap = this.effectiveCap(now);
		if (this.sends.length >= cap) {
			// the cap-th latest possible arrival must have left the window before the next release
			const latest = this.sends.map((ticket) => this.latestArrival(ticket, now)).sort((a, b) => b - a);
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
	 * receivedAt + waitMs, and learns from it (see the top of this file): halve on the first,
	 * measure the share on a second soon after, keep the half if trying the full cap again failed,
	 * otherwise one step down (a failed probe also doubles the spell before the next). 429s within
	 * `decreaseWindowMs` of the last one learned from are the same congestion. Returns the block end.
	 */
	report429(receivedAt: number, waitMs: number, ticket?: SendTicket): number {
		this.blockedUntilMs = Math.max(this.blockedUntilMs, receivedAt + Math.max(0, waitMs));
		if (ticket) ticket.rejected = true;
		const t = SHARE_TUNING;
		if (receivedAt - this.lastDecreaseAt < t.decreaseWindowMs) return this.blockedUntilMs;
		this.lastDecreaseAt = receivedAt;
		const half = Math.max(1, Math.floor(this.windowCap / 2));
		if (this.phase === 'alone') {
			this.setCap(half, receivedAt);
			if (receivedAt < this.keepHalfUntil) {
				this.phase = 'learned';
			} else {
				this.phase = 'halved';
				this.halvedAt = receivedAt;
				this.halvedResumeAt = this.blockedUntilMs;
			}
			return this.blockedUntilMs;
		}
		const cap = this.effectiveCap(receivedAt);
		if (this.phase === 'halved' && receivedAt - this.halvedResumeAt <= t.confirmMs) {
			// everyone has sent at the same halved rate since the pause: own accepted ≈ an equal part
			const reference = ticket?.at ?? receivedAt;
			let accepted = 0;
			for (const sent of this.sends) {
				if (sent !== ticket && !sent.rejected && sent.at > reference - WINDOW_MS && sent.at <= reference) accepted++;
			}
			if (accepted < Math.max(1, Math.floor(half / 2))) {
				// hardly anything got through: a burst still going on, or a window the others had filled
				// before we resumed. Not a fair measure: stay halved and measure again after this pause.
				this.halvedAt = receivedAt;
				this.halvedResumeAt = this.blockedUntilMs;
				return this.blockedUntilMs;
			}
			this.phase = 'learned';
			this.setCap(Math.min(accepted, cap - 1), receivedAt);
			return this.blockedUntilMs;
		}
		const ownProbe = this.probing;
		if (ownProbe) this.spellFactor = Math.min(this.spellFactor * 2, t.maxSpellFactor);
		this.phase = 'learned';
		this.setCap(cap - 1, receivedAt);
		this.cutByOther = !ownProbe;
		return this.blockedUntilMs;
	}

	/**
	 * Latest time a released request can have reached User.com, relative to the others: its release
	 * time plus how much longer its round trip took than the fastest recent one (while it is still
	 * in flight: how much longer it has taken so far), capped at MAX_ARRIVAL_JITTER_MS.
	 */
	private latestArrival(ticket: SendTicket, now: number): number {
		const fastest = this.rtts.length > 0 ? Math.min(...this.rtts) : 0;
		const elapsed = (ticket.doneAt ?? now) - ticket.at;
		return ticket.at + Math.min(MAX_ARRIVAL_JITTER_MS, Math.max(0, elapsed - fastest));
	}

	/**
	 * How many requests are worth having out at once to use this account's whole rate: the rate
	 * times the slowest recent round trip (capped), plus two ready to leave when a slot opens.
	 * Before any answer it assumes a one-second round trip.
	 */
	suggestedInFlight(now = getClock().now()): number {
		const slowest = this.rtts.length > 0 ? Math.max(...this.rtts) : 1000;
		const rtt = Math.min(slowest, MAX_RTT_FOR_IN_FLIGHT_MS);
		return Math.ceil((this.currentRate(now) * rtt) / 1000) + 2;
	}

	/** Records when the answer to a released request came (or the request failed). */
	complete(ticket: SendTicket, doneAt: number): void {
		if (ticket.doneAt !== null) return;
		ticket.doneAt = doneAt;
		this.rtts.push(Math.max(0, doneAt - ticket.at));
		if (this.rtts.length > RTT_SAMPLES) this.rtts.shift();
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
				enqueuedAt: getClock().now(),
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

	/** Serves the head execution, then rotates it to the tail (or drops its empty queue). */
	private pickNext(): Job | undefined {
		const execKey = this.order.shift();
		if (execKey === undefined) return undefined;
		const queue = this.queues.get(execKey) as Job[];
		const job = queue.shift();
		if (queue.length > 0) this.order.push(execKey);
		else this.queues.delete(execKey);
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
		const clock = getClock();
		try {
			while (this.order.length > 0) {
				const now = clock.now();
				const at = this.nextSendTime(now);
				if (at > now) {
					this.expire(at);
					if (this.order.length === 0) break;
					const wakeUp = new Promise<void>((resolve) => {
						this.wakeResolver = resolve;
					});
					await interruptibleSleep(at - now, wakeUp);
					this.wakeResolver = null;
					continue;
				}
				const job = this.pickNext();
				if (!job) break;
				const ticket: SendTicket = { at: now, doneAt: null };
				this.sends.push(ticket);
				this.lastSendAt = now;
				this.settle(job, ticket);
			}
		} finally {
			this.pumping = false;
		}
	}
}

const registry = new Map<string, AccountDispatcher>();

export function getDispatcher(fingerprint: string, config: Partial<DispatcherConfig>): AccountDispatcher {
	let dispatcher = registry.get(fingerprint);
	if (!dispatcher) {
		dispatcher = new AccountDispatcher(fingerprint, config);
		registry.set(fingerprint, dispatcher);
	} else {
		dispatcher.configure(config);
	}
	return dispatcher;
}

/** Test hook: forget every account's dispatcher. */
export function __resetDispatchersForTests(): void {
	registry.clear();
	executionStats.clear();
}

/**
 * FNV-1a over base URL + key, two 32-bit lanes with different offsets -> 16 hex chars.
 * Used as registry key and log fingerprint; the raw key is never stored.
 */
export function fingerprintAccount(baseUrl: string, apiKey: string): string {
	const input = `${baseUrl}\u0000${apiKey}`;
	let h1 = 0x811c9dc5;
	let h2 = 0x050c5d1f;
	for (let i = 0; i < input.length; i++) {
		const c = input.charCodeAt(i);
		h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
		h2 = Math.imul(h2 ^ c ^ (i & 0xff), 0x01000193) >>> 0;
	}
	return h1.toString(16).padStart(8, '0') + h2.toString(16).padStart(8, '0');
}

export interface ExecutionStats {
	requests: number;
	rateLimited: number;
	retries: number;
	waitMs: number;
}

const MAX_TRACKED_EXECUTIONS = 500;
const executionStats = new Map<string, ExecutionStats>();

export function statsFor(execKey: string): ExecutionStats {
	let stats = executionStats.get(execKey);
	if (!stats) {
		stats = { requests: 0, rateLimited: 0, retries: 0, waitMs: 0 };
		executionStats.set(execKey, stats);
		if (executionStats.size > MAX_TRACKED_EXECUTIONS) {
			const oldest = executionStats.keys().next().value as string;
			executionStats.delete(oldest);
		}
	}
	return stats;
}

/** Per-execution counters so far (undefined when the execution sent nothing). */
export function getExecutionStats(executionId: string): ExecutionStats | undefined {
	const stats = executionStats.get(executionId);
	return stats ? { ...stats } : undefined;
}

/** Returns and forgets the counters of an execution. */
export function takeExecutionStats(executionId: string): ExecutionStats | undefined {
	const stats = getExecutionStats(executionId);
	executionStats.delete(executionId);
	return stats;
}
