/**
 * Pure parts of the Import resource: CSV writer/reader, multipart builder, chunking, required
 * columns, status polling and row mapping. The emulator's own CSV and multipart parsers serve as
 * independent readers for the round trips.
 */
import { parseCsv } from '../emulator/csv';
import { boundaryOf, parseMultipart } from '../emulator/multipart';
import {
	cellText,
	csvField,
	csvRecord,
	readCsv,
	summarizeCsv,
} from '../../nodes/UserCom/actions/import/csv';
import { buildMultipart, randomBoundary } from '../../nodes/UserCom/actions/import/multipart';
import {
	autoMapItem,
	buildCsvChunks,
	collectColumns,
	hasRequiredColumn,
	rowHasIdentifier,
	type MappedRow,
} from '../../nodes/UserCom/actions/import/rows';
import {
	importIdOf,
	ImportWaitTimeout,
	normalizeRowErrors,
	phaseOf,
	pollUntilDone,
	recordIndexOfRow,
	unwrapStatus,
} from '../../nodes/UserCom/actions/import/status';
import type { Clock } from '../../nodes/UserCom/transport/clock';

const TRICKY = [
	'plain',
	'with,comma',
	'with;semicolon',
	'with\ttab',
	'say "hi"',
	'"quoted at both ends"',
	'line1\nline2',
	'crlf\r\ninside',
	'lone\rcr',
	'=SUM(A1:A2)',
	'+48 600 700 800',
	'-5',
	'@mention',
	'  leading and trailing spaces  ',
	'zażółć gęślą jaźń — 日本語 — emoji 🎉',
	'',
	'trailing backslash \\',
];

describe('CSV writer', () => {
	it.each([
		[',', 'comma'],
		[';', 'semicolon'],
		['\t', 'tab'],
	])('round-trips tricky values with separator %j (read back by the emulator parser)', (sep) => {
		const header = ['custom_id', 'value'];
		const text =
			csvRecord(header, sep) + TRICKY.map((v, i) => csvRecord([`id-${i}`, v], sep)).join('');
		const rows = parseCsv(text, sep);
		expect(rows[0]).toEqual(header);
		expect(rows.slice(1).map((r) => r[1])).toEqual(TRICKY);
		expect(rows.slice(1).map((r) => r[0])).toEqual(TRICKY.map((_, i) => `id-${i}`));
	});

	it('keeps formula-like values exactly (no prefix quote, no stripping)', () => {
		expect(csvField('=1+1', ',')).toBe('=1+1');
		expect(csvField('+1', ',')).toBe('+1');
		expect(csvField('@x', ',')).toBe('@x');
		expect(csvField('-2', ',')).toBe('-2');
	});

	it('quotes only what needs quoting and doubles quotes', () => {
		expect(csvField('a', ',')).toBe('a');
		expect(csvField('a,b', ',')).toBe('"a,b"');
		expect(csvField('a,b', ';')).toBe('a,b');
		expect(csvField('a"b', ',')).toBe('"a""b"');
		expect(csvRecord(['x', 'y'], ',')).toBe('x,y\r\n');
	});

	it('writes cell text for non-string values', () => {
		expect(cellText(null)).toBe('');
		expect(cellText(undefined)).toBe('');
		expect(cellText(12.5)).toBe('12.5');
		expect(cellText(false)).toBe('false');
		expect(cellText({ a: [1, 'b'] })).toBe('{"a":[1,"b"]}');
		expect(cellText(['x', 'y'])).toBe('["x","y"]');
	});

	it('reader agrees with the emulator parser on the same text', () => {
		const text = 'a,b\r\n"x\r\ny","q""q"\n\n1,\r\n';
		const mine: string[][] = [];
		expect(readCsv(text, ',', (r) => void mine.push(r))).toBe(true);
		expect(mine).toEqual(parseCsv(text, ','));
	});

	it('summarizes header, data record count and unterminated quotes', () => {
		expect(summarizeCsv('\ufeffemail,name\r\na@b.c,"multi\nline"\r\nc@d.e,x\r\n', ',')).toEqual({
			header: ['email', 'name'],
			dataRecords: 2,
			complete: true,
		});
		expect(summarizeCsv('email\n"open', ',').complete).toBe(false);
		expect(summarizeCsv('', ',')).toEqual({ header: [], dataRecords: 0, complete: true });
	});
});

