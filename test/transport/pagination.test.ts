import { NodeApiError } from 'n8n-workflow';

import {
	userComApiRequestAllItems,
	type UserComRequestOptions,
} from '../../nodes/UserCom/transport';
import { FakeClock } from './helpers/fakeClock';
import {
	API_KEY,
	FakeHttp,
	type LogEntry,
	makeContext,
	type ContextOptions,
} from './helpers/fakeContext';
import {
	resetTransport,
	setTransportClock,
	setTransportRandom,
} from '../../nodes/UserCom/transport/testing';

let clock: FakeClock;
let http: FakeHttp;
let logs: LogEntry[];
const BASE = 'https://acme.user.com/api/public/';

beforeEach(() => {
	clock = new FakeClock();
	setTransportClock(clock);
	setTransportRandom(() => 0.5);
	resetTransport();
	http = new FakeHttp(clock);
	logs = [];
});

afterAll(() => {
	setTransportClock();
	setTransportRandom();
});

const LIST: UserComRequestOptions = { method: 'GET', path: 'tags', qs: { search: 'vip' } };

function pages(map: Record<string, unknown>) {
	http.script = (call) => {
		const body = map[call.options.url as string];
		return body === undefined
			? { statusCode: 404, body: { detail: 'Not found.' } }
			: { statusCode: 200, body };
	};
}

async function all(limit?: number, opts: ContextOptions = {}, options = LIST) {
	return await clock.run(
		userComApiRequestAllItems.call(makeContext(http, logs, opts), options, limit),
	);
}

describe('userComApiRequestAllItems', () => {
	it('follows absolute next links on the same origin; the query goes only with the first page', async () => {
		pages({
			[`${BASE}tags/`]: {
				count: 5,
				next: `${BASE}tags/?cursor=abc`,
				previous: null,
				results: [{ id: 1 }, { id: 2 }],
			},
			[`${BASE}tags/?cursor=abc`]: {
				count: 5,
				next: `${BASE}tags/?cursor=def`,
				previous: null,
				results: [{ id: 3 }, { id: 4 }],
			},
			[`${BASE}tags/?cursor=def`]: { count: 5, next: null, previous: null, results: [{ id: 5 }] },
		});
		expect(await all()).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }, { id: 4 }, { id: 5 }]);
		expect(http.calls.map((c) => c.options.url)).toEqual([
			`${BASE}tags/`,
			`${BASE}tags/?cursor=abc`,
			`${BASE}tags/?cursor=def`,
		]);
		expect(http.calls[0].options.qs).toEqual({ search: 'vip' });
		expect(http.calls[1].options.qs).toBeUndefined();
		// pages go through the throttle too
		expect(http.calls[1].at - http.calls[0].at).toBeCloseTo(1000 / 9.5, 2);
	});

	it('stops at the limit without fetching more pages', async () => {
		pages({
			[`${BASE}tags/`]: { next: `${BASE}tags/?cursor=abc`, results: [{ id: 1 }, { id: 2 }] },
			[`${BASE}tags/?cursor=abc`]: {
				next: `${BASE}tags/?cursor=def`,
				results: [{ id: 3 }, { id: 4 }],
			},
		});
		expect(await all(3)).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
		expect(http.calls).toHaveLength(2);
		http.calls.length = 0;
		expect(await all(2)).toEqual([{ id: 1 }, { id: 2 }]);
		expect(http.calls).toHaveLength(1);
	});

	it('accepts a bare array and a single object', async () => {
		pages({ [`${BASE}tags/`]: [{ id: 1 }, 'x'] });
		expect(await all()).toEqual([{ id: 1 }, { value: 'x' }]);
		pages({ [`${BASE}tags/`]: { id: 9, name: 'only' } });
		expect(await all()).toEqual([{ id: 9, name: 'only' }]);
		pages({ [`${BASE}tags/`]: {} });
		expect(await all()).toEqual([]);
	});

	it('refuses a next link on another origin and never sends the key there', async () => {
		pages({
			[`${BASE}tags/`]: {
				next: 'https://evil.example.com/api/public/tags/?cursor=abc',
				results: [{ id: 1 }],
			},
		});
		const error = (await all().catch((e: unknown) => e)) as NodeApiError;
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe(
			'Refused to follow a pagination link: it points to another origin (https://evil.example.com)',
		);
		expect(error.description).toContain('https://acme.user.com');
		expect(http.calls).toHaveLength(1);
		expect(JSON.stringify(error.context.userCom)).not.toContain(API_KEY);
	});

	it.each([
		[
			'another port',
			'https://acme.user.com:8443/api/public/tags/?c=1',
			'it points to another origin (https://acme.user.com:8443)',
		],
		[
			'another subdomain',
			'https://other.user.com/api/public/tags/?c=1',
			'it points to another origin (https://other.user.com)',
		],
		[
			'credentials in the URL',
			'https://x:y@acme.user.com/api/public/tags/?c=1',
			'it contains credentials',
		],
		['an invalid URL', 'http://[', 'it is not a valid URL'],
	])('refuses a next link with %s', async (_name, next, reason) => {
		pages({ [`${BASE}tags/`]: { next, results: [{ id: 1 }] } });
		await expect(all()).rejects.toThrow(`Refused to follow a pagination link: ${reason}`);
		expect(http.calls).toHaveLength(1);
	});

	it('upgrades an http next link on the same host to https (proxy-unaware API)', async () => {
		pages({
			[`${BASE}tags/`]: {
				next: 'http://acme.user.com/api/public/tags/?cursor=abc',
				results: [{ id: 1 }],
			},
			[`${BASE}tags/?cursor=abc`]: { next: null, results: [{ id: 2 }] },
		});
		expect(await all()).toEqual([{ id: 1 }, { id: 2 }]);
		expect(http.calls[1].options.url).toBe(`${BASE}tags/?cursor=abc`);
	});

	it('resolves a relative next link and stops on a loop', async () => {
		pages({
			[`${BASE}tags/`]: { next: '/api/public/tags/?cursor=abc', results: [{ id: 1 }] },
			[`${BASE}tags/?cursor=abc`]: { next: '/api/public/tags/?cursor=abc', results: [{ id: 2 }] },
		});
		expect(await all()).toEqual([{ id: 1 }, { id: 2 }]);
		expect(http.calls).toHaveLength(2);
	});

	it('works against the local emulator over http', async () => {
		const emu = 'http://127.0.0.1:4010/api/public/';
		pages({
			[`${emu}tags/`]: { next: `${emu}tags/?page=2`, results: [{ id: 1 }] },
			[`${emu}tags/?page=2`]: { next: null, results: [{ id: 2 }] },
		});
		expect(await all(undefined, { credentials: { subdomain: 'http://127.0.0.1:4010' } })).toEqual([
			{ id: 1 },
			{ id: 2 },
		]);
	});

	it('ignores a zero or negative limit (returns all)', async () => {
		pages({ [`${BASE}tags/`]: { next: null, results: [{ id: 1 }, { id: 2 }] } });
		expect(await all(0)).toHaveLength(2);
		expect(await all(-1)).toHaveLength(2);
	});

	it('propagates page errors as NodeApiError', async () => {
		pages({ [`${BASE}tags/`]: { next: `${BASE}tags/?cursor=gone`, results: [{ id: 1 }] } });
		const error = (await all().catch((e: unknown) => e)) as NodeApiError;
		expect(error.httpCode).toBe('404');
		expect(error.message).toBe('Not found.');
	});
});
