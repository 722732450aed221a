/**
 * Thin adapter over the project's emulator (test/emulator, in-process): strict DRF mode, sliding-window
 * log counted at arrival, a latency profile (every answer its own draw, so answers overtake each other). Everything the bench reports is computed from its request log.
 */
import { join, resolve } from 'node:path';
import type { LatencyProfile } from '../../test/emulator/latency';
import { clientOf, Req } from './stats';

const REPO = resolve(__dirname, '..', '..');

export interface Emu {
	/** what the credential's subdomain field gets (http://127.0.0.1:PORT) */
	url: string;
	/** .../api/public/ */
	baseUrl: string;
	apiKey: string;
	limit: number;
	windowMs: number;
	raw: any;
	reqs(): Req[];
	maxAcceptedInWindow(): number;
	injectFault(fault: Record<string, unknown>): number;
	clearFaults(): void;
	close(): Promise<void>;
}

function loadEmulatorModule(): any {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	return require(join(REPO, 'test', 'emulator'));
}

function itemOf(entry: any): string | undefined {
	const body = entry.body;
	if (
		body &&
		typeof body === 'object' &&
		!Array.isArray(body) &&
		typeof body.custom_id === 'string'
	)
		return body.custom_id;
	if (typeof body === 'string') {
		const m = /"custom_id"\s*:\s*"([^"]+)"/.exec(body);
		if (m) return m[1];
	}
	return undefined;
}

export function toReq(entry: any): Req {
	const item = itemOf(entry);
	const t = Number(entry.t);
	return {
		t,
		doneAt: entry.answeredAt === undefined ? undefined : Number(entry.answeredAt),
		status: Number(entry.status),
		item,
		client: clientOf(item),
		method: String(entry.method ?? ''),
		path: String(entry.path ?? ''),
	};
}

export async function startEmu(opts: {
	limit: number | null;
	windowMs: number;
	latency: LatencyProfile | null;
}): Promise<Emu> {
	const mod = loadEmulatorModule();
	const raw = await mod.startEmulator({
		port: 0,
		rateLimit: opts.limit ?? 0,
		windowMs: opts.windowMs,
		latency: opts.latency,
	});
	const url: string = String(raw.url).replace(/\/+$/, '');
	return {
		url,
		baseUrl: raw.baseUrl ?? `${url}/api/public/`,
		apiKey: raw.apiKey,
		limit: opts.limit ?? Number.POSITIVE_INFINITY,
		windowMs: opts.windowMs,
		raw,
		reqs: () => {
			const log = typeof raw.requestLog === 'function' ? raw.requestLog() : raw.requestLog;
			return (log as any[])
				.map(toReq)
				.filter((r) => /update_or_create/.test(r.path) || r.item !== undefined);
		},
		maxAcceptedInWindow: () => raw.maxAcceptedInWindow(),
		injectFault: (f) => raw.injectFault(f),
		clearFaults: () => raw.clearFaults(),
		close: () => Promise.resolve(raw.close()),
	};
}