describe('multipart builder', () => {
	it('is parsed back by an independent parser: fields and the file, byte for byte', () => {
		const file = Buffer.from('email,name\r\nä@x.de,"Zoë ""Z"""\r\n', 'utf8');
		const built = buildMultipart(
			[
				{ name: 'tags', value: 'vip,imported' },
				{ name: 'column_mapping', value: '{"Email address":"email"}' },
			],
			{
				name: 'input_file',
				filename: 'users "2024".csv',
				contentType: 'text/csv; charset=utf-8',
				data: file,
			},
		);
		expect(boundaryOf(built.contentType)).toBe(built.boundary);
		const parts = parseMultipart(built.body, built.boundary);
		expect(parts.map((p) => p.name)).toEqual(['tags', 'column_mapping', 'input_file']);
		expect(parts[0].data.toString()).toBe('vip,imported');
		expect(parts[1].data.toString()).toBe('{"Email address":"email"}');
		expect(parts[2].filename).toBe('users %222024%22.csv');
		expect(parts[2].contentType).toBe('text/csv; charset=utf-8');
		expect(Buffer.compare(parts[2].data, file)).toBe(0);
	});

	it('picks another boundary when the content contains the proposed one', () => {
		const proposed = '----n8nUserComImportFIXED';
		const data = Buffer.from(`a\r\n--${proposed}\r\nb`);
		const built = buildMultipart(
			[],
			{ name: 'input_file', filename: 'f.csv', contentType: 'text/csv', data },
			proposed,
		);
		expect(built.boundary).not.toBe(proposed);
		const parts = parseMultipart(built.body, built.boundary);
		expect(Buffer.compare(parts[0].data, data)).toBe(0);
	});

	it('random boundaries differ and stay within RFC 2046 length', () => {
		const a = randomBoundary();
		const b = randomBoundary();
		expect(a).not.toBe(b);
		expect(a.length).toBeLessThanOrEqual(70);
		expect(a).toMatch(/^[-A-Za-z0-9]+$/);
	});
});

describe('rows, columns and chunks', () => {
	const rows = (n: number, value = 'v'): MappedRow[] =>
		Array.from({ length: n }, (_, i) => ({
			itemIndex: i,
			cells: { email: `u${i}@x.io`, note: value },
		}));

	it('auto-maps top-level fields and unions columns in first-seen order', () => {
		const a = autoMapItem({ email: 'a@x', age: 3, tags: ['x'] });
		expect(a).toEqual({ email: 'a@x', age: '3', tags: '["x"]' });
		expect(
			collectColumns([
				{ itemIndex: 0, cells: { email: '', b: '' } },
				{ itemIndex: 1, cells: { c: '', email: '' } },
			]),
		).toEqual(['email', 'b', 'c']);
	});

	it('required columns per object, with column_mapping and normalised names', () => {
		expect(hasRequiredColumn(['Email', 'x'], 'users', {})).toBe(true);
		expect(hasRequiredColumn(['Custom ID'], 'users', {})).toBe(true);
		expect(hasRequiredColumn(['Email address'], 'users', {})).toBe(false);
		expect(hasRequiredColumn(['Email address'], 'users', { 'Email address': 'email' })).toBe(true);
		expect(hasRequiredColumn(['name'], 'products', {})).toBe(false);
		expect(hasRequiredColumn(['custom_id'], 'products', {})).toBe(true);
		expect(hasRequiredColumn(['name'], 'deals', {})).toBe(true);
		expect(hasRequiredColumn(['value'], 'deals', {})).toBe(false);
		expect(rowHasIdentifier({ email: '  ', name: 'x' }, 'users', {})).toBe(false);
		expect(rowHasIdentifier({ email: 'a@b', name: 'x' }, 'users', {})).toBe(true);
	});

	it('one file when it fits; every record belongs to its item', () => {
		const { chunks, oversized } = buildCsvChunks(['email', 'note'], rows(1000), ',', 10_000_000);
		expect(oversized).toEqual([]);
		expect(chunks).toHaveLength(1);
		expect(chunks[0].itemIndexes).toEqual(Array.from({ length: 1000 }, (_, i) => i));
		const parsed = parseCsv(chunks[0].data.toString('utf8'), ',');
		expect(parsed).toHaveLength(1001);
		expect(parsed[500]).toEqual(['u499@x.io', 'v']);
	});

	it('splits under the size limit, each file with a header, nothing lost or duplicated', () => {
		const limit = 1000;
		const input = rows(200, 'x'.repeat(20));
		const { chunks } = buildCsvChunks(['email', 'note'], input, ',', limit);
		expect(chunks.length).toBeGreaterThan(1);
		const seen: number[] = [];
		for (const chunk of chunks) {
			expect(chunk.data.length).toBeLessThanOrEqual(limit);
			const parsed = parseCsv(chunk.data.toString('utf8'), ',');
			expect(parsed[0]).toEqual(['email', 'note']);
			expect(parsed.length - 1).toBe(chunk.itemIndexes.length);
			parsed
				.slice(1)
				.forEach((record, k) => expect(record[0]).toBe(`u${chunk.itemIndexes[k]}@x.io`));
			seen.push(...chunk.itemIndexes);
		}
		expect(seen).toEqual(input.map((r) => r.itemIndex));
	});

	it('counts bytes, not characters (multi-byte UTF-8)', () => {
		const { chunks } = buildCsvChunks(['email', 'note'], rows(50, 'ż'.repeat(30)), ',', 700);
		for (const chunk of chunks) expect(chunk.data.length).toBeLessThanOrEqual(700);
		expect(chunks.reduce((n, c) => n + c.itemIndexes.length, 0)).toBe(50);
	});

	it('reports a single row larger than the limit instead of uploading it', () => {
		const input = rows(3);
		input[1].cells.note = 'y'.repeat(5000);
		const { chunks, oversized } = buildCsvChunks(['email', 'note'], input, ',', 1000);
		expect(oversized.map((o) => o.itemIndex)).toEqual([1]);
		expect(chunks.flatMap((c) => c.itemIndexes)).toEqual([0, 2]);
	});
});

