/**
 * Jest reporter for `npm run test:reliability`: reads the rows the tests recorded (one JSON line per
 * case in $USERCOM_RELIABILITY_OUT), prints the summary table and the notes (soak figures, audit),
 * then the closing line "N passed, N failed". The run fails when any row reports a lost item, an
 * unexpected duplicate write or a key leak, even if every assertion passed.
 *
 * It extends Jest's DefaultReporter (per-file results and failure details) and is used instead of
 * 'default', so that Jest's own summary does not come after the closing line.
 */
const fs = require('fs');
const path = require('path');
const { DefaultReporter } = require('@jest/reporters');

const SECTIONS = ['fault matrix', 'bad input', 'cancellation', 'soak', 'security'];
const FILE_SECTION = {
	'faults.test.ts': 'fault matrix',
	'badInput.test.ts': 'bad input',
	'cancel.test.ts': 'cancellation',
	'soak.test.ts': 'soak',
	'security.test.ts': 'security',
};

function readRows(dir) {
	if (!dir || !fs.existsSync(dir)) return [];
	const rows = [];
	for (const file of fs.readdirSync(dir)) {
		if (!file.endsWith('.jsonl')) continue;
		for (const line of fs.readFileSync(path.join(dir, file), 'utf8').split('\n')) {
			if (line.trim()) rows.push(JSON.parse(line));
		}
	}
	return rows;
}

function pad(value, width, left) {
	const text = String(value);
	return left ? text.padEnd(width) : text.padStart(width);
}

class ReliabilityReporter extends DefaultReporter {
	constructor(globalConfig) {
		super(globalConfig);
		this.reliabilityError = undefined;
	}

	onRunComplete(contexts, results) {
		if (typeof super.onRunComplete === 'function') super.onRunComplete(contexts, results);
		const dir = process.env.USERCOM_RELIABILITY_OUT;
		const rows = readRows(dir);
		const totals = new Map();
		const add = (key, row) => {
			const t = totals.get(key) ?? {
				cases: 0,
				sent: 0,
				success: 0,
				error: 0,
				lost: 0,
				dupExpected: 0,
				dupUnexpected: 0,
				leaks: 0,
			};
			t.cases += 1;
			t.sent += row.sent ?? 0;
			t.success += row.success ?? 0;
			t.error += row.error ?? 0;
			t.lost += row.lost ?? 0;
			t.dupExpected += row.dupExpected ?? 0;
			t.dupUnexpected += row.dupUnexpected ?? 0;
			t.leaks += row.leaks ?? 0;
			totals.set(key, t);
		};
		for (const row of rows) {
			add(row.section, row);
			add('TOTAL', row);
		}
		// failed checks per section (wrong outcome, wrong message, request sent when it must not be ...)
		const failedBySection = new Map();
		for (const file of results.testResults) {
			const section =
				FILE_SECTION[path.basename(file.testFilePath)] ?? path.basename(file.testFilePath);
			const failed = file.numFailingTests + (file.testExecError ? 1 : 0);
			failedBySection.set(section, (failedBySection.get(section) ?? 0) + failed);
			failedBySection.set('TOTAL', (failedBySection.get('TOTAL') ?? 0) + failed);
		}
		const header = [
			'section',
			'cases',
			'items sent',
			'success out',
			'error out',
			'lost',
			'dup writes (opt-in)',
			'dup writes (unexpected)',
			'key leaks',
			'failed checks',
		];
		const widths = [14, 6, 11, 12, 10, 5, 20, 24, 10, 14];
		const line = (cells) =>
			'| ' + cells.map((c, i) => pad(c, widths[i], i === 0)).join(' | ') + ' |';
		const out = [];
		out.push('');
		out.push('User.com node reliability summary');
		out.push(line(header));
		out.push(
			'|' +
				widths
					.map(
						(w, i) =>
							(i === 0 ? ':' : '') + '-'.repeat(w + (i === 0 ? 1 : 1)) + (i === 0 ? '' : ':'),
					)
					.join('|') +
				'|',
		);
		const order = [
			...SECTIONS.filter((s) => totals.has(s)),
			...[...totals.keys()].filter((k) => !SECTIONS.includes(k) && k !== 'TOTAL'),
		];
		if (totals.has('TOTAL')) order.push('TOTAL');
		for (const key of order) {
			const t = totals.get(key);
			out.push(
				line([
					key,
					t.cases,
					t.sent,
					t.success,
					t.error,
					t.lost,
					t.dupExpected,
					t.dupUnexpected,
					t.leaks,
					failedBySection.get(key) ?? 0,
				]),
			);
		}
		const notes = rows.filter((r) => r.note).map((r) => `- ${r.section} / ${r.name}: ${r.note}`);
		if (notes.length) {
			out.push('');
			out.push('Notes:');
			out.push(...notes);
		}
		const bad = rows.filter(
			(r) => (r.lost ?? 0) > 0 || (r.dupUnexpected ?? 0) > 0 || (r.leaks ?? 0) > 0,
		);
		if (bad.length) {
			out.push('');
			out.push('FAILING ROWS (lost items, unexpected duplicates or leaks):');
			for (const r of bad)
				out.push(
					`- ${r.section} / ${r.name}: lost ${r.lost ?? 0}, unexpected dups ${r.dupUnexpected ?? 0}, leaks ${r.leaks ?? 0}`,
				);
			this.reliabilityError = new Error(
				`${bad.length} reliability case(s) lost items, duplicated writes or leaked the key`,
			);
		}
		const failedNames = [];
		for (const file of results.testResults) {
			if (file.testExecError)
				failedNames.push(
					`${path.basename(file.testFilePath)}: ${String(file.testExecError.message).split('\n')[0]}`,
				);
			for (const t of file.testResults) if (t.status === 'failed') failedNames.push(t.fullName);
		}
		if (failedNames.length) {
			out.push('');
			out.push('Failed checks:');
			for (const name of failedNames) out.push(`- ${name}`);
		}
		if (rows.length === 0) {
			this.reliabilityError = new Error('No reliability rows were recorded');
		}
		const passed = results.numPassedTests;
		const failed =
			results.numFailedTests +
			(results.numRuntimeErrorTestSuites > 0 ? results.numRuntimeErrorTestSuites : 0);
		out.push('');
		out.push(
			`Test files: ${results.numPassedTestSuites} passed, ${results.numFailedTestSuites} failed; ${((Date.now() - results.startTime) / 1000).toFixed(1)} s`,
		);
		out.push(`${passed} passed, ${failed} failed`);
		process.stdout.write(out.join('\n') + '\n');
		// the rows are only needed for this run (set USERCOM_RELIABILITY_KEEP=1 to keep them)
		if (dir && !process.env.USERCOM_RELIABILITY_KEEP) {
			try {
				fs.rmSync(dir, { recursive: true, force: true });
			} catch {
				// best effort
			}
		}
	}

	getLastError() {
		return this.reliabilityError ?? super.getLastError();
	}
}

module.exports = ReliabilityReporter;
