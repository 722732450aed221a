import { parseCsv, startEmulator } from '../emulator';
import { CsvError } from '../emulator/csv';
import type { Emulator } from '../emulator';
import { client, manualClock, multipart, request, until } from './helpers';

describe('CSV parser', () => {
	it('quotes, escaped quotes, separators and newlines inside quotes, CRLF, BOM, blank lines', () => {
		const text =
			'\ufeffemail,note\r\n"a@example.com","He said ""hi"", twice"\r\n\r\nb@example.com,"line1\nline2"\nc@example.com,\n';
		expect(parseCsv(text)).toEqual([
			['email', 'note'],
			['a@example.com', 'He said "hi", twice'],
			['b@example.com', 'line1\nline2'],
			['c@example.com', ''],
		]);
	});
	it('other separators and a missing final newline', () => {
		expect(parseCsv('a;b\n1;"2;3"', ';')).toEqual([
			['a', 'b'],
			['1', '2;3'],
		]);
		expect(parseCsv('a\tb\n1\t2', '\t')).toEqual([
			['a', 'b'],
			['1', '2'],
		]);
	});
	it('an unterminated quote is an error', () => {
		expect(() => parseCsv('a\n"open')).toThrow(new CsvError('unterminated quoted field'));
	});
	it('CR-only line ends, a quote inside an unquoted field is literal, rows of different lengths', () => {
		expect(parseCsv('a,b\r1,2\r')).toEqual([
			['a', 'b'],
			['1', '2'],
		]);
		expect(parseCsv('a,b\n5" disk,x\n')).toEqual([
			['a', 'b'],
			['5" disk', 'x'],
		]);
		expect(parseCsv('a,b\n1\n1,2,3\n')).toEqual([['a', 'b'], ['1'], ['1', '2', '3']]);
	});
});

