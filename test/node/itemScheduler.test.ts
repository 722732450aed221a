/**
 * The router's item scheduler and record-key tracker as pure units: items finish when the test
 * says so (deferred promises), no timers, no emulator.
 */
import { ALL_RECORDS, ItemScheduler } from '../../nodes/UserCom/actions/itemScheduler';
import { RecordKeyTracker } from '../../nodes/UserCom/actions/recordKeyTracker';

/** A run whose items stay in flight until finish(i) is called. */
function harness(
	count: number,
	keysOf: (i: number) => string[],
	windowSize: () => number,
	lookahead?: number,
	yieldTurn?: () => Promise<void>,
	events?: string[],
) {
	const pending = new Map<number, () => void>();
	const started: number[] = [];
	let inFlight = 0;
	let maxInFlight = 0;
	const scheduler = new ItemScheduler({
		count,
		keysOf,
		windowSize,
		lookahead,
		yieldTurn,
		run: (i) =>
			new Promise<void>((resolve) => {
				started.push(i);
				events?.push(`start ${i}`);
				inFlight++;
				maxInFlight = Math.max(maxInFlight, inFlight);
				pending.set(i, () => {
					inFlight--;
					pending.delete(i);
					resolve();
				});
			}),
	});
	const done = scheduler.runAll();
	const settle = async () => {
		for (let i = 0; i < 20; i++) await Promise.resolve();
	};
	return {
		scheduler,
		done,
		started,
		pending,
		maxInFlight: () => maxInFlight,
		settle,
		async finish(i: number) {
			const f = pending.get(i);
			if (!f)
				throw new Error(`item ${i} is not in flight (in flight: ${[...pending.keys()].join(',')})`);
			f();
			await settle();
		},
	};
}

describe('ItemScheduler', () => {
	test('never more than the window in flight; the next item starts when one finishes', async () => {
		const h = harness(
			10,
			() => [],
			() => 3,
		);
		await h.settle();
		expect(h.started).toEqual([0, 1, 2]);
		await h.finish(1);
		expect(h.started).toEqual([0, 1, 2, 3]);
		for (const i of [0, 2, 3, 4, 5, 6, 7, 8, 9]) {
			await h.settle();
			if (h.pending.has(i)) await h.finish(i);
		}
		await h.settle();
		for (const i of [...h.pending.keys()]) await h.finish(i);
		const result = await h.done;
		expect(h.maxInFlight()).toBe(3);
		expect(result).toEqual({ started: 10, maxInFlight: 3, minWindow: 3, maxWindow: 3 });
	});

	test('items on the same key run one at a time in input order; others pass them', async () => {
		const keys = ['a', 'a', 'b', 'a', 'c'];
		const h = harness(
			5,
			(i) => [keys[i]],
			() => 10,
		);
		await h.settle();
		expect(h.started).toEqual([0, 2, 4]);
		await h.finish(0);
		expect(h.started).toEqual([0, 2, 4, 1]);
		await h.finish(1);
		expect(h.started).toEqual([0, 2, 4, 1, 3]);
		for (const i of [2, 3, 4]) await h.finish(i);
		await h.done;
	});

	test('an item with two keys waits for both', async () => {
		const keys = [['a'], ['b'], ['a', 'b'], ['c']];
		const h = harness(
			4,
			(i) => keys[i],
			() => 10,
		);
		await h.settle();
		expect(h.started).toEqual([0, 1, 3]);
		await h.finish(0);
		expect(h.started).toEqual([0, 1, 3]);
		await h.finish(1);
		expect(h.started).toEqual([0, 1, 3, 2]);
		for (const i of [2, 3]) await h.finish(i);
		await h.done;
	});

	test('ALL_RECORDS waits for every earlier item and holds back every later one', async () => {
		const keys = [['a'], ['b'], [ALL_RECORDS], ['c']];
		const h = harness(
			4,
			(i) => keys[i],
			() => 10,
		);
		await h.settle();
		expect(h.started).toEqual([0, 1]);
		await h.finish(1);
		expect(h.started).toEqual([0, 1]);
		await h.finish(0);
		expect(h.started).toEqual([0, 1, 2]);
		await h.finish(2);
		expect(h.started).toEqual([0, 1, 2, 3]);
		await h.finish(3);
		await h.done;
	});

	test('stopStarting: running items finish, nothing else starts, the run resolves', async () => {
		const h = harness(
			10,
			() => [],
			() => 2,
		);
		await h.settle();
		h.scheduler.stopStarting();
		await h.finish(0);
		await h.finish(1);
		const result = await h.done;
		expect(h.started).toEqual([0, 1]);
		expect(result.started).toBe(2);
	});

	test('the window is read again as items finish (an adaptive window grows and shrinks)', async () => {
		let size = 1;
		const h = harness(
			8,
			() => [],
			() => size,
		);
		await h.settle();
		expect(h.started).toEqual([0]);
		size = 4;
		await h.finish(0);
		expect(h.started).toEqual([0, 1, 2, 3, 4]);
		size = 2;
		await h.finish(1);
		await h.finish(2);
		expect(h.started).toEqual([0, 1, 2, 3, 4]);
		await h.finish(3);
		expect(h.started).toEqual([0, 1, 2, 3, 4, 5]);
		for (const i of [4, 5, 6, 7]) {
			await h.settle();
			if (h.pending.has(i)) await h.finish(i);
		}
		for (const i of [...h.pending.keys()]) await h.finish(i);
		const result = await h.done;
		expect(result.minWindow).toBe(1);
		expect(result.maxWindow).toBe(4);
	});

	test('reads at most `lookahead` items past the oldest unfinished one (100,000 items stay lazy)', async () => {
		const read: number[] = [];
		const h = harness(
			100_000,
			(i) => (read.push(i), ['hot']),
			() => 50,
			16,
		);
		await h.settle();
		// every item is on the same record: one runs, and only 16 are read ahead
		expect(h.started).toEqual([0]);
		expect(read.length).toBe(16);
		await h.finish(0);
		expect(read.length).toBe(17);
		h.scheduler.stopStarting();
		await h.finish(1);
		await h.done;
	});

	test('a window that grows by 16 starts its items one event-loop turn apart, reading keys a few at a time', async () => {
		// starting an item evaluates its parameters: 16 starts and 64 key reads without a turn held
		// released requests for 210-510 ms in real n8n under load (they could not be written)
		const events: string[] = [];
		let size = 1;
		const h = harness(
			200,
			(i) => (events.push(`key ${i}`), []),
			() => size,
			undefined,
			async () => {
				events.push('turn');
			},
			events,
		);
		await h.settle();
		expect(h.started).toEqual([0]);
		events.length = 0;
		size = 17;
		await h.finish(0);
		for (let i = 0; i < 20; i++) await h.settle();
		expect(h.started).toHaveLength(18);
		const between = events.join(' | ').split('turn');
		// a turn after every start, and never more than 4 key reads between two turns
		for (const stretch of between) {
			expect(stretch.match(/start/g)?.length ?? 0).toBeLessThanOrEqual(1);
			expect(stretch.match(/key/g)?.length ?? 0).toBeLessThanOrEqual(4);
		}
		h.scheduler.stopStarting();
		for (const i of [...h.pending.keys()]) await h.finish(i);
		await h.done;
	});

	test('an item whose run throws synchronously ends the run with that error after the others finish', async () => {
		const started: number[] = [];
		const scheduler = new ItemScheduler({
			count: 5,
			keysOf: () => [],
			windowSize: () => 5,
			run: (i) => {
				started.push(i);
				if (i === 1) throw new Error('bug in item 1');
				return Promise.resolve();
			},
		});
		await expect(scheduler.runAll()).rejects.toThrow('bug in item 1');
		expect(started).toEqual([0, 1]);
	});

	test('an item that fails on its input before its first await stops the next from starting', async () => {
		const started: number[] = [];
		const scheduler = new ItemScheduler({
			count: 5,
			keysOf: () => [],
			windowSize: () => 5,
			run: async (i) => {
				started.push(i);
				try {
					await (i === 2
						? Promise.reject(new Error('bad input'))
						: new Promise<void>((r) => setTimeout(r, 5)));
				} catch {
					scheduler.stopStarting();
				}
			},
		});
		await scheduler.runAll();
		expect(started).toEqual([0, 1, 2]);
	});

	test('no items: resolves at once', async () => {
		const scheduler = new ItemScheduler({
			count: 0,
			keysOf: () => [],
			windowSize: () => 5,
			run: () => Promise.resolve(),
		});
		await expect(scheduler.runAll()).resolves.toEqual({
			started: 0,
			maxInFlight: 0,
			minWindow: 0,
			maxWindow: 0,
		});
	});
});

