import { LIGHT_MEMORY_MS, RecentReleases } from '../../nodes/UserCom/transport/fairness';

describe('RecentReleases (which execution is served next)', () => {
	it('serves the first light execution (under the limit in the memory), else the first', () => {
		const recent = new RecentReleases(10_000);
		for (let t = 0; t < 2000; t += 100) recent.note('long', t);
		for (let t = 0; t < 500; t += 100) recent.note('short', t);
		expect(recent.countOf('long', 2000)).toBe(20);
		expect(recent.pick(['long', 'short'], 2000, 10)).toBe(1);
		expect(recent.pick(['long', 'short', 'new'], 2000, 10)).toBe(1);
		// nobody light: the longest-waiting
		expect(recent.pick(['long', 'short'], 2000, 5)).toBe(0);
		expect(recent.pick(['short', 'long'], 2000, 5)).toBe(0);
	});

	it('forgets releases older than the memory', () => {
		const recent = new RecentReleases(1000);
		for (let t = 0; t < 1000; t += 100) recent.note('a', t);
		expect(recent.countOf('a', 999)).toBe(10);
		expect(recent.pick(['a', 'b'], 999, 10)).toBe(1);
		// at 1000 the release at 0 has left the memory: 'a' is light again
		expect(recent.countOf('a', 1000)).toBe(9);
		expect(recent.pick(['a', 'b'], 1000, 10)).toBe(0);
		expect(recent.countOf('a', 5000)).toBe(0);
	});

	it('remembers 10 s by default', () => {
		const recent = new RecentReleases();
		recent.note('a', 0);
		expect(recent.countOf('a', LIGHT_MEMORY_MS - 1)).toBe(1);
		expect(recent.countOf('a', LIGHT_MEMORY_MS)).toBe(0);
	});

	it("a light newcomer goes first for a window's worth, then the two take turns", () => {
		const recent = new RecentReleases();
		const waiting = ['long'];
		const served: string[] = [];
		for (let t = 0; t < 6000; t += 100) {
			if (t === 3000) waiting.push('new');
			const [key] = waiting.splice(recent.pick(waiting, t, 10), 1);
			waiting.push(key);
			recent.note(key, t);
			if (t >= 3000) served.push(key === 'new' ? 'N' : 'l');
		}
		expect(served.join('')).toBe('NNNNNNNNNN' + 'lN'.repeat(10));
	});
});
