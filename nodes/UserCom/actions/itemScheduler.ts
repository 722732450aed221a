/**
 * Runs a node's items with several in flight at once, as far as the records they touch allow.
 *
 * - At most `windowSize()` items run at a time; the size is read again each time an item may
 *   start, so an adaptive window follows the round trips it observes.
 * - Items that touch the same record (a shared key) run one after another in input order; an
 *   item with the key ALL_RECORDS waits for every earlier item and holds back every later one.
 * - Items start in input order except that an item waiting for a record does not hold back later
 *   items on other records. Only `lookahead` items past the oldest unfinished one are read ahead,
 *   so 100,000 input items never become 100,000 pending promises.
 * - `stopStarting()` ends the run early: items already running finish, no other item starts.
 * - Starting an item evaluates its parameters (n8n's expressions) without a pause, and so does
 *   reading its record keys: between two starts the event loop turns (`yieldTurn`), and keys are
 *   read a few items at a time, so a window that grows by 16 does not keep the process busy for
 *   a few hundred ms while requests already released wait to be written (seen in real n8n under
 *   load: 80 expressions in a row held three released requests 210–510 ms, and drew two 429s).
 *
 * No timers: the pace comes from `run` (the transport's throttle decides when requests leave).
 */

export const ALL_RECORDS = '*';
const NO_KEYS: string[] = [];
/** Microtask turns between two starts: enough for an async operation's input check to reject. */
const SETTLE_TICKS = 3;
/** Items whose record keys are read at a time (more only while none of those read may start). */
const ADMIT_PER_STEP = 4;

export interface ItemSchedulerOptions {
	count: number;
	/** Keys of the records item `index` touches; [] = none in particular. Must not throw. */
	keysOf: (index: number) => string[];
	/** How many items may run at once right now (at least 1). */
	windowSize: () => number;
	/** Runs one item. Its rejection ends the whole run with that error (use it for bugs only). */
	run: (index: number) => Promise<void>;
	/** Items read ahead past the oldest unfinished one (default: 4 × the window, at least 64). */
	lookahead?: number;
	/** Lets the event loop turn (timers, sockets) between two starts; default: microtasks only. */
	yieldTurn?: () => Promise<void>;
}

export interface ItemSchedulerResult {
	/** Items that were started (the others were held back by stopStarting). */
	started: number;
	/** The most items that ran at the same time. */
	maxInFlight: number;
	/** The smallest and largest window size used. */
	minWindow: number;
	maxWindow: number;
}

export class ItemScheduler {
	private readonly options: ItemSchedulerOptions;
	/** Per key: the admitted, unfinished items that touch it, in input order. */
	private readonly claims = new Map<string, number[]>();
	private readonly keys: string[][] = [];
	private readonly finished: boolean[] = [];
	/** Admitted items not started yet, in input order. */
	private waiting: number[] = [];
	/** Admitted items that touch every record, in input order, unfinished. */
	private barriers: number[] = [];
	private admitted = 0;
	private oldestUnfinished = 0;
	private running = 0;
	private done = 0;
	private stopped = false;
	private readonly result: ItemSchedulerResult = {
		started: 0,
		maxInFlight: 0,
		minWindow: Number.POSITIVE_INFINITY,
		maxWindow: 0,
	};
	private settle: { resolve: () => void; reject: (error: unknown) => void } | undefined;
	private failure: { error: unknown } | undefined;

	constructor(options: ItemSchedulerOptions) {
		this.options = options;
	}

	/** Resolves when every started item has finished. */
	async runAll(): Promise<ItemSchedulerResult> {
		if (this.options.count === 0) return { ...this.result, minWindow: 0 };
		await new Promise<void>((resolve, reject) => {
			this.settle = { resolve, reject };
			void this.pump();
		});
		if (this.result.minWindow === Number.POSITIVE_INFINITY) this.result.minWindow = 0;
		return this.result;
	}

	/** No item starts from now on; running items finish. */
	stopStarting(): void {
		this.stopped = true;
		this.waiting = [];
	}

