/**
 * Which execution's request leaves next. Light executions first: one that has had fewer than a
 * window's worth of requests (the account's cap) in the last LIGHT_MEMORY_MS is served before the
 * busy ones; the longest-waiting first within each group, so busy executions take turns.
 *
 * Plain turns give a 10-item run that starts beside a long sync only every other slot: at 300 ms
 * round trips it needs ~2.1 s of slots and ends ~3 s after its start. With light executions first
 * (the idea of FQ-CoDel's "new flows"), its requests leave at the next slots, and the long run
 * waits at most a window's worth of slots per light execution. Busy executions are not starved:
 * light ones use at most one window's worth each per LIGHT_MEMORY_MS.
 *
 * Pure: release times are passed in; the dispatcher owns the clock.
 */
export const LIGHT_MEMORY_MS = 10_000;

export class RecentReleases {
	/** Release times within the memory, oldest first, with their execution. */
	private readonly releases: Array<{ execKey: string; at: number }> = [];
	private readonly counts = new Map<string, number>();

	constructor(private readonly memoryMs = LIGHT_MEMORY_MS) {}

	/** Records that a request of `execKey` was released at `at`. */
	note(execKey: string, at: number): void {
		this.releases.push({ execKey, at });
		this.counts.set(execKey, (this.counts.get(execKey) ?? 0) + 1);
	}

	/** Releases of `execKey` within the memory ending at `now`. */
	countOf(execKey: string, now: number): number {
		this.forgetBefore(now - this.memoryMs);
		return this.counts.get(execKey) ?? 0;
	}

	/**
	 * Index in `waiting` (executions with queued requests, longest-waiting first) of the one to
	 * serve next: the first with fewer than `lightLimit` releases in the memory, else the first.
	 */
	pick(waiting: readonly string[], now: number, lightLimit: number): number {
		this.forgetBefore(now - this.memoryMs);
		const light = waiting.findIndex((execKey) => (this.counts.get(execKey) ?? 0) < lightLimit);
		return light >= 0 ? light : 0;
	}

	private forgetBefore(cutoff: number): void {
		let head = 0;
		while (head < this.releases.length && this.releases[head].at <= cutoff) {
			const { execKey } = this.releases[head++];
			const left = (this.counts.get(execKey) ?? 1) - 1;
			if (left > 0) this.counts.set(execKey, left);
			else this.counts.delete(execKey);
		}
		if (head > 0) this.releases.splice(0, head);
	}
}
