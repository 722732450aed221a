/**
 * Scenarios on one regular-mode n8n process (n8n 2.40.7, package installed from the packed tarball):
 * 1 solo, 2 two executions at once, 4 foreign client, 5 Retry-After, 6 outage, and the peers
 * (HTTP Request defaults / batching / Retry On Fail in the same n8n, the guide's retry loop as a script).
 * Every scenario and every peer gets its own emulator (= its own account and key).
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Emu, startEmu } from '../lib/emu';
import { RetryAfterFormat, startInjectingProxy } from '../lib/proxy';
import {
	createAndActivateWorkflow,
	createCredential,
	describeWindow,
	N8nInstance,
	REPO,
	startN8n,
	triggerWebhook,
	TriggerResult,
} from '../lib/n8n';
import { resultId, Run } from '../lib/matrix';
import { latencyLabel, latencyMeanMs } from '../lib/profile';
import { figuresFor, perWindow, Req, round, slidingMax, isOk } from '../lib/stats';
import { ClientRow, Ctx, finish, ScenarioResult, target } from '../lib/types';
import { buildCredential, buildWorkflow, ClientKind, makeItems } from '../lib/workflows';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Prepared {
	emu: Emu;
	path: string;
}

let seq = 0;

async function prepare(
	ctx: Ctx,
	inst: N8nInstance,
	name: string,
	kind: ClientKind,
	opts: { share?: number; limit?: number | null } = {},
): Promise<Prepared> {
	const p = ctx.profile;
	const emu = await startEmu({
		limit: opts.limit === undefined ? p.limit : opts.limit,
		windowMs: p.windowMs,
		latency: ctx.latencyProfile,
	});
	const id = `bench${String(++seq).padStart(3, '0')}${name}`.slice(0, 16).padEnd(16, '0');
	const path = `bench-${name}-${Date.now().toString(36)}`;
	let credentialId: string | undefined;
	if (kind === 'ours') {
		credentialId = await createCredential(
			inst,
			buildCredential({
				id: `c${id}`.slice(0, 16),
				baseUrl: emu.url,
				apiKey: emu.apiKey,
				rateLimit: ctx.ratePerSecond,
				limitShare: opts.share ?? 100,
			}),
		);
	}
	const wf = buildWorkflow({
		id,
		name: `bench ${name}`,
		path,
		kind,
		credentialId,
		baseUrl: emu.baseUrl,
		apiKey: emu.apiKey,
		batchSize: p.limit,
		batchIntervalMs: Math.round(1000 * p.timeScale),
		maxTries: 5,
		waitBetweenTriesMs: Math.round(5000 * p.timeScale),
	});
	await createAndActivateWorkflow(inst, wf);
	return { emu, path };
}

/** Our node's workflow on an existing emulator, the credential pointing at `credentialUrl`. */
async function prepareOn(
	ctx: Ctx,
	inst: N8nInstance,
	name: string,
	emu: Emu,
	credentialUrl: string,
): Promise<{ path: string }> {
	const id = `bench${String(++seq).padStart(3, '0')}${name}`.slice(0, 16).padEnd(16, '0');
	const path = `bench-${name}-${Date.now().toString(36)}`;
	const credentialId = await createCredential(
		inst,
		buildCredential({
			id: `c${id}`.slice(0, 16),
			baseUrl: credentialUrl,
			apiKey: emu.apiKey,
			rateLimit: ctx.ratePerSecond,
			limitShare: 100,
		}),
	);
	await createAndActivateWorkflow(
		inst,
		buildWorkflow({ id, name: `bench ${name}`, path, kind: 'ours', credentialId }),
	);
	return { path };
}

function physicalMs(ctx: Ctx, items: number): number {
	return (items / ctx.profile.limit) * ctx.profile.windowMs;
}

function row(
	ctx: Ctx,
	label: string,
	reqs: Req[],
	client: string,
	items: string[],
	wallMs: number,
	maxInWindow: number | null,
	note?: string,
): ClientRow {
	const f = figuresFor(reqs, client, items);
	return {
		client: label,
		items: items.length,
		wallMs,
		wallRatio: round(wallMs / physicalMs(ctx, items.length)),
		requests: f.requests,
		status429: f.status429,
		lost: f.lost,
		maxInWindow,
		duplicates: f.duplicates,
		maxInFlight: f.maxInFlight,
		note,
	};
}

