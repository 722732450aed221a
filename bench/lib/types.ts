import type { ChartPanel } from './chart';
import type { LatencyProfile } from '../../test/emulator/latency';
import type { LatencyId, Profile } from './profile';

export interface TargetCheck {
	name: string;
	value: number | string;
	target: string;
	pass: boolean;
}

export interface ClientRow {
	client: string;
	items: number;
	/** wall time of the client, ms (trigger -> execution finished, or script start -> end) */
	wallMs: number;
	/** wallMs / (items / L) */
	wallRatio: number | null;
	requests: number;
	status429: number;
	/** rows never accepted by the emulator */
	lost: number;
	/** max accepted requests in any sliding window (whole account, from the emulator) */
	maxInWindow: number | null;
	/** accepted writes of an item after its first */
	duplicates?: number;
	/** most of this client's requests at the server at once (arrived, not yet answered) */
	maxInFlight?: number;
	/** the parallel-requests window the node reported, when visible */
	windowReported?: string;
	note?: string;
}

export interface ScenarioResult {
	/** scenario id, with "@<latency>" when the scenario runs at more than one latency (s1@300) */
	id: string;
	/** the latency profile it ran at */
	latency?: LatencyId;
	title: string;
	status: 'pass' | 'fail' | 'error' | 'skipped';
	rows: ClientRow[];
	targets: TargetCheck[];
	notes: string[];
	extra?: Record<string, unknown>;
	panel?: ChartPanel;
	error?: string;
	seconds?: number;
}

export interface Ctx {
	profile: Profile;
	log: (s: string) => void;
	outDir: string;
	tarball: string;
	/** requests per second for our credential: L * 1000 / windowMs */
	ratePerSecond: number;
	/** the emulator's latency profile for this run */
	latency: LatencyId;
	latencyProfile: LatencyProfile;
}

export function target(
	name: string,
	value: number | string,
	op: '<=' | '>=' | '==',
	threshold: number,
): TargetCheck {
	const v = typeof value === 'number' ? value : Number.NaN;
	const pass = op === '<=' ? v <= threshold : op === '>=' ? v >= threshold : v === threshold;
	return { name, value, target: `${op} ${threshold}`, pass };
}

export function finish(r: Omit<ScenarioResult, 'status'>): ScenarioResult {
	const status = r.targets.every((t) => t.pass) ? 'pass' : 'fail';
	return { ...r, status };
}
