/**
 * Scenario 7 (overhead): emulator without a limit in its own process, the transport driven directly in
 * a second process (bench/scenarios/overhead-child.ts) with a fake n8n execution context.
 */
import { spawn, ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { REPO } from '../lib/n8n';
import { freePort } from '../lib/services';
import { round } from '../lib/stats';
import { Ctx, finish, ScenarioResult, target } from '../lib/types';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface EmuProcess {
	url: string;
	apiKey: string;
	child: ChildProcess;
	stop(): Promise<void>;
}

/** `npm run emulator -- --port P --rate L|unlimited` as a separate process (its CPU is not the client's). */
export async function startEmulatorProcess(opts: {
	limit: number | null;
	windowMs?: number;
	serviceTimeMs?: [number, number];
}): Promise<EmuProcess> {
	const port = await freePort();
	const args = [
		join(REPO, 'node_modules', 'ts-node', 'dist', 'bin.js'),
		'--transpile-only',
		join(REPO, 'test', 'emulator', 'cli.ts'),
		'--port',
		String(port),
	];
	args.push('--rate', opts.limit === null ? 'unlimited' : String(opts.limit));
	if (opts.windowMs) args.push('--window-ms', String(opts.windowMs));
	if (opts.serviceTimeMs) args.push('--service-time-ms', opts.serviceTimeMs.join(','));
	const child = spawn(process.execPath, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
	let out = '';
	child.stdout!.on('data', (d) => (out += d));
	child.stderr!.on('data', (d) => (out += d));
	const url = `http://127.0.0.1:${port}`;
	const deadline = Date.now() + 60_000;
	let apiKey = '';
	for (;;) {
		if (child.exitCode !== null) throw new Error(`emulator exited: ${out.slice(-2000)}`);
		const m = /API key:\s*(\S+)/.exec(out);
		if (m && /listening/.test(out)) {
			apiKey = m[1];
			break;
		}
		if (Date.now() > deadline) throw new Error(`emulator did not start: ${out.slice(-2000)}`);
		await sleep(100);
	}
	const stop = async () => {
		if (child.exitCode !== null) return;
		child.kill('SIGTERM');
		await new Promise((r) => {
			const t = setTimeout(() => {
				child.kill('SIGKILL');
				r(null);
			}, 5000);
			child.once('exit', () => {
				clearTimeout(t);
				r(null);
			});
		});
	};
	return { url, apiKey, child, stop };
}

function runChild(env: Record<string, string>, timeoutMs: number): Promise<any> {
	return new Promise((resolve, reject) => {
		const child = spawn(
			process.execPath,
			[
				'--expose-gc',
				'--max-old-space-size=4096',
				'-r',
				'ts-node/register/transpile-only',
				join(REPO, 'bench', 'scenarios', 'overhead-child.ts'),
			],
			{
				cwd: REPO,
				env: { ...process.env, ...env },
				stdio: ['ignore', 'pipe', 'pipe'],
			},
		);
		let out = '';
		let err = '';
		child.stdout.on('data', (d) => (out += d));
		child.stderr.on('data', (d) => (err += d));
		const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
		child.on('close', (code) => {
			clearTimeout(t);
			const line = out.trim().split('\n').pop() ?? '';
			try {
				resolve(JSON.parse(line));
			} catch {
				reject(
					new Error(
						`overhead child (${env.OVERHEAD_MODE}) exited ${code}: ${err.slice(-1500)} ${out.slice(-500)}`,
					),
				);
			}
		});
	});
}

export async function runOverhead(ctx: Ctx): Promise<ScenarioResult[]> {
	const p = ctx.profile;
	const started = Date.now();
	let emu: EmuProcess | null = null;
	try {
		emu = await startEmulatorProcess({ limit: null });
		ctx.log(
			`s7 overhead: ${p.overheadRequests} requests x 2 rounds, bare loop vs our transport; heap at ${p.heapQueued} queued`,
		);
		const env = { OVERHEAD_URL: emu.url, OVERHEAD_KEY: emu.apiKey };
		const cpu = await runChild(
			{ ...env, OVERHEAD_MODE: 'cpu', OVERHEAD_N: String(p.overheadRequests) },
			15 * 60_000,
		);
		const heap = await runChild(
			{ ...env, OVERHEAD_MODE: 'heap', OVERHEAD_N: String(p.heapQueued) },
			10 * 60_000,
		);
		const r = finish({
			id: 's7',
			title: '7 Overhead: CPU per request vs a bare loop, heap per queued request',
			rows: [],
			targets: [
				target('heap per queued request, bytes', Math.round(heap.bytesPerQueued), '<=', 2048),
				target(
					'queued calls settled after cancel',
					heap.cancelled + heap.sentOk,
					'==',
					heap.queued,
				),
			],
			notes: [
				`CPU per request: bare loop ${round(cpu.bareUsPerRequest, 1)} µs, through our transport ${round(cpu.oursUsPerRequest, 1)} µs: ratio ${round(cpu.ratio, 2)}, added ${round(cpu.addedUsPerRequest, 1)} µs per request (${cpu.n} requests x ${cpu.rounds} rounds each, client process only)`,
				`heap: ${Math.round(heap.bytesPerQueued)} bytes per queued request at ${heap.queued} queued (of which the dispatcher's acquire() alone: ${Math.round(heap.dispatcherOnlyBytesPerQueued)} bytes)`,
			],
			extra: { cpu, heap },
		});
		r.seconds = round((Date.now() - started) / 1000, 1);
		return [r];
	} catch (e) {
		return [
			{
				id: 's7',
				title: '7 Overhead',
				status: 'error',
				rows: [],
				targets: [],
				notes: [],
				error: String((e as Error).message),
				seconds: round((Date.now() - started) / 1000, 1),
			},
		];
	} finally {
		await emu?.stop();
	}
}
