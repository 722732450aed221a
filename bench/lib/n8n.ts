/**
 * Real n8n for the bench, built on the e2e engineer's helpers (scripts/lib/runtime.mjs, scripts/lib/n8n.mjs):
 * provision() reuses the cached n8n 2.40.7 + Node 24, installPackageTarball() installs the packed package
 * the way Community Nodes does. This file only adds what the bench needs on top: a server (regular or
 * queue-mode main) + queue workers, workflows/credentials created and activated over the REST API,
 * and webhook triggering.
 */
import { spawn, ChildProcess, execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-implied-eval
const importEsm = new Function('s', 'return import(s)') as (s: string) => Promise<any>;

export const REPO = resolve(__dirname, '..', '..');
export const N8N_VERSION = '2.40.7';

export interface N8nLib {
	runtime: any;
	n8n: any;
	rt: any;
}

let libPromise: Promise<N8nLib> | null = null;

export function loadN8n(log: (s: string) => void): Promise<N8nLib> {
	if (!libPromise) {
		libPromise = (async () => {
			const runtime = await importEsm(join(REPO, 'scripts', 'lib', 'runtime.mjs'));
			const n8n = await importEsm(join(REPO, 'scripts', 'lib', 'n8n.mjs'));
			if (!runtime.readMarker(N8N_VERSION))
				log(`provisioning n8n ${N8N_VERSION} (first time: several minutes)`);
			const rt = await runtime.provision(N8N_VERSION);
			return { runtime, n8n, rt };
		})();
	}
	return libPromise;
}

/**
 * Build + pack in a private copy of the sources (others run `npm run build`, which empties dist/, at the
 * same time in this repo): copy package.json, tsconfig*, gulpfile, README/LICENSE, credentials/, nodes/,
 * link node_modules, `npm run build`, `npm pack`. Returns the tarball path.
 */
export async function buildAndPack(outDir: string, log: (s: string) => void): Promise<string> {
	const { n8n } = await loadN8n(log);
	rmSync(outDir, { recursive: true, force: true });
	const src = join(outDir, 'src');
	mkdirSync(src, { recursive: true });
	for (const f of readdirSync(REPO)) {
		if (
			[
				'package.json',
				'tsconfig.json',
				'tsconfig.build.json',
				'gulpfile.js',
				'README.md',
				'LICENSE',
				'LICENSE.md',
				'.npmignore',
			].includes(f) ||
			f === 'credentials' ||
			f === 'nodes'
		) {
			cpSync(join(REPO, f), join(src, f), { recursive: true });
		}
	}
	symlinkSync(join(REPO, 'node_modules'), join(src, 'node_modules'));
	log('npm run build + npm pack (private copy of the sources)');
	execFileSync('npm', ['run', 'build'], { cwd: src, stdio: ['ignore', 'ignore', 'inherit'] });
	return n8n.packPackage(src, outDir);
}

export interface N8nInstance {
	url: string;
	rest: any;
	userFolder: string;
	env: Record<string, string>;
	workers: ChildProcess[];
	workerLogs: string[];
	logs(): string;
	stop(): Promise<void>;
}

export interface StartOptions {
	tarball: string;
	queue?: { redisPort: number; pgPort: number; pgDatabase: string; workers: number };
	log: (s: string) => void;
	/**
	 * n8n's log level (default warn). 'debug' shows the node's per-run summary ("up to 7 in flight
	 * (Parallel Requests: Auto, window 4–7)"), which the bench reports as the window the node used.
	 */
	logLevel?: 'warn' | 'info' | 'debug';
}

const OWNER = {
	email: 'bench@bench.example',
	firstName: 'Bench',
	lastName: 'Runner',
	password: 'Bench-Password-1234',
};

export async function startN8n(opts: StartOptions): Promise<N8nInstance> {
	const { n8n, rt } = await loadN8n(opts.log);
	const userFolder: string = n8n.freshUserFolder('usercom-bench-n8n');
	n8n.installPackageTarball(userFolder, opts.tarball);
	const extra: Record<string, string> = {
		N8N_LOG_LEVEL: opts.logLevel ?? 'warn',
		EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'none',
		EXECUTIONS_DATA_SAVE_ON_PROGRESS: 'false',
		N8N_PAYLOAD_SIZE_MAX: '64',
	};
	if (opts.queue) {
		Object.assign(extra, {
			EXECUTIONS_MODE: 'queue',
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: String(opts.queue.redisPort),
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(opts.queue.pgPort),
			DB_POSTGRESDB_DATABASE: opts.queue.pgDatabase,
			DB_POSTGRESDB_USER: 'postgres',
			DB_POSTGRESDB_PASSWORD: '',
			OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
			QUEUE_HEALTH_CHECK_ACTIVE: 'false',
		});
	}
	// every n8n process runs its own task broker (default port 5679): give each a free one
	extra.N8N_RUNNERS_BROKER_PORT = String(await n8n.freePort());
	extra.N8N_GRACEFUL_SHUTDOWN_TIMEOUT = '5';
	const env: Record<string, string> = n8n.n8nEnv(rt, userFolder, extra);
	const port: number = await n8n.freePort();
	const server = await n8n.startN8nServer(rt, env, { port, timeoutMs: 240000 });
	const workers: ChildProcess[] = [];
	let workerOutput = '';
	const stop = async () => {
		for (const w of workers) {
			if (w.exitCode === null && w.pid) {
				try {
					process.kill(-w.pid, 'SIGTERM');
				} catch {
					/* gone */
				}
			}
		}
		await Promise.all(
			workers.map(
				(w) =>
					new Promise<void>((r) => {
						if (w.exitCode !== null) return r();
						const t = setTimeout(() => {
							try {
								if (w.pid) process.kill(-w.pid, 'SIGKILL');
							} catch {
								/* gone */
							}
							r();
						}, 15000);
						w.once('exit', () => {
							clearTimeout(t);
							r();
						});
					}),
			),
		);
		await server.stop();
		rmSync(userFolder, { recursive: true, force: true });
	};
	try {
		// startN8nServer has waited until n8n's routes are mounted (not its "starting up" page)
		const rest = new n8n.N8nRest(server.url);
		await rest.setupOwner(OWNER);
		const inst: N8nInstance = {
			url: server.url,
			rest,
			userFolder,
			env,
			workers,
			workerLogs: [],
			logs: () => server.logs() + workerOutput,
			stop,
		};
		if (opts.queue) {
			for (let i = 0; i < opts.queue.workers; i++)
				await addWorker(inst, rt, (s) => (workerOutput += s));
		}
		return inst;
	} catch (e) {
		await stop();
		throw e;
	}
}

/** Start one more `n8n worker --concurrency=1` and wait until it reports ready. */
export async function addWorker(
	inst: N8nInstance,
	rtIn?: any,
	sink?: (s: string) => void,
): Promise<void> {
	const rt = rtIn ?? (await loadN8n(() => undefined)).rt;
	const { n8n } = await loadN8n(() => undefined);
	const healthPort: number = await n8n.freePort();
	const brokerPort: number = await n8n.freePort();
	const child = spawn(rt.nodeBin, [rt.n8nJs, 'worker', '--concurrency=1'], {
		env: {
			...inst.env,
			QUEUE_HEALTH_CHECK_PORT: String(healthPort),
			N8N_RUNNERS_BROKER_PORT: String(brokerPort),
			// info at least: "Worker started execution" tells which worker ran what
			N8N_LOG_LEVEL: inst.env.N8N_LOG_LEVEL === 'debug' ? 'debug' : 'info',
		},
		cwd: inst.userFolder,
		stdio: ['ignore', 'pipe', 'pipe'],
		detached: true,
	});
	inst.workers.push(child);
	const idx = inst.workerLogs.length;
	inst.workerLogs.push('');
	process.once('exit', () => {
		try {
			if (child.pid) process.kill(-child.pid, 'SIGKILL');
		} catch {
			/* gone */
		}
	});
	let out = '';
	await new Promise<void>((resolveReady, reject) => {
		const timer = setTimeout(
			() => reject(new Error(`worker not ready in 180 s:\n${out.slice(-2000)}`)),
			180000,
		);
		const onData = (d: Buffer) => {
			const s = String(d);
			out += s;
			inst.workerLogs[idx] += s;
			sink?.(s);
			if (/n8n worker is now ready|Worker started/i.test(out)) {
				clearTimeout(timer);
				resolveReady();
			}
		};
		child.stdout!.on('data', onData);
		child.stderr!.on('data', onData);
		child.once('exit', (code) => {
			clearTimeout(timer);
			reject(new Error(`worker exited with ${code}:\n${out.slice(-2000)}`));
		});
	});
}

export async function createCredential(
	inst: N8nInstance,
	cred: Record<string, unknown>,
): Promise<string> {
	const r = await inst.rest.request('POST', '/rest/credentials', {
		name: cred.name,
		type: cred.type,
		data: cred.data,
	});
	if (r.status !== 200)
		throw new Error(`create credential failed: ${r.status} ${r.text.slice(0, 500)}`);
	return (r.json?.data ?? r.json).id;
}

export async function createAndActivateWorkflow(
	inst: N8nInstance,
	wf: Record<string, unknown>,
): Promise<string> {
	const { id: _ignored, active: _a, ...body } = wf;
	const r = await inst.rest.request('POST', '/rest/workflows', body);
	if (r.status !== 200)
		throw new Error(`create workflow failed: ${r.status} ${r.text.slice(0, 800)}`);
	const created = r.json?.data ?? r.json;
	const a = await inst.rest.request('POST', `/rest/workflows/${created.id}/activate`, {
		versionId: created.versionId,
	});
	if (a.status !== 200)
		throw new Error(`activate workflow failed: ${a.status} ${a.text.slice(0, 800)}`);
	// the production webhook is registered shortly after activation: probe with an empty batch (no rows,
	// so the client node never runs) until it is not 404
	const path = ((wf.nodes as any[]).find((n) => n.type === 'n8n-nodes-base.webhook')?.parameters
		?.path ?? '') as string;
	if (path) {
		const until = Date.now() + 60_000;
		for (;;) {
			const res = await fetch(`${inst.url}/webhook/${path}`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: '{"items":[]}',
			});
			await res.arrayBuffer();
			if (res.status !== 404) break;
			if (Date.now() > until) throw new Error(`webhook ${path} still 404 after activation`);
			await new Promise((r) => setTimeout(r, 250));
		}
	}
	return created.id;
}

