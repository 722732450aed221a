/**
 * The Import resource end to end against the User.com emulator (real HTTP on 127.0.0.1), run
 * through the node (router -> executeBatch -> transport -> n8n's outbound HTTP client).
 */
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeParameters,
	INodeType,
} from 'n8n-workflow';

import { startEmulator, type Emulator } from '../emulator';
import { parseCsv } from '../emulator/csv';
import { boundaryOf, parseMultipart } from '../emulator/multipart';
import { runNode, runNodeExpectError, type RunNodeOptions } from '../harness';
import { UserCom } from '../../nodes/UserCom/UserCom.node';
import { setImportRuntime } from '../../nodes/UserCom/transport/testing';

let emu: Emulator;

function options(extra: Partial<RunNodeOptions> = {}): RunNodeOptions {
	return { credentials: { subdomain: emu.url, apiKey: emu.apiKey, rateLimit: 50 }, ...extra };
}

function importLog() {
	return emu.requestLog.filter((e) => /import/.test(e.path));
}

const uploads = () =>
	emu.requestLog.filter((e) => e.method === 'POST' && /\/import\/$/.test(e.path));
const polls = () =>
	emu.requestLog.filter((e) => e.method === 'GET' && /import\/status\/$/.test(e.path));

/**
 * The harness context has no binary helpers; this wrapper node adds n8n's two (for in-memory binary
 * data: base64 in item.binary[prop].data) and then runs the real node.
 */
function withBinaryHelpers(real: INodeType): INodeType {
	return {
		description: real.description,
		methods: real.methods,
		async execute(this: IExecuteFunctions) {
			const items = this.getInputData();
			const ctx = Object.create(this) as { helpers: unknown };
			const assertBinaryData = (itemIndex: number, property: string) => {
				const binary = items[itemIndex]?.binary?.[property];
				if (!binary)
					throw new Error(
						`This operation expects the node's input data to contain a binary file '${property}', but none was found [item ${itemIndex}]`,
					);
				return binary;
			};
			ctx.helpers = {
				...(this.helpers as unknown as IDataObject),
				assertBinaryData,
				getBinaryDataBuffer: async (itemIndex: number, property: string) =>
					Buffer.from(assertBinaryData(itemIndex, property).data, 'base64'),
			};
			return await (
				real.execute as (this: IExecuteFunctions) => Promise<INodeExecutionData[][]>
			).call(ctx as IExecuteFunctions);
		},
	} as INodeType;
}

const users = (n: number, f: (i: number) => IDataObject = () => ({})) =>
	Array.from({ length: n }, (_, i) => ({
		email: `user${i}@example.com`,
		first_name: `First${i}`,
		...f(i),
	}));

const defineColumns = (names: string[]): INodeParameters => ({
	mappingMode: 'defineBelow',
	columns: { column: names.map((name) => ({ name, value: `={{ $json.${name} }}` })) },
});

/**
 * One virtual clock for the emulator (import processing time, request log) and the node's poll loop:
 * a poll wait moves it forward at once, so how many polls an import takes does not depend on how
 * busy the machine is. (The upload itself goes through the transport on the real clock.)
 */
function virtualClock(start = Date.UTC(2026, 0, 1)) {
	let t = start;
	return {
		now: () => t,
		sleep: async (ms: number) => {
			t += Math.max(0, ms);
			await new Promise((resolve) => setImmediate(resolve));
		},
		advance: (ms: number) => (t += ms),
	};
}
const clock = virtualClock();
const runtimeClock = () => clock;

beforeAll(async () => {
	emu = await startEmulator({
		port: 0,
		rateLimit: 100,
		windowMs: 1000,
		importProcessingMs: 150,
		now: clock.now,
	});
});
afterAll(async () => {
	setImportRuntime();
	await emu.close();
});
beforeEach(() => {
	emu.reset();
	emu.configure({ importProcessingMs: 150 });
	setImportRuntime({
		clock: runtimeClock,
		initialPollDelayMs: 40,
		maxPollDelayMs: 200,
		pollFactor: 1.5,
	});
});

