// Helpers to drive a provisioned n8n: fresh user folders, installing the packed package the way
// Community Nodes does, CLI imports, `n8n execute`, `n8n execute-batch`, and a server with REST access.
import { spawn, execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const ENCRYPTION_KEY = 'usercom-e2e-fixed-encryption-key-0001';
export const PACKAGE_NAME = 'n8n-nodes-usercom';

/** Environment for an n8n process with its own user folder (n8n keeps its data in `<userFolder>/.n8n`). */
export function n8nEnv(rt, userFolder, extra = {}) {
	const env = { ...process.env };
	// Do not leak the caller's n8n settings into the test instance.
	for (const k of Object.keys(env)) if (k.startsWith('N8N_') || k.startsWith('DB_')) delete env[k];
	return {
		...env,
		...rt.env,
		N8N_USER_FOLDER: userFolder,
		N8N_ENCRYPTION_KEY: ENCRYPTION_KEY,
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		N8N_RUNNERS_ENABLED: 'true',
		DB_TYPE: 'sqlite',
		N8N_LOG_LEVEL: 'info',
		NODE_ENV: 'production',
		...extra,
	};
}

/** Run an n8n CLI command to completion. Resolves { code, stdout, stderr, output, ms }. */
export async function startN8nCli(rt, args, { env, timeoutMs = 300000, onOutput } = {}) {
	// Each n8n process starts a task broker (default port 5679): give each its own free port so that
	// several n8n processes (two versions, demo + tests) can run at once.
	if (!env.N8N_RUNNERS_BROKER_PORT)
		env = { ...env, N8N_RUNNERS_BROKER_PORT: String(await freePort()) };
	return await new Promise((resolve, reject) => {
		const started = Date.now();
		const child = spawn(rt.nodeBin, [rt.n8nJs, ...args], {
			env,
			cwd: env.N8N_USER_FOLDER,
			stdio: ['ignore', 'pipe', 'pipe'],
			detached: true,
		});
		let stdout = '';
		let stderr = '';
		let output = '';
		child.stdout.on('data', (d) => {
			stdout += d;
			output += d;
			onOutput?.(String(d));
		});
		child.stderr.on('data', (d) => {
			stderr += d;
			output += d;
			onOutput?.(String(d));
		});
		const kill = () => {
			try {
				process.kill(-child.pid, 'SIGKILL');
			} catch {}
		};
		process.once('exit', kill);
		const timer = setTimeout(() => {
			kill();
			reject(
				new Error(
					`n8n ${args.join(' ')} timed out after ${timeoutMs / 1000}s\n${output.slice(-3000)}`,
				),
			);
		}, timeoutMs);
		child.on('error', (e) => {
			clearTimeout(timer);
			reject(e);
		});
		child.on('close', (code) => {
			clearTimeout(timer);
			process.removeListener('exit', kill);
			resolve({ code, stdout, stderr, output, ms: Date.now() - started });
		});
	});
}

/**
 * Extract the run JSON printed by `n8n execute --rawOutput` (or a failed run's JSON that n8n logs
 * after "Execution error:"). Log lines may precede it, so find the first line that is exactly "{".
 */
export function parseRunJson(text) {
	// At N8N_LOG_LEVEL=debug n8n's logger wraps the message: "<time> | info | {" ... "} {<metadata>}".
	const lines = text.split('\n');
	for (let i = 0; i < lines.length; i++) {
		if (!(lines[i] === '{' || /\|\s*\w+\s*\|\s*\{$/.test(lines[i]))) continue;
		for (let j = i + 1; j < lines.length; j++) {
			if (lines[j] !== '}' && !lines[j].startsWith('} {')) continue;
			try {
				const parsed = JSON.parse(['{', ...lines.slice(i + 1, j), '}'].join('\n'));
				if (parsed && parsed.data && parsed.data.resultData) return parsed;
			} catch {}
			break;
		}
	}
	throw new Error(`no run JSON found in n8n output:\n${text.slice(-3000)}`);
}

/** Create a fresh user folder (n8n's data dir will be `<it>/.n8n`). */
export function freshUserFolder(prefix) {
	return fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
}

/** `npm pack` the package (must be built) into `outDir`; returns the tarball path. */
export function packPackage(repoRoot, outDir) {
	fs.mkdirSync(outDir, { recursive: true });
	const out = execFileSync(
		'npm',
		['pack', '--pack-destination', outDir, '--json', '--ignore-scripts'],
		{
			cwd: repoRoot,
			encoding: 'utf8',
			stdio: ['ignore', 'pipe', 'pipe'],
		},
	);
	const info = JSON.parse(out)[0];
	return path.join(outDir, info.filename);
}

/**
 * Install a packed tarball into `<userFolder>/.n8n/nodes/node_modules/<name>` exactly the way n8n's
 * Community Nodes does it (CommunityPackagesService.downloadPackage in n8n 1.123 / 2.40): extract with
 * --strip-components=1, drop dev/peer/optional dependencies from its package.json, `npm install` inside
 * it with n8n's flags, and record it in the nodes folder's package.json.
 */
export function installPackageTarball(userFolder, tarball) {
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	const pkgDir = path.join(nodesDir, 'node_modules', PACKAGE_NAME);
	fs.mkdirSync(nodesDir, { recursive: true });
	const nodesPkgJson = path.join(nodesDir, 'package.json');
	if (!fs.existsSync(nodesPkgJson))
		fs.writeFileSync(
			nodesPkgJson,
			JSON.stringify({ name: 'installed-nodes', private: true, dependencies: {} }, null, 2),
		);
	fs.rmSync(pkgDir, { recursive: true, force: true });
	fs.mkdirSync(pkgDir, { recursive: true });
	execFileSync('tar', ['-xzf', tarball, '-C', pkgDir, '--strip-components=1']);
	const pj = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
	const { devDependencies, peerDependencies, optionalDependencies, ...rest } = pj;
	fs.writeFileSync(path.join(pkgDir, 'package.json'), JSON.stringify(rest, null, 2));
	execFileSync(
		'npm',
		[
			'install',
			'--audit=false',
			'--fund=false',
			'--bin-links=false',
			'--install-strategy=shallow',
			'--ignore-scripts=true',
			'--package-lock=false',
			'--offline',
		],
		{ cwd: pkgDir, stdio: ['ignore', 'pipe', 'pipe'] },
	);
	const nodesPkg = JSON.parse(fs.readFileSync(nodesPkgJson, 'utf8'));
	nodesPkg.dependencies = { ...(nodesPkg.dependencies ?? {}), [PACKAGE_NAME]: rest.version };
	fs.writeFileSync(nodesPkgJson, JSON.stringify(nodesPkg, null, 2));
	return pkgDir;
}

export async function importCredentials(rt, env, credentials) {
	const file = path.join(env.N8N_USER_FOLDER, `credentials-${Date.now()}.json`);
	fs.writeFileSync(file, JSON.stringify(credentials, null, 2), { mode: 0o600 });
	try {
		const r = await startN8nCli(rt, ['import:credentials', `--input=${file}`], {
			env,
			timeoutMs: 180000,
		});
		if (r.code !== 0)
			throw new Error(`import:credentials failed (${r.code}):\n${r.output.slice(-3000)}`);
		return r;
	} finally {
		fs.rmSync(file, { force: true });
	}
}

export async function importWorkflows(rt, env, workflows) {
	const file = path.join(env.N8N_USER_FOLDER, `workflows-${Date.now()}.json`);
	fs.writeFileSync(file, JSON.stringify(workflows, null, 2));
	const r = await startN8nCli(rt, ['import:workflow', `--input=${file}`], {
		env,
		timeoutMs: 180000,
	});
	if (r.code !== 0)
		throw new Error(`import:workflow failed (${r.code}):\n${r.output.slice(-3000)}`);
	return r;
}

/** `n8n execute --id=<id> --rawOutput`; returns { code, run, output, ms } (run undefined when none printed). */
export async function executeWorkflow(rt, env, id, { timeoutMs = 300000 } = {}) {
	const r = await startN8nCli(rt, ['execute', `--id=${id}`, '--rawOutput'], { env, timeoutMs });
	let run;
	try {
		run = parseRunJson(r.stdout + '\n' + r.stderr);
	} catch {}
	return { ...r, run };
}

/**
 * `n8n execute-batch --ids=a,b --concurrency=N` in ONE process; full run data per workflow is read from
 * the snapshot folder. Ids must contain a digit (n8n filters them with /\d+/).
 */
export async function executeBatch(
	rt,
	env,
	ids,
	{ concurrency = ids.length, timeoutMs = 400000 } = {},
) {
	const snap = fs.mkdtempSync(path.join(env.N8N_USER_FOLDER, 'snapshots-'));
	const summaryFile = path.join(env.N8N_USER_FOLDER, `batch-${Date.now()}.json`);
	const r = await startN8nCli(
		rt,
		[
			'execute-batch',
			`--ids=${ids.join(',')}`,
			`--concurrency=${concurrency}`,
			`--snapshot=${snap}`,
			`--output=${summaryFile}`,
		],
		{ env, timeoutMs },
	);
	const runs = {};
	for (const id of ids) {
		const f = path.join(snap, `${id}-snapshot.json`);
		if (fs.existsSync(f)) runs[id] = JSON.parse(fs.readFileSync(f, 'utf8'));
	}
	let summary;
	try {
		summary = JSON.parse(fs.readFileSync(summaryFile, 'utf8'));
	} catch {}
	const snapshotText = ids
		.map((id) => path.join(snap, `${id}-snapshot.json`))
		.filter((f) => fs.existsSync(f))
		.map((f) => fs.readFileSync(f, 'utf8'))
		.join('\n');
	return { ...r, runs, summary, snapshotText };
}

export function freePort() {
	return new Promise((resolve, reject) => {
		const srv = net.createServer();
		srv.unref();
		srv.on('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const { port } = srv.address();
			srv.close(() => resolve(port));
		});
	});
}

/**
 * Start `n8n start` (editor + REST) on 127.0.0.1:<port>. Resolves when /healthz answers.
 * Returns { url, child, logs(), stop() }.
 */
export async function startN8nServer(
	rt,
	env,
	{ port, timeoutMs = 180000, inheritOutput = false } = {},
) {
	// a port just closed can come back from the next freePort(): the broker must not take n8n's
	let brokerPort = await freePort();
	while (brokerPort === port) brokerPort = await freePort();
	const serverEnv = {
		N8N_RUNNERS_BROKER_PORT: String(brokerPort),
		...env,
		N8N_PORT: String(port),
		N8N_HOST: '127.0.0.1',
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_PROTOCOL: 'http',
		N8N_EDITOR_BASE_URL: `http://127.0.0.1:${port}/`,
		WEBHOOK_URL: `http://127.0.0.1:${port}/`,
		N8N_SECURE_COOKIE: 'false',
		N8N_PUBLIC_API_DISABLED: 'true',
	};
	const child = spawn(rt.nodeBin, [rt.n8nJs, 'start'], {
		env: serverEnv,
		cwd: env.N8N_USER_FOLDER,
		stdio: ['ignore', 'pipe', 'pipe'],
		detached: true,
	});
	let output = '';
	const onData = (d) => {
		output += d;
		if (inheritOutput) process.stdout.write(d);
	};
	child.stdout.on('data', onData);
	child.stderr.on('data', onData);
	let exited = null;
	const exitPromise = new Promise((r) =>
		child.on('close', (code, sig) => r((exited = code ?? sig))),
	);
	const killGroup = (sig) => {
		try {
			process.kill(-child.pid, sig);
		} catch {}
	};
	const onExit = () => killGroup('SIGKILL');
	process.once('exit', onExit);
	const stop = async () => {
		if (exited !== null) return;
		killGroup('SIGTERM');
		const t = setTimeout(() => killGroup('SIGKILL'), 15000);
		await exitPromise;
		clearTimeout(t);
		process.removeListener('exit', onExit);
	};
	const url = `http://127.0.0.1:${port}`;
	// Ready when n8n logs its editor URL (at info level and below): it does so once its routes are
	// mounted and the active workflows activated (commands/start.js in 1.x and 2.x). Before that
	// /healthz answers, any GET gets 200 "n8n is starting up" while the database migrates, and then
	// routes are missing: CI runs (2026-12-03) got Express's HTML 404 "Cannot POST /rest/owner/setup"
	// or "Cannot POST /webhook/..." from a half-started n8n. At quieter log levels, a JSON answer from
	// /rest/settings at least means the REST routes are mounted.
	const logsReady = !['warn', 'error', 'silent'].includes(serverEnv.N8N_LOG_LEVEL ?? 'info');
	const readyLine = `Editor is now accessible via:\n${url}`;
	const isReady = async () => {
		if (logsReady) return output.includes(readyLine) && (await fetch(`${url}/healthz`)).ok;
		const res = await fetch(`${url}/rest/settings`);
		return res.ok && typeof (await res.json().catch(() => null))?.data === 'object';
	};
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		if (exited !== null)
			throw new Error(`n8n start exited with ${exited}:\n${output.slice(-3000)}`);
		try {
			if (await isReady()) break;
		} catch {}
		if (Date.now() > deadline) {
			await stop();
			throw new Error(
				`n8n was not ready on ${url} within ${timeoutMs / 1000}s:\n${output.slice(-3000)}`,
			);
		}
		await new Promise((r) => setTimeout(r, 500));
	}
	/** Why the server may not be the one answering: its exit, and the end of its log. */
	const describe = () =>
		`n8n server pid ${child.pid} ${exited === null ? 'running' : `exited with ${exited}`}; log tail:\n${output.slice(-1500)}`;
	return { url, child, logs: () => output, stop, exited: () => exited, describe };
}

