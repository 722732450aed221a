/**
 * Bulk CSV imports: POST users/import/, deals/import/, products/import/ (multipart), GET import/status/.
 *
 * Upload parses and checks the file synchronously and answers {"success": true, "data": {"import_id"}};
 * the rows are applied when the import finishes, `importProcessingMs` (emulator clock) after upload.
 * Until then GET import/status/ reports "in_progress" with succeeded/failed 0.
 */
import { CsvError, SEPARATORS, parseCsv } from './csv';
import type { ApiCtx, ApiRequest, ApiResponse, Route } from './http-types';
import { bad, notFound, ok } from './http-types';
import {
	newDeal,
	newProduct,
	newUser,
	validateDeal,
	validateProduct,
	validateUser,
} from './models';
import type { ImportRec, ImportRowError } from './state';
import { boundaryOf, MultipartError, parseMultipart } from './multipart';
import { MSG, isoMicro, pyJson, toBool, uuidFrom } from './util';

type Kind = ImportRec['kind'];

interface PendingRow {
	row: number;
	fields: Record<string, string>;
	mismatch?: string;
}
const pendingRows = new WeakMap<ImportRec, PendingRow[]>();

const ALIASES: Record<Kind, Record<string, string>> = {
	users: { user_id: 'custom_id', email_address: 'email', e_mail: 'email', phone: 'phone_number' },
	deals: { deal_id: 'custom_id', deal_number: 'custom_id', title: 'name', deal_title: 'name' },
	products: {
		product_id: 'custom_id',
		url: 'product_url',
		image: 'image_url',
		category: 'category_name',
		product: 'custom_id',
	},
};

function normalizeColumn(kind: Kind, name: string): string {
	const n = name
		.trim()
		.toLowerCase()
		.replace(/[\s-]+/g, '_');
	return ALIASES[kind][n] ?? n;
}

/** Largest uploads rejected; the server also stops buffering beyond this (see server.ts). */
export function fileTooLarge(ctx: ApiCtx): ApiResponse {
	return bad({
		input_file: [
			`File too large. Maximum file size is ${Math.round(ctx.maxImportBytes / 1024 / 1024)} MB.`,
		],
	});
}