describe('Import Users from input items', () => {
	it('1,000 items -> one upload plus a few status polls, every item paired to its row', async () => {
		const input = users(1000);
		const run = await runNode(
			{ resource: 'import', operation: 'importUsers', ...defineColumns(['email', 'first_name']) },
			input,
			options(),
		);
		expect(uploads()).toHaveLength(1);
		// processing takes 150 ms (virtual): polls after 40, 40+60 and 40+60+90 ms, the third sees it finished
		expect(polls()).toHaveLength(3);
		expect(importLog()).toHaveLength(4);
		expect(emu.requestLog).toHaveLength(4); // nothing else was called
		expect(uploads()[0].query).toMatchObject({ separator: 'comma', trigger_automations: 'false' });

		expect(run.errorItems).toHaveLength(0);
		expect(run.successItems).toHaveLength(1000);
		run.successItems.forEach((item, i) => {
			expect(item.pairedItem).toEqual({ item: i });
			expect(item.json).toMatchObject({
				row: i + 1,
				result: 'imported',
				data: { email: `user${i}@example.com` },
			});
		});
		expect((run.successItems[0].json.import as IDataObject).succeeded).toBe(1000);
		expect(emu.state.users.size).toBe(1000);
		// the body went out raw as multipart (not JSON-encoded)
		const sent = run.requests.find((r) => r.method === 'POST');
		expect(Buffer.isBuffer(sent?.body)).toBe(true);
		expect(String(sent?.headers['content-type'])).toMatch(
			/^multipart\/form-data; boundary=----n8nUserComImport/,
		);
	});

	it('polls with growing intervals (request log times)', async () => {
		emu.configure({ importProcessingMs: 1500 });
		await runNode(
			{ resource: 'import', operation: 'importUsers', ...defineColumns(['email']) },
			users(3),
			options(),
		);
		const times = polls().map((p) => p.t);
		const gaps = times.slice(1).map((t, i) => t - times[i]);
		// 40 ms, then x1.5 per poll up to 200 ms; finished after 1,500 ms
		expect(gaps).toEqual([60, 90, 135, 200, 200, 200, 200, 200, 200]);
	});

	it('CSV escaping round-trips tricky values into User.com (commas, quotes, newlines, unicode, leading =)', async () => {
		const tricky = [
			'Kraków, Małopolska',
			'say "hello"',
			'two\nlines',
			'crlf\r\ninside',
			'=HYPERLINK("http://x")',
			'+48 600 700 800',
			'-1',
			'@handle',
			'日本語 🎉 zażółć',
			'semi;colon\ttab',
		];
		const input = tricky.map((value, i) => ({
			email: `t${i}@example.com`,
			city: value,
			region: value,
		}));
		for (const separator of ['comma', 'semicolon', 'tab']) {
			emu.reset();
			const run = await runNode(
				{
					resource: 'import',
					operation: 'importUsers',
					...defineColumns(['email', 'city', 'region']),
					importOptions: { separator },
				},
				input,
				options(),
			);
			expect(run.errorItems).toHaveLength(0);
			const stored = [...emu.state.users.values()].sort((a, b) =>
				String(a.email).localeCompare(String(b.email)),
			);
			expect(stored.map((u) => u.str.city)).toEqual(
				input
					.slice()
					.sort((a, b) => a.email.localeCompare(b.email))
					.map((u) => u.city),
			);
			expect(stored.map((u) => u.str.region)).toEqual(stored.map((u) => u.str.city));
		}
	});

	it('rows the emulator rejects come back on the error output, paired to their items', async () => {
		const input = users(20, (i) => (i === 3 || i === 17 ? { email: `broken-${i}` } : {}));
		const run = await runNode(
			{ resource: 'import', operation: 'importUsers', ...defineColumns(['email', 'first_name']) },
			input,
			options({ continueOnFail: true }),
		);
		expect(uploads()).toHaveLength(1);
		expect(run.errorItems.map((i) => i.pairedItem)).toEqual([{ item: 3 }, { item: 17 }]);
		for (const item of run.errorItems) {
			expect(Object.keys(item.json).sort()).toEqual(['error', 'message']);
			expect(item.json.message).toMatch(
				/^User\.com rejected row \d+ \(item \d+\): email: Enter a valid email address/,
			);
			expect((item.json.error as IDataObject).fields).toEqual({
				email: ['Enter a valid email address.'],
			});
		}
		expect(run.successItems).toHaveLength(18);
		expect(run.successItems.map((i) => (i.pairedItem as { item: number }).item)).not.toContain(3);
		expect(run.items.map((i) => (i.pairedItem as { item: number }).item)).toEqual([
			...Array(20).keys(),
		]);
		expect(emu.state.users.size).toBe(18);
	});

	it('without continue-on-fail, rejected rows fail the node naming the items (others stay imported)', async () => {
		const input = users(5, (i) => (i === 2 ? { email: 'nope' } : {}));
		const error = await runNodeExpectError(
			{ resource: 'import', operation: 'importUsers', ...defineColumns(['email']) },
			input,
			options(),
		);
		expect(error.message).toBe('User.com rejected 1 of 5 rows; the others were imported');
		expect(error.description).toMatch(/item 2 \(row 3\): email: Enter a valid email address/);
		expect(error.context?.itemIndex).toBe(2);
		expect(emu.state.users.size).toBe(4);
	});

	it('says when User.com reported more failed rows than it listed (first 50)', async () => {
		const input = users(60, (i) => (i < 55 ? { email: `bad${i}` } : {}));
		const run = await runNode(
			{ resource: 'import', operation: 'importUsers', ...defineColumns(['email']) },
			input,
			options({ continueOnFail: true }),
		);
		expect(run.errorItems).toHaveLength(50);
		expect(run.successItems).toHaveLength(10);
		const unlisted = run.successItems.filter((i) => i.json.result === 'unverified');
		expect(unlisted).toHaveLength(10); // 5 failed but unlisted + 5 imported cannot be told apart
		expect(unlisted[0].json.warning).toMatch(/reported 55 failed rows but listed only 50/);
		expect((unlisted[0].json.import as IDataObject).moreFailedRowsThanListed).toBe(true);
	});

	it('items without custom_id or email are rejected before any upload', async () => {
		const input = [{ email: 'a@example.com' }, { email: '' }, { email: 'c@example.com' }];
		const run = await runNode(
			{ resource: 'import', operation: 'importUsers', ...defineColumns(['email']) },
			input,
			options({ continueOnFail: true }),
		);
		expect(run.errorItems.map((i) => i.pairedItem)).toEqual([{ item: 1 }]);
		expect(run.errorItems[0].json.message).toMatch(/no value in custom_id or email/);
		expect(run.successItems).toHaveLength(2);
		const request = run.requests[0];
		const parts = parseMultipart(
			request.body as Buffer,
			boundaryOf(String(request.headers['content-type'])) as string,
		);
		const sent = parseCsv(parts.find((p) => p.name === 'input_file')!.data.toString('utf8'), ',');
		expect(sent.slice(1).map((r) => r[0])).toEqual(['a@example.com', 'c@example.com']);

		emu.reset();
		const error = await runNodeExpectError(
			{ resource: 'import', operation: 'importUsers', ...defineColumns(['email']) },
			input,
			options(),
		);
		expect(error.message).toMatch(/Item 1: no value in custom_id or email/);
		expect(emu.requestLog).toHaveLength(0);
	});

	it('auto-map: all top-level fields become columns; nothing identifying -> clear error, no request', async () => {
		const run = await runNode(
			{
				resource: 'import',
				operation: 'importUsers',
				mappingMode: 'autoMapAll',
				importOptions: { tags: 'n8n, vip', lists: 'Newsletter', triggerAutomations: true },
			},
			[
				{ custom_id: 'c-1', email: 'a@example.com', city: 'Gdańsk' },
				{ custom_id: 'c-2', first_name: 'Bo' },
			],
			options(),
		);
		expect(run.errorItems).toHaveLength(0);
		expect(uploads()[0].query).toMatchObject({ trigger_automations: 'true' });
		const u = emu.state.userByCustomId('c-1');
		expect(u?.str.city).toBe('Gdańsk');
		expect(u?.tags.length).toBe(2);
		expect(u?.lists.length).toBe(1);

		emu.reset();
		const error = await runNodeExpectError(
			{ resource: 'import', operation: 'importUsers', mappingMode: 'autoMapAll' },
			[{ name: 'x', phone: '1' }],
			options(),
		);
		expect(error.message).toBe('None of the input fields is custom_id or email');
		expect(emu.requestLog).toHaveLength(0);
	});

	it('splits into several uploads under the size limit and maps rejected rows per file', async () => {
		setImportRuntime({
			clock: runtimeClock,
			initialPollDelayMs: 20,
			maxPollDelayMs: 100,
			pollFactor: 1.5,
			maxFileBytes: 2500,
		});
		const input = users(120, (i) => (i === 5 || i === 100 ? { email: `bad-${i}` } : {}));
		const run = await runNode(
			{ resource: 'import', operation: 'importUsers', ...defineColumns(['email', 'first_name']) },
			input,
			options({ continueOnFail: true }),
		);
		expect(uploads().length).toBeGreaterThan(1);
		for (const request of run.requests.filter((r) => r.method === 'POST')) {
			expect((request.body as Buffer).length).toBeLessThanOrEqual(2500);
		}
		expect(run.errorItems.map((i) => i.pairedItem)).toEqual([{ item: 5 }, { item: 100 }]);
		expect(run.successItems).toHaveLength(118);
		expect(emu.state.users.size).toBe(118);
	});

	it('without waiting: one item with the import id, paired to all items; Get Import Status reads it', async () => {
		const run = await runNode(
			{
				resource: 'import',
				operation: 'importUsers',
				waitForCompletion: false,
				...defineColumns(['email']),
			},
			users(4),
			options(),
		);
		expect(polls()).toHaveLength(0);
		expect(run.items).toHaveLength(1);
		expect(run.items[0].json).toMatchObject({ object: 'users', status: 'uploaded', rows: 4 });
		expect(run.items[0].pairedItem).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }, { item: 3 }]);
		const importId = run.items[0].json.importId as string;
		clock.advance(200); // past the 150 ms processing time
		const status = await runNode(
			{ resource: 'import', operation: 'getStatus', importId: '={{ $json.importId }}' },
			[{ importId }],
			options(),
		);
		expect(status.items[0].json).toMatchObject({
			id: importId,
			status: 'finished',
			succeeded: 4,
			failed: 0,
			moreFailedRowsThanListed: false,
		});
	});

	it('wait timeout yields a clear error with the import id', async () => {
		emu.configure({ importProcessingMs: 60_000 });
		const error = await runNodeExpectError(
			{
				resource: 'import',
				operation: 'importUsers',
				...defineColumns(['email']),
				importOptions: { waitTimeout: 1 },
			},
			users(2),
			options(),
		);
		const importId = [...emu.state.imports.keys()][0];
		expect(error.message).toMatch(
			new RegExp(
				`^User\\.com import ${importId} did not finish within 1 s; last status "in_progress"`,
			),
		);
		expect(error.description).toMatch(/Get Import Status/);
		expect(polls().length).toBeGreaterThanOrEqual(2);
	});
});