/** The node's own "up to N in flight (window a–b)" line for a run of `items` items, logged after `mark`. */
async function reportedWindow(
	inst: N8nInstance,
	mark: number,
	items: number,
): Promise<string | undefined> {
	// the log line is written when the node finishes, just before n8n answers the webhook
	for (let i = 0; i < 10; i++) {
		const w = describeWindow(inst.logs().slice(mark), items);
		if (w) return w;
		await sleep(50);
	}
	return undefined;
}

function webhookNote(tr: TriggerResult): string | undefined {
	if (tr.status === 200) return undefined;
	let msg = tr.text;
	try {
		const j = JSON.parse(tr.text);
		msg = j.message ?? tr.text;
	} catch {
		/* plain text */
	}
	return `execution failed: HTTP ${tr.status} ${String(msg).slice(0, 160)}`;
}

/** Where the wall time goes: before the first request, between requests, after the last one. */
function timingNote(reqs: Req[], tr: TriggerResult): string {
	const ts = reqs.map((r) => r.t).sort((a, b) => a - b);
	if (ts.length < 2) return 'fewer than 2 requests';
	const gaps = ts
		.slice(1)
		.map((t, i) => t - ts[i])
		.sort((a, b) => a - b);
	const q = (f: number) => gaps[Math.min(gaps.length - 1, Math.floor(f * gaps.length))];
	return `first request ${ts[0] - tr.startedAt} ms after the trigger, last ${tr.endedAt - ts[ts.length - 1]} ms before the response; gaps between requests p50 ${q(0.5)} ms, p90 ${q(0.9)} ms, max ${gaps[gaps.length - 1]} ms`;
}

// ------------------------------------------------------------------ 1 solo

async function solo(ctx: Ctx, inst: N8nInstance): Promise<ScenarioResult> {
	const p = ctx.profile;
	const { emu, path } = await prepare(ctx, inst, 's1', 'ours');
	try {
		const items = makeItems('s1', p.n);
		ctx.log(`s1 solo at ${ctx.latencyProfile.name}: ${p.n} items through our node`);
		const logMark = inst.logs().length;
		const tr = await triggerWebhook(inst, path, items);
		const reqs = emu.reqs();
		const max = emu.maxAcceptedInWindow();
		const r = row(
			ctx,
			'our node (User.com node)',
			reqs,
			's1',
			items.map((i) => i.custom_id),
			tr.ms,
			max,
			webhookNote(tr),
		);
		r.windowReported = await reportedWindow(inst, logMark, p.n);
		// the raw timeline (ms since the trigger: arrival, answer, status, custom_id) for reading
		// where time went, beside the node's debug log of the same items (epoch ms: + triggeredAt)
		writeFileSync(
			join(ctx.outDir, `timeline-s1@${ctx.latency}.json`),
			JSON.stringify({
				triggeredAt: tr.startedAt,
				requests: reqs.map((x) => [
					x.t - tr.startedAt,
					x.doneAt === undefined ? null : x.doneAt - tr.startedAt,
					x.status,
					x.item ?? null,
				]),
			}),
		);
		const w = perWindow(reqs, tr.startedAt, p.windowMs);
		return finish({
			id: resultId('s1', ctx.latency),
			latency: ctx.latency,
			title: `1 Solo at ${latencyLabel(ctx.latency)}: N items through our node in real n8n`,
			rows: [r],
			targets: [
				target('wall / (N/L)', r.wallRatio!, '<=', 1.08),
				target('429 responses', r.status429, '==', 0),
				target('max accepted in any window', max, '<=', p.limit),
				target('lost items', r.lost, '==', 0),
				target('duplicate writes', r.duplicates ?? 0, '==', 0),
				target('execution succeeded (HTTP 200)', tr.status, '==', 200),
			],
			notes: [
				`sliding-window max recomputed from the log: ${slidingMax(
					reqs.filter((x) => isOk(x.status)).map((x) => x.t),
					p.windowMs,
				)}`,
				timingNote(reqs, tr),
			],
			panel: {
				title: `Our node, solo (N = ${p.n}, ${latencyLabel(ctx.latency)})`,
				limit: p.limit,
				lines: [{ label: 'our node', points: w.accepted, rejected: w.rejected }],
			},
		});
	} finally {
		await emu.close();
	}
}

