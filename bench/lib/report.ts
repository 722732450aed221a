/**
 * Markdown for docs/performance.md (section Results), generated from results.json: the block between
 * <!-- bench:results:start --> and <!-- bench:results:end --> is replaced by a full-size run
 * (or by `--write-docs` with another profile), the prose around it is hand-written.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { ScenarioResult } from './types';

const START = '<!-- bench:results:start -->';
const END = '<!-- bench:results:end -->';

function fmtMs(ms: number): string {
	return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 1000).toFixed(2)} s`;
}

export function resultsMarkdown(out: any): string {
	const lines: string[] = [];
	const m = out.machine;
	lines.push(
		`Measured ${out.generatedAt.slice(0, 16).replace('T', ' ')} UTC, profile \`${out.profile.name}\`: ${out.description}. ` +
			`Machine: ${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB RAM, n8n ${m.n8n} on Node ${m.n8nNode}, bench on Node ${m.benchNode}; ` +
			`${m.note}. Whole run: ${Math.round(out.totalSeconds)} s.`,
	);
	lines.push('');
	lines.push('| Scenario | Client | Items | Wall time | Wall / (N/L) | 429s | Requests sent | Lost items | Max accepted per window |');
	lines.push('|---|---|---:|---:|---:|---:|---:|---:|---:|');
	for (const r of out.results as ScenarioResult[]) {
		if (r.status === 'error' || r.status === 'skipped') {
			lines.push(`| ${r.title} | **not measured**: ${String(r.error ?? '').split('\n')[0].replace(/\|/g, '/').slice(0, 200)} | | | | | | | |`);
			continue;
		}
		if (!r.rows.length) continue;
		for (const c of r.rows) {
			lines.push(
				`| ${r.title} | ${c.client}${c.note ? ` (${c.note.replace(/\|/g, '/').slice(0, 120)})` : ''} | ${c.items} | ${fmtMs(c.wallMs)} | ${c.wallRatio === null ? '–' : c.wallRatio.toFixed(2)} | ${c.status429} | ${c.requests} | ${c.lost} | ${c.maxInWindow ?? '–'} |`,
			);
		}
	}
	lines.push('');
	lines.push('Targets (from the issue) and what was measured:');
	lines.push('');
	lines.push('| Scenario | Target | Measured | |');
	lines.push('|---|---|---:|---|');
	for (const r of out.results as ScenarioResult[]) {
		for (const t of r.targets) lines.push(`| ${r.title} | ${t.name} ${t.target} | ${t.value} | ${t.pass ? 'met' : '**missed**'} |`);
	}
	const notes = (out.results as ScenarioResult[]).flatMap((r) => r.notes.map((n) => `- ${r.id}: ${n}`));
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
	writeFileSync(docPath, doc.slice(0, a + START.length) + '\n' + resultsMarkdown(out) + '\n' + doc.slice(b));
	return true;
}
