#!/usr/bin/env node
// One-command demo (npm start): builds and packs this package, provisions n8n 2.40.7 (cached), starts
// the User.com emulator with the demo data, installs the package into a fresh n8n user folder the way
// Community Nodes does, imports a User.com credential pointing at the emulator and the example
// workflows, starts the n8n editor on http://127.0.0.1:5678 and creates the owner account.
// Ctrl-C stops n8n and the emulator and removes the demo's user folder.
//
// Environment: USERCOM_DEMO_PORT (5678), USERCOM_DEMO_EMULATOR_PORT (4010, any free port if taken),
// USERCOM_DEMO_N8N_VERSION (2.40.7 or 1.123.81), USERCOM_DEMO_SKIP_BUILD=1 (reuse dist/),
// USERCOM_N8N_CACHE (where n8n is installed).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { randomApiKey, startEmulator } from './lib/emulator.mjs';
import {
	N8nRest,
	freshUserFolder,
	importCredentials,
	importWorkflows,
	installPackageTarball,
	n8nEnv,
	packPackage,
	startN8nServer,
} from './lib/n8n.mjs';
import { log, provision } from './lib/runtime.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const examplesDir = path.join(repoRoot, 'test', 'e2e', 'workflows', 'examples');
const version = process.env.USERCOM_DEMO_N8N_VERSION || '2.40.7';
const port = Number(process.env.USERCOM_DEMO_PORT || 5678);
const emulatorPort = Number(process.env.USERCOM_DEMO_EMULATOR_PORT || 4010);
export const OWNER = {
	email: 'demo@example.com',
	firstName: 'Demo',
	lastName: 'Owner',
	password: 'Demo-Passw0rd',
};

function portFree(p) {
	return new Promise((resolve) => {
		const srv = net.createServer();
		srv.once('error', () => resolve(false));
		srv.listen(p, '127.0.0.1', () => srv.close(() => resolve(true)));
	});
}

const cleanups = [];
let stopping = false;
async function shutdown(code) {
	if (stopping) return;
	stopping = true;
	log('stopping ...');
	for (const fn of cleanups.reverse()) {
		try {
			await fn();
		} catch (e) {
			console.error(`cleanup: ${e.message}`);
		}
	}
	log('stopped');
	process.exit(code);
}
process.on('SIGINT', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));
process.on('SIGHUP', () => shutdown(0));

try {
	const t0 = Date.now();
	if (!(await portFree(port)))
		throw new Error(`port ${port} is in use (another n8n?). Stop it or set USERCOM_DEMO_PORT.`);
	if (process.env.USERCOM_DEMO_SKIP_BUILD !== '1') {
		log('building the package (npm run build)');
		execFileSync('npm', ['run', 'build', '--silent'], {
			cwd: repoRoot,
			stdio: ['ignore', 'ignore', 'inherit'],
		});
	}
	const packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'usercom-demo-pack-'));
	cleanups.push(() => fs.rmSync(packDir, { recursive: true, force: true }));
	const tarball = packPackage(repoRoot, packDir);
	log(`packed ${path.basename(tarball)}`);
	log(`provisioning n8n ${version} (first time: a few minutes and ~3 GB, then cached)`);
	const rt = await provision(version);

	const key = randomApiKey();
	const emu = await startEmulator({
		port: (await portFree(emulatorPort)) ? emulatorPort : 0,
		rate: 10,
		seed: 'demo',
		keys: [key],
	});
	cleanups.push(() => emu.stop());
	log(
		`User.com emulator on ${emu.url} (demo data: 5 contacts, 5 products, 2 deals, 150 tags, 5 lists, 4 segments)`,
	);

	const userFolder = freshUserFolder('usercom-demo');
	cleanups.push(() => fs.rmSync(userFolder, { recursive: true, force: true }));
	const env = n8nEnv(rt, userFolder);
	installPackageTarball(userFolder, tarball);
	log(`installed n8n-nodes-usercom into ${path.join(userFolder, '.n8n', 'nodes', 'node_modules')}`);
	await importCredentials(rt, env, [
		{
			id: 'ucE2eCred0000001',
			name: 'User.com account',
			type: 'userComApi',
			data: { subdomain: emu.url, apiKey: key, rateLimit: 10, limitShare: 100 },
		},
	]);
	const examples = fs
		.readdirSync(examplesDir)
		.filter((f) => f.endsWith('.json'))
		.sort()
		.map((f) => JSON.parse(fs.readFileSync(path.join(examplesDir, f), 'utf8')));
	await importWorkflows(rt, env, examples);
	log(`imported the credential "User.com account" and ${examples.length} example workflows`);

	log(`starting n8n ${version} on http://127.0.0.1:${port} ...`);
	const logFile = path.join(userFolder, 'n8n.log');
	const server = await startN8nServer(rt, env, { port, timeoutMs: 240000 });
	cleanups.push(async () => {
		fs.writeFileSync(logFile, server.logs());
		await server.stop();
	});
	const rest = new N8nRest(server.url);
	await rest.setupOwner(OWNER);
	const wfs = await rest.request('GET', '/rest/workflows');
	const count = (wfs.json?.data ?? []).length;

	const line = '-'.repeat(72);
	console.log(`\n${line}
  n8n ${version} with n8n-nodes-usercom is running (ready in ${Math.round((Date.now() - t0) / 1000)} s)

  Editor:    http://127.0.0.1:${port}
  Login:     ${OWNER.email}
  Password:  ${OWNER.password}

  Workflows: ${count} examples (open one and click "Execute workflow")
  Credential "User.com account" points at the emulator ${emu.url}.
  To use a real User.com account, edit the credential: Subdomain = your
  app (e.g. "acme" for acme.user.com) and your Public REST API key.

  Emulator:  ${emu.url}/__emulator/log  (requests seen),  /__emulator/stats
  Press Ctrl-C to stop n8n and the emulator.
${line}\n`);
	server.child.on('close', (code) => {
		if (!stopping) {
			console.error(
				`n8n exited unexpectedly (${code}); last output:\n${server.logs().slice(-3000)}`,
			);
			shutdown(1);
		}
	});
} catch (e) {
	console.error(`demo failed: ${e.message}`);
	await shutdown(1);
}
