// The environment the UI tests drive: the same set-up as the demo (`npm start`, scripts/demo.mjs) built
// from the shared helpers in scripts/lib/ — provisioned n8n 2.40.7, the emulator seeded with the demo
// data, the packed package installed the way Community Nodes does, the credential "User.com account"
// and the example workflows imported, the owner account created — but on free ports and in its own
// user folder, so it never collides with a demo someone is running on 5678.
//
// `node test/ui/env.mjs` alone starts it and keeps it running (prints URLs; Ctrl-C stops) — handy
// for writing new checks.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { randomApiKey, startEmulator } from '../../scripts/lib/emulator.mjs';
import {
	N8nRest,
	freePort,
	freshUserFolder,
	importCredentials,
	importWorkflows,
	installPackageTarball,
	n8nEnv,
	packPackage,
	startN8nServer,
} from '../../scripts/lib/n8n.mjs';
import { log, provision } from '../../scripts/lib/runtime.mjs';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const examplesDir = path.join(repoRoot, 'test', 'e2e', 'workflows', 'examples');

// Same owner as the demo prints (scripts/demo.mjs OWNER; not imported: importing demo.mjs runs it).
export const OWNER = {
	email: 'demo@example.com',
	firstName: 'Demo',
	lastName: 'Owner',
	password: 'Demo-Passw0rd',
};
export const CRED_ID = 'ucE2eCred0000001';
export const CRED_NAME = 'User.com account';
export const EXAMPLES = {
	order: 'ucDemoOrder00001',
	bulk: 'ucDemoBulk000001',
	errors: 'ucDemoErrors0001',
};
// Not one of the examples: 20 contact upserts and no error output, so any rate-limit failure would stop
// the run (workflow of the e2e suite, reused as is).
export const RATE_LIMITED_WF = 'ucE2e42900000001';

/**
 * Starts everything. Returns { n8nUrl, emu, key, userFolder, packageDir, server, stop() }. `stop` is idempotent.
 * Options: version (2.40.7), skipBuild (reuse dist/), registerStop(stop) (called at once, so a caller can
 * stop a half-started environment), onPacked() (called right after `npm pack`).
 */
export async function startUiEnvironment({
	version = '2.40.7',
	skipBuild = false,
	registerStop,
	onPacked,
} = {}) {
	const cleanups = [];
	let stopped = false;
	const stop = async () => {
		if (stopped) return;
		stopped = true;
		for (const fn of cleanups.reverse()) {
			try {
				await fn();
			} catch (e) {
				console.error(`cleanup: ${e.message}`);
			}
		}
	};
	// The caller can stop a half-started environment (Ctrl-C during set-up).
	registerStop?.(() => stop());
	try {
		if (!skipBuild) {
			log('building the package (npm run build)');
			execFileSync('npm', ['run', 'build', '--silent'], {
				cwd: repoRoot,
				stdio: ['ignore', 'ignore', 'inherit'],
			});
		}
		const packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'usercom-ui-pack-'));
		cleanups.push(() => fs.rmSync(packDir, { recursive: true, force: true }));
		const tarball = packPackage(repoRoot, packDir);
		checkTarball(tarball);
		onPacked?.(); // e.g. read expectations from dist/ while it is the one just packed
		log(`provisioning n8n ${version} (cached after the first time)`);
		const rt = await provision(version);

		const key = randomApiKey();
		const emu = await startEmulator({ port: 0, rate: 10, seed: 'demo', keys: [key] });
		cleanups.push(() => emu.stop());
		log(`emulator on ${emu.url} (demo data)`);

		const userFolder = freshUserFolder('usercom-ui');
		cleanups.push(() => fs.rmSync(userFolder, { recursive: true, force: true }));
		const env = n8nEnv(rt, userFolder);
		const packageDir = installPackageTarball(userFolder, tarball);
		await importCredentials(rt, env, [
			{
				id: CRED_ID,
				name: CRED_NAME,
				type: 'userComApi',
				data: { subdomain: emu.url, apiKey: key, rateLimit: 10, limitShare: 100 },
			},
		]);
		const workflows = fs
			.readdirSync(examplesDir)
			.filter((f) => f.endsWith('.json'))
			.sort()
			.map((f) => JSON.parse(fs.readFileSync(path.join(examplesDir, f), 'utf8')));
		workflows.push(
			JSON.parse(
				fs.readFileSync(
					path.join(repoRoot, 'test', 'e2e', 'workflows', 'e2e-rate-limited.json'),
					'utf8',
				),
			),
		);
		await importWorkflows(rt, env, workflows);
		log(`installed the package, imported the credential and ${workflows.length} workflows`);

		const port = await freePort();
		log(`starting n8n ${version} on http://127.0.0.1:${port}`);
		const server = await startN8nServer(rt, env, { port, timeoutMs: 240000 });
		cleanups.push(async () => {
			fs.mkdirSync(path.join(repoRoot, 'test-output', 'ui'), { recursive: true });
			fs.writeFileSync(path.join(repoRoot, 'test-output', 'ui', 'n8n.log'), server.logs());
			await server.stop();
		});
		const rest = new N8nRest(server.url);
		await rest.setupOwner(OWNER); // also logs the client in
		// n8n skips a package it cannot load (and only logs it): say so now, not as ten UI failures.
		const types = await rest.request('GET', '/types/nodes.json');
		if (!Array.isArray(types.json))
			throw new Error(`GET /types/nodes.json: ${types.status} ${types.text.slice(0, 300)}`);
		const names = new Set(types.json.map((t) => t.name));
		for (const t of ['n8n-nodes-usercom.userCom', 'n8n-nodes-usercom.userComTrigger'])
			if (!names.has(t))
				throw new Error(`n8n did not load ${t}; n8n log:\n${server.logs().slice(-2000)}`);
		return { n8nUrl: server.url, emu, key, userFolder, packageDir, server, stop };
	} catch (e) {
		await stop();
		throw e;
	}
}

/**
 * The tarball must hold every file package.json's `n8n` section lists: a `npm run build` running at the
 * same moment in the same checkout (rimraf dist) would otherwise pack a partial dist/ silently.
 */
function checkTarball(tarball) {
	const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
	const listed = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n');
	const want = [...(pkg.n8n?.nodes ?? []), ...(pkg.n8n?.credentials ?? [])];
	const missing = want.filter((f) => !listed.includes(`package/${f}`));
	if (missing.length)
		throw new Error(
			`the packed package lacks ${missing.join(', ')}: dist/ is incomplete (a build running elsewhere in this checkout?). Run npm run build and retry.`,
		);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	const envRun = await startUiEnvironment({ skipBuild: process.env.USERCOM_UI_SKIP_BUILD === '1' });
	const info = {
		n8nUrl: envRun.n8nUrl,
		emulatorUrl: envRun.emu.url,
		packageDir: envRun.packageDir,
		owner: OWNER,
	};
	fs.mkdirSync(path.join(repoRoot, 'test-output', 'ui'), { recursive: true });
	fs.writeFileSync(
		path.join(repoRoot, 'test-output', 'ui', 'env.json'),
		JSON.stringify(info, null, 2),
	);
	console.log(JSON.stringify(info, null, 2));
	const quit = async () => {
		await envRun.stop();
		process.exit(0);
	};
	process.on('SIGINT', quit);
	process.on('SIGTERM', quit);
}