describe('RecordKeyTracker', () => {
	test('keys pass through while every item names its records the same way', () => {
		const t = new RecordKeyTracker();
		expect(t.keysFor(['user:customId:a'])).toEqual(['user:customId:a']);
		expect(t.keysFor(['user:customId:b', 'product:customId:x'])).toEqual([
			'user:customId:b',
			'product:customId:x',
		]);
		expect(t.keysFor([])).toEqual([]);
	});

	test('a second way of naming the same kind of record: that item waits for all, later ones share one key', () => {
		const t = new RecordKeyTracker();
		expect(t.keysFor(['user:customId:a'])).toEqual(['user:customId:a']);
		expect(t.keysFor(['user:id:42'])).toEqual([ALL_RECORDS]);
		expect(t.keysFor(['user:customId:c'])).toEqual(['user:*']);
		// other kinds of record are unaffected
		expect(t.keysFor(['deal:customId:d'])).toEqual(['deal:customId:d']);
	});

	test('an item naming a record two ways keeps the way it shares with the others', () => {
		const t = new RecordKeyTracker();
		expect(t.keysFor(['user:customId:a', 'user:email:a@x.io'])).toEqual([
			'user:customId:a',
			'user:email:a@x.io',
		]);
		expect(t.keysFor(['user:email:b@x.io'])).toEqual(['user:email:b@x.io']);
		// only email is common now: an item with a custom ID alone has nothing in common
		expect(t.keysFor(['user:customId:z'])).toEqual([ALL_RECORDS]);
	});

	test('ALL_RECORDS stays ALL_RECORDS', () => {
		expect(new RecordKeyTracker().keysFor([ALL_RECORDS, 'user:id:1'])).toEqual([ALL_RECORDS]);
	});
});
