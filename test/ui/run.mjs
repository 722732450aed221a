#!/usr/bin/env node
// npm run test:ui — the package as a user meets it: n8n's editor in a real browser.
//
// Starts the demo set-up (test/ui/env.mjs: n8n 2.40.7 + the seeded emulator + the packed package +
// credential + example workflows + owner, on free ports), drives Debian's chromium with playwright-core
// (never a downloaded browser) and checks, with a screenshot at each step (test-output/ui/):
//   login, the node panel (our icon), the actions list, the credential test (ok / wrong key), the
//   Resource and Operation dropdowns, the Add Tag dropdown (all pages), an example run, the error
//   branch, a rate-limited run.
//
// Environment / flags:
//   USERCOM_UI_SKIP_BUILD=1        reuse dist/ (CI builds first)
//   USERCOM_UI_ATTACH=<env.json>   drive an environment started with `node test/ui/env.mjs` instead
//   USERCOM_UI_ONLY=<regex>        run only the checks whose name matches (login always runs)
//   CHROMIUM_PATH                  default /usr/bin/chromium
//   --update-docs                  also refresh the curated screenshots in docs/screenshots/
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

import { chromium, selectors } from 'playwright-core';

import { EXAMPLES, OWNER, RATE_LIMITED_WF, repoRoot, startUiEnvironment } from './env.mjs';

const started = Date.now();
const outDir = path.join(repoRoot, 'test-output', 'ui');
const docsDir = path.join(repoRoot, 'docs', 'screenshots');
const updateDocs = process.argv.includes('--update-docs');
const only = process.env.USERCOM_UI_ONLY ? new RegExp(process.env.USERCOM_UI_ONLY, 'i') : undefined;
const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const T = { short: 15000, run: 90000, rateLimited: 180000 };

selectors.setTestIdAttribute('data-test-id'); // n8n's attribute

const log = (...a) => console.log(`[${new Date().toISOString().slice(11, 19)}]`, ...a);

// ------------------------------------------------------------------ expectations from the built node
// Read from dist/ right after it was packed (see onPacked below): another `npm run build` in the same
// checkout later in the run (rimraf dist) cannot pull the expectations away.
function expectedFromDist() {
	const require = createRequire(import.meta.url);
	const distNode = path.join(repoRoot, 'dist', 'nodes', 'UserCom', 'UserCom.node.js');
	if (!fs.existsSync(distNode)) throw new Error(`${distNode} missing: run npm run build first`);
	const { UserCom } = require(distNode);
	const props = new UserCom().description.properties;
	const resource = props.find((p) => p.name === 'resource');
	const resources = resource.options.map((o) => ({ name: o.name, value: o.value }));
	const operations = {};
	for (const r of resources) {
		const op = props.find(
			(p) => p.name === 'operation' && p.displayOptions?.show?.resource?.includes(r.value),
		);
		if (!op) throw new Error(`no operation property for resource ${r.value}`);
		operations[r.value] = op.options.map((o) => ({
			name: o.name,
			value: o.value,
			action: o.action,
		}));
	}
	return { resources, operations };
}

// ------------------------------------------------------------------ harness
const results = [];
let shotNo = 0;
const cleanups = []; // run in reverse order on every way out
let finishing = false;
async function cleanup() {
	for (const fn of cleanups.splice(0).reverse()) {
		try {
			await fn();
		} catch (e) {
			console.error(`cleanup: ${e.message}`);
		}
	}
}

async function finish(code) {
	if (finishing) return;
	finishing = true;
	await cleanup();
	process.exit(code);
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => finish(130));
// Whole-run guard: never hang CI.
setTimeout(
	() => {
		console.error('test:ui: overall timeout (20 min)');
		finish(1);
	},
	20 * 60 * 1000,
).unref();

