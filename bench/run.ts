/**
 * npm run bench                  full size (L = 10/s real time, N = 1,000), writes bench/results.json + bench/chart.svg
 * npm run bench -- --ci          CI profile (BENCH_PROFILE=ci): time scaled x0.5 (L = 10 per 500 ms), small N,
 *                                exits non-zero when a target is missed; writes to bench/out/
 * npm run bench -- --profile=dev same as ci with even smaller N (development)
 * Options: --only=s1,peers,s2,s3,s4,s5,s6,s7   --skip=s3   --out=DIR (results.json + chart.svg there)
 *          an id alone is every latency it runs at, id@latency one of them: --only=s1@300,peers@300,s2@300
 *          (latencies 5, 100, 300 = that many ms ±20 %, tail = heavy tail; see bench/lib/matrix.ts)
 *          --s2-big=N (s2's long execution has N items instead of the profile's; CI uses 300 at full size)
 *          --write-docs (also rewrite the results block of docs/performance.md; done by a
 *          full-profile run of every scenario without --only/--skip/--out)
 *          --docs-from=bench/results.json (only rewrite that block from a results file, run nothing)
 *          --gate=s1,s3a@300,s3c:429,s4 (exit non-zero only for missed targets of these scenario ids (s1 =
 *          s1 at every latency), or of the targets whose name starts with the text after the colon; default: all)
 *
 * Scenario ids: s1 solo, peers, s2 two executions, s3 queue mode, s4 foreign client, s5 Retry-After,
 * s6 outage, s7 overhead. Result ids carry the latency where a scenario runs at several (s1@300, s3a@5).
 * See docs/performance.md.
 */
import { mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { renderChart, ChartPanel } from './lib/chart';
import { buildAndPack, loadN8n, REPO } from './lib/n8n';
import {
	expandSelection,
	gateCovers,
	orderOf,
	resultId,
	Run,
	runKey,
	SCENARIOS,
} from './lib/matrix';
import {
	describeProfile,
	LATENCY_IDS,
	LatencyId,
	latencyFor,
	latencyLabel,
	makeProfile,
} from './lib/profile';
import { round } from './lib/stats';
import { writeDocs } from './lib/report';
import { Ctx, ScenarioResult } from './lib/types';
import { runRegular } from './scenarios/regular';
import { runQueue } from './scenarios/queue';
import { runOverhead } from './scenarios/overhead';

function arg(name: string): string | undefined {
	const a = process.argv.find((x) => x === `--${name}` || x.startsWith(`--${name}=`));
	if (!a) return undefined;
	return a.includes('=') ? a.slice(a.indexOf('=') + 1) : 'true';
}

function fmtMs(ms: number): string {
	return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

function pad(s: string, n: number): string {
	return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function printTable(results: ScenarioResult[], log: (s: string) => void): void {
	const head = [
		'scenario',
		'client',
		'items',
		'wall',
		'wall/(N/L)',
		'429s',
		'requests',
		'lost',
		'dup',
		'max/window',
		'in flight',
	];
	const rows: string[][] = [];
	for (const r of results) {
		if (r.status === 'error' || r.status === 'skipped') {
			rows.push([
				r.id,
				`${r.status.toUpperCase()}: ${(r.error ?? r.notes.join('; ')).split('\n')[0].slice(0, 90)}`,
				'',
				'',
				'',
				'',
				'',
				'',
				'',
				'',
				'',
			]);
			continue;
		}
		for (const c of r.rows) {
			rows.push([
				r.id,
				c.client + (c.note ? ` [${c.note.slice(0, 70)}]` : ''),
				String(c.items),
				fmtMs(c.wallMs),
				c.wallRatio === null ? '-' : c.wallRatio.toFixed(2),
				String(c.status429),
				String(c.requests),
				String(c.lost),
				c.duplicates === undefined ? '-' : String(c.duplicates),
				c.maxInWindow === null ? '-' : String(c.maxInWindow),
				c.maxInFlight === undefined
					? '-'
					: String(c.maxInFlight) + (c.windowReported ? ` (node: ${c.windowReported})` : ''),
			]);
		}
	}
	const widths = head.map((h, i) =>
		Math.min(100, Math.max(h.length, ...rows.map((r) => r[i].length))),
	);
	log(head.map((h, i) => pad(h, widths[i])).join(' | '));
	log(widths.map((w) => '-'.repeat(w)).join('-|-'));
	for (const r of rows) log(r.map((c, i) => pad(c, widths[i])).join(' | '));
	log('');
	log('targets:');
	for (const r of results) {
		for (const t of r.targets)
			log(`  ${t.pass ? 'PASS' : 'MISS'}  ${r.id}  ${t.name}: ${t.value} (target ${t.target})`);
		for (const n of r.notes) log(`        ${r.id}  note: ${n}`);
	}
}

async function main(): Promise<void> {
	if (arg('docs-from')) {
		const out = JSON.parse(readFileSync(resolve(arg('docs-from')!), 'utf8'));
		const doc = join(REPO, 'docs', 'performance.md');
		console.log(
			writeDocs(doc, out)
				? `updated the results block of ${doc}`
				: `no results markers in ${doc}: not updated`,
		);
		return;
	}
	const profileName = arg('ci') ? 'ci' : (arg('profile') ?? process.env.BENCH_PROFILE ?? 'full');
	const profile = makeProfile(profileName);
	// s2 only needs its long execution to outlast the short one: CI runs it at full time with fewer items
	const s2Big = Number(arg('s2-big'));
	if (Number.isInteger(s2Big) && s2Big > 0) profile.nBig = s2Big;
	const split = (v: string | undefined) => (v ?? '').split(',').filter(Boolean);
	const skipped = new Set(expandSelection(split(arg('skip'))).map(runKey));
	// in the matrix's order (scenario, then latency), whatever order --only lists them in
	const selected = new Set(
		expandSelection(arg('only') ? split(arg('only')) : [...SCENARIOS]).map(runKey),
	);
	const runs: Run[] = expandSelection([...SCENARIOS]).filter(
		(r) => selected.has(runKey(r)) && !skipped.has(runKey(r)),
	);
	const has = (base: string) => runs.some((r) => r.base === base);
	const outDir = resolve(
		arg('out') ??
			(profile.name === 'full' ? join(REPO, 'bench') : join(REPO, 'bench', 'out', profile.name)),
	);
	const scratch = join(REPO, 'bench', 'out', 'scratch');
	mkdirSync(outDir, { recursive: true });
	mkdirSync(scratch, { recursive: true });
	const t0 = Date.now();
	const loadAtStart = loadavg().map((x) => round(x, 2));
	// sampled through the run: how busy the shared cores were (other agents' work shows here)
	const loadSamples: number[] = [];
	const loadTimer = setInterval(() => loadSamples.push(loadavg()[0]), 30_000);
	loadTimer.unref();
	const logLines: string[] = [];
	const log = (s: string) => {
		const line = `[bench ${new Date().toISOString().slice(11, 19)}] ${s}`;
		logLines.push(line);
		console.log(line);
	};
	log(describeProfile(profile));
	log(
		`runs: ${runs.map((r) => (r.base === 's3' ? `s3@${r.lat}` : r.base === 's7' ? 's7' : resultId(r.base, r.lat))).join(', ')}`,
	);
	log(`latencies: ${LATENCY_IDS.map((l) => `${l} = ${latencyFor(profile, l).name}`).join('; ')}`);

	const needsN8n = ['s1', 'peers', 's2', 's3', 's4', 's5', 's6'].some(has);
	let tarball = '';
	let nodeVersionN8n = '';
	if (needsN8n) {
		const lib = await loadN8n(log);
		nodeVersionN8n = JSON.parse(
			readFileSync(join(lib.rt.dir, '.provisioned.json'), 'utf8'),
		).nodeVersion;
		tarball = await buildAndPack(join(scratch, 'pack'), log);
		log(`packed ${tarball}`);
	}
	const ctx: Ctx = {
		profile,
		log,
		outDir: scratch,
		tarball,
		ratePerSecond: (profile.limit * 1000) / profile.windowMs,
		latency: '5',
		latencyProfile: latencyFor(profile, '5'),
	};
	const at = (lat: LatencyId): Ctx => ({
		...ctx,
		latency: lat,
		latencyProfile: latencyFor(profile, lat),
	});

	const results: ScenarioResult[] = [];
	// the solo runs and the peers alternate by latency (s1@5, peers@5, s1@100, ...), then the rest
	const regular = runs.filter((r) => r.base !== 's3' && r.base !== 's7');
	const lat = (r: Run) => LATENCY_IDS.indexOf(r.lat);
	const soloFirst = (r: Run) => (r.base === 's1' || r.base === 'peers' ? 0 : 1);
	regular.sort((a, b) => soloFirst(a) - soloFirst(b) || (soloFirst(a) === 0 ? lat(a) - lat(b) : 0));
	results.push(...(await runRegular(ctx, regular, (r) => at(r.lat))));
	if (has('s7')) results.push(...(await runOverhead(ctx)));
	if (has('s3'))
		results.push(
			...(await runQueue(
				ctx,
				runs.filter((r) => r.base === 's3').map((r) => r.lat),
				at,
			)),
		);

	results.sort((a, b) => orderOf(a.id) - orderOf(b.id));

	const machine = {
		cores: cpus().length,
		cpuModel: cpus()[0]?.model ?? 'unknown',
		memoryGiB: round(totalmem() / 2 ** 30, 1),
		benchNode: process.version,
		n8nNode: nodeVersionN8n || null,
		n8n: '2.40.7',
		note: 'the 2 cores were shared with other work while the bench ran unless stated otherwise',
		loadAverage1mAtStart: loadAtStart[0],
		loadAverage1mDuringRun: loadSamples.length
			? {
					min: round(Math.min(...loadSamples), 2),
					median: round(
						[...loadSamples].sort((a, b) => a - b)[Math.floor(loadSamples.length / 2)],
						2,
					),
					max: round(Math.max(...loadSamples), 2),
				}
			: null,
	};
	clearInterval(loadTimer);
	const missed = results.flatMap((r) =>
		r.targets
			.filter((t) => !t.pass)
			.map((t) => `${r.id}: ${t.name} = ${t.value} (target ${t.target})`),
	);
	const errors = results.filter((r) => r.status === 'error').map((r) => `${r.id}: ${r.error}`);
	// entries: a scenario id ("s4": all its targets; "s1": s1 at every latency; "s1@300": that run) or
	// id:start of a target name ("s3c:429": that target)
	const gate = arg('gate') ? split(arg('gate')) : null;
	const gated = (line: string) => {
		const lineId = line.slice(0, line.indexOf(': '));
		const rest = line.slice(lineId.length + 2);
		return (
			!gate ||
			gate.some((entry) => {
				const [id, target] = entry.split(':');
				return gateCovers(id, lineId) && (target === undefined || rest.startsWith(target));
			})
		);
	};
	const out = {
		generatedAt: new Date().toISOString(),
		profile,
		description: describeProfile(profile),
		latencies: Object.fromEntries(LATENCY_IDS.map((l) => [l, latencyFor(profile, l)])),
		machine,
		totalSeconds: round((Date.now() - t0) / 1000, 1),
		results: results.map(({ panel: _p, ...r }) => r),
		missedTargets: missed,
		errors,
	};
	writeFileSync(join(outDir, 'results.json'), JSON.stringify(out, null, 2) + '\n');

	const panels: ChartPanel[] = [];
	// one wide panel per latency: our node solo beside the peers
	for (const l of LATENCY_IDS) {
		const s1 = results.find((r) => r.id === resultId('s1', l));
		const peersR = results.find((r) => r.id === resultId('peers', l));
		if (!s1?.panel && !peersR?.panel) continue;
		const guide = peersR?.rows.find((c) => /guide/.test(c.client));
		panels.push({
			title: `Solo at ${latencyLabel(l)}: our node vs the peers (N = ${profile.n}${guide && guide.items < profile.n ? `, guide loop ${guide.items}` : ' each'}, one account each)`,
			subtitle: 'dotted vertical ticks: 429s in that window (clipped at the top of the plot)',
			wide: true,
			limit: profile.limit,
			lines: [...(s1?.panel?.lines ?? []), ...(peersR?.panel?.lines ?? [])],
		});
	}
	for (const r of results) if (r.panel && !/^(s1|peers)(@|$)/.test(r.id)) panels.push(r.panel);
	if (panels.length) {
		writeFileSync(
			join(outDir, 'chart.svg'),
			renderChart(panels, {
				title: `Requests accepted per window (L = ${profile.limit} per ${profile.windowMs} ms${profile.timeScale !== 1 ? ', time-scaled' : ''})`,
				footer: `n8n-nodes-usercom bench, profile ${profile.name}, ${out.generatedAt.slice(0, 16)}Z, ${machine.cores} cores, ${machine.memoryGiB} GiB, n8n 2.40.7 on Node ${machine.n8nNode ?? '?'}`,
			}),
		);
	}

	const wholeFullRun = profile.name === 'full' && !arg('only') && !arg('skip') && !arg('out');
	if (wholeFullRun || arg('write-docs')) {
		const doc = join(REPO, 'docs', 'performance.md');
		log(
			writeDocs(doc, out)
				? `updated the results block of ${doc}`
				: `no results markers in ${doc}: not updated`,
		);
	}
	log('');
	log(describeProfile(profile));
	printTable(results, log);
	log('');
	log(
		`total ${round((Date.now() - t0) / 1000, 1)} s; results: ${join(outDir, 'results.json')}; chart: ${join(outDir, 'chart.svg')}`,
	);
	writeFileSync(join(scratch, `bench-${profile.name}.log`), logLines.join('\n') + '\n');
	if (missed.length || errors.length) {
		log(`${missed.length} target(s) missed, ${errors.length} scenario error(s):`);
		for (const m of [...missed, ...errors])
			log(`  ${m.split('\n')[0]}${gated(m) ? '' : '   (not gated)'}`);
	} else {
		log('all targets met');
	}
	const failing = [...missed, ...errors].filter(gated);
	if (failing.length) {
		log(
			`gate: ${failing.length} failure(s) in the gated scenarios${gate ? ` (${gate.join(', ')})` : ''}`,
		);
		process.exitCode = 1;
	}
}

main().catch((e) => {
	console.error(e);
	process.exit(2);
});