export interface TriggerResult {
	status: number;
	ms: number;
	startedAt: number;
	endedAt: number;
	text: string;
}

/** POST the rows to the production webhook; resolves when the workflow finished (responseMode lastNode). */
export async function triggerWebhook(
	inst: N8nInstance,
	path: string,
	items: unknown[],
	timeoutMs = 30 * 60_000,
): Promise<TriggerResult> {
	const startedAt = Date.now();
	const ctl = new AbortController();
	const t = setTimeout(() => ctl.abort(), timeoutMs);
	try {
		const res = await fetch(`${inst.url}/webhook/${path}`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ items }),
			signal: ctl.signal,
		});
		const text = await res.text();
		const endedAt = Date.now();
		return {
			status: res.status,
			ms: endedAt - startedAt,
			startedAt,
			endedAt,
			text: text.slice(0, 2000),
		};
	} finally {
		clearTimeout(t);
	}
}

export interface WindowReport {
	items: number;
	maxInFlight: number;
	setting: string;
	window: string;
}

/**
 * The node's own summary lines in an n8n log (debug level):
 * "User.com: 1000 items, up to 4 in flight (Parallel Requests: Auto, window 3–4)".
 */
export function windowReports(logText: string): WindowReport[] {
	const out: WindowReport[] = [];
	const re =
		/User\.com: (\d+) items, up to (\d+) in flight \(Parallel Requests: ([^,]+), window ([\d–-]+)\)/g;
	for (let m = re.exec(logText); m; m = re.exec(logText))
		out.push({ items: Number(m[1]), maxInFlight: Number(m[2]), setting: m[3], window: m[4] });
	return out;
}

/** "Auto, window 3–4, up to 4" for the report, or undefined when the log has no summary for `items`. */
export function describeWindow(logText: string, items: number): string | undefined {
	const r = windowReports(logText)
		.filter((w) => w.items === items)
		.pop();
	return r ? `${r.setting}, window ${r.window}, up to ${r.maxInFlight}` : undefined;
}
