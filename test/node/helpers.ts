import type { IDataObject, INodeParameterResourceLocator } from 'n8n-workflow';

import { startEmulator, type Emulator, type EmulatorOptions, type SeedData } from '../emulator';
import type { HarnessCredentials, RunNodeOptions } from '../harness';
import type { Clock } from '../../nodes/UserCom/transport';

export function rl(
	mode: 'id' | 'customId' | 'email' | 'list',
	value: string | number,
): INodeParameterResourceLocator {
	return { __rl: true, mode, value: value as string };
}

export const SEED: SeedData = {
	tags: ['vip', 'newsletter'],
	lists: [{ name: 'Customers', description: 'Paying customers' }, { name: 'Leads' }],
	attributes: [
		{ name: 'Plan', name_std: 'plan', value_type: 'string', content_type: 'user' },
		{ name: 'Seats', name_std: 'seats', value_type: 'integer', content_type: 'user' },
		{ name: 'Channel', name_std: 'channel', value_type: 'string', content_type: 'deal' },
		{ name: 'Brand', name_std: 'brand', value_type: 'string', content_type: 'product' },
	],
	pipelines: [{ name: 'Orders', stages: ['New', 'Paid'] }],
	users: [
		{
			custom_id: 'u-1',
			email: 'ann@example.com',
			first_name: 'Ann',
			last_name: 'Lee',
			tags: ['vip'],
		},
		{ custom_id: 'u-2', email: 'bob@example.com', first_name: 'Bob' },
		{ custom_id: 'u-3', email: 'ann@example.com', first_name: 'Ann2' },
	],
	products: [
		{ custom_id: 'SKU-1', name: 'Mug', price: 9.5 },
		{ custom_id: 'SKU-2', name: 'Shirt', price: 20 },
	],
	segments: [{ name: 'Active', description: 'Active contacts', user_custom_ids: ['u-1', 'u-2'] }],
};

export interface TestEnv {
	emu: Emulator;
	creds: HarnessCredentials;
	opts: (extra?: Partial<RunNodeOptions>) => RunNodeOptions;
	/** emulator request log entries after the seed, without the given prefix filter */
	log: () => Emulator['requestLog'];
	userId: (customId: string) => number;
	productId: (customId: string) => number;
}

/** An emulator on an ephemeral port plus matching credentials; generous rate so functional tests are fast. */
export async function startEnv(
	options: EmulatorOptions = {},
	credentialRate = 1000,
): Promise<TestEnv> {
	const emu = await startEmulator({ port: 0, rateLimit: 0, seed: SEED, randomSeed: 7, ...options });
	const creds: HarnessCredentials = {
		subdomain: emu.url,
		apiKey: emu.apiKey,
		rateLimit: credentialRate,
	};
	return {
		emu,
		creds,
		opts: (extra = {}) => ({ credentials: creds, ...extra }),
		log: () => emu.requestLog,
		userId: (customId) => {
			const u = emu.state.userByCustomId(customId);
			if (!u) throw new Error(`no user ${customId}`);
			return u.id;
		},
		productId: (customId) => {
			const p = emu.state.productByCustomId(customId);
			if (!p) throw new Error(`no product ${customId}`);
			return p.id;
		},
	};
}

/** Last request the emulator received (method, path relative to /api/public/, body, query). */
export function lastRequest(env: TestEnv): {
	method: string;
	path: string;
	body: unknown;
	query: IDataObject;
} {
	const entry = env.emu.requestLog[env.emu.requestLog.length - 1];
	return {
		method: entry.method,
		path: entry.path.replace(/^\/api\/public\//, ''),
		body: entry.body,
		query: entry.query as IDataObject,
	};
}

export function requestsTo(env: TestEnv, method: string, pathRe: RegExp) {
	return env.emu.requestLog.filter(
		(e) => e.method === method && pathRe.test(e.path.replace(/^\/api\/public\//, '')),
	);
}

/**
 * A clock for the transport where one virtual second lasts `1000 / factor` real milliseconds,
 * so rate limits, retry-after waits and backoff run `factor` times faster than real time.
 */
export function scaledClock(factor: number): Clock {
	const start = Date.now();
	return {
		now: () => start + (Date.now() - start) * factor,
		sleep: async (ms: number) => {
			if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms / factor));
		},
	};
}