// ------------------------------------------------------------------ peers

function runGuideLoop(
	ctx: Ctx,
	emu: Emu,
	items: unknown[],
): Promise<{ result: any; ms: number; startedAt: number }> {
	const file = join(ctx.outDir, `guide-items-${Date.now()}.json`);
	writeFileSync(file, JSON.stringify(items));
	const startedAt = Date.now();
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, [join(REPO, 'bench', 'peers', 'guide-retry-loop.mjs')], {
			env: {
				...process.env,
				BENCH_URL: emu.baseUrl,
				BENCH_API_KEY: emu.apiKey,
				BENCH_ITEMS: file,
				BENCH_TIME_SCALE: String(ctx.profile.timeScale),
			},
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		let out = '';
		let err = '';
		child.stdout.on('data', (d) => (out += d));
		child.stderr.on('data', (d) => (err += d));
		child.on('error', reject);
		child.on('close', (code) => {
			const line = out.trim().split('\n').pop() ?? '';
			try {
				resolve({ result: JSON.parse(line), ms: Date.now() - startedAt, startedAt });
			} catch {
				reject(new Error(`guide loop exited ${code}: ${err.slice(-1000)} ${out.slice(-500)}`));
			}
		});
	});
}

async function peers(ctx: Ctx, inst: N8nInstance): Promise<ScenarioResult> {
	const p = ctx.profile;
	const specs: Array<{ key: string; label: string; kind: ClientKind }> = [
		{ key: 'pdef', label: 'HTTP Request, defaults', kind: 'httpDefault' },
		{
			key: 'pbat',
			label: `HTTP Request, batching ${p.limit} per ${Math.round(1000 * p.timeScale)} ms`,
			kind: 'httpBatching',
		},
		{
			key: 'pret',
			label: `HTTP Request, Retry On Fail (5 tries, ${Math.round(5000 * p.timeScale)} ms)`,
			kind: 'httpRetry',
		},
	];
	const prepared = [];
	for (const s of specs) prepared.push({ ...s, ...(await prepare(ctx, inst, s.key, s.kind)) });
	// one request at a time: its wall / (N/L) is latency x L whatever N is, so fewer items when slow
	const nGuide = latencyMeanMs(ctx.latency) >= 100 ? Math.min(p.n, p.nGuideSlow) : p.n;
	const guideEmu = await startEmu({
		limit: p.limit,
		windowMs: p.windowMs,
		latency: ctx.latencyProfile,
	});
	try {
		ctx.log(
			`peers at ${ctx.latencyProfile.name}: ${specs.length} HTTP Request workflows (${p.n} items each) + the guide's retry loop (${nGuide} items), in parallel (one account each)`,
		);
		const runs = await Promise.all([
			...prepared.map(async (s) => {
				const items = makeItems(s.key, p.n);
				const tr = await triggerWebhook(inst, s.path, items);
				const reqs = s.emu.reqs();
				return {
					label: s.label,
					row: row(
						ctx,
						s.label,
						reqs,
						s.key,
						items.map((i) => i.custom_id),
						tr.ms,
						s.emu.maxAcceptedInWindow(),
						webhookNote(tr),
					),
					w: perWindow(reqs, tr.startedAt, p.windowMs),
				};
			}),
			(async () => {
				const items = makeItems('pgde', nGuide);
				const g = await runGuideLoop(ctx, guideEmu, items);
				const reqs = guideEmu.reqs();
				const note = g.result.crashed
					? `script died: ${g.result.crashed}`
					: g.result.failed
						? `${g.result.failed} items gave up after 5 attempts`
						: undefined;
				return {
					label: "User.com guide's retry loop",
					row: row(
						ctx,
						"User.com guide's retry loop (script)",
						reqs,
						'pgde',
						items.map((i) => i.custom_id),
						g.ms,
						guideEmu.maxAcceptedInWindow(),
						note,
					),
					w: perWindow(reqs, g.startedAt, p.windowMs),
				};
			})(),
		]);
		return {
			id: resultId('peers', ctx.latency),
			latency: ctx.latency,
			title: `Peers at ${latencyLabel(ctx.latency)}, same items`,
			status: 'pass',
			rows: runs.map((r) => r.row),
			targets: [],
			notes: [
				'peers have no targets: their figures are the comparison',
				'each peer runs on its own emulator instance (own account), the four at the same time',
				...(nGuide < p.n
					? [
							`the guide's loop sends one request at a time (wall / (N/L) = latency x L for any N): ${nGuide} items instead of ${p.n} to bound the run`,
						]
					: []),
				...(p.timeScale !== 1 ? [`peer waits scaled by ${p.timeScale} like the limit`] : []),
			],
			panel: {
				title: `Peers at ${latencyLabel(ctx.latency)} (N = ${p.n}${nGuide < p.n ? `, guide loop ${nGuide}` : ' each'})`,
				limit: p.limit,
				lines: runs.map((r) => ({ label: r.label, points: r.w.accepted, rejected: r.w.rejected })),
			},
		};
	} finally {
		for (const s of prepared) await s.emu.close();
		await guideEmu.close();
	}
}