	private window(): number {
		const size = Math.max(1, Math.floor(this.options.windowSize()));
		if (size < this.result.minWindow) this.result.minWindow = size;
		if (size > this.result.maxWindow) this.result.maxWindow = size;
		return size;
	}

	private lookahead(window: number): number {
		return this.options.lookahead ?? Math.max(64, 4 * window);
	}

	/** Reads the record keys of up to ADMIT_PER_STEP more items; false when none was left to read. */
	private admit(window: number): boolean {
		const limit = Math.min(
			this.options.count,
			this.oldestUnfinished + this.lookahead(window),
			this.admitted + ADMIT_PER_STEP,
		);
		if (this.stopped || this.admitted >= limit) return false;
		while (this.admitted < limit) {
			const index = this.admitted++;
			const keys = [...new Set(this.options.keysOf(index))];
			this.keys[index] = keys;
			for (const key of keys) {
				if (key === ALL_RECORDS) {
					this.barriers.push(index);
					continue;
				}
				let queue = this.claims.get(key);
				if (!queue) {
					queue = [];
					this.claims.set(key, queue);
				}
				queue.push(index);
			}
			this.waiting.push(index);
		}
		return true;
	}

	private mayStart(index: number): boolean {
		const barrier = this.barriers[0];
		if (barrier !== undefined && barrier < index) return false;
		if (barrier === index) return this.oldestUnfinished === index && this.running === 0;
		for (const key of this.keys[index]) {
			if (key !== ALL_RECORDS && this.claims.get(key)?.[0] !== index) return false;
		}
		return true;
	}

	private pumping = false;
	private pumpAgain = false;

	/**
	 * Starts what may start. Between two starts it lets pending reactions run, so an item that
	 * failed on its own input (before its first request) stops the run before the next one starts,
	 * and then the event loop turn (yieldTurn).
	 */
	private async pump(): Promise<void> {
		if (this.pumping) {
			this.pumpAgain = true;
			return;
		}
		this.pumping = true;
		do {
			this.pumpAgain = false;
			let index = this.nextToStart();
			while (index !== undefined) {
				this.start(index);
				for (let tick = 0; tick < SETTLE_TICKS; tick++) await Promise.resolve();
				if (this.options.yieldTurn) await this.options.yieldTurn();
				index = this.nextToStart();
			}
		} while (this.pumpAgain);
		this.pumping = false;
		if (this.running === 0 && (this.stopped || this.done === this.options.count)) {
			if (this.failure) this.settle?.reject(this.failure.error);
			else this.settle?.resolve();
		}
	}

	/** The first waiting item (in input order) that may start now, if the window has room. */
	private nextToStart(): number | undefined {
		const window = this.window();
		this.admit(window);
		if (this.stopped || this.running >= window) return undefined;
		for (;;) {
			const at = this.waiting.findIndex((index) => this.mayStart(index));
			if (at >= 0) return this.waiting.splice(at, 1)[0];
			// every item read so far waits for a record: read further ahead
			if (!this.admit(window)) return undefined;
		}
	}

	private start(index: number): void {
		this.running++;
		this.result.started++;
		if (this.running > this.result.maxInFlight) this.result.maxInFlight = this.running;
		let promise: Promise<void>;
		try {
			promise = this.options.run(index);
		} catch (error) {
			promise = Promise.reject(error);
		}
		promise.then(
			() => this.finish(index),
			(error: unknown) => {
				this.failure ??= { error };
				this.stopStarting();
				this.finish(index);
			},
		);
	}

	private finish(index: number): void {
		this.running--;
		this.done++;
		this.finished[index] = true;
		const keys = this.keys[index];
		this.keys[index] = NO_KEYS;
		for (const key of keys) {
			if (key === ALL_RECORDS) {
				this.barriers.shift();
				continue;
			}
			const queue = this.claims.get(key) as number[];
			queue.shift();
			if (queue.length === 0) this.claims.delete(key);
		}
		while (this.oldestUnfinished < this.admitted && this.finished[this.oldestUnfinished])
			this.oldestUnfinished++;
		void this.pump();
	}
}
