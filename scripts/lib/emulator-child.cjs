// Runs the User.com emulator (test/emulator) in its own process for the e2e tests and the demo.
// Options via environment (so the key never shows in a process listing):
//   USERCOM_EMULATOR_PORT (0 = any free port), USERCOM_EMULATOR_RATE (req per window, default 10),
//   USERCOM_EMULATOR_SEED ('demo' or empty), USERCOM_EMULATOR_KEYS (comma-separated API keys).
// Prints one JSON line {"ready":true,"url":...,"fingerprints":[...]} (never the key), then serves
// until SIGTERM/SIGINT or until its stdin closes (the parent went away).
'use strict';
const path = require('node:path');
require('ts-node').register({
	transpileOnly: true,
	project: path.join(__dirname, '..', '..', 'tsconfig.json'),
});
const { startEmulator } = require('../../test/emulator');

(async () => {
	const keys = (process.env.USERCOM_EMULATOR_KEYS || '')
		.split(',')
		.map((k) => k.trim())
		.filter(Boolean);
	const seed = process.env.USERCOM_EMULATOR_SEED || '';
	const emu = await startEmulator({
		port: Number(process.env.USERCOM_EMULATOR_PORT || 0),
		rateLimit: Number(process.env.USERCOM_EMULATOR_RATE || 10),
		apiKeys: keys.length ? keys : undefined,
		seed: seed === 'demo' ? 'demo' : undefined,
	});
	const stop = async () => {
		await emu.close();
		process.exit(0);
	};
	process.on('SIGTERM', stop);
	process.on('SIGINT', stop);
	process.stdin.on('end', stop);
	process.stdin.on('close', stop);
	process.stdin.resume();
	process.stdout.write(
		JSON.stringify({
			ready: true,
			url: emu.url,
			fingerprints: emu.apiKeys.map((k) => emu.fingerprint(k)),
		}) + '\n',
	);
})().catch((e) => {
	process.stderr.write(`emulator failed to start: ${e && e.stack ? e.stack : e}\n`);
	process.exit(1);
});
