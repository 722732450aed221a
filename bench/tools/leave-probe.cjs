// Bench-only probe (not part of the package): when does each HTTP request really leave n8n, and
// when is n8n's event loop blocked? Load it into n8n for a bench run:
//   LEAVE_PROBE_DIR=/tmp/probe NODE_OPTIONS="--require $PWD/bench/tools/leave-probe.cjs" npm run bench -- --only=s1@300
// Every n8n process (start, worker) appends JSON lines to $LEAVE_PROBE_DIR/leave-<pid>.jsonl:
//   {"ev":"req","start":ms,"finish":ms,"resp":ms,"path":...}  start = Node's http.client.request.start
//     (the request is on its socket), finish = flushed to the OS, resp = answer headers (epoch ms)
//   {"ev":"lag","at":ms,"gap":ms}  a 10 ms timer fired `gap` ms after the previous one (gap > 30)
// Join with the node's debug log (`User.com request` ... `timing`) by time and with the emulator's
// arrivals (bench/out/scratch/timeline-s1@<latency>.json) as docs/performance.md describes.
const argv = process.argv.join(' ');
if (/n8n/.test(argv) && /\b(start|worker)\b/.test(argv)) {
	const dc = require('node:diagnostics_channel');
	const fs = require('node:fs');
	const path = require('node:path');
	const os = require('node:os');
	const { performance } = require('node:perf_hooks');
	const dir = process.env.LEAVE_PROBE_DIR || os.tmpdir();
	fs.mkdirSync(dir, { recursive: true });
	const out = fs.openSync(path.join(dir, `leave-${process.pid}.jsonl`), 'a');
	const now = () => performance.timeOrigin + performance.now();
	const write = (o) => fs.writeSync(out, JSON.stringify(o) + '\n');
	dc.subscribe('http.client.request.start', ({ request }) => {
		const rec = { ev: 'req', start: now(), path: request.path, method: request.method };
		request.once('finish', () => (rec.finish = now()));
		request.once('response', () => {
			rec.resp = now();
			write(rec);
		});
		request.once('error', () => {
			rec.err = now();
			write(rec);
		});
	});
	let last = now();
	setInterval(() => {
		const t = now();
		if (t - last > 30) write({ ev: 'lag', at: t, gap: t - last });
		last = t;
	}, 10).unref();
}
