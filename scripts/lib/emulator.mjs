// Start the User.com emulator in a child process and talk to its control plane (/__emulator/...).
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** A random 64-character key (the shape of a User.com Public REST API key). */
export function randomApiKey() {
	return crypto.randomBytes(32).toString('hex');
}

/**
 * @param {{ port?: number, rate?: number, seed?: 'demo' | '', keys: string[], inheritStderr?: boolean }} opts
 */
export async function startEmulator({
	port = 0,
	rate = 10,
	seed = '',
	keys,
	inheritStderr = false,
	timeoutMs = 60000,
}) {
	const child = spawn(process.execPath, [path.join(here, 'emulator-child.cjs')], {
		env: {
			...process.env,
			USERCOM_EMULATOR_PORT: String(port),
			USERCOM_EMULATOR_RATE: String(rate),
			USERCOM_EMULATOR_SEED: seed,
			USERCOM_EMULATOR_KEYS: keys.join(','),
		},
		stdio: ['pipe', 'pipe', inheritStderr ? 'inherit' : 'pipe'],
	});
	let stderr = '';
	child.stderr?.on('data', (d) => (stderr += d));
	const kill = () => {
		try {
			child.kill('SIGKILL');
		} catch {}
	};
	process.once('exit', kill);
	const info = await new Promise((resolve, reject) => {
		let buf = '';
		const timer = setTimeout(
			() => reject(new Error(`emulator did not start in ${timeoutMs / 1000}s: ${stderr}`)),
			timeoutMs,
		);
		child.stdout.on('data', (d) => {
			buf += d;
			const nl = buf.indexOf('\n');
			if (nl >= 0) {
				clearTimeout(timer);
				try {
					resolve(JSON.parse(buf.slice(0, nl)));
				} catch (e) {
					reject(new Error(`unexpected emulator output: ${buf}`));
				}
			}
		});
		child.on('exit', (code) => {
			clearTimeout(timer);
			reject(new Error(`emulator exited with ${code}: ${stderr}`));
		});
	});
	const url = info.url;
	const control = async (method, p, body) => {
		const res = await fetch(`${url}/__emulator/${p}`, {
			method,
			headers: { 'content-type': 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const json = await res.json();
		if (!res.ok)
			throw new Error(`emulator control ${method} ${p} -> ${res.status} ${JSON.stringify(json)}`);
		return json;
	};
	const stop = async () => {
		if (child.exitCode !== null) return;
		const exited = new Promise((r) => child.once('exit', r));
		child.kill('SIGTERM');
		const t = setTimeout(kill, 5000);
		await exited;
		clearTimeout(t);
		process.removeListener('exit', kill);
	};
	return {
		url,
		fingerprints: info.fingerprints,
		child,
		control,
		stop,
		reset: (seedData) => control('POST', 'reset', seedData ? { seed: seedData } : {}),
		log: async () => (await control('GET', 'log')).entries,
		stats: () => control('GET', 'stats'),
		state: (resource) => control('GET', `state${resource ? `?resource=${resource}` : ''}`),
		fault: (spec) => control('POST', 'faults', spec),
		clearFaults: () => control('DELETE', 'faults'),
		configure: (c) => control('POST', 'config', c),
	};
}

/** Max number of accepted requests of one key inside any window of `windowMs` (sliding), from the log. */
export function maxInWindowFromLog(entries, windowMs = 1000) {
	const byKey = new Map();
	for (const e of entries) {
		if (!e.accepted) continue;
		if (!byKey.has(e.key)) byKey.set(e.key, []);
		byKey.get(e.key).push(e.t);
	}
	let max = 0;
	for (const times of byKey.values()) {
		times.sort((a, b) => a - b);
		let lo = 0;
		for (let hi = 0; hi < times.length; hi++) {
			while (times[hi] - times[lo] >= windowMs) lo++;
			max = Math.max(max, hi - lo + 1);
		}
	}
	return max;
}
