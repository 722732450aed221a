/**
 * Scenario 3: n8n's own queue mode. Redis + PostgreSQL (Debian packages) started by the bench on
 * loopback, one main (`n8n start`, EXECUTIONS_MODE=queue) and `n8n worker --concurrency=1` processes:
 * two, then a third is added. For each worker count, k executions of the same workflow are triggered
 * at once (one per worker), all on ONE User.com key:
 *   a) each credential with the full limit (share 100 %): 429 ratio <= 2 %, throughput >= 0.8 x L
 *      (three workers, s3c: throughput reported, judged on its median over runs >= 0.85 x L)
 *   b) "share of limit" split evenly (100/k %):           zero 429s,         throughput >= 0.9 x L
 *      (three workers at 33 %, s3d: against its ceiling, >= 0.97 x floor(L x share) x workers / L)
 * Two workers run at 5 ms and at 300 ms (s3a@5, s3b@5, s3a@300, s3b@300), three at 5 ms (s3c, s3d).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEmu } from '../lib/emu';
import {
	addWorker,
	createAndActivateWorkflow,
	createCredential,
	describeWindow,
	N8nInstance,
	startN8n,
	triggerWebhook,
} from '../lib/n8n';
import { queueServicesAvailable, QueueServices, startQueueServices } from '../lib/services';
import { resultId } from '../lib/matrix';
import { LatencyId, latencyLabel } from '../lib/profile';
import { figuresFor, isOk, perWindow, round } from '../lib/stats';
import { ClientRow, Ctx, finish, ScenarioResult, target } from '../lib/types';
import { buildCredential, buildWorkflow, makeItems } from '../lib/workflows';

let seq = 0;

function startedExecutions(log: string): number {
	return (log.match(/Worker started execution/g) ?? []).length;
}

async function oneRun(
	ctx: Ctx,
	inst: N8nInstance,
	k: number,
	share: number,
	id: string,
	title: string,
): Promise<ScenarioResult> {
	const p = ctx.profile;
	const started = Date.now();
	const emu = await startEmu({ limit: p.limit, windowMs: p.windowMs, latency: ctx.latencyProfile });
	try {
		const tag = `q${++seq}`;
		const credId = await createCredential(
			inst,
			buildCredential({
				id: `cq${seq}`,
				baseUrl: emu.url,
				apiKey: emu.apiKey,
				rateLimit: ctx.ratePerSecond,
				limitShare: share,
			}),
		);
		const path = `bench-queue-${tag}-${Date.now().toString(36)}`;
		await createAndActivateWorkflow(
			inst,
			buildWorkflow({
				id: `benchqueue${String(seq).padStart(6, '0')}`,
				name: `bench queue ${tag}`,
				path,
				kind: 'ours',
				credentialId: credId,
			}),
		);
		const per = Math.floor(p.nQueue / k);
		const batches = Array.from({ length: k }, (_, j) => makeItems(`${tag}x${j}`, per));
		const before = inst.workerLogs.map(startedExecutions);
		const logMarks = inst.workerLogs.map((l) => l.length);
		ctx.log(
			`${id}: queue mode, ${k} workers, ${k} executions x ${per} items, share ${share} % each, latency ${ctx.latencyProfile.name}`,
		);
		const t0 = Date.now();
		const trs = await Promise.all(batches.map((b) => triggerWebhook(inst, path, b)));
		const wall = Date.now() - t0;
		const after = inst.workerLogs.map(startedExecutions);
		const workersUsed = after.filter((a, i) => a > (before[i] ?? 0)).length;
		const reqs = emu.reqs();
		const max = emu.maxAcceptedInWindow();
		await new Promise((r) => setTimeout(r, 200)); // the workers' logs arrive over pipes
		const windows = inst.workerLogs
			.map((l, i) => describeWindow(l.slice(logMarks[i] ?? 0), per))
			.filter((w): w is string => !!w);
		const rows: ClientRow[] = batches.map((b, j) => {
			const f = figuresFor(
				reqs,
				`${tag}x${j}`,
				b.map((i) => i.custom_id),
			);
			return {
				client: `execution ${j + 1} (${per} items)`,
				items: per,
				wallMs: trs[j].ms,
				wallRatio: round(trs[j].ms / ((per / p.limit) * p.windowMs)),
				requests: f.requests,
				status429: f.status429,
				lost: f.lost,
				maxInWindow: max,
				duplicates: f.duplicates,
				maxInFlight: f.maxInFlight,
				note:
					trs[j].status === 200
						? undefined
						: `execution failed: HTTP ${trs[j].status} ${trs[j].text.slice(0, 120)}`,
			};
		});
		const total = per * k;
		const requests = rows.reduce((a, r) => a + r.requests, 0);
		const n429 = rows.reduce((a, r) => a + r.status429, 0);
		const lost = rows.reduce((a, r) => a + r.lost, 0);
		const throughput = total / (wall / p.windowMs) / p.limit;
		rows.unshift({
			client: `all ${k} executions (combined)`,
			items: total,
			wallMs: wall,
			wallRatio: round(wall / ((total / p.limit) * p.windowMs)),
			requests,
			status429: n429,
			lost,
			maxInWindow: max,
			note: `${workersUsed} of ${k} workers ran an execution`,
			...(windows.length ? { windowReported: windows.join('; ') } : {}),
		});
		const full = share >= 100;
		const ratio429 = requests ? n429 / requests : 0;
		// an even share of whole requests per window: 33 % of 10 is 3, three workers reach 0.9 x L at most
		const ceiling = (Math.floor((p.limit * share) / 100) * k) / p.limit;
		const targets = full
			? [
					target('429 ratio, %', round(ratio429 * 100, 2), '<=', 2),
					k >= 3
						? target(
								'combined throughput, x L (judged on the median over runs)',
								round(throughput),
								'>=',
								0.85,
							)
						: target('combined throughput, x L', round(throughput), '>=', 0.8),
				]
			: [
					target('429 responses', n429, '==', 0),
					ceiling < 1
						? target(
								`combined throughput, x L (0.97 x its ceiling ${round(ceiling)})`,
								round(throughput),
								'>=',
								round(0.97 * ceiling),
							)
						: target('combined throughput, x L', round(throughput), '>=', 0.9),
				];
		targets.push(target('lost items', lost, '==', 0));
		targets.push(
			target(
				'duplicate writes',
				rows.reduce((a, r) => a + (r.duplicates ?? 0), 0),
				'==',
				0,
			),
		);
		targets.push(
			target('executions succeeded', trs.filter((t) => t.status === 200).length, '==', k),
		);
		const t0w = Math.min(...trs.map((t) => t.startedAt));
		return {
			...finish({
				id,
				title,
				rows,
				targets,
				notes: [
					`${workersUsed} of ${k} workers ran an execution; accepted ${reqs.filter((r) => isOk(r.status)).length} requests in ${round(wall / 1000, 1)} s (trigger to last response)`,
					sendingPhase(reqs, p.windowMs, p.limit, t0),
				],
				extra: {
					workers: k,
					sharePercent: share,
					ratio429: round(ratio429, 4),
					throughputOfL: round(throughput),
					workersUsed,
					// per execution: accepted per window and where its 429s fell (for reading how the shares moved)
					perWindow: batches.map((_, j) => {
						const w = perWindow(
							reqs.filter((r) => r.client === `${tag}x${j}`),
							Math.min(...trs.map((t) => t.startedAt)),
							p.windowMs,
						);
						return {
							accepted: w.accepted.map(([, n]) => n).join(' '),
							rejectedInWindow: w.rejected.map(([i, n]) => `${i}:${n}`).join(' '),
						};
					}),
				},
				panel: {
					title: `Queue mode, ${k} workers, share ${share} % each, ${latencyLabel(ctx.latency)}`,
					limit: p.limit,
					lines: [
						(() => {
							const w = perWindow(reqs, t0w, p.windowMs);
							return { label: 'all workers combined', points: w.accepted, rejected: w.rejected };
						})(),
						...batches.map((_, j) => {
							const w = perWindow(
								reqs.filter((r) => r.client === `${tag}x${j}`),
								t0w,
								p.windowMs,
							);
							return { label: `worker execution ${j + 1}`, points: w.accepted };
						}),
					],
				},
			}),
			seconds: round((Date.now() - started) / 1000, 1),
		};
	} finally {
		await emu.close();
	}
}

/** Throughput between the first and the last request at the emulator (without queue/startup latency). */
function sendingPhase(
	reqs: Array<{ t: number; status: number }>,
	windowMs: number,
	limit: number,
	t0: number,
): string {
	if (reqs.length < 2) return 'fewer than 2 requests';
	const ts = reqs.map((r) => r.t).sort((a, b) => a - b);
	const ok = reqs.filter((r) => isOk(r.status)).length;
	const span = ts[ts.length - 1] - ts[0];
	return `first request ${ts[0] - t0} ms after the triggers; sending phase ${round(span / 1000, 1)} s: ${round(ok / (span / windowMs) / limit)} x L`;
}