describe('import status', () => {
	it('unwraps the documented envelope and finds the import id', () => {
		expect(unwrapStatus({ success: true, data: { id: 'x', status: 'finished' } })).toEqual({
			id: 'x',
			status: 'finished',
		});
		expect(importIdOf({ success: true, data: { import_id: 'abc' } })).toBe('abc');
		expect(importIdOf({ import_id: 'def' })).toBe('def');
		expect(importIdOf({ success: true })).toBeUndefined();
		expect(phaseOf({ status: 'finished' })).toBe('finished');
		expect(phaseOf({ status: 'in_progress' })).toBe('running');
		expect(phaseOf({ status: 'FAILED' })).toBe('failed');
		expect(phaseOf({})).toBe('running');
	});

	it('normalises row errors and maps 1-based data rows (header excluded) to records', () => {
		const errors = normalizeRowErrors([
			{
				row: 1,
				message: 'email: Enter a valid email address.',
				errors: { email: ['Enter a valid email address.'] },
			},
			{ row: '3', errors: { phone_number: ['Invalid phone.'] } },
			7,
			'weird',
		]);
		expect(errors[0]).toEqual({
			row: 1,
			message: 'email: Enter a valid email address.',
			errors: { email: ['Enter a valid email address.'] },
		});
		expect(errors[1]).toEqual({
			row: 3,
			message: 'phone_number: Invalid phone.',
			errors: { phone_number: ['Invalid phone.'] },
		});
		expect(errors[2].row).toBe(7);
		expect(errors[3].row).toBeNull();
		expect(recordIndexOfRow(1, 10)).toBe(0);
		expect(recordIndexOfRow(10, 10)).toBe(9);
		expect(recordIndexOfRow(11, 10)).toBeUndefined();
		expect(recordIndexOfRow(0, 10)).toBeUndefined();
		expect(recordIndexOfRow(null, 10)).toBeUndefined();
	});

	function virtualClock(): Clock & { sleeps: number[] } {
		let now = 0;
		const sleeps: number[] = [];
		return {
			sleeps,
			now: () => now,
			sleep: async (ms: number) => {
				sleeps.push(ms);
				now += ms;
			},
		};
	}

	it('polls with growing intervals until finished', async () => {
		const clock = virtualClock();
		let calls = 0;
		const result = await pollUntilDone(
			'imp-1',
			async () => ({ status: ++calls < 5 ? 'in_progress' : 'finished', total_count: 3 }),
			{ timeoutMs: 60_000, initialDelayMs: 1000, maxDelayMs: 4000, factor: 2, clock },
		);
		expect(result.polls).toBe(5);
		expect(clock.sleeps).toEqual([1000, 2000, 4000, 4000, 4000]);
		expect(result.status.status).toBe('finished');
	});

	it('times out with the last status and a final poll at the deadline', async () => {
		const clock = virtualClock();
		const promise = pollUntilDone(
			'imp-2',
			async () => ({ status: 'in_progress', succeeded: 1, failed: 0, total_count: 9 }),
			{
				timeoutMs: 10_000,
				initialDelayMs: 1000,
				maxDelayMs: 4000,
				factor: 2,
				clock,
			},
		);
		await expect(promise).rejects.toBeInstanceOf(ImportWaitTimeout);
		const error = (await promise.catch((e: unknown) => e)) as ImportWaitTimeout;
		expect(error.importId).toBe('imp-2');
		expect(error.lastStatus.total_count).toBe(9);
		expect(clock.now()).toBe(10_000);
		expect(clock.sleeps).toEqual([1000, 2000, 4000, 3000]);
	});
});