// ------------------------------------------------------------------ 2 two executions

async function twoExecutions(ctx: Ctx, inst: N8nInstance): Promise<ScenarioResult> {
	const p = ctx.profile;
	const { emu, path } = await prepare(ctx, inst, 's2', 'ours');
	try {
		const big = makeItems('s2big', p.nBig);
		const small = makeItems('s2small', p.nSmall);
		ctx.log(
			`s2 at ${ctx.latencyProfile.name}: ${p.nBig} + ${p.nSmall} items, two executions of one workflow in one n8n process`,
		);
		const logMark = inst.logs().length;
		const bigP = triggerWebhook(inst, path, big);
		// start the small one once the big one is sending (its queue is full by then)
		const deadline = Date.now() + 60_000;
		while (emu.reqs().length < p.limit && Date.now() < deadline)
			await sleep(Math.max(5, p.windowMs / 20));
		const smallTr = await triggerWebhook(inst, path, small);
		const bigTr = await bigP;
		const reqs = emu.reqs();
		const max = emu.maxAcceptedInWindow();
		const rBig = row(
			ctx,
			`execution A (${p.nBig} items)`,
			reqs,
			's2big',
			big.map((i) => i.custom_id),
			bigTr.ms,
			max,
			webhookNote(bigTr),
		);
		const rSmall = row(
			ctx,
			`execution B (${p.nSmall} items, started while A runs)`,
			reqs,
			's2small',
			small.map((i) => i.custom_id),
			smallTr.ms,
			max,
			webhookNote(smallTr),
		);
		rBig.windowReported = await reportedWindow(inst, logMark, p.nBig);
		rSmall.windowReported = await reportedWindow(inst, logMark, p.nSmall);
		const t0 = bigTr.startedAt;
		// the raw timeline (ms since A's trigger: arrival, answer, status, execution)
		writeFileSync(
			join(ctx.outDir, `timeline-s2@${ctx.latency}.json`),
			JSON.stringify(
				reqs.map((x) => [
					x.t - t0,
					x.doneAt === undefined ? null : x.doneAt - t0,
					x.status,
					x.client === 's2small' ? 'B' : 'A',
				]),
			),
		);
		const first = Math.min(...reqs.map((r) => r.t));
		const last = Math.max(...reqs.filter((r) => isOk(r.status)).map((r) => r.t));
		const combined =
			reqs.filter((r) => isOk(r.status)).length / ((last - first) / p.windowMs) / p.limit;
		const smallLimit = 3000 * p.timeScale;
		const wa = perWindow(
			reqs.filter((r) => r.client === 's2big'),
			t0,
			p.windowMs,
		);
		const wb = perWindow(
			reqs.filter((r) => r.client === 's2small'),
			t0,
			p.windowMs,
		);
		return finish({
			id: resultId('s2', ctx.latency),
			latency: ctx.latency,
			title: `2 Two executions at once in one n8n process, ${latencyLabel(ctx.latency)}`,
			rows: [rBig, rSmall],
			targets: [
				target('429 responses (both)', rBig.status429 + rSmall.status429, '==', 0),
				target('max accepted in any window (combined)', max, '<=', p.limit),
				target(
					`small execution done, ms (target 3 s${p.timeScale !== 1 ? ' scaled' : ''})`,
					smallTr.ms,
					'<=',
					smallLimit,
				),
				target('lost items', rBig.lost + rSmall.lost, '==', 0),
				target('duplicate writes', (rBig.duplicates ?? 0) + (rSmall.duplicates ?? 0), '==', 0),
				target(
					'both executions succeeded',
					bigTr.status === 200 && smallTr.status === 200 ? 1 : 0,
					'==',
					1,
				),
			],
			notes: [
				`combined throughput ${round(combined)} x L`,
				`execution B: ${timingNote(
					reqs.filter((r) => r.client === 's2small'),
					smallTr,
				)}`,
			],
			extra: { combinedThroughputOfL: round(combined) },
			panel: {
				title: `Two executions in one n8n (${p.nBig} + ${p.nSmall}, ${latencyLabel(ctx.latency)})`,
				limit: p.limit,
				lines: [
					{ label: `execution A (${p.nBig})`, points: wa.accepted, rejected: wa.rejected },
					{ label: `execution B (${p.nSmall})`, points: wb.accepted, rejected: wb.rejected },
				],
			},
		});
	} finally {
		await emu.close();
	}
}