describe('Import from a binary file', () => {
	const binaryItem = (csv: string, fileName = 'contacts.csv'): INodeExecutionData => ({
		json: {},
		binary: {
			data: { data: Buffer.from(csv, 'utf8').toString('base64'), mimeType: 'text/csv', fileName },
		},
	});

	it('uploads the CSV of an earlier node with column mapping and separator, and reports the result', async () => {
		const csv =
			'Email address;Vorname;City\r\nanna@example.com;Anna;"Köln; Innenstadt"\r\nbad-email;Ben;Bonn\r\n';
		const run = await runNode(
			{
				resource: 'import',
				operation: 'importUsers',
				source: 'binary',
				importOptions: {
					separator: 'semicolon',
					columnMapping: {
						mapping: [
							{ csvColumn: 'Email address', attribute: 'email' },
							{ csvColumn: 'Vorname', attribute: 'first_name' },
						],
					},
				},
			},
			[binaryItem(csv)],
			options({ nodeType: withBinaryHelpers(new UserCom()) }),
		);
		expect(uploads()).toHaveLength(1);
		expect(uploads()[0].query).toMatchObject({ separator: 'semicolon' });
		expect(run.items).toHaveLength(1);
		expect(run.items[0].pairedItem).toEqual({ item: 0 });
		expect(run.items[0].json).toMatchObject({
			file: 'contacts.csv',
			rows: 2,
			status: 'finished',
			succeeded: 1,
			failed: 1,
		});
		expect((run.items[0].json.rowsWithErrors as IDataObject[])[0]).toMatchObject({ row: 2 });
		const anna = emu.state.usersByEmail('anna@example.com')[0];
		expect(anna.first_name).toBe('Anna');
		expect(anna.str.city).toBe('Köln; Innenstadt');
	});

	it('client-side checks: empty file, header only, missing required column, wrong separator hint', async () => {
		const node = withBinaryHelpers(new UserCom());
		const cases: Array<[string, RegExp]> = [
			['', /is empty/],
			['email,name\r\n', /has a header but no data rows/],
			['name,city\r\nA,B\r\n', /has no custom_id or email column/],
			['email;name\r\na@b.c;x\r\n', /is the separator/],
		];
		for (const [csv, message] of cases) {
			const run = await runNode(
				{ resource: 'import', operation: 'importUsers', source: 'binary' },
				[binaryItem(csv)],
				options({ nodeType: node, continueOnFail: true }),
			);
			expect(run.errorItems).toHaveLength(1);
			expect(
				`${String(run.errorItems[0].json.message)} ${String((run.errorItems[0].json.error as IDataObject).description)}`,
			).toMatch(message);
		}
		expect(emu.requestLog).toHaveLength(0);
	});
});