async function shot(page, name, { docs } = {}) {
	const file = path.join(outDir, `${String(++shotNo).padStart(2, '0')}-${name}.png`);
	await page.waitForTimeout(500); // let slide-in panels and dropdowns finish their transitions
	await page.screenshot({ path: file });
	if (docs && updateDocs) {
		fs.mkdirSync(docsDir, { recursive: true });
		fs.copyFileSync(file, path.join(docsDir, `${docs}.png`));
	}
	return file;
}

function assert(cond, message) {
	if (!cond) throw new Error(message);
}

async function runCheck(ctx, secret, name, fn) {
	if (only && name !== 'login' && !only.test(name)) return;
	const t0 = Date.now();
	const page = await ctx.newPage();
	page.setDefaultTimeout(T.short);
	try {
		await fn(page);
		// The API key must never reach the editor (values are redacted by n8n and by the node).
		const html = await page.content();
		assert(!html.includes(secret), 'the API key appears in the page');
		results.push({ name, ok: true, ms: Date.now() - t0 });
		log(`ok     ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
	} catch (e) {
		let file = '';
		try {
			file = await shot(page, `FAILED-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`);
		} catch {}
		results.push({ name, ok: false, ms: Date.now() - t0, error: e.message });
		log(
			`FAILED ${name}: ${e.message.split('\n').slice(0, 6).join('\n       ')}${file ? `\n       screenshot: ${path.relative(repoRoot, file)}` : ''}`,
		);
	} finally {
		await page.close().catch(() => {});
	}
}

// ------------------------------------------------------------------ editor helpers
async function login(page, url) {
	await page.goto(`${url}/signin`);
	await page.getByTestId('emailOrLdapLoginId').locator('input').fill(OWNER.email);
	await page.getByTestId('password').locator('input').fill(OWNER.password);
	await page.getByTestId('form-submit-button').click();
	await page.waitForURL((u) => !u.pathname.startsWith('/signin'), { timeout: T.short });
}

/** New workflow with a Manual Trigger; leaves the node panel open on "What happens next?" searched for `term`. */
async function openNodePanelAfterTrigger(page, url, term) {
	await page.goto(`${url}/workflow/new`);
	await page.getByTestId('canvas-add-button').click();
	await page.getByTestId('node-creator-search-bar').fill('manual');
	await page
		.getByTestId('node-creator-item-name')
		.getByText('Trigger manually', { exact: true })
		.click();
	await page.locator('[data-test-id="canvas-node"]').first().waitFor();
	if (
		await page
			.getByTestId('ndv')
			.isVisible()
			.catch(() => false)
	)
		await page.keyboard.press('Escape');
	await page.getByTestId('node-creator-plus-button').click();
	await page.getByTestId('node-creator-search-bar').fill(term);
}

/** Adds the User.com node through one of its actions in the node panel; resolves when its NDV is open. */
async function addUserComNode(page, url, action) {
	await openNodePanelAfterTrigger(page, url, 'User.com');
	await page
		.getByTestId('node-creator-item-name')
		.getByText('User.com', { exact: true })
		.first()
		.click();
	const item = page.getByTestId('node-creator').getByText(action, { exact: true });
	await item.scrollIntoViewIfNeeded();
	await page.waitForTimeout(300); // the panel settles after scrolling
	await item.click();
	await page.getByTestId('ndv').waitFor();
	// the NDV is titled with the node's name, which n8n takes from the chosen action
	await page
		.getByTestId('ndv')
		.getByText(action, { exact: true })
		.first()
		.waitFor({ state: 'attached' });
}

/** Opens an options parameter's dropdown in the NDV and returns the visible option labels (first line). */
async function openDropdown(page, param) {
	const input = page.getByTestId('ndv').getByTestId(`parameter-input-${param}`);
	const items = page.locator('[data-test-id="parameter-input-item"]:visible');
	// Remote options: wait until n8n has loaded them (placeholder "Loading options...").
	const field = input.locator('input').first();
	for (
		const deadline = Date.now() + T.short;
		Date.now() < deadline;
		await page.waitForTimeout(200)
	) {
		const placeholder = (await field.getAttribute('placeholder').catch(() => '')) ?? '';
		if (!/loading/i.test(placeholder)) break;
	}
	// A click that lands while another dropdown fades out can be swallowed: try again.
	for (let attempt = 1; ; attempt++) {
		await input.click();
		try {
			await items.first().waitFor({ timeout: 3000 });
			break;
		} catch (e) {
			if (attempt === 3)
				throw new Error(
					`the ${param} dropdown does not open (placeholder: ${await field.getAttribute('placeholder').catch(() => '?')})`,
				);
		}
	}
	return (await items.allInnerTexts()).map((t) => t.split('\n')[0].trim());
}

/** The visible dropdown option whose label (first line) is exactly `label`. */
function optionByLabel(page, label) {
	const items = page.locator('[data-test-id="parameter-input-item"]:visible');
	return items.filter({ has: page.getByText(label, { exact: true }) }).first();
}

async function chooseOption(page, param, label) {
	const labels = await openDropdown(page, param);
	assert(labels.includes(label), `${param} dropdown has no "${label}": [${labels.join(', ')}]`);
	const option = optionByLabel(page, label);
	await option.scrollIntoViewIfNeeded();
	await option.click();
	await dropdownClosed(page);
}

/** Waits until no option list is showing (dropdowns fade out; their items stay matchable meanwhile). */
async function dropdownClosed(page) {
	await page
		.locator('[data-test-id="parameter-input-item"]:visible')
		.first()
		.waitFor({ state: 'hidden' });
}

async function closeDropdown(page) {
	await page.keyboard.press('Escape');
	await dropdownClosed(page);
}

/** Polls a locator's text until it matches `re`; returns the text. */
async function waitForText(locator, re, timeout = T.short) {
	const deadline = Date.now() + timeout;
	let text = '';
	for (;;) {
		text = await locator.innerText().catch(() => '');
		if (re.test(text) || Date.now() > deadline) return text;
		await new Promise((r) => setTimeout(r, 250));
	}
}

async function selectedValue(page, param) {
	return (
		await page
			.getByTestId('ndv')
			.getByTestId(`parameter-input-${param}`)
			.locator('input')
			.first()
			.inputValue()
	).trim();
}

/** Opens a saved workflow, clicks "Execute workflow" and waits until `lastNode` shows its success mark. */
async function executeWorkflow(page, url, id, lastNode, timeout = T.run) {
	await page.goto(`${url}/workflow/${id}`);
	await page.getByTestId('execute-workflow-button').click();
	await canvasNode(page, lastNode).getByTestId('canvas-node-status-success').waitFor({ timeout });
}

function canvasNode(page, name) {
	return page.locator(`[data-test-id="canvas-node"][data-node-name="${name}"]`);
}

async function openNode(page, name) {
	await canvasNode(page, name).dblclick();
	await page.getByTestId('ndv').waitFor();
	return page.getByTestId('output-panel');
}

/** Switches the output panel to JSON and returns its text once items are rendered. */
async function outputJson(page) {
	const out = page.getByTestId('output-panel');
	await out.getByTestId('radio-button-json').click();
	return waitForText(out, /^\s*\[\s*$/m);
}

// ------------------------------------------------------------------ main
async function main() {
	const attach = process.env.USERCOM_UI_ATTACH
		? JSON.parse(fs.readFileSync(process.env.USERCOM_UI_ATTACH, 'utf8'))
		: undefined;
	fs.rmSync(outDir, { recursive: true, force: true });
	fs.mkdirSync(outDir, { recursive: true });
	if (!fs.existsSync(chromiumPath))
		throw new Error(
			`${chromiumPath} not found: apt-get update && apt-get install -y chromium (or set CHROMIUM_PATH)`,
		);

	let env;
	let expected;
	if (attach) {
		const info = attach;
		env = {
			n8nUrl: info.n8nUrl,
			emuUrl: info.emulatorUrl,
			key: info.key ?? '\u0000no-key',
		};
		log(`attached to ${env.n8nUrl} (emulator ${env.emuUrl})`);
	} else {
		const e = await startUiEnvironment({
			skipBuild: process.env.USERCOM_UI_SKIP_BUILD === '1',
			registerStop: (stop) => cleanups.push(stop),
			onPacked: () => (expected = expectedFromDist()),
		});
		env = { n8nUrl: e.n8nUrl, emuUrl: e.emu.url, key: e.key };
	}
	expected ??= expectedFromDist();
	const emu = async (method, p, body) => {
		const res = await fetch(`${env.emuUrl}/__emulator/${p}`, {
			method,
			headers: { 'content-type': 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		if (!res.ok) throw new Error(`emulator ${method} ${p}: ${res.status}`);
		return res.json();
	};

	const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'usercom-ui-chromium-'));
	cleanups.push(() => fs.rmSync(profile, { recursive: true, force: true }));
	log(`chromium ${chromiumPath} (profile ${profile})`);
	const ctx = await chromium.launchPersistentContext(profile, {
		executablePath: chromiumPath,
		headless: true,
		args: [
			'--no-sandbox',
			'--disable-gpu',
			'--disable-quic',
			'--no-first-run',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync',
		],
		viewport: { width: 1440, height: 900 },
	});
	cleanups.push(() => ctx.close());
	for (const p of ctx.pages()) await p.close();
	const url = env.n8nUrl;
	const check = (name, fn) => runCheck(ctx, env.key, name, fn);

	await check('login', async (page) => {
		await login(page, url);
		await page.getByText('Example 1: shop order', { exact: false }).first().waitFor();
		await shot(page, 'login-workflows');
	});
	if (!results[0]?.ok) return; // nothing else can work

	await check('node panel shows User.com with its icon', async (page) => {
		await openNodePanelAfterTrigger(page, url, 'User.com');
		const item = page.getByTestId('item-iterator-item').filter({
			has: page.getByTestId('node-creator-item-name').getByText('User.com', { exact: true }),
		});
		await item.first().waitFor();
		// n8n renders a package's icon file as <img src="/icons/<package>/<path>">; without one it falls
		// back to a placeholder (the node name's first letters), which has no such <img>.
		const img = item.first().locator('.n8n-node-icon img');
		await img
			.first()
			.waitFor({ timeout: 10000 })
			.catch(() => {});
		const srcs = await img.evaluateAll((els) => els.map((e) => e.getAttribute('src')));
		assert(srcs.length > 0, 'no icon image in the User.com item (placeholder icon?)');
		assert(new Set(srcs).size === 1, `several icons in the User.com item: [${srcs.join(', ')}]`);
		const src = srcs[0];
		assert(
			/\/icons\/n8n-nodes-usercom\/.*usercom(\.dark)?\.svg$/.test(src ?? ''),
			`icon src is ${src}`,
		);
		await page.waitForFunction((el) => el.complete, await img.first().elementHandle());
		const natural = await img.first().evaluate((el) => el.naturalWidth);
		assert(natural > 0, `icon ${src} did not load (naturalWidth 0)`);
		const res = await page.request.get(new URL(src, url).toString());
		const svg = await res.text();
		// compared with the icon in the sources (the build copies it unchanged)
		const ours = fs.readFileSync(
			path.join(repoRoot, 'nodes', 'UserCom', path.basename(src)),
			'utf8',
		);
		assert(
			res.ok() && svg === ours,
			`icon served at ${src} is not our ${path.basename(src)} (${res.status()})`,
		);
		await shot(page, 'node-panel');
	});

	await check('actions panel lists every operation', async (page) => {
		await openNodePanelAfterTrigger(page, url, 'User.com');
		await page
			.getByTestId('node-creator-item-name')
			.getByText('User.com', { exact: true })
			.first()
			.click();
		const panel = page.getByTestId('node-creator');
		const all = Object.values(expected.operations).flat();
		await panel.getByText(`Actions (${all.length})`, { exact: true }).waitFor();
		// the list renders in chunks: poll until every action is there (or time runs out)
		const text = await waitForText(panel, { test: (t) => all.every((o) => t.includes(o.action)) });
		const missing = all.filter((o) => !text.includes(o.action));
		assert(
			missing.length === 0,
			`actions missing from the panel: ${missing.map((o) => o.action).join(', ')}`,
		);
		await shot(page, 'actions', { docs: 'node-panel' });
	});

	await check('credential test succeeds against the emulator', async (page) => {
		await page.goto(`${url}/home/credentials`);
		await page.getByText('User.com account', { exact: true }).first().click();
		const dlg = page.getByTestId('credential-edit-dialog');
		await dlg.getByText('Connection tested successfully').waitFor();
		await shot(page, 'credential-ok');
	});

	await check('credential test with a wrong key shows a readable error', async (page) => {
		const wrong = 'f'.repeat(64);
		const before = (await emu('GET', 'log')).entries.length;
		await page.goto(`${url}/home/credentials`);
		await page.getByText('User.com account', { exact: true }).first().click();
		const dlg = page.getByTestId('credential-edit-dialog');
		await dlg.getByText('Connection tested successfully').waitFor();
		// Retry tests the form as it is; the page is closed afterwards without saving.
		await dlg.getByTestId('parameter-input-apiKey').locator('input').fill(wrong);
		await dlg.getByRole('button', { name: 'Retry' }).click();
		await dlg.getByText('Couldn’t connect with these settings').waitFor();
		await dlg.getByText('More details').click();
		await dlg.getByText(/User\.com rejected the API key/).waitFor();
		const text = await dlg.innerText();
		assert(!text.includes(wrong), 'the typed key is echoed in the dialog');
		await shot(page, 'credential-wrong-key', { docs: 'credential-wrong-key' });
		// The message comes from User.com's answer (401 to the test request), not from a network error.
		const rejected = (await emu('GET', 'log')).entries
			.slice(before)
			.filter((e) => e.status === 401);
		assert(
			rejected.length > 0,
			'the emulator saw no request answered 401 during the wrong-key test',
		);
		// The page closes without saving: the stored credential keeps the right key (later checks use it).
	});

	await check(
		'Resource and Operation dropdowns list every resource and operation',
		async (page) => {
			await addUserComNode(
				page,
				url,
				expected.operations.deal.find((o) => o.value === 'create').action,
			);
			const resources = await openDropdown(page, 'resource');
			await shot(page, 'resource-dropdown');
			const want = expected.resources.map((r) => r.name);
			// n8n appends its own "Custom API Call" to nodes whose credential can authenticate HTTP Request.
			const extra = resources.filter((r) => !want.includes(r) && r !== 'Custom API Call');
			assert(
				JSON.stringify(resources.filter((r) => want.includes(r))) === JSON.stringify(want) &&
					extra.length === 0,
				`Resource dropdown shows [${resources.join(', ')}], expected [${want.join(', ')}]`,
			);
			await closeDropdown(page);
			for (const r of expected.resources) {
				await chooseOption(page, 'resource', r.name);
				assert(
					(await selectedValue(page, 'resource')) === r.name,
					`Resource did not switch to ${r.name}`,
				);
				const ops = (await openDropdown(page, 'operation')).filter((o) => o !== 'Custom API Call');
				const wantOps = expected.operations[r.value].map((o) => o.name);
				assert(
					JSON.stringify(ops) === JSON.stringify(wantOps),
					`${r.name} operations: [${ops.join(', ')}], expected [${wantOps.join(', ')}]`,
				);
				await shot(page, `operations-${r.value}`);
				await closeDropdown(page);
			}
		},
	);

	await check('User → Add Tag loads every tag from the emulator (all pages)', async (page) => {
		const tags = (await emu('GET', 'state?resource=tags')).tags.map((t) => t.name);
		assert(
			tags.length > 100,
			`the demo seed should have more than one page of tags, has ${tags.length}`,
		);
		const last = tags[tags.length - 1]; // the newest tag, on the last page of tags/ (demo seed: "Tag 150")
		const before = (await emu('GET', 'log')).entries.length;
		await addUserComNode(
			page,
			url,
			expected.operations.deal.find((o) => o.value === 'create').action,
		);
		await chooseOption(page, 'resource', 'User');
		await chooseOption(page, 'operation', 'Add Tag');
		assert(
			(await selectedValue(page, 'operation')) === 'Add Tag',
			'Operation did not switch to Add Tag',
		);
		const options = await openDropdown(page, 'tagName');
		const listed = new Set(options);
		const missing = tags.filter((t) => !listed.has(t));
		assert(
			missing.length === 0 && options.length === tags.length,
			`tag dropdown: ${options.length} options for ${tags.length} tags; missing ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ' ...' : ''}`,
		);
		const requests = (await emu('GET', 'log')).entries
			.slice(before)
			.filter((e) => /\/tags\/?/.test(e.path));
		assert(
			requests.length >= 2,
			`expected the dropdown to read every page of tags/, saw ${requests.length} request(s)`,
		);
		await shot(page, 'tag-dropdown-first-page');
		const lastItem = page
			.locator('[data-test-id="parameter-input-item"]:visible')
			.filter({ hasText: last })
			.first();
		await lastItem.scrollIntoViewIfNeeded();
		assert(await lastItem.isVisible(), `${last} not visible after scrolling`);
		await shot(page, 'tag-dropdown-last-tag');
		await lastItem.click();
		assert((await selectedValue(page, 'tagName')) === last, `selecting ${last} did not stick`);
		const user = page.getByTestId('ndv').getByTestId('parameter-input-user');
		await user.locator('input').first().click(); // the locator's mode: By ID / By Custom ID / ...
		await page.getByTestId('mode-customId').click();
		await user.locator('input').last().fill('cust-001');
		await page.getByTestId('ndv').getByText('Tag Name or ID').click();
		// Run the step: the tag chosen in the dropdown is what reaches User.com.
		await page.getByTestId('ndv').getByTestId('node-execute-button').click();
		const out = page.getByTestId('output-panel');
		await out.getByTestId('node-run-status-success').waitFor({ timeout: T.run });
		const alice = (await emu('GET', 'state?resource=users')).users.find(
			(u) => u.custom_id === 'cust-001',
		);
		const names = (alice?.tags ?? []).map((t) => (typeof t === 'string' ? t : t.name));
		assert(
			names.includes(last),
			`after "Execute step" cust-001 has tags [${names.join(', ')}], not ${last}`,
		);
		await outputJson(page);
		await shot(page, 'configured-node', { docs: 'configured-node' });
	});

	await check('example workflow run shows items in the output panel', async (page) => {
		await executeWorkflow(page, url, EXAMPLES.order, '4. Event (order placed)');
		for (const name of [
			'1. Products',
			'2. Contact (upsert by custom ID)',
			'3. Deal (order, upsert by order ID)',
		])
			assert(
				await canvasNode(page, name).getByTestId('canvas-node-status-success').isVisible(),
				`${name} has no success mark on the canvas`,
			);
		const out = await openNode(page, '3. Deal (order, upsert by order ID)');
		await out.getByTestId('node-run-status-success').waitFor();
		const json = await outputJson(page);
		assert(/\b1 item\b/.test(await out.innerText()), `the output panel does not say "1 item"`);
		assert(
			/"custom_id":\s*"ORD-2001"/.test(json),
			`deal output does not show the order ORD-2001:\n${json.slice(0, 800)}`,
		);
		await shot(page, 'example-run-output');
	});

	await check(
		'error output example: failed items on the error branch with User.com’s message',
		async (page) => {
			await executeWorkflow(page, url, EXAMPLES.errors, 'Explain Failure');
			const out = await openNode(page, 'Send Event');
			const branches = out.getByTestId('branches');
			await branches.waitFor();
			const labels = await branches.innerText();
			assert(/Success Branch \(2 items\)/.test(labels), `success branch: ${labels}`);
			assert(/Error Branch \(1 item\)/.test(labels), `error branch: ${labels}`);
			await branches.getByText(/Error Branch/).click();
			const json = await outputJson(page);
			assert(
				/"httpCode":\s*404/.test(json),
				`error item has no httpCode 404:\n${json.slice(0, 1200)}`,
			);
			// User.com's own words for an unknown contact (the emulator answers as the real API does)
			assert(
				/"message":\s*"No ClientUser matches the given query\."/.test(json),
				`User.com's message is not in the error item:\n${json.slice(0, 1200)}`,
			);
			assert(
				/"category":\s*"not_found"/.test(json),
				`error category not shown:\n${json.slice(0, 1200)}`,
			);
			await shot(page, 'error-branch', { docs: 'error-branch' });
		},
	);

	await check('rate-limited run completes without failures', async (page) => {
		// The emulator now allows 3 requests/s while the credential still says 10/s: User.com answers
		// 429 and the node must wait them out.
		await emu('POST', 'config', { rateLimit: 3 });
		const before = (await emu('GET', 'log')).entries.length;
		try {
			await executeWorkflow(page, url, RATE_LIMITED_WF, 'Upsert Contacts', T.rateLimited);
		} finally {
			await emu('POST', 'config', { rateLimit: 10 });
		}
		const entries = (await emu('GET', 'log')).entries.slice(before);
		const throttled = entries.filter((e) => e.status === 429).length;
		assert(
			throttled > 0,
			`the run saw no 429 (${entries.length} requests): the check proved nothing`,
		);
		const out = await openNode(page, 'Upsert Contacts');
		await out.getByTestId('node-run-status-success').waitFor();
		const text = await out.innerText();
		assert(/\b20 items\b/.test(text), `expected 20 items in the output:\n${text.slice(0, 600)}`);
		const json = await outputJson(page);
		assert(!/"error"\s*:/.test(json), `an item carries an error:\n${json.slice(0, 800)}`);
		// The node tells the user what happened (execution hint above the items).
		const hint = (await out.innerText()).match(/(\d+) rate-limited \(429\)/);
		assert(
			hint,
			`no rate-limit hint in the output panel:\n${(await out.innerText()).slice(0, 600)}`,
		);
		assert(
			Number(hint[1]) === throttled,
			`hint says ${hint[1]} rate-limited, the emulator answered ${throttled} with 429`,
		);
		await shot(page, 'rate-limited-run', { docs: 'rate-limited-run' });
		log(`       (${throttled} requests answered 429 and were waited out)`);
	});
}

let exitCode = 1;
try {
	await main();
	exitCode = results.length > 0 && results.every((r) => r.ok) ? 0 : 1;
} catch (e) {
	console.error(`test:ui: ${e.stack ?? e.message}`);
	results.push({ name: 'set-up', ok: false, error: e.message });
}
const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
fs.mkdirSync(outDir, { recursive: true });
fs.writeFileSync(
	path.join(outDir, 'results.json'),
	JSON.stringify({ results, seconds: (Date.now() - started) / 1000 }, null, 2),
);
console.log(
	`\nscreenshots: ${path.relative(repoRoot, outDir)}/  (${Math.round((Date.now() - started) / 1000)} s)`,
);
console.log(`${passed} passed, ${failed} failed`);
await finish(exitCode);
