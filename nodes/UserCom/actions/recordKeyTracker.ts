import { ALL_RECORDS } from './itemScheduler';

/**
 * Makes record keys safe across items that name records in different ways.
 *
 * A key is `<object>:<identified by>:<value>` (see recordKeys.ts). Two items on the same record
 * get a common key only if they identify it the same way: contact 42 by User.com ID and the same
 * contact by its custom ID or email look unrelated. So per object kind the tracker keeps the ways
 * that every item so far has used (their intersection). While one way is common to all, two
 * items on the same record share that key. When an item leaves none in common, it waits for all
 * earlier items (ALL_RECORDS) and from then on every item on that kind of object shares one key
 * (`<object>:*`), so they run one after another: slower, never wrong.
 */
export class RecordKeyTracker {
	private readonly common = new Map<string, Set<string> | 'mixed'>();

	keysFor(keys: string[]): string[] {
		if (keys.includes(ALL_RECORDS)) return [ALL_RECORDS];
		const byObject = new Map<string, { modes: Set<string>; keys: string[] }>();
		for (const key of keys) {
			const [object, mode] = key.split(':', 2);
			let entry = byObject.get(object);
			if (!entry) {
				entry = { modes: new Set(), keys: [] };
				byObject.set(object, entry);
			}
			entry.modes.add(mode);
			entry.keys.push(key);
		}
		const out: string[] = [];
		let barrier = false;
		for (const [object, entry] of byObject) {
			const common = this.common.get(object);
			if (common === 'mixed') {
				out.push(`${object}:*`);
				continue;
			}
			const shared =
				common === undefined
					? entry.modes
					: new Set([...common].filter((mode) => entry.modes.has(mode)));
			if (shared.size === 0) {
				this.common.set(object, 'mixed');
				barrier = true;
				continue;
			}
			this.common.set(object, shared);
			out.push(...entry.keys);
		}
		return barrier ? [ALL_RECORDS] : out;
	}
}
