import type { Clock } from '../../../nodes/UserCom/transport/clock';

interface Timer {
	at: number;
	seq: number;
	resolve: () => void;
}

/** Virtual clock: sleep() only resolves when the test advances time. Nothing waits for real. */
export class FakeClock implements Clock {
	private time: number;
	private timers: Timer[] = [];
	private seq = 0;
	private readonly flushTurns: number;

	/**
	 * `flushTurns`: event-loop turns a flush takes by default. Each turn runs every queued promise
	 * callback to the end, so code that waits only on promises and this clock settles in one; more
	 * turns leave room for code that also uses setImmediate or I/O.
	 */
	constructor(start = 1_700_000_000_000, options: { flushTurns?: number } = {}) {
		this.time = start;
		this.flushTurns = options.flushTurns ?? 5;
	}

	now(): number {
		return this.time;
	}

	async sleep(ms: number): Promise<void> {
		await new Promise<void>((resolve) => {
			this.timers.push({ at: this.time + Math.max(0, ms), seq: this.seq++, resolve });
		});
	}

	get pendingTimers(): number {
		return this.timers.length;
	}

	/** Lets every queued promise callback run (real macrotask turns, no virtual time passes). */
	async flush(turns = this.flushTurns): Promise<void> {
		for (let i = 0; i < turns; i++) await new Promise<void>((r) => setImmediate(r));
	}

	/** Moves virtual time forward by ms, firing due timers in order. */
	async advance(ms: number): Promise<void> {
		const target = this.time + ms;
		for (;;) {
			await this.flush();
			this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
			const next = this.timers[0];
			if (!next || next.at > target) break;
			this.timers.shift();
			this.time = Math.max(this.time, next.at);
			next.resolve();
		}
		this.time = target;
		await this.flush();
	}

	/**
	 * An event-loop stall: time jumps forward by ms with nothing running, then every timer that
	 * fell due meanwhile fires late, at the new time.
	 */
	async stall(ms: number): Promise<void> {
		this.time += ms;
		await this.advance(0);
	}

	/**
	 * Starved timers: time moves on by ms and promise callbacks run, but no timer fires until the
	 * next advance(), stall() or run() (the event loop busy with other work).
	 */
	async starve(ms: number): Promise<void> {
		this.time += ms;
		await this.flush();
	}

	/**
	 * Runs virtual time until `promise` settles: whenever nothing else can happen, jumps to the
	 * next timer. Throws if the promise can never settle or `maxMs` of virtual time pass.
	 */
	async run<T>(promise: Promise<T>, maxMs = 3_600_000): Promise<T> {
		let settled = false;
		const tracked = promise.then(
			(value) => {
				settled = true;
				return value;
			},
			(error: unknown) => {
				settled = true;
				throw error;
			},
		);
		tracked.catch(() => undefined);
		const limit = this.time + maxMs;
		for (;;) {
			await this.flush();
			if (settled) break;
			this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
			const next = this.timers.shift();
			if (!next) {
				await this.flush(20);
				if (settled) break;
				throw new Error('FakeClock.run: deadlock (promise pending, no timers)');
			}
			if (next.at > limit) throw new Error('FakeClock.run: virtual time limit exceeded');
			this.time = Math.max(this.time, next.at);
			next.resolve();
		}
		return await tracked;
	}

	/**
	 * Like run(), for code that also waits on real I/O (HTTP to the emulator): while `busy()` says
	 * something is in flight, virtual time stands still and the loop waits for it in real time;
	 * only when nothing is in flight does it jump to the next timer. Requests then take no virtual
	 * time, so the virtual times everything sees (dispatcher slots, arrivals at an emulator on the
	 * same clock, retry-after) are the same however slow or busy the machine is.
	 */
	async runWithIo<T>(promise: Promise<T>, busy: () => boolean, maxMs = 3_600_000): Promise<T> {
		let settled = false;
		const tracked = promise.then(
			(value) => {
				settled = true;
				return value;
			},
			(error: unknown) => {
				settled = true;
				throw error;
			},
		);
		tracked.catch(() => undefined);
		const limit = this.time + maxMs;
		for (;;) {
			await this.flush();
			if (settled) break;
			if (busy()) {
				await new Promise<void>((r) => setTimeout(r, 1));
				continue;
			}
			this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
			const next = this.timers.shift();
			if (!next) {
				await this.flush(20);
				if (settled || busy()) continue;
				throw new Error(
					'FakeClock.runWithIo: deadlock (promise pending, nothing in flight, no timers)',
				);
			}
			if (next.at > limit) throw new Error('FakeClock.runWithIo: virtual time limit exceeded');
			this.time = Math.max(this.time, next.at);
			next.resolve();
		}
		return await tracked;
	}
}
