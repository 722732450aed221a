/**
 * Every example of usercom-error-handling-guide.md, byte for byte (status, body, header-name case).
 * The examples are copied from the guide; bodies are rendered like Python's json.dumps (", " / ": ").
 */
import { startEmulator } from '../emulator';
import type { Emulator } from '../emulator';
import { client, manualClock, request } from './helpers';

let emu: Emulator;
let api: ReturnType<typeof client>;
let userId: number;
const clock = manualClock();

beforeAll(async () => {
	emu = await startEmulator({ rateLimit: 10, windowMs: 1000, now: clock.now });
	api = client(emu.baseUrl, emu.apiKey);
});
afterAll(() => emu.close());
beforeEach(() => {
	emu.reset();
	emu.setRateLimit(10, 1000);
	const r = emu.seed({
		users: [{ custom_id: 'u-1', email: 'u1@example.com' }],
		products: [{ custom_id: 'SKU-1', name: 'One' }],
		pipelines: [{ name: 'Orders', stages: ['New'] }],
	});
	userId = r.users[0];
	clock.advance(5000); // fresh window for every test
});

describe('Rate limiting: 429 example', () => {
	it('body is {"detail": "Request was throttled. Expected available in 1 second."} with a lowercase retry-after', async () => {
		for (let i = 0; i < 10; i++) expect((await api.get('tags/')).status).toBe(200);
		const r = await api.get('tags/');
		expect(r.status).toBe(429);
		expect(r.text).toBe('{"detail": "Request was throttled. Expected available in 1 second."}');
		expect(r.headerNames).toContain('retry-after');
		expect(r.headerNames).not.toContain('Retry-After');
		expect(r.headers['retry-after']).toBe('1');
	});
});

describe('Format 1: flat field errors (deals)', () => {
	it('user_id and products, both in one response', async () => {
		const r = await api.post('deals/', { name: 'x', user_id: 999999, products: [999999] });
		expect(r.status).toBe(400);
		expect(r.text).toBe(
			'{"user_id": ["Invalid pk \\"999999\\" - object does not exist."], "products": ["Invalid pk \\"999999\\" - object does not exist."]}',
		);
		expect(r.json).toEqual({
			user_id: ['Invalid pk "999999" - object does not exist.'],
			products: ['Invalid pk "999999" - object does not exist.'],
		});
		expect(emu.state.deals.size).toBe(0);
	});
	it('the same on deals/update_or_create/', async () => {
		const r = await api.post('deals/update_or_create/', {
			custom_id: 'D1',
			user_id: 999999,
			products: [999999],
		});
		expect(r.status).toBe(400);
		expect(r.text).toBe(
			'{"user_id": ["Invalid pk \\"999999\\" - object does not exist."], "products": ["Invalid pk \\"999999\\" - object does not exist."]}',
		);
	});
});

describe('Format 2: nested under errors (POST /events/)', () => {
	it('user validated first: an unknown user hides the missing name', async () => {
		const r = await api.post('events/', { user_id: 999999 });
		expect(r.status).toBe(400);
		expect(r.text).toBe(
			'{"errors": {"user_id": ["Client user with ID \'999999\' does not exist"]}}',
		);
	});
	it('once the user exists, the name error surfaces', async () => {
		const r = await api.post('events/', { user_id: userId });
		expect(r.status).toBe(400);
		expect(r.text).toBe('{"errors": {"name": ["This field is required."]}}');
	});
	it("the guide's literal example (both errors) with quirks.eventsUserFirst=false", async () => {
		emu.configure({ quirks: { eventsUserFirst: false } });
		try {
			const r = await api.post('events/', { user_id: 999999 });
			expect(r.status).toBe(400);
			expect(r.text).toBe(
				'{"errors": {"user_id": ["Client user with ID \'999999\' does not exist"], "name": ["This field is required."]}}',
			);
			expect(r.json).toEqual({
				errors: {
					user_id: ["Client user with ID '999999' does not exist"],
					name: ['This field is required.'],
				},
			});
		} finally {
			emu.configure({ quirks: { eventsUserFirst: true } });
		}
	});
	it('a valid event: {"id", "created"}, created only for the first event of a name', async () => {
		const a = await api.post('events/', {
			user_id: userId,
			name: 'profile_updated',
			timestamp: 1426967129,
			data: { k: 'v' },
		});
		expect(a.status).toBe(201);
		expect(a.json).toEqual({ id: expect.any(Number), created: true });
		const b = await api.post('events/', { user_id: userId, name: 'profile_updated' });
		expect(b.json).toEqual({ id: a.json.id + 1, created: false });
		expect(emu.state.events.get(a.json.id)).toMatchObject({
			user_id: userId,
			name: 'profile_updated',
			timestamp: 1426967129,
			data: { k: 'v' },
		});
	});
});

describe('Format 3: detail string (user-scoped endpoints)', () => {
	it('POST /users-by-id/:id/events/ for an unknown user -> 404 No ClientUser matches the given query.', async () => {
		const r = await api.post('users-by-id/nobody/events/', { name: '', data: 'bad' });
		expect(r.status).toBe(404);
		expect(r.text).toBe('{"detail": "No ClientUser matches the given query."}');
	});
	it('for a known user the event is created', async () => {
		const r = await api.post('users-by-id/u-1/events/', { name: 'signed_up' });
		expect(r.status).toBe(201);
		expect(r.json).toEqual({ id: expect.any(Number), created: true });
	});
});

