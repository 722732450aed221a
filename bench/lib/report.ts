/**
 * Markdown for docs/performance.md (section Results), generated from results.json: the block between
 * <!-- bench:results:start --> and <!-- bench:results:end --> is replaced by a full-size run
 * (or by `--write-docs` with another profile), the prose around it is hand-written.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { LATENCY_IDS, latencyLabel } from './profile';
import type { ClientRow, ScenarioResult } from './types';

const START = '<!-- bench:results:start -->';
const END = '<!-- bench:results:end -->';

function fmtMs(ms: number): string {
	return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 1000).toFixed(2)} s`;
}

/** "1.06 · 0 × 429 · 0 lost" for one client at one latency */
function cell(c: ClientRow | undefined, n: number, bold: boolean): string {
	if (!c) return 'not run';
	// ours with three decimals: 1.085 against a 1.08 target must not read as 1.08
	const ratio = c.wallRatio === null ? '–' : c.wallRatio.toFixed(bold ? 3 : 2);
	const parts = [bold ? `**${ratio}**` : ratio, `${c.status429} × 429`, `${c.lost} lost`];
	if (c.duplicates) parts.push(`${c.duplicates} dup.`);
	if (c.items !== n) parts.push(`N = ${c.items}`);
	return parts.join(' · ');
}

/** Solo at every latency: our node beside the peers, wall / (N/L) with its 429s and lost items. */
export function latencyMatrix(results: ScenarioResult[], n: number): string[] {
	const at = (base: string, l: string) => results.find((r) => r.id === `${base}@${l}`);
	const lats = LATENCY_IDS.filter((l) => at('s1', l) || at('peers', l));
	if (!lats.length) return [];
	const clients: string[] = [];
	for (const l of lats)
		for (const c of at('peers', l)?.rows ?? [])
			if (!clients.includes(c.client)) clients.push(c.client);
	const lines: string[] = [];
	lines.push(`| Client (N = ${n}, L = 10/s) | ${lats.map((l) => latencyLabel(l)).join(' | ')} |`);
	lines.push(`|---|${lats.map(() => '---').join('|')}|`);
	lines.push(
		`| **our node** | ${lats.map((l) => (at('s1', l)?.status === 'error' ? 'error' : cell(at('s1', l)?.rows[0], n, true))).join(' | ')} |`,
	);
	for (const name of clients)
		lines.push(
			`| ${name} | ${lats
				.map((l) =>
					cell(
						at('peers', l)?.rows.find((c) => c.client === name),
						n,
						false,
					),
				)
				.join(' | ')} |`,
		);
	const flight = lats.map((l) => at('s1', l)?.rows[0]?.maxInFlight);
	if (flight.some((f) => f !== undefined)) {
		lines.push(
			`| *our node: most requests at the server at once (the node's own log: setting, window, items in flight)* | ${flight
				.map((f, i) => {
					const rep = at('s1', lats[i])?.rows[0]?.windowReported;
					return `${f ?? '–'}${rep ? ` (${rep})` : ''}`;
				})
				.join(' | ')} |`,
		);
	}
	return lines;
}

export function resultsMarkdown(out: any): string {
	const lines: string[] = [];
	const m = out.machine;
	lines.push(
		`Measured ${out.generatedAt.slice(0, 16).replace('T', ' ')} UTC, profile \`${out.profile.name}\`: ${out.description}. ` +
			`Machine: ${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB RAM, n8n ${m.n8n} on Node ${m.n8nNode}, bench on Node ${m.benchNode}; ` +
			`${m.note}${m.loadAverage1mDuringRun ? ` (1-minute load average during the run, the bench included: median ${m.loadAverage1mDuringRun.median}, max ${m.loadAverage1mDuringRun.max}, on ${m.cores} cores)` : ''}. Whole run: ${Math.round(out.totalSeconds)} s.`,
	);
	const matrix = latencyMatrix(out.results as ScenarioResult[], out.profile.n);
	if (matrix.length) {
		lines.push('');
		lines.push(
			'Solo, every latency: wall / (N/L) (1.00 = at the limit) · 429 responses · items never written · duplicate writes, if any.',
		);
		lines.push('');
		lines.push(...matrix);
	}
	lines.push('');
	lines.push(
		"Every run (latency in the scenario name; *in flight*: most of the client's requests at the server at once):",
	);
	lines.push('');
	lines.push(
		'| Scenario | Client | Items | Wall time | Wall / (N/L) | 429s | Requests sent | Lost items | Duplicate writes | Max accepted per window | In flight |',
	);
	lines.push('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
	for (const r of out.results as ScenarioResult[]) {
		if (r.status === 'error' || r.status === 'skipped') {
			lines.push(
				`| ${r.title} | **not measured**: ${String(r.error ?? '')
					.split('\n')[0]
					.replace(/\|/g, '/')
					.slice(0, 200)} | | | | | | | | | |`,
			);
			continue;
		}
		if (!r.rows.length) continue;
		for (const c of r.rows) {
			lines.push(
				`| ${r.title} | ${c.client}${c.note ? ` (${c.note.replace(/\|/g, '/').slice(0, 120)})` : ''} | ${c.items} | ${fmtMs(c.wallMs)} | ${c.wallRatio === null ? '–' : c.wallRatio.toFixed(2)} | ${c.status429} | ${c.requests} | ${c.lost} | ${c.duplicates ?? '–'} | ${c.maxInWindow ?? '–'} | ${c.maxInFlight ?? '–'}${c.windowReported ? ` (node: ${c.windowReported})` : ''} |`,
			);
		}
	}
	lines.push('');
	lines.push('Targets (from the issue) and what was measured:');
	lines.push('');
	lines.push('| Scenario | Target | Measured | |');
	lines.push('|---|---|---:|---|');
	for (const r of out.results as ScenarioResult[]) {
		for (const t of r.targets)
			lines.push(
				`| ${r.title} | ${t.name} ${t.target} | ${t.value} | ${t.pass ? 'met' : '**missed**'} |`,
			);
	}
	const notes = (out.results as ScenarioResult[]).flatMap((r) =>
		r.notes.map((n) => `- ${r.id}: ${n}`),
	);
	if (notes.length) {
		lines.push('');
		lines.push('Notes from the run:');
		lines.push('');
		lines.push(...notes);
	}
	return lines.join('\n');
}

export function writeDocs(docPath: string, out: any): boolean {
	if (!existsSync(docPath)) return false;
	const doc = readFileSync(docPath, 'utf8');
	const a = doc.indexOf(START);
	const b = doc.indexOf(END);
	if (a < 0 || b < a) return false;
	writeFileSync(
		docPath,
		doc.slice(0, a + START.length) + '\n' + resultsMarkdown(out) + '\n' + doc.slice(b),
	);
	return true;
}