// ------------------------------------------------------------------ 4 foreign client

async function foreignClient(ctx: Ctx, inst: N8nInstance): Promise<ScenarioResult> {
	const p = ctx.profile;
	const { emu, path } = await prepare(ctx, inst, 's4', 'ours');
	let stop = false;
	let sent = 0;
	const interval = (2 * p.windowMs) / p.limit; // half the limit, evenly spaced
	const foreign = (async () => {
		const t0 = Date.now();
		while (!stop) {
			const due = t0 + sent * interval;
			const wait = due - Date.now();
			if (wait > 0) await sleep(wait);
			const i = sent++;
			fetch(`${emu.baseUrl}users/update_or_create/`, {
				method: 'POST',
				headers: {
					Authorization: `Token ${emu.apiKey}`,
					Accept: '*/*; version=2',
					'content-type': 'application/json',
				},
				body: JSON.stringify({ custom_id: `foreign-${i}`, email: `foreign-${i}@bench.example` }),
			})
				.then((r) => r.arrayBuffer())
				.catch(() => undefined);
		}
	})();
	try {
		await sleep(2 * p.windowMs);
		const items = makeItems('s4', p.nForeign);
		ctx.log(
			`s4: ${p.nForeign} items through our node while a foreign client sends ${p.limit / 2} per window on the same key`,
		);
		const tr = await triggerWebhook(inst, path, items);
		stop = true;
		await foreign;
		await sleep(50);
		const reqs = emu.reqs();
		const max = emu.maxAcceptedInWindow();
		const ours = row(
			ctx,
			'our node',
			reqs,
			's4',
			items.map((i) => i.custom_id),
			tr.ms,
			max,
			webhookNote(tr),
		);
		const fr = figuresFor(reqs, 'foreign', []);
		const mine = reqs.filter((r) => r.client === 's4');
		const start = Math.min(...mine.map((r) => r.t));
		const end = Math.max(...mine.filter((r) => isOk(r.status)).map((r) => r.t));
		const acceptedBoth = reqs.filter((r) => isOk(r.status) && r.t >= start && r.t <= end).length;
		const combined = acceptedBoth / ((end - start) / p.windowMs) / p.limit;
		const ratio429 = ours.requests ? ours.status429 / ours.requests : 0;
		const foreignRow: ClientRow = {
			client: `foreign client (${p.limit / 2} per window)`,
			items: fr.requests,
			wallMs: tr.ms,
			wallRatio: null,
			requests: fr.requests,
			status429: fr.status429,
			lost: fr.requests - fr.accepted,
			maxInWindow: max,
			note: 'fire-and-forget, no retries',
		};
		const wo = perWindow(mine, tr.startedAt, p.windowMs);
		const wf = perWindow(
			reqs.filter((r) => r.client === 'foreign'),
			tr.startedAt,
			p.windowMs,
		);
		return finish({
			id: 's4',
			title: '4 A foreign client using half the limit on the same key',
			rows: [ours, foreignRow],
			targets: [
				target('our 429 ratio, %', round(ratio429 * 100, 2), '<=', 2),
				target('combined throughput, x L', round(combined), '>=', 0.85),
				target('our lost items', ours.lost, '==', 0),
			],
			notes: [],
			extra: { our429Ratio: round(ratio429, 4), combinedThroughputOfL: round(combined) },
			panel: {
				title: `Foreign client at L/2 + our node (${p.nForeign})`,
				limit: p.limit,
				lines: [
					{ label: 'combined', points: perWindow(reqs, tr.startedAt, p.windowMs).accepted },
					{ label: 'our node', points: wo.accepted, rejected: wo.rejected },
					{ label: 'foreign client', points: wf.accepted, rejected: wf.rejected },
				],
			},
		});
	} finally {
		stop = true;
		await foreign;
		await emu.close();
	}
}