function upload(kind: Kind) {
	return (ctx: ApiCtx, req: ApiRequest): ApiResponse => {
		if ((req as ApiRequest & { tooLarge?: boolean }).tooLarge) return fileTooLarge(ctx);
		const ct = String(req.headers['content-type'] ?? '');
		if (!/^multipart\/form-data/i.test(ct))
			return { status: 415, body: { detail: `Unsupported media type "${ct}" in request.` } };
		const boundary = boundaryOf(ct);
		if (!boundary)
			return bad({ detail: 'Multipart form parse error - Invalid boundary in multipart: None' });
		let parts;
		try {
			parts = parseMultipart(req.rawBody, boundary);
		} catch (e) {
			if (e instanceof MultipartError) return bad({ detail: e.message });
			throw e;
		}
		const field = (name: string) =>
			parts.find((p) => p.name === name && p.filename === undefined)?.data.toString('utf8');
		const file = parts.find((p) => p.name === 'input_file' && p.filename !== undefined);
		const errors: Record<string, string[]> = {};
		// DRF FileField messages
		if (!file) errors.input_file = ['No file was submitted.'];
		else if (file.data.length === 0) errors.input_file = ['The submitted file is empty.'];
		else if (file.data.length > ctx.maxImportBytes) return fileTooLarge(ctx);
		let mapping: Record<string, string> = {};
		const cm = field('column_mapping');
		if (cm !== undefined && cm.trim() !== '') {
			try {
				const parsed = JSON.parse(cm);
				if (
					!parsed ||
					typeof parsed !== 'object' ||
					Array.isArray(parsed) ||
					!Object.values(parsed).every((v) => typeof v === 'string')
				)
					errors.column_mapping = [MSG.notADict(parsed)];
				else mapping = parsed;
			} catch {
				errors.column_mapping = [MSG.invalidJson];
			}
		}
		const sepName = req.query.get('separator') ?? 'comma';
		if (!(sepName in SEPARATORS)) errors.separator = [MSG.invalidChoice(sepName)];
		const ta = req.query.get('trigger_automations') ?? field('trigger_automations');
		let trigger = false;
		if (ta !== undefined && ta !== null) {
			const b = toBool(ta);
			if (b === undefined) errors.trigger_automations = [MSG.invalidBool];
			else trigger = b;
		}
		if (Object.keys(errors).length) return bad(errors);
		let rows: string[][];
		try {
			rows = parseCsv(file!.data.toString('utf8'), SEPARATORS[sepName]);
		} catch (e) {
			// CHOICE: a CSV that cannot be parsed at all is rejected at upload as a field error.
			if (e instanceof CsvError)
				return bad({ input_file: [`Could not parse the CSV file: ${e.message}.`] });
			throw e;
		}
		if (rows.length === 0) return bad({ input_file: ['The submitted file is empty.'] });
		const header = rows[0].map((h) => normalizeColumn(kind, mapping[h] ?? mapping[h.trim()] ?? h));
		// CHOICE: rows whose cells are all empty (",,,,") are skipped like blank lines and not counted;
		// row numbers count the remaining data rows from 1 (header excluded).
		const dataRows = rows.slice(1).filter((r) => r.some((c) => c.trim() !== ''));
		const pending: PendingRow[] = dataRows.map((r, i) => {
			const fields: Record<string, string> = {};
			header.forEach((h, j) => {
				if (h !== '' && r[j] !== undefined) fields[h] = r[j];
			});
			return {
				row: i + 1,
				fields,
				mismatch:
					r.length !== header.length
						? `Row has ${r.length} columns, the header has ${header.length}.`
						: undefined,
			};
		});
		const splitNames = (s: string | undefined) =>
			(s ?? '')
				.split(',')
				.map((x) => x.trim())
				.filter(Boolean);
		const now = ctx.now();
		const rec: ImportRec = {
			id: uuidFrom(ctx.rand),
			kind,
			status: 'in_progress',
			total_count: pending.length,
			succeeded: 0,
			failed: 0,
			started_at: now,
			finishes_at: now + ctx.importProcessingMs,
			finished_at: null,
			author: 1, // CHOICE: the key owner's agent id is not modelled; always 1 (as in the doc example)
			rows_with_errors: [],
			trigger_automations: trigger,
			pending: null,
			tags: kind === 'users' ? splitNames(field('tags')) : [],
			lists: kind === 'users' ? splitNames(field('lists')) : [],
			fileName: file!.filename ?? null,
		};
		pendingRows.set(rec, pending);
		ctx.state.imports.set(rec.id, rec);
		ctx.created('imports');
		ctx.advanceImports(); // importProcessingMs = 0 finishes at once
		// CHOICE: 200 (the docs show only the body).
		return ok({ success: true, data: { import_id: rec.id } });
	};
}

function flatMessage(errors: Record<string, unknown>): string {
	return Object.entries(errors)
		.map(
			([k, v]) =>
				`${k}: ${Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? x : pyJson(x))).join(' ') : String(v)}`,
		)
		.join('; ');
}

const LIST_COLUMNS: Record<Kind, string[]> = {
	users: ['tags'],
	deals: ['products', 'products_custom_id', 'participants'],
	products: [],
};

/**
 * Applies the rows of a finished import. Per row: empty cells are skipped; users match by custom_id,
 * else by email (first match), else are created; products and deals match by custom_id. A row that
 * fails validation is skipped and reported.
 * CHOICE (reference: "a maximum first 50 rows that resulted in some error"): each entry is
 * {"row": <1-based data row number, header excluded>, "message": "<field>: <error>; ...",
 *  "errors": {<field>: [<DRF message>]}}.
 */
