/** The bench's scenario x latency matrix: selection, gating, ordering; and the per-client figures. */
import { expandSelection, gateCovers, orderOf, resultId } from '../../bench/lib/matrix';
import { latencyFor, makeProfile } from '../../bench/lib/profile';
import { figuresFor, maxConcurrent, Req } from '../../bench/lib/stats';

describe('bench matrix', () => {
	it('expands an id to every latency it runs at, and id@latency to that run', () => {
		expect(expandSelection(['s1']).map((r) => r.lat)).toEqual(['5', '100', '300', 'tail']);
		expect(expandSelection(['s2'])).toEqual([
			{ base: 's2', lat: '5' },
			{ base: 's2', lat: '300' },
		]);
		expect(expandSelection(['s1@300', 's4'])).toEqual([
			{ base: 's1', lat: '300' },
			{ base: 's4', lat: '5' },
		]);
	});

	it('refuses an unknown scenario or a latency the scenario does not run at', () => {
		expect(() => expandSelection(['s9'])).toThrow('unknown scenario "s9" in "s9"');
		expect(() => expandSelection(['s4@300'])).toThrow(
			'scenario s4 does not run at latency "300" (it runs at 5)',
		);
	});

	it('names results by latency only where a scenario runs at several', () => {
		expect(resultId('s1', '300')).toBe('s1@300');
		expect(resultId('s3a', '5')).toBe('s3a@5');
		expect(resultId('s3c', '5')).toBe('s3c');
		expect(resultId('s4', '5')).toBe('s4');
	});

	it('gates s1 at every latency, s1@300 only there, and the queue setup error for every s3 entry', () => {
		expect(gateCovers('s1', 's1@300')).toBe(true);
		expect(gateCovers('s1', 's1@5')).toBe(true);
		expect(gateCovers('s1@300', 's1@5')).toBe(false);
		expect(gateCovers('s3a', 's3a@300')).toBe(true);
		expect(gateCovers('s3a', 's3b@300')).toBe(false);
		expect(gateCovers('s3d', 's3d')).toBe(true);
		expect(gateCovers('s3a', 's3')).toBe(true);
	});

	it('orders by scenario, then latency', () => {
		const ids = [
			's3a@300',
			'peers@5',
			's1@tail',
			's3c',
			's1@5',
			's3a@5',
			's2@300',
			's1@300',
			's3b@5',
		];
		expect([...ids].sort((a, b) => orderOf(a) - orderOf(b))).toEqual([
			's1@5',
			's1@300',
			's1@tail',
			'peers@5',
			's2@300',
			's3a@5',
			's3b@5',
			's3c',
			's3a@300',
		]);
	});

	it('scales latency with a time-scaled profile, so latency x rate stays', () => {
		expect(latencyFor(makeProfile('full'), '300')).toMatchObject({ minMs: 240, maxMs: 360 });
		expect(latencyFor(makeProfile('ci'), '300')).toMatchObject({ minMs: 120, maxMs: 180 });
		expect(latencyFor(makeProfile('ci'), 'tail')).toMatchObject({
			minMs: 60,
			maxMs: 90,
			tailShare: 0.05,
			tailMinMs: 500,
			tailMaxMs: 1000,
		});
	});
});

describe('bench figures', () => {
	const req = (t: number, doneAt: number, status: number, item: string): Req => ({
		t,
		doneAt,
		status,
		item,
		client: 'c',
		method: 'POST',
		path: '/',
	});

	it('counts a second accepted write of an item as a duplicate, a 429 not', () => {
		const f = figuresFor(
			[
				req(0, 10, 200, 'c-1'),
				req(5, 20, 429, 'c-2'),
				req(30, 40, 200, 'c-2'),
				req(50, 60, 200, 'c-1'),
			],
			'c',
			['c-1', 'c-2', 'c-3'],
		);
		expect(f).toMatchObject({ accepted: 3, status429: 1, duplicates: 1, lost: 1 });
	});

	it('measures the most requests at the server at once; an answer closes before an arrival in the same ms', () => {
		expect(
			maxConcurrent([
				req(0, 300, 200, 'a'),
				req(100, 400, 200, 'b'),
				req(200, 250, 200, 'c'),
				req(300, 600, 200, 'd'),
			]),
		).toBe(3);
		expect(maxConcurrent([req(0, 100, 200, 'a'), req(100, 200, 200, 'b')])).toBe(1);
	});
});