export async function runQueue(
	ctx: Ctx,
	lats: LatencyId[],
	at: (lat: LatencyId) => Ctx,
): Promise<ScenarioResult[]> {
	const p = ctx.profile;
	const avail = queueServicesAvailable();
	if (!avail.ok) {
		return [
			{
				id: 's3',
				title: '3 Queue mode',
				status: 'error',
				rows: [],
				targets: [],
				notes: [],
				error: `cannot run queue mode: ${avail.why}`,
			},
		];
	}
	// (workers, latency) in order: every latency with two workers, then the third worker at 5 ms only
	const plan: Array<{ k: number; lat: LatencyId }> = [];
	for (const k of p.queueWorkers)
		for (const lat of lats) if (k === p.queueWorkers[0] || lat === '5') plan.push({ k, lat });
	const results: ScenarioResult[] = [];
	let services: QueueServices | null = null;
	let inst: N8nInstance | null = null;
	try {
		services = await startQueueServices(ctx.log);
		const first = p.queueWorkers[0];
		ctx.log(`s3: starting n8n main (queue mode, PostgreSQL) + ${first} workers`);
		inst = await startN8n({
			tarball: ctx.tarball,
			log: ctx.log,
			logLevel: 'debug',
			queue: {
				redisPort: services.redisPort,
				pgPort: services.pgPort,
				pgDatabase: services.pgDatabase,
				workers: first,
			},
		});
		for (const { k, lat } of plan) {
			while (inst.workers.length < k) {
				ctx.log(`s3: adding worker ${inst.workers.length + 1}`);
				await addWorker(inst);
			}
			const letters = p.queueWorkers.indexOf(k) === 0 ? 'ab' : 'cd';
			for (const [i, share] of [100, Math.floor(100 / k)].entries()) {
				const id = resultId(`s3${letters[i]}`, lat);
				const title = `3 Queue mode: ${k} workers, ${share >= 100 ? 'each with the full limit' : `share of limit ${share} % each`}, ${latencyLabel(lat)}`;
				try {
					results.push({ ...(await oneRun(at(lat), inst, k, share, id, title)), latency: lat });
				} catch (e) {
					ctx.log(`${id}: ERROR ${(e as Error).stack}`);
					results.push({
						id,
						latency: lat,
						title,
						status: 'error',
						rows: [],
						targets: [],
						notes: [],
						error: String((e as Error).message).slice(0, 2000),
					});
				}
				ctx.log(`${id}: ${results[results.length - 1].status}`);
			}
		}
	} catch (e) {
		ctx.log(`s3: ERROR ${(e as Error).stack}`);
		results.push({
			id: 's3',
			title: '3 Queue mode (setup)',
			status: 'error',
			rows: [],
			targets: [],
			notes: [],
			error: String((e as Error).message).slice(0, 2000),
		});
	} finally {
		if (inst) {
			writeFileSync(
				join(ctx.outDir, 'n8n-queue.log'),
				inst.logs() + '\n' + inst.workerLogs.map((l, i) => `--- worker ${i + 1}\n${l}`).join('\n'),
			);
			await inst.stop();
		}
		await services?.stop();
	}
	return results;
}