export function processImport(ctx: ApiCtx, rec: ImportRec): void {
	const rows = pendingRows.get(rec) ?? [];
	const st = ctx.state;
	const failures: ImportRowError[] = [];
	let ok = 0;
	const fail = (row: number, errors: Record<string, unknown>) => {
		failures.push({
			row,
			message: flatMessage(errors),
			errors: errors as Record<string, string[]>,
		});
	};
	for (const r of rows) {
		if (r.mismatch) {
			fail(r.row, { non_field_errors: [r.mismatch] });
			continue;
		}
		const body: Record<string, unknown> = {};
		for (const [k, v] of Object.entries(r.fields)) {
			if (v.trim() === '') continue;
			body[k] = LIST_COLUMNS[rec.kind].includes(k)
				? v
						.split(',')
						.map((x) => x.trim())
						.filter(Boolean)
				: v.trim();
		}
		if (rec.kind === 'users') {
			const cid = body.custom_id as string | undefined;
			const email = body.email as string | undefined;
			if (cid === undefined && email === undefined) {
				fail(r.row, { non_field_errors: ['Each row needs a custom_id or an email.'] });
				continue;
			}
			const existing =
				cid !== undefined ? st.userByCustomId(cid) : st.usersByEmail(email as string)[0];
			const v = validateUser(ctx, body, existing);
			if (v.errors) {
				fail(r.row, v.errors);
				continue;
			}
			const u = existing ?? newUser(ctx);
			v.apply(u);
			for (const t of rec.tags) {
				const { tag } = st.ensureTag(t);
				if (!u.tags.includes(tag.id)) u.tags.push(tag.id);
			}
			for (const l of rec.lists) {
				const list = st.ensureList(l);
				if (!u.lists.includes(list.id)) u.lists.push(list.id);
			}
			if (existing) ctx.updated('users');
			else {
				st.users.set(u.id, u);
				ctx.created('users');
			}
		} else if (rec.kind === 'products') {
			const cid = body.custom_id as string | undefined;
			if (cid === undefined) {
				fail(r.row, { custom_id: [MSG.required] });
				continue;
			}
			const existing = st.productByCustomId(cid);
			const v = validateProduct(ctx, body, existing);
			if (v.errors) {
				fail(r.row, v.errors);
				continue;
			}
			const p = existing ?? newProduct(ctx);
			v.apply(p);
			if (existing) ctx.updated('products');
			else {
				st.products.set(p.id, p);
				ctx.created('products');
			}
		} else {
			const cid = body.custom_id as string | undefined;
			const existing = cid !== undefined ? st.dealByCustomId(cid) : undefined;
			const v = validateDeal(ctx, body, existing);
			if (v.errors) {
				fail(r.row, v.errors);
				continue;
			}
			const d = existing ?? newDeal(ctx);
			v.apply(d);
			if (existing) ctx.updated('deals');
			else {
				st.deals.set(d.id, d);
				ctx.created('deals');
			}
		}
		ok++;
	}
	rec.succeeded = ok;
	rec.failed = failures.length;
	rec.rows_with_errors = failures.slice(0, 50);
	rec.status = 'finished';
	rec.finished_at = rec.finishes_at;
	pendingRows.delete(rec);
}

export function serializeImport(rec: ImportRec): Record<string, unknown> {
	return {
		id: rec.id,
		status: rec.status,
		total_count: rec.total_count,
		succeeded: rec.succeeded,
		failed: rec.failed,
		started_at: isoMicro(rec.started_at),
		finished_at: rec.finished_at === null ? null : isoMicro(rec.finished_at),
		author: rec.author,
		rows_with_errors: rec.rows_with_errors,
	};
}

export const importRoutes: Route[] = [
	{ pattern: /^users\/import\/$/, methods: { POST: upload('users') }, multipart: true },
	{ pattern: /^deals\/import\/$/, methods: { POST: upload('deals') }, multipart: true },
	{ pattern: /^products\/import\/$/, methods: { POST: upload('products') }, multipart: true },
	{
		pattern: /^import\/status\/$/,
		methods: {
			GET: (ctx, req) => {
				ctx.advanceImports();
				const id = req.query.get('import_id');
				if (id === null)
					return ok({ success: true, data: [...ctx.state.imports.values()].map(serializeImport) });
				const rec = ctx.state.imports.get(id);
				// CHOICE: an unknown import id is a DRF 404 {"detail": "Not found."}.
				if (!rec) return notFound();
				return ok({ success: true, data: serializeImport(rec) });
			},
		},
	},
];
