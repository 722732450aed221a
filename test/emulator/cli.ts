/**
 * npm run emulator -- --port 4010 --rate 10 [--window-ms 1000] [--key KEY]... [--seed demo]
 *                     [--service-time-ms 5,20] [--latency 300|300±10%|100-200|tail] [--import-ms 200]
 * Prints the base URL and the API key; stops on SIGINT/SIGTERM.
 */
import { parseLatency } from './latency';
import { startEmulator } from './server';
import type { EmulatorOptions } from './server';

function parseArgs(argv: string[]): EmulatorOptions {
	const opts: EmulatorOptions = { port: 4010 };
	const keys: string[] = [];
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		const [name, inline] = a.includes('=')
			? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]
			: [a, undefined];
		const val = () => {
			const v = inline ?? argv[++i];
			if (v === undefined) throw new Error(`${name} needs a value`);
			return v;
		};
		switch (name) {
			case '--port':
				opts.port = Number(val());
				break;
			case '--rate': {
				const v = val();
				opts.rateLimit = v === 'unlimited' || v === 'Infinity' ? 0 : Number(v);
				break;
			}
			case '--window-ms':
				opts.windowMs = Number(val());
				break;
			case '--key':
				keys.push(val());
				break;
			case '--seed': {
				const v = val();
				if (v !== 'demo' && v !== 'none') throw new Error(`unknown seed ${v} (demo|none)`);
				if (v === 'demo') opts.seed = 'demo';
				break;
			}
			case '--service-time-ms': {
				const [lo, hi] = val().split(',').map(Number);
				opts.serviceTimeMs = [lo, hi ?? lo];
				break;
			}
			case '--latency':
				opts.latency = parseLatency(val());
				break;
			case '--import-ms':
				opts.importProcessingMs = Number(val());
				break;
			case '--help':
			case '-h':
				process.stdout.write(
					'usage: npm run emulator -- [--port 4010] [--rate 10|unlimited] [--window-ms 1000] [--key KEY]... [--seed demo] [--service-time-ms MIN,MAX] [--latency 300|300±10%|100-200|tail|none] [--import-ms 200]\n',
				);
				process.exit(0);
				break;
			default:
				throw new Error(`unknown option ${a}`);
		}
	}
	if (keys.length) opts.apiKeys = keys;
	return opts;
}

async function main(): Promise<void> {
	let opts: EmulatorOptions;
	try {
		opts = parseArgs(process.argv.slice(2));
	} catch (e) {
		process.stderr.write(`${(e as Error).message}\n`);
		process.exit(2);
	}
	const emu = await startEmulator(opts);
	const cfg = emu.config();
	process.stdout.write(
		[
			`User.com emulator listening on ${emu.url}`,
			`Base URL:      ${emu.baseUrl}`,
			`API key:       ${emu.apiKey}`,
			`Rate limit:    ${cfg.rateLimit ? `${cfg.rateLimit} per ${cfg.windowMs} ms per key` : 'unlimited'} (counted at arrival)`,
			`Latency:       ${cfg.latency ? cfg.latency.name : 'none'}`,
			`Control plane: ${emu.url}/__emulator/ (stats, log, faults, seed, reset, config, state)`,
			`Seed:          ${opts.seed ? 'demo' : 'none'}`,
			'',
		].join('\n'),
	);
	let closing = false;
	const stop = (sig: string) => {
		if (closing) return;
		closing = true;
		process.stdout.write(`${sig}: stopping emulator\n`);
		emu.close().then(() => process.exit(0));
	};
	process.on('SIGINT', () => stop('SIGINT'));
	process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((e) => {
	process.stderr.write(`${(e as Error).stack ?? e}\n`);
	process.exit(1);
});