describe('Product not found on product events', () => {
	it('product first: 404 regardless of anything else in the payload', async () => {
		const r = await api.post('products-by-id/9999999/product_event/', {
			user_id: 999999,
			event_type: 'nonsense',
		});
		expect(r.status).toBe(404);
		expect(r.text).toBe('{"detail": "Couldn\'t find product with custom_id = 9999999"}');
	});
	it('then a non-existent user_id -> 400', async () => {
		const r = await api.post('products-by-id/SKU-1/product_event/', {
			user_id: 999999,
			event_type: 'nonsense',
		});
		expect(r.status).toBe(400);
		expect(r.json.detail).toBe("Client user with ID '999999' does not exist");
		expect(r.text).toBe('{"detail": "Client user with ID \'999999\' does not exist"}');
	});
	it('then a non-existent user_custom_id -> 404', async () => {
		const r = await api.post('products-by-id/SKU-1/product_event/', {
			user_custom_id: 'ghost',
			event_type: 'nonsense',
		});
		expect(r.status).toBe(404);
		expect(r.text).toBe('{"detail": "user for given user_id not found"}');
	});
});

describe('Non-existent references in deals (error message patterns), all at once', () => {
	it('every reference error in a single response, in serializer field order', async () => {
		const r = await api.post('deals/', {
			status: 9,
			pipeline: 999999,
			stage: 999999,
			user_custom_id: 'nobody',
			products_custom_id: ['NOPE'],
			order_products: [
				{ product_id: 5 },
				{ product_custom_id: 'SKU-1', quantity: 1 },
				{ product_custom_id: 'X-9' },
			],
		});
		expect(r.status).toBe(400);
		expect(r.json).toEqual({
			status: ['"9" is not a valid choice.'],
			pipeline: ['Invalid pk "999999" - object does not exist.'],
			stage: ['Invalid pk "999999" - object does not exist.'],
			user_custom_id: ['Object with custom_id=nobody does not exist.'],
			products_custom_id: ['Object with custom_id=NOPE does not exist.'],
			order_products: [
				{ product_id: ["Could not find product with id '5'"] },
				{},
				{ product_custom_id: ["Could not find product with custom_id 'X-9'"] },
			],
		});
		expect(Object.keys(r.json)).toEqual([
			'status',
			'pipeline',
			'stage',
			'user_custom_id',
			'products_custom_id',
			'order_products',
		]);
		expect(r.text).toContain(
			'"order_products": [{"product_id": ["Could not find product with id \'5\'"]}, {}, ',
		);
		expect(emu.state.deals.size).toBe(0);
	});
	it('patterns from the table: "object does not exist" / "does not exist" / "is not a valid choice"', async () => {
		const r = await api.post('deals/', {
			user_id: 999999,
			user_custom_id: 'x',
			products: [999999],
			status: 'won',
		});
		expect(r.json.user_id[0]).toMatch(/object does not exist\.$/);
		expect(r.json.user_custom_id[0]).toMatch(/does not exist\.$/);
		expect(r.json.products[0]).toMatch(/object does not exist\.$/);
		expect(r.json.status[0]).toBe('"won" is not a valid choice.');
	});
});

describe('Deals accept empty payloads', () => {
	it('{} creates a deal with name "", value 0.00, status 1', async () => {
		const r = await api.post('deals/', {});
		expect(r.status).toBe(201);
		expect(r.json).toMatchObject({
			name: '',
			value: '0.00',
			status: 1,
			user_id: null,
			products: [],
			custom_id: null,
		});
		expect(emu.state.deals.get(r.json.id)).toMatchObject({ name: '', value: 0, status: 1 });
	});
	it('an empty body without content-type is the same as {}', async () => {
		const r = await api.post('deals/');
		expect(r.status).toBe(201);
		expect(r.json).toMatchObject({ name: '', value: '0.00', status: 1 });
	});
});

describe('Handle errors by status code', () => {
	it('401 without a key / with a wrong key (DRF wording)', async () => {
		const none = await request('GET', emu.baseUrl + 'users/');
		expect(none.status).toBe(401);
		expect(none.text).toBe('{"detail": "Authentication credentials were not provided."}');
		const wrong = await request('GET', emu.baseUrl + 'users/', {
			headers: { Authorization: 'Token nope' },
		});
		expect(wrong.status).toBe(401);
		expect(wrong.text).toBe('{"detail": "Invalid token."}');
		expect(wrong.headers['www-authenticate']).toBe('Token');
		const bearer = await request('GET', emu.baseUrl + 'users/', {
			headers: { Authorization: `Bearer ${emu.apiKey}` },
		});
		expect(bearer.text).toBe('{"detail": "Authentication credentials were not provided."}');
		const empty = await request('GET', emu.baseUrl + 'users/', {
			headers: { Authorization: 'Token' },
		});
		expect(empty.text).toBe('{"detail": "Invalid token header. No credentials provided."}');
		const spaces = await request('GET', emu.baseUrl + 'users/', {
			headers: { Authorization: 'Token a b' },
		});
		expect(spaces.text).toBe(
			'{"detail": "Invalid token header. Token string should not contain spaces."}',
		);
		const lower = await request('GET', emu.baseUrl + 'users/', {
			headers: { Authorization: `token ${emu.apiKey}` },
		});
		expect(lower.status).toBe(200);
	});
	it('the recommended order works: update_or_create the contact, then the event by custom id', async () => {
		const a = await api.post('users/update_or_create/', {
			custom_id: 'new-1',
			email: 'n@example.com',
		});
		expect(a.status).toBe(201);
		expect(a.json).toEqual({ created: true, id: expect.any(Number) });
		const b = await api.post('users-by-id/new-1/events/', { name: 'purchase' });
		expect(b.status).toBe(201);
	});
});
