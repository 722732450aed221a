/**
 * Which scenario runs at which latency, and how runs are named and selected.
 *
 *   s1, peers      5 ms, 100 ms, 300 ms (each ±20 %) and the heavy tail
 *   s2             5 ms and 300 ms
 *   s3 (queue)     5 ms: s3a, s3b, s3c, s3d; 300 ms: s3a, s3b (two workers)
 *   s4, s5, s6     5 ms
 *   s7             no emulator latency (CPU and heap of the transport)
 *
 * A result of a scenario that runs at several latencies carries "@<latency>" (s1@300, peers@tail,
 * s3a@5); the others keep their plain id (s3c, s4). --only / --skip take "s1" (every latency of s1) or
 * "s1@300" (that one); --gate takes the same, optionally with ":<start of a target name>".
 */
import { LATENCY_IDS, LatencyId } from './profile';

export const SCENARIOS = ['s1', 'peers', 's2', 's3', 's4', 's5', 's6', 's7'] as const;
export type ScenarioBase = (typeof SCENARIOS)[number];

export const MATRIX: Record<ScenarioBase, LatencyId[]> = {
	s1: [...LATENCY_IDS],
	peers: [...LATENCY_IDS],
	s2: ['5', '300'],
	s3: ['5', '300'],
	s4: ['5'],
	s5: ['5'],
	s6: ['5'],
	s7: ['5'],
};

/** queue-mode sub-scenarios run at 300 ms (the others only at 5 ms) */
export const QUEUE_AT_LATENCY = ['s3a', 's3b'];

const MULTI = new Set(['s1', 'peers', 's2', ...QUEUE_AT_LATENCY]);

export function resultId(scenario: string, lat: LatencyId): string {
	return MULTI.has(scenario) ? `${scenario}@${lat}` : scenario;
}

export interface Run {
	base: ScenarioBase;
	lat: LatencyId;
}

export function runKey(r: Run): string {
	return `${r.base}@${r.lat}`;
}

/** "s1" -> every latency of s1; "s1@300" -> that run. Throws on an unknown id or latency. */
export function expandSelection(entries: string[]): Run[] {
	const out: Run[] = [];
	for (const e of entries) {
		const [base, lat] = e.split('@') as [string, string | undefined];
		if (!(SCENARIOS as readonly string[]).includes(base))
			throw new Error(`unknown scenario "${base}" in "${e}" (${SCENARIOS.join(', ')})`);
		const lats = MATRIX[base as ScenarioBase];
		if (lat === undefined) for (const l of lats) out.push({ base: base as ScenarioBase, lat: l });
		else if ((lats as string[]).includes(lat))
			out.push({ base: base as ScenarioBase, lat: lat as LatencyId });
		else
			throw new Error(
				`scenario ${base} does not run at latency "${lat}" (it runs at ${lats.join(', ')})`,
			);
	}
	return out;
}

/**
 * Whether a gate entry covers a result id: "s1" covers s1@5 ... s1@tail, "s1@300" only s1@300,
 * "s3a" covers s3a@5 and s3a@300.
 */
export function gateCovers(entryId: string, resultIdText: string): boolean {
	if (entryId === resultIdText) return true;
	// the queue mode's setup failing is reported as "s3": it fails every s3 entry
	if (resultIdText === 's3' && entryId.startsWith('s3')) return true;
	return !entryId.includes('@') && resultIdText.split('@')[0] === entryId;
}

/** Sort key: scenario order, then latency order, then sub-letter. */
export function orderOf(id: string): number {
	const [name, lat] = id.split('@');
	const base = name === 'peers' ? 'peers' : name.slice(0, 2);
	const sub = name !== 'peers' && name.length > 2 ? name.charCodeAt(2) - 96 : 0;
	const li = lat ? LATENCY_IDS.indexOf(lat as LatencyId) : 0;
	return SCENARIOS.indexOf(base as ScenarioBase) * 10_000 + li * 10 + sub;
}