describe('imports', () => {
	const clock = manualClock();
	let emu: Emulator;
	let api: ReturnType<typeof client>;
	beforeAll(async () => {
		emu = await startEmulator({
			rateLimit: 0,
			now: clock.now,
			importProcessingMs: 500,
			maxImportBytes: 64 * 1024,
		});
		api = client(emu.baseUrl, emu.apiKey);
	});
	afterAll(() => emu.close());
	beforeEach(() => {
		emu.reset();
		emu.seed({
			attributes: [{ name: 'Loyalty points', name_std: 'loyalty_points', value_type: 'integer' }],
			users: [{ custom_id: 'existing', email: 'old@example.com', first_name: 'Old' }],
			products: [{ custom_id: 'SKU-1', name: 'One' }],
		});
	});

	const upload = (
		path: string,
		csv: string | Buffer,
		fields: Record<string, string> = {},
		query = '',
	) => {
		const m = multipart(fields, { name: 'input_file', filename: 'data.csv', content: csv });
		return request('POST', `${emu.baseUrl}${path}${query}`, {
			body: m.body,
			headers: { Authorization: `Token ${emu.apiKey}`, 'Content-Type': m.contentType },
		});
	};
	const status = (id: string) => api.get(`import/status/?import_id=${id}`);

	it('users: import_id, in_progress, then finished with created/updated rows and rows_with_errors', async () => {
		const csv = [
			'User ID,Email address,First name,loyalty_points,shoe_size',
			'existing,,"Updated, Name",5,',
			'new-1,new1@example.com,"Multi\nLine",7,',
			'new-2,not-an-email,X,1,',
			',,,,',
			'new-3,n3@example.com,Y,abc,',
			'new-4,n4@example.com,Z,,44',
		].join('\r\n');
		const r = await upload(
			'users/import/',
			'\ufeff' + csv,
			{
				column_mapping: JSON.stringify({ 'User ID': 'custom_id', 'Email address': 'email' }),
				tags: 'imported, csv',
				lists: 'Imported',
			},
			'?trigger_automations=true',
		);
		expect(r.status).toBe(200);
		expect(r.json).toEqual({
			success: true,
			data: {
				import_id: expect.stringMatching(
					/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
				),
			},
		});
		const id = r.json.data.import_id;

		const s1 = await status(id);
		expect(s1.json).toEqual({
			success: true,
			data: {
				id,
				status: 'in_progress',
				total_count: 5,
				succeeded: 0,
				failed: 0,
				started_at: expect.any(String),
				finished_at: null,
				author: 1,
				rows_with_errors: [],
			},
		});
		expect(emu.state.users.size).toBe(1); // nothing applied yet

		clock.advance(500);
		const s2 = await status(id);
		expect(s2.json.data).toMatchObject({
			status: 'finished',
			total_count: 5,
			succeeded: 2,
			failed: 3,
		});
		expect(Date.parse(s2.json.data.finished_at) - Date.parse(s2.json.data.started_at)).toBe(500);
		expect(s2.json.data.rows_with_errors).toEqual([
			{
				row: 3,
				message: 'email: Enter a valid email address.',
				errors: { email: ['Enter a valid email address.'] },
			},
			{
				row: 4,
				message: 'loyalty_points: A valid integer is required.',
				errors: { loyalty_points: ['A valid integer is required.'] },
			},
			{
				row: 5,
				message: 'shoe_size: Attribute does not exist.',
				errors: { shoe_size: ['Attribute does not exist.'] },
			},
		]);
		const existing = emu.state.userByCustomId('existing')!;
		expect(existing.first_name).toBe('Updated, Name');
		expect(existing.email).toBe('old@example.com');
		const n1 = emu.state.userByCustomId('new-1')!;
		expect(n1.first_name).toBe('Multi\nLine');
		expect(n1.tags.map((t) => emu.state.tags.get(t)!.name)).toEqual(['imported', 'csv']);
		expect(n1.lists.map((l) => emu.state.lists.get(l)!.name)).toEqual(['Imported']);
		expect(emu.writeCounts()).toMatchObject({ imports: 1, users: 1 });
		expect(emu.updateCounts().users).toBe(1);

		const all = await api.get('import/status/');
		expect(all.json.success).toBe(true);
		expect(all.json.data.map((x: { id: string }) => x.id)).toEqual([id]);
	});

	it('rows_with_errors keeps the first 50; failed counts all', async () => {
		const rows = ['email'];
		for (let i = 0; i < 60; i++) rows.push(`bad${i}`);
		rows.push('good@example.com');
		const r = await upload('users/import/', rows.join('\n'));
		clock.advance(500);
		const s = await status(r.json.data.import_id);
		expect(s.json.data).toMatchObject({ total_count: 61, succeeded: 1, failed: 60 });
		expect(s.json.data.rows_with_errors).toHaveLength(50);
		expect(s.json.data.rows_with_errors[49].row).toBe(50);
	});

	it('semicolon separator; missing required column; wrong column count', async () => {
		const r = await upload(
			'products/import/',
			'product;name;price\nSKU-1;Renamed;5\nSKU-2;Two;x\nSKU-3;Three\n',
			{},
			'?separator=semicolon',
		);
		const noCid = await upload('products/import/', 'name\nNo id\n');
		clock.advance(500);
		const s = (await status(r.json.data.import_id)).json.data;
		expect(s).toMatchObject({ succeeded: 1, failed: 2 });
		expect(s.rows_with_errors).toEqual([
			{
				row: 2,
				message: 'price: A valid number is required.',
				errors: { price: ['A valid number is required.'] },
			},
			{
				row: 3,
				message: 'non_field_errors: Row has 2 columns, the header has 3.',
				errors: { non_field_errors: ['Row has 2 columns, the header has 3.'] },
			},
		]);
		expect(emu.state.productByCustomId('SKU-1')!.name).toBe('Renamed');
		expect((await status(noCid.json.data.import_id)).json.data.rows_with_errors[0]).toEqual({
			row: 1,
			message: 'custom_id: This field is required.',
			errors: { custom_id: ['This field is required.'] },
		});
	});

	it('deals: by custom_id, references validated per row', async () => {
		const csv =
			'Deal Number,Deal Title,value,user_custom_id,products_custom_id\nORD-1,First,10,existing,SKU-1\nORD-1,First again,12,existing,\nORD-2,Second,1,ghost,\n';
		const r = await upload('deals/import/', csv, {
			column_mapping: JSON.stringify({ 'Deal Number': 'Deal Id', 'Deal Title': 'Name' }),
		});
		clock.advance(500);
		const s = (await status(r.json.data.import_id)).json.data;
		expect(s).toMatchObject({ total_count: 3, succeeded: 2, failed: 1 });
		expect(s.rows_with_errors[0].errors).toEqual({
			user_custom_id: ['Object with custom_id=ghost does not exist.'],
		});
		expect(emu.state.deals.size).toBe(1);
		expect(emu.state.dealByCustomId('ORD-1')).toMatchObject({ name: 'First again', value: 12 });
		expect(emu.writeCounts().deals).toBe(1);
	});

	it('upload validation: missing file, bad mapping, bad separator, not multipart, unparseable CSV, too large', async () => {
		const noFile = multipart({ tags: 'x' });
		const a = await request('POST', emu.baseUrl + 'users/import/', {
			body: noFile.body,
			headers: { Authorization: `Token ${emu.apiKey}`, 'Content-Type': noFile.contentType },
		});
		expect(a.json).toEqual({ input_file: ['No file was submitted.'] });
		expect((await upload('users/import/', 'email\n', { column_mapping: '{nope' })).json).toEqual({
			column_mapping: ['Value must be valid JSON.'],
		});
		expect((await upload('users/import/', 'email\n', {}, '?separator=pipe')).json).toEqual({
			separator: ['"pipe" is not a valid choice.'],
		});
		expect(
			(await upload('users/import/', 'email\n', {}, '?trigger_automations=perhaps')).json,
		).toEqual({ trigger_automations: ['Must be a valid boolean.'] });
		expect((await upload('users/import/', '')).json).toEqual({
			input_file: ['The submitted file is empty.'],
		});
		expect((await upload('users/import/', 'email\n"open')).json).toEqual({
			input_file: ['Could not parse the CSV file: unterminated quoted field.'],
		});
		const j = await api.post('users/import/', { input_file: 'x' });
		expect(j.status).toBe(415);
		const big = await upload('users/import/', Buffer.alloc(65 * 1024, 'a'));
		expect(big.status).toBe(400);
		expect(big.json).toEqual({ input_file: ['File too large. Maximum file size is 0 MB.'] });
		expect(emu.state.imports.size).toBe(0);
	});

	it('unknown import id -> 404', async () => {
		expect((await status('00000000-0000-4000-8000-000000000000')).text).toBe(
			'{"detail": "Not found."}',
		);
	});
});

describe('imports on the real clock finish by themselves', () => {
	it('importProcessingMs elapses without further requests', async () => {
		const emu = await startEmulator({ rateLimit: 0, importProcessingMs: 50 });
		try {
			const m = multipart(
				{},
				{ name: 'input_file', filename: 'u.csv', content: 'email\na@example.com\n' },
			);
			const r = await request('POST', emu.baseUrl + 'users/import/', {
				body: m.body,
				headers: { Authorization: `Token ${emu.apiKey}`, 'Content-Type': m.contentType },
			});
			expect(emu.state.imports.get(r.json.data.import_id)!.status).toBe('in_progress');
			const before = emu.requestLog.length;
			// finished by the emulator's own timer: wait for the state, not for a fixed time
			await until(() => emu.state.imports.get(r.json.data.import_id)!.status === 'finished');
			expect(emu.requestLog.length).toBe(before);
			expect(emu.state.users.size).toBe(1);
		} finally {
			await emu.close();
		}
	});
});