/** Minimal REST client for n8n's internal API with the auth cookie and a stable browser-id header. */
export class N8nRest {
	constructor(url) {
		this.url = url;
		this.cookie = '';
		this.browserId = crypto.randomUUID();
	}
	async request(method, p, body) {
		const res = await fetch(`${this.url}${p}`, {
			method,
			headers: {
				'content-type': 'application/json',
				'browser-id': this.browserId,
				...(this.cookie ? { cookie: this.cookie } : {}),
			},
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const setCookie = res.headers.getSetCookie?.() ?? [];
		for (const c of setCookie) {
			const pair = c.split(';')[0];
			if (pair.startsWith('n8n-auth=')) this.cookie = pair;
		}
		const text = await res.text();
		let json;
		try {
			json = JSON.parse(text);
		} catch {}
		return { status: res.status, json, text };
	}
	async setupOwner(owner) {
		const r = await this.request('POST', '/rest/owner/setup', owner);
		if (r.status !== 200)
			throw new Error(`owner setup failed: ${r.status} ${r.text.slice(0, 500)}`);
		return r.json?.data ?? r.json;
	}
	async login(email, password) {
		// 2.x uses emailOrLdapLoginId, 1.x accepts it too (older: email)
		const r = await this.request('POST', '/rest/login', {
			emailOrLdapLoginId: email,
			email,
			password,
		});
		if (r.status !== 200) throw new Error(`login failed: ${r.status} ${r.text.slice(0, 500)}`);
		return r.json?.data ?? r.json;
	}
}