// ------------------------------------------------------------------ 5 Retry-After

async function retryAfter(ctx: Ctx, inst: N8nInstance): Promise<ScenarioResult> {
	const p = ctx.profile;
	const emu = await startEmu({ limit: p.limit, windowMs: p.windowMs, latency: ctx.latencyProfile });
	const proxy = await startInjectingProxy(emu.url);
	try {
		const { path } = await prepareOn(ctx, inst, 's5', emu, proxy.url);
		const formats: RetryAfterFormat[] = ['seconds', 'http-date', 'body-only'];
		const items = makeItems('s5', p.nRetryAfter);
		ctx.log(
			`s5: ${p.nRetryAfter} items, injected 429s with retry-after ${p.retryAfterSeconds.join('/')} s as ${formats.join(', ')}`,
		);
		const trP = triggerWebhook(inst, path, items);
		const every = Math.max(3, Math.floor(p.nRetryAfter / (formats.length + 1)));
		for (let k = 0; k < formats.length; k++) {
			const after = every * (k + 1);
			while (emu.reqs().filter((r) => isOk(r.status)).length < after) await sleep(5);
			proxy.inject(formats[k], p.retryAfterSeconds[k]);
			while (proxy.pending() > 0) await sleep(5);
		}
		const tr = await trP;
		const slacks = proxy.injected.map((inj) => {
			const next = proxy.arrivals.find((a) => a > inj.sentAt);
			return {
				format: inj.format,
				seconds: inj.seconds,
				header: inj.header,
				slackMs: next === undefined ? null : next - inj.waitEnd,
			};
		});
		const measured = slacks.filter((s) => s.slackMs !== null).map((s) => s.slackMs as number);
		const minSlack = measured.length ? Math.min(...measured) : Number.NaN;
		const reqs = emu.reqs();
		const r = row(
			ctx,
			'our node',
			reqs,
			's5',
			items.map((i) => i.custom_id),
			tr.ms,
			emu.maxAcceptedInWindow(),
			webhookNote(tr),
		);
		r.requests = proxy.arrivals.length;
		r.status429 = proxy.injected.length + r.status429;
		return finish({
			id: 's5',
			title: '5 Retry-After (injected 429s: seconds, HTTP date, body only)',
			rows: [r],
			targets: [
				target('injected 429s served', proxy.injected.length, '==', formats.length),
				target('429s answered by a later request', measured.length, '==', formats.length),
				target('minimum slack after the announced wait, ms', round(minSlack, 1), '>=', 0),
				target('lost items', r.lost, '==', 0),
				target('execution succeeded (HTTP 200)', tr.status, '==', 200),
			],
			notes: slacks.map(
				(s) =>
					`${s.format} (${s.seconds} s${s.header ? `, header "${s.header}"` : ', no header'}): next request ${s.slackMs === null ? 'never' : `${Math.round(s.slackMs)} ms after the wait ended`}`,
			),
			extra: { slacks, minSlackMs: round(minSlack, 1) },
		});
	} finally {
		await proxy.close();
		await emu.close();
	}
}