describe('Import Deals and Products', () => {
	it('imports products and deals from items', async () => {
		const products = await runNode(
			{
				resource: 'import',
				operation: 'importProducts',
				...defineColumns(['custom_id', 'name', 'price']),
			},
			[
				{ custom_id: 'SKU-1', name: 'Mug, "large"', price: '12.50' },
				{ custom_id: 'SKU-2', name: 'Plate', price: '3' },
			],
			options(),
		);
		expect(products.errorItems).toHaveLength(0);
		expect(emu.state.productByCustomId('SKU-1')?.name).toBe('Mug, "large"');

		const deals = await runNode(
			{
				resource: 'import',
				operation: 'importDeals',
				...defineColumns(['custom_id', 'name', 'value']),
			},
			[{ custom_id: 'ORD-1', name: 'Order 1', value: '99.90' }],
			options(),
		);
		expect(deals.errorItems).toHaveLength(0);
		expect(emu.state.dealByCustomId('ORD-1')?.name).toBe('Order 1');
		expect(uploads().map((u) => u.path)).toEqual([
			'/api/public/products/import/',
			'/api/public/deals/import/',
		]);
	});

	it('products need custom_id (checked before upload)', async () => {
		const error = await runNodeExpectError(
			{ resource: 'import', operation: 'importProducts', ...defineColumns(['name']) },
			[{ name: 'Mug' }],
			options(),
		);
		expect(error.message).toMatch(/no value in custom_id/);
		expect(emu.requestLog).toHaveLength(0);
	});
});