// ------------------------------------------------------------------ 6 outage

async function outage(ctx: Ctx, inst: N8nInstance): Promise<ScenarioResult> {
	const p = ctx.profile;
	const { emu, path } = await prepare(ctx, inst, 's6', 'ours');
	try {
		const items = makeItems('s6', p.nOutage);
		ctx.log(`s6: ${p.nOutage} items, ${p.outageMs} ms of 503s after ${p.limit * 2} accepted`);
		const trP = triggerWebhook(inst, path, items);
		while (emu.reqs().filter((r) => isOk(r.status)).length < p.limit * 2) await sleep(5);
		const outageStart = Date.now();
		emu.injectFault({ pathPattern: '*', kind: '503', count: 1_000_000_000 });
		await sleep(p.outageMs);
		emu.clearFaults();
		const tr = await trP;
		const reqs = emu.reqs();
		const r = row(
			ctx,
			'our node',
			reqs,
			's6',
			items.map((i) => i.custom_id),
			tr.ms,
			emu.maxAcceptedInWindow(),
			webhookNote(tr),
		);
		const failedDuring = reqs.filter((x) => x.status === 503).length;
		const amplification = r.requests / p.nOutage;
		const w = perWindow(reqs, tr.startedAt, p.windowMs);
		return finish({
			id: 's6',
			title: `6 Outage: ${p.outageMs / 1000} s of 503s`,
			rows: [r],
			targets: [
				target('retry amplification (requests / items)', round(amplification), '<=', 1.1),
				target('lost items', r.lost, '==', 0),
				target('execution succeeded (HTTP 200)', tr.status, '==', 200),
			],
			notes: [
				`${failedDuring} requests answered 503 during the outage (started ${outageStart - tr.startedAt} ms into the run)`,
			],
			extra: { amplification: round(amplification), requestsDuringOutage: failedDuring },
			panel: {
				title: `Outage ${p.outageMs / 1000} s of 503 (N = ${p.nOutage})`,
				limit: p.limit,
				lines: [{ label: 'our node', points: w.accepted, rejected: w.rejected }],
			},
		});
	} finally {
		await emu.close();
	}
}

// ------------------------------------------------------------------ driver

export const REGULAR_SCENARIOS = ['s1', 'peers', 's2', 's4', 's5', 's6'];

/** Runs the selected regular-mode runs on one n8n process, in the given order; `at` gives each run's context. */
export async function runRegular(
	ctx: Ctx,
	runs: Run[],
	at: (r: Run) => Ctx,
): Promise<ScenarioResult[]> {
	const todo = runs.filter((r) => REGULAR_SCENARIOS.includes(r.base));
	if (!todo.length) return [];
	ctx.log('starting n8n 2.40.7 (regular mode, SQLite) with the packed package');
	// debug: the node logs the window it used per run (reported beside the in-flight count seen at the server)
	const inst = await startN8n({ tarball: ctx.tarball, log: ctx.log, logLevel: 'debug' });
	const results: ScenarioResult[] = [];
	const fns: Record<string, (c: Ctx, i: N8nInstance) => Promise<ScenarioResult>> = {
		s1: solo,
		peers,
		s2: twoExecutions,
		s4: foreignClient,
		s5: retryAfter,
		s6: outage,
	};
	try {
		for (const run of todo) {
			const id = resultId(run.base, run.lat);
			const started = Date.now();
			try {
				const r = await fns[run.base](at(run), inst);
				r.latency = run.lat;
				r.seconds = round((Date.now() - started) / 1000, 1);
				results.push(r);
				ctx.log(`${id}: ${r.status} (${r.seconds} s)`);
			} catch (e) {
				ctx.log(`${id}: ERROR ${(e as Error).stack}`);
				results.push({
					id,
					latency: run.lat,
					title: id,
					status: 'error',
					rows: [],
					targets: [],
					notes: [],
					error: String((e as Error).message).slice(0, 2000),
					seconds: round((Date.now() - started) / 1000, 1),
				});
			}
		}
	} finally {
		writeFileSync(join(ctx.outDir, 'n8n-regular.log'), inst.logs());
		await inst.stop();
	}
	return results;
}
