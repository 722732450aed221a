#!/usr/bin/env node
// End-to-end tests in REAL n8n (npm run test:e2e).
//
//   npm run test:e2e                       # both pinned n8n versions (2.40.7 and 1.123.81)
//   npm run test:e2e -- 2.40.7             # one version
//   USERCOM_E2E_SKIP_BUILD=1 npm run test:e2e   # reuse dist/ (CI builds just before)
//
// Per version: provision n8n (cached), `npm pack` this package and install the tarball into a fresh
// user folder the way Community Nodes does, start the emulator (own process, random 64-char key,
// 10 req/s), import the credential and test/e2e/workflows/e2e-*.json, run them with
// `n8n execute --id` / `n8n execute-batch`, and assert on the run JSON and the emulator's request log.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { maxInWindowFromLog, randomApiKey, startEmulator } from './lib/emulator.mjs';
import {
	N8nRest,
	executeBatch,
	executeWorkflow,
	freePort,
	freshUserFolder,
	importCredentials,
	importWorkflows,
	installPackageTarball,
	n8nEnv,
	packPackage,
	startN8nCli,
	startN8nServer,
} from './lib/n8n.mjs';
import { DEFAULT_VERSIONS, RUNTIMES, log, provision } from './lib/runtime.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const wfDir = path.join(repoRoot, 'test', 'e2e', 'workflows');
const CRED_ID = 'ucE2eCred0000001';
const CRED_NAME = 'User.com account';
const WF = {
	ops: 'ucE2eOps00000001',
	errors: 'ucE2eErr00000001',
	concA: 'ucE2eConA0000001',
	concB: 'ucE2eConB0000001',
	rateLimited: 'ucE2e42900000001',
	import: 'ucE2eImp00000001',
	company: 'ucE2eCompany0001',
};

const args = process.argv.slice(2);
let versions = args.filter((a) => !a.startsWith('--'));
if (versions.length === 0)
	versions = (process.env.USERCOM_E2E_VERSIONS || DEFAULT_VERSIONS.join(','))
		.split(',')
		.map((v) => v.trim())
		.filter(Boolean);
for (const v of versions) if (!RUNTIMES[v]) throw new Error(`unknown n8n version ${v}`);
const keepFolders = args.includes('--keep') || process.env.USERCOM_E2E_KEEP === '1';

// ------------------------------------------------------------------------------------------------ results
const results = [];
const only = process.env.USERCOM_E2E_ONLY ? new RegExp(process.env.USERCOM_E2E_ONLY, 'i') : null;
async function check(version, name, fn) {
	if (only && !only.test(name)) return;
	const t0 = Date.now();
	try {
		await fn();
		results.push({ version, name, ok: true, ms: Date.now() - t0 });
		log(`  PASS [n8n ${version}] ${name}`);
	} catch (e) {
		results.push({ version, name, ok: false, ms: Date.now() - t0, error: e });
		log(`  FAIL [n8n ${version}] ${name}\n${indent(e && e.stack ? e.stack : String(e))}`);
	}
}
const indent = (s) =>
	String(s)
		.split('\n')
		.slice(0, 90)
		.map((l) => `        ${l}`)
		.join('\n');

// ------------------------------------------------------------------------------------------------ run JSON helpers
function nodeRuns(run, nodeName) {
	const r = run?.data?.resultData?.runData?.[nodeName];
	assert.ok(
		r && r.length > 0,
		`node "${nodeName}" did not run (ran: ${Object.keys(run?.data?.resultData?.runData ?? {}).join(', ')})`,
	);
	return r;
}
/** items of output `output` of the node's first run */
function outItems(run, nodeName, output = 0) {
	const task = nodeRuns(run, nodeName)[0];
	assert.equal(
		task.executionStatus ?? 'success',
		'success',
		`node "${nodeName}" status ${task.executionStatus}: ${JSON.stringify(task.error ?? {}).slice(0, 500)}`,
	);
	return task.data?.main?.[output] ?? [];
}
function one(run, nodeName) {
	const items = outItems(run, nodeName);
	assert.equal(
		items.length,
		1,
		`node "${nodeName}" returned ${items.length} items, expected 1: ${JSON.stringify(items).slice(0, 400)}`,
	);
	return items[0].json;
}
function assertRunOk(r, what) {
	assert.ok(
		r.run,
		`${what}: no run JSON in n8n output (exit ${r.code}):\n${r.output.slice(-2500)}`,
	);
	const err = r.run.data.resultData.error;
	assert.ok(
		!err,
		`${what}: run failed: ${err?.message} ${err?.description ?? ''} (node ${r.run.data.resultData.lastNodeExecuted})`,
	);
	assert.equal(r.code, 0, `${what}: n8n exited with ${r.code}`);
	assert.equal(r.run.status ?? 'success', 'success', `${what}: status ${r.run.status}`);
}

// ------------------------------------------------------------------------------------------------ one version
async function runVersion(version, tarball) {
	const t0 = Date.now();
	log(`== n8n ${version}`);
	const rt = await provision(version);
	const userFolder = freshUserFolder(`usercom-e2e-${version}`);
	const env = n8nEnv(rt, userFolder, { N8N_LOG_LEVEL: 'debug' });
	const key = randomApiKey();
	const wrongKey = randomApiKey();
	const texts = []; // everything n8n printed or wrote that must not contain the key
	let emu;
	try {
		installPackageTarball(userFolder, tarball);
		emu = await startEmulator({ keys: [key], rate: 10, seed: 'demo' });
		log(`  emulator ${emu.url} (key ${emu.fingerprints[0]}), user folder ${userFolder}`);
		const credential = {
			id: CRED_ID,
			name: CRED_NAME,
			type: 'userComApi',
			data: { subdomain: emu.url, apiKey: key, rateLimit: 10, limitShare: 100 },
		};
		texts.push((await importCredentials(rt, env, [credential])).output);
		const exDir = path.join(wfDir, 'examples');
		const workflows = [
			...fs
				.readdirSync(wfDir)
				.filter((f) => /^e2e-.*\.json$/.test(f))
				.map((f) => path.join(wfDir, f)),
			...fs
				.readdirSync(exDir)
				.filter((f) => f.endsWith('.json'))
				.map((f) => path.join(exDir, f)),
		].map((f) => JSON.parse(fs.readFileSync(f, 'utf8')));
		texts.push((await importWorkflows(rt, env, workflows)).output);
		// the User.com Trigger workflow (test/e2e/workflows/usercom-trigger.json): its credential, then activate it
		const triggerSecret = randomApiKey().slice(0, 40);
		const triggerWf = JSON.parse(fs.readFileSync(path.join(wfDir, 'usercom-trigger.json'), 'utf8'));
		const trigNode = triggerWf.nodes.find((n) => n.type === 'n8n-nodes-usercom.userComTrigger');
		texts.push(
			(
				await importCredentials(rt, env, [
					{
						id: trigNode.credentials.userComTriggerApi.id,
						name: trigNode.credentials.userComTriggerApi.name,
						type: 'userComTriggerApi',
						data: { secret: triggerSecret },
					},
				])
			).output,
		);
		texts.push((await importWorkflows(rt, env, [triggerWf])).output);
		const activate = await startN8nCli(
			rt,
			Number(version.split('.')[0]) >= 2
				? ['publish:workflow', `--id=${triggerWf.id}`]
				: ['update:workflow', `--id=${triggerWf.id}`, '--active=true'],
			{ env, timeoutMs: 180000 },
		);
		texts.push(activate.output);
		if (activate.code !== 0)
			throw new Error(`activating the trigger workflow failed:\n${activate.output.slice(-2000)}`);

		// -------------------------------------------------------------- main operations
		await check(
			version,
			'main operations of every resource (product, user, deal, event) return the expected items',
			async () => {
				await emu.control('DELETE', 'log');
				const r = await executeWorkflow(rt, env, WF.ops);
				texts.push(r.output);
				assertRunOk(r, 'operations workflow');
				const run = r.run;
				const created = one(run, 'Create Product');
				assert.equal(created.custom_id, 'E2E-SKU-1');
				assert.equal(created.name, 'E2E Grinder');
				assert.ok(Number.isInteger(created.id), `product id ${created.id}`);
				assert.equal(one(run, 'Update Product').price, 119.5);
				const product = one(run, 'Get Product');
				assert.equal(product.id, created.id);
				assert.equal(product.price, 119.5);

				const upserted = one(run, 'Upsert User');
				assert.equal(upserted.custom_id, 'e2e-user-1');
				assert.ok(Number.isInteger(upserted.id), `user id ${upserted.id}`);
				const created2 = one(run, 'Create User');
				assert.equal(created2.custom_id, 'e2e-user-2');
				assert.equal(created2.email, 'e2e.two@example.com');
				const updated = one(run, 'Update User');
				assert.equal(updated.last_name, 'Second');
				assert.equal(updated.city, 'Gdansk');
				const got = one(run, 'Get User');
				assert.equal(got.id, upserted.id);
				assert.equal(got.email, 'e2e.one@example.com');
				assert.equal(got.first_name, 'Eve');
				assert.deepEqual(one(run, 'Add Tag').success, true);
				const attrs = one(run, 'Set Attributes');
				assert.equal(attrs.success, true);

				const deal = one(run, 'Upsert Deal');
				assert.equal(deal.custom_id, 'E2E-ORD-1');
				assert.equal(deal.value, 239);
				assert.equal(deal.currency, 'EUR');
				assert.equal(deal.status_name, 'won');
				const dealGot = one(run, 'Get Deal');
				assert.equal(dealGot.id, deal.id);
				assert.equal(
					dealGot.order_products?.[0]?.quantity,
					2,
					`order products ${JSON.stringify(dealGot.order_products)}`,
				);

				const ev = one(run, 'Create Event');
				assert.equal(ev.name, 'order_placed');
				assert.equal(ev.user_custom_id, 'e2e-user-1');
				const pev = one(run, 'Product Event');
				assert.equal(pev.event_type, 'purchase');

				const users = outItems(run, 'List Users');
				assert.equal(users.length, 7, `demo seed has 5 contacts + 2 created, got ${users.length}`);
				const mine = users.find((u) => u.json.custom_id === 'e2e-user-1');
				assert.ok(mine, 'List Users contains e2e-user-1');
				assert.ok(
					JSON.stringify(mine.json).includes('E2E'),
					`e2e-user-1 carries the tag E2E: ${JSON.stringify(mine.json)}`,
				);
				const deals = outItems(run, 'List Deals Of User');
				assert.deepEqual(
					deals.map((d) => d.json.custom_id),
					['E2E-ORD-1'],
				);
				assert.equal(outItems(run, 'List Products').length, 3, 'List Products with limit 3');

				// the emulator saw the writes with the right bodies
				const state = await emu.state();
				const u1 = state.users.find((u) => u.custom_id === 'e2e-user-1');
				assert.ok(u1, 'emulator has e2e-user-1');
				assert.equal(
					JSON.stringify(u1).includes('250'),
					true,
					`loyalty_points 250 set: ${JSON.stringify(u1).slice(0, 600)}`,
				);
				assert.ok(
					state.events.some((e) => e.name === 'order_placed'),
					'emulator stored the event',
				);
				assert.ok(state.productEvents.length >= 1, 'emulator stored the product event');
				const entries = await emu.log();
				const timeline = entries
					.map((e) => `${e.t - entries[0].t}ms ${e.method} ${e.path} ${e.status}`)
					.join('\n');
				const maxWin = maxInWindowFromLog(entries, 1000);
				// every request succeeded, except 429s that the node waited out (then the same request succeeded)
				const failedReq = entries.filter((e) => e.status >= 400 && e.status !== 429);
				assert.deepEqual(failedReq, [], `no failed request:\n${timeline}`);
				const throttled = entries.filter((e) => e.status === 429);
				for (const t of throttled)
					assert.ok(
						entries.some(
							(e) => e.t > t.t && e.method === t.method && e.path === t.path && e.status < 400,
						),
						`the 429 on ${t.method} ${t.path} was retried successfully`,
					);
				if (throttled.length)
					log(
						`    NOTE: ${throttled.length} request(s) got 429 from the emulator's 10/s sliding window and were waited out (max ${maxWin} arrivals in 1 s):\n${indent(timeline)}`,
					);
			},
		);

		// -------------------------------------------------------------- CSV import (multipart)
		await check(
			version,
			'CSV import of contacts (one multipart upload, waits for completion): rows imported, the rejected row on the error output',
			async () => {
				await emu.control('DELETE', 'log');
				const r = await executeWorkflow(rt, env, WF.import);
				texts.push(r.output);
				assertRunOk(r, 'import workflow');
				const ok = outItems(r.run, 'Import Users', 0);
				const rejected = outItems(r.run, 'Import Users', 1);
				const detail = JSON.stringify({ ok, rejected }).slice(0, 2500);
				assert.deepEqual(
					ok.map((i) => i.pairedItem?.item),
					[0, 1],
					`imported rows: ${detail}`,
				);
				assert.deepEqual(
					rejected.map((i) => i.pairedItem?.item),
					[2],
					`rejected rows: ${detail}`,
				);
				assert.ok(rejected[0].json.error && rejected[0].json.message, detail);
				const entries = await emu.log();
				const uploads = entries.filter((e) => e.method === 'POST' && /import/.test(e.path));
				assert.equal(
					uploads.length,
					1,
					`one upload: ${entries.map((e) => `${e.method} ${e.path} ${e.status}`)}`,
				);
				const state = await emu.state('users');
				for (const cid of ['imp-1', 'imp-2'])
					assert.ok(
						state.users.some((u) => u.custom_id === cid),
						`emulator has ${cid}`,
					);
				assert.ok(
					!state.users.some((u) => u.custom_id === 'imp-3'),
					'the invalid row was not imported',
				);
			},
		);

		// -------------------------------------------------------------- error output
		await check(
			version,
			'"Continue (using error output)": bad items to the error output with the normalized error and pairedItem, good items to main',
			async () => {
				await emu.control('DELETE', 'log');
				const r = await executeWorkflow(rt, env, WF.errors);
				texts.push(r.output);
				assertRunOk(r, 'error-output workflow');
				const run = r.run;
				const good = outItems(run, 'Send Event', 0);
				const bad = outItems(run, 'Send Event', 1);
				assert.deepEqual(
					good.map((i) => i.pairedItem?.item ?? i.pairedItem),
					[0, 2],
					`main output pairedItem: ${JSON.stringify(good)}`,
				);
				assert.deepEqual(
					good.map((i) => i.json.user_custom_id),
					['cust-001', 'cust-002'],
				);
				assert.deepEqual(
					bad.map((i) => i.pairedItem?.item ?? i.pairedItem),
					[1, 3],
					`error output pairedItem: ${JSON.stringify(bad)}`,
				);
				for (const item of bad) {
					// the node emits { error, message }; n8n 2.x adds the input item's fields when routing it
					assert.ok(
						'error' in item.json && 'message' in item.json,
						`error item keys ${Object.keys(item.json)}`,
					);
					for (const k of Object.keys(item.json).filter((k) => k !== 'error' && k !== 'message'))
						assert.ok(['user', 'event'].includes(k), `unexpected key ${k} on error item`);
					assert.equal(typeof item.json.message, 'string');
					assert.ok(item.json.message.length > 0);
					const e = item.json.error;
					for (const k of ['httpCode', 'category', 'message', 'fields', 'description', 'retryable'])
						assert.ok(k in e, `normalized error has ${k}: ${JSON.stringify(e)}`);
				}
				const [notFound, input] = bad.map((i) => i.json.error);
				assert.equal(notFound.httpCode, 404, `unknown contact -> 404: ${JSON.stringify(notFound)}`);
				assert.equal(notFound.category, 'not_found');
				assert.equal(notFound.itemIndex, 1);
				assert.match(notFound.path ?? '', /users-by-id\/no-such-contact\/events\//);
				assert.equal(
					input.category,
					'input',
					`empty event name -> input error: ${JSON.stringify(input)}`,
				);
				assert.equal(input.httpCode, null);
				assert.equal(input.itemIndex, 3);
				assert.match(input.message + input.description, /Event Name/);
				assert.equal(outItems(run, 'Sent').length, 2);
				assert.equal(outItems(run, 'Failed').length, 2);
				// the invalid item was never sent
				const entries = await emu.log();
				assert.equal(
					entries.filter((e) => e.method === 'POST').length,
					3,
					`3 requests (2 ok + 1 unknown contact): ${entries.map((e) => `${e.method} ${e.path} ${e.status}`).join(', ')}`,
				);
			},
		);

		// -------------------------------------------------------------- shared throttle
		await check(
			version,
			'two workflows at the same moment in one n8n process (execute-batch --concurrency=2): no window over 10/s, no 429',
			async () => {
				await emu.control('DELETE', 'log');
				const r = await executeBatch(rt, env, [WF.concA, WF.concB], { concurrency: 2 });
				texts.push(r.output, r.snapshotText);
				assert.equal(r.code, 0, `execute-batch exited with ${r.code}:\n${r.output.slice(-2000)}`);
				assert.equal(
					r.summary?.summary?.successfulExecutions,
					2,
					`summary: ${JSON.stringify(r.summary?.summary)}`,
				);
				for (const [id, prefix] of [
					[WF.concA, 'conc-a-'],
					[WF.concB, 'conc-b-'],
				]) {
					const run = r.runs[id];
					assert.ok(run, `snapshot of ${id}`);
					const items = outItems(run, 'Upsert Contacts');
					assert.equal(items.length, 25, `${id}: 25 items`);
					assert.ok(
						items.every(
							(i, n) => i.json.custom_id === `${prefix}${n + 1}` && Number.isInteger(i.json.id),
						),
					);
				}
				const all = await emu.log();
				const timeline = all
					.map(
						(e) =>
							`${e.t - all[0].t}ms ${e.method} ${e.path} ${e.status} ${e.body?.custom_id ?? ''}`,
					)
					.join('\n');
				assert.equal(all.filter((e) => e.status === 429).length, 0, `no 429:\n${timeline}`);
				const entries = all.filter((e) => e.path.includes('users/update_or_create'));
				assert.equal(entries.length, 50, `50 upserts, got ${entries.length}:\n${timeline}`);
				const maxWin = maxInWindowFromLog(entries, 1000);
				assert.ok(maxWin <= 10, `max accepted in a 1 s window: ${maxWin} (> 10)`);
				const stats = await emu.stats();
				assert.equal(stats.throttled, 0, 'emulator stats: throttled 0');
				assert.ok(
					stats.maxAcceptedInWindow <= 10,
					`emulator stats maxAcceptedInWindow ${stats.maxAcceptedInWindow}`,
				);
				// both really ran at the same time: their requests interleave
				const who = entries.map((e) =>
					JSON.stringify(e.body ?? {}).includes('conc-a-') ? 'a' : 'b',
				);
				const lastA = who.lastIndexOf('a');
				const firstB = who.indexOf('b');
				const lastB = who.lastIndexOf('b');
				const firstA = who.indexOf('a');
				assert.ok(
					firstB < lastA && firstA < lastB,
					`requests of A and B interleave: ${who.join('')}`,
				);
				const span = (entries[entries.length - 1].t - entries[0].t) / 1000;
				assert.ok(span >= 4, `50 requests at <= 10/s take >= 4 s, took ${span}s`);
				log(
					`    50 upserts from 2 concurrent workflows in ${span.toFixed(1)} s, max ${maxWin} in any 1 s window, order ${who.join('')}`,
				);
			},
		);

		// -------------------------------------------------------------- 429 mid-run
		await check(
			version,
			'a 429 (Retry-After: 2) injected mid-run is waited out and every item succeeds',
			async () => {
				await emu.control('DELETE', 'log');
				await emu.clearFaults();
				let injectedAt = null;
				let stopPolling = false;
				const poller = (async () => {
					while (!stopPolling) {
						const entries = (await emu.log()).filter((e) =>
							e.path.includes('users/update_or_create'),
						);
						if (entries.length >= 5) {
							await emu.fault({
								pathPattern: 'users/update_or_create/',
								method: 'POST',
								count: 2,
								kind: '429',
								retryAfterSeconds: 2,
							});
							injectedAt = entries.length;
							return;
						}
						await new Promise((res) => setTimeout(res, 20));
					}
				})();
				const r = await executeWorkflow(rt, env, WF.rateLimited);
				stopPolling = true;
				await poller;
				texts.push(r.output);
				assert.ok(injectedAt !== null, 'the fault was injected while the run was going');
				assertRunOk(r, '429 workflow');
				const items = outItems(r.run, 'Upsert Contacts');
				assert.equal(items.length, 20, 'all 20 items on the main output');
				assert.ok(
					items.every(
						(i, n) =>
							i.json.custom_id === `rl-${n + 1}` && Number.isInteger(i.json.id) && !i.json.error,
					),
				);
				const entries = (await emu.log()).filter((e) => e.path.includes('users/update_or_create'));
				const hits = entries.filter((e) => e.status === 429);
				assert.equal(
					hits.length,
					2,
					`two injected 429s: ${entries.map((e) => e.status).join(',')}`,
				);
				assert.ok(
					entries.indexOf(hits[0]) >= 5,
					`the 429 came mid-run (after ${entries.indexOf(hits[0])} requests)`,
				);
				const ok = new Set(
					entries.filter((e) => e.status === 200 || e.status === 201).map((e) => e.body?.custom_id),
				);
				assert.equal(ok.size, 20, `every contact upserted once successfully (${ok.size})`);
				// Retry-After honoured: nothing was sent in the 2 s after a 429 (the window is per account)
				const next = entries.find((e) => e.t > hits[hits.length - 1].t);
				assert.ok(next, 'requests after the 429');
				const waited = (next.t - hits[hits.length - 1].t) / 1000;
				assert.ok(waited >= 1.9, `waited ${waited}s after the 429 (Retry-After: 2)`);
				const state = await emu.state('users');
				for (let n = 1; n <= 20; n++)
					assert.equal(
						state.users.filter((u) => u.custom_id === `rl-${n}`).length,
						1,
						`exactly one contact rl-${n}`,
					);
				const hints = JSON.stringify(nodeRuns(r.run, 'Upsert Contacts')[0].hints ?? []);
				assert.match(hints, /2 rate-limited \(429\)/, `execution hint about the 429s: ${hints}`);
				log(
					`    429 injected after ${injectedAt} requests; waited ${waited.toFixed(2)} s; hints: ${hints.slice(0, 300)}`,
				);
			},
		);

		// -------------------------------------------------------------- n8n server: credential test + trigger
		let server;
		let rest;
		const serverStart = Date.now();
		const needServer = !only || only.test('credential test') || only.test('User.com Trigger');
		try {
			if (!needServer) throw Object.assign(new Error('skipped'), { skipped: true });
			// A second try on a fresh port when n8n exits during start-up: once in CI (2026-12-02) n8n 2.40.7
			// exited at once after the workflow runs (a port taken between freePort() and n8n's listen, or
			// the SQLite file still held by the last `n8n execute`); the start-up is not what is tested here.
			for (let attempt = 1; ; attempt++) {
				try {
					server = await startN8nServer(rt, env, { port: await freePort() });
					break;
				} catch (e) {
					if (attempt >= 2 || !/n8n start exited/.test(String(e && e.message))) throw e;
					log(`  n8n start failed, trying once more on another port:\n${indent(e.message)}`);
					await new Promise((r) => setTimeout(r, 2000));
				}
			}
			rest = new N8nRest(server.url);
			await rest.setupOwner({
				email: 'owner@example.com',
				firstName: 'E2E',
				lastName: 'Owner',
				password: 'E2e-Password-1',
			});
			log(
				`  n8n server up on ${server.url} in ${((Date.now() - serverStart) / 1000).toFixed(1)} s`,
			);
		} catch (e) {
			if (!e.skipped)
				results.push({
					version,
					name: 'n8n server start + owner setup (POST /rest/owner/setup)',
					ok: false,
					error: e,
				});
			else log('  (n8n server not needed by the selected cases)');
			if (!e.skipped) log(`  FAIL [n8n ${version}] n8n server start\n${indent(e.stack ?? e)}`);
		}
		try {
			await check(
				version,
				'credential test (POST /rest/credentials/test as the editor does) succeeds with the key, fails clearly with a wrong key',
				async () => {
					assert.ok(rest, 'n8n server running');
					assert.equal(server.exited(), null, server.describe());
					await emu.control('DELETE', 'log');
					const test = async (apiKey) => {
						const res = await rest.request('POST', '/rest/credentials/test', {
							credentials: {
								id: CRED_ID,
								name: CRED_NAME,
								type: 'userComApi',
								data: { ...credential.data, apiKey },
							},
						});
						texts.push(res.text);
						assert.equal(
							res.status,
							200,
							`credentials/test HTTP ${res.status}: ${res.text.slice(0, 300)}\n${server.describe()}`,
						);
						return res.json.data ?? res.json;
					};
					const good = await test(key);
					assert.equal(good.status, 'OK', `good key: ${JSON.stringify(good)}`);
					const bad = await test(wrongKey);
					assert.equal(bad.status, 'Error', `wrong key: ${JSON.stringify(bad)}`);
					// n8n 2.x applies the credential's responseCode rules to a failed test request; n8n 1.x does
					// not (its RoutingNode error has no `cause.response`) and shows its generic 401 text.
					if (Number(version.split('.')[0]) >= 2)
						assert.match(bad.message, /rejected the API key/, `clear message: ${bad.message}`);
					else
						assert.match(
							bad.message,
							/rejected the API key|Authorization failed - please check your credentials/,
							`clear message: ${bad.message}`,
						);
					const entries = await emu.log();
					const seg = entries.filter((e) => e.path.endsWith('/segments/'));
					assert.equal(
						seg[0]?.status,
						200,
						`test requests ${entries.map((e) => `${e.method} ${e.path} ${e.status}`)}`,
					);
					assert.ok(
						seg.length >= 2 && seg.slice(1).every((e) => e.status === 401),
						`wrong key -> 401: ${seg.map((e) => e.status)}`,
					);
					assert.equal(seg[0].key, emu.fingerprints[0], 'the good key was sent');
					assert.notEqual(seg[1].key, seg[0].key, 'the wrong key was really sent');
					log(`    credential test: OK with the key; wrong key -> "${bad.message}"`);
				},
			);

			await check(
				version,
				'User.com Trigger (active workflow, production webhook): wrong secret 401, other event ignored, right call starts an execution',
				async () => {
					assert.ok(rest, 'n8n server running');
					assert.equal(server.exited(), null, server.describe());
					const url = `${server.url}/webhook/${trigNode.webhookId}/${'usercom'}`;
					const call = (secret, event) =>
						fetch(url, {
							method: 'POST',
							headers: {
								'content-type': 'application/json',
								...(secret ? { 'x-usercom-secret': secret } : {}),
							},
							body: JSON.stringify({
								path: 6,
								timestamp: '2026-11-25T12:00:00+00:00',
								extra: { event },
								user: {
									id: 4242,
									key: 'e2ekey',
									custom_id: 'cust-trigger',
									email: 'trigger@example.com',
									first_name: 'Tina',
								},
							}),
						}).then(async (res) => ({ status: res.status, text: await res.text() }));
					const executions = async () => {
						const res = await rest.request(
							'GET',
							`/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId: triggerWf.id }))}`,
						);
						assert.equal(
							res.status,
							200,
							`executions list: ${res.status} ${res.text.slice(0, 300)}`,
						);
						const d = res.json.data;
						return d.results ?? d;
					};
					const wrong = await call('not-the-secret-0123456789', 'e2e_ping');
					assert.equal(
						wrong.status,
						401,
						`wrong secret: ${wrong.status} ${wrong.text.slice(0, 300)}\n${server.describe()}`,
					);
					const ignored = await call(triggerSecret, 'deal_lost');
					assert.equal(ignored.status, 200, `ignored event: ${ignored.status} ${ignored.text}`);
					assert.match(ignored.text, /"ignored":\s*true/);
					assert.equal(
						(await executions()).length,
						0,
						'no execution for a wrong secret or an ignored event',
					);
					const okCall = await call(triggerSecret, 'e2e_ping');
					assert.equal(okCall.status, 200, `right call: ${okCall.status} ${okCall.text}`);
					assert.match(okCall.text, /"received":\s*true/);
					let list = [];
					for (let i = 0; i < 50 && !(list.length === 1 && list[0].status === 'success'); i++) {
						await new Promise((r) => setTimeout(r, 200));
						list = await executions();
					}
					assert.equal(list.length, 1, `one execution: ${JSON.stringify(list).slice(0, 500)}`);
					assert.equal(list[0].status, 'success', `execution status: ${JSON.stringify(list[0])}`);
					const full = await rest.request('GET', `/rest/executions/${list[0].id}`);
					texts.push(full.text);
					assert.ok(
						full.text.includes('cust-trigger') && full.text.includes('e2e_ping'),
						'the execution carries the call',
					);
					texts.push(wrong.text, ignored.text, okCall.text);
				},
			);
		} finally {
			if (server) {
				await server.stop();
				texts.push(server.logs());
			}
		}

		// -------------------------------------------------------------- companies
		await check(
			version,
			'companies: upsert (create, then update), contact by email, members by email and custom ID, tag, attributes, get, list; unknown company to the error output',
			async () => {
				await emu.reset('demo');
				const r = await executeWorkflow(rt, env, WF.company);
				texts.push(r.output);
				assertRunOk(r, 'company workflow');
				const run = r.run;
				const created = one(run, 'Create Company');
				assert.equal(created.created, true, JSON.stringify(created));
				assert.equal(created.company_id, 'e2e-co-1');
				assert.ok(Number.isInteger(created.id), `company id ${created.id}`);
				assert.deepEqual(created.phone_numbers, ['+48 500 100 200', '+48 58 100 200']);
				const updated = one(run, 'Update Company');
				assert.equal(updated.created, false);
				assert.equal(updated.id, created.id);
				assert.equal(updated.name, 'E2E Industries Ltd');
				assert.equal(updated.city, 'Gdansk', 'fields not sent are kept');
				const contact = one(run, 'Contact by Email');
				assert.equal(contact.created, true);
				assert.equal(contact.email, 'buyer@e2e-industries.example');
				const byEmail = one(run, 'Add Member by Email');
				assert.equal(byEmail.user_id, contact.id);
				assert.equal(one(run, 'Add Member by Custom ID').user_custom_id, 'cust-002');
				assert.equal(one(run, 'Tag Company').success, true);
				const got = one(run, 'Get Company');
				assert.equal(got.custom_id, 'e2e-co-1');
				assert.deepEqual(got.tags, ['Key account']);
				assert.deepEqual(got.attributes, { industry: 'Robotics' });
				assert.equal(one(run, 'Remove Member').success, true);
				const list = outItems(run, 'List Companies');
				assert.equal(
					list.length,
					3,
					`demo seed has 2 companies + 1 created: ${JSON.stringify(list).slice(0, 600)}`,
				);
				assert.equal(outItems(run, 'Get Unknown Company', 0).length, 0);
				const missing = outItems(run, 'Get Unknown Company', 1);
				assert.equal(missing.length, 1);
				assert.equal(missing[0].pairedItem?.item, 0);
				assert.equal(missing[0].json.message, 'No Company matches the given query.');
				assert.equal(missing[0].json.error.httpCode, 404);
				const state = await emu.state('companies');
				const co = state.companies.find((c) => c.company_id === 'e2e-co-1');
				assert.ok(co, 'emulator has e2e-co-1');
				assert.deepEqual(
					co.members,
					[contact.id],
					`members after removing cust-002: ${JSON.stringify(co)}`,
				);
				const entries = await emu.log();
				const failed = entries.filter(
					(e) =>
						e.status >= 400 &&
						e.status !== 429 &&
						!/no-such-company|companies-by-id\/e2e-co-1\/$/.test(e.path),
				);
				assert.deepEqual(
					failed.map((e) => `${e.method} ${e.path} ${e.status}`),
					[],
					'no other failed request',
				);
			},
		);

		// -------------------------------------------------------------- the demo's example workflows
		await check(
			version,
			'the example workflows (demo, README) run and give the documented results',
			async () => {
				await emu.reset('demo');
				// 1: products -> contact -> deal -> event
				let r = await executeWorkflow(rt, env, 'ucDemoOrder00001');
				texts.push(r.output);
				assertRunOk(r, 'example 1');
				const products = outItems(r.run, '1. Products');
				assert.equal(products.length, 2);
				assert.equal(
					products[0].json.error !== undefined,
					true,
					'SKU-001 exists already: error item, run goes on',
				);
				assert.equal(
					products[1].json.custom_id,
					'SKU-010',
					JSON.stringify(products).slice(0, 1500),
				);
				assert.equal(one(r.run, '2. Contact (upsert by custom ID)').custom_id, 'cust-101');
				const deal = one(r.run, '3. Deal (order, upsert by order ID)');
				assert.equal(deal.custom_id, 'ORD-2001');
				assert.equal(deal.value, 528);
				assert.equal(one(r.run, '4. Event (order placed)').name, 'order_placed');
				// 2: bulk sync, 60 rows, one bad email to the error output
				r = await executeWorkflow(rt, env, 'ucDemoBulk000001');
				texts.push(r.output);
				assertRunOk(r, 'example 2');
				assert.equal(outItems(r.run, 'Upsert Contact', 0).length, 59);
				const failed = outItems(r.run, 'Upsert Contact', 1);
				assert.equal(failed.length, 1);
				assert.equal(failed[0].pairedItem.item, 41);
				assert.equal(failed[0].json.error.category, 'input');
				// 3: error output
				r = await executeWorkflow(rt, env, 'ucDemoErrors0001');
				texts.push(r.output);
				assertRunOk(r, 'example 3');
				assert.equal(outItems(r.run, 'Sent').length, 2);
				const explained = outItems(r.run, 'Explain Failure');
				assert.equal(explained.length, 1);
				assert.equal(explained[0].json.contact, 'unknown-contact');
				assert.equal(explained[0].json.category, 'not_found');
				// 4: B2B account: company upserted, contacts by email (one existing, two new), all members
				r = await executeWorkflow(rt, env, 'ucDemoCompany001');
				texts.push(r.output);
				assertRunOk(r, 'example 4');
				assert.equal(one(r.run, '1. Company (upsert by account ID)').company_id, 'ACC-300');
				const contacts = outItems(r.run, '2. Contact (upsert by email)');
				assert.deepEqual(
					contacts.map((c) => c.json.created),
					[true, true, false],
					JSON.stringify(contacts).slice(0, 1500),
				);
				const members = outItems(r.run, '3. Add to Company');
				assert.equal(members.length, 3);
				assert.ok(
					members.every((m) => m.json.success === true),
					JSON.stringify(members).slice(0, 1500),
				);
				const companies = (await emu.state('companies')).companies;
				const acc = companies.find((c) => c.company_id === 'ACC-300');
				assert.deepEqual([...acc.members].sort(), contacts.map((c) => c.json.id).sort());
			},
		);

		// -------------------------------------------------------------- key never shown
		await check(
			version,
			'the API key (and the trigger secret) appear nowhere in the run JSON, n8n output/logs, REST answers or n8n data files',
			async () => {
				assert.ok(texts.length >= 2, 'collected outputs');
				const hits = [];
				texts.forEach((t, i) => {
					if (String(t).includes(key)) hits.push(`collected output #${i}`);
					if (String(t).includes(triggerSecret))
						hits.push(`collected output #${i} (trigger secret)`);
				});
				// n8n's own files: event log, database (credentials must be encrypted at rest), config
				const walk = (dir) => {
					for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
						const p = path.join(dir, ent.name);
						if (ent.isDirectory()) {
							if (ent.name === 'node_modules') continue;
							walk(p);
						} else if (ent.isFile() && fs.statSync(p).size < 200 * 1024 * 1024) {
							const buf = fs.readFileSync(p);
							if (buf.includes(key)) hits.push(p);
							if (buf.includes(triggerSecret)) hits.push(`${p} (trigger secret)`);
						}
					}
				};
				walk(userFolder);
				assert.deepEqual(hits, [], `API key found in: ${hits.join(', ')}`);
				// and the test is able to see a leak: the key is in what we sent to n8n
				assert.ok(JSON.stringify(credential).includes(key));
			},
		);
	} finally {
		if (emu) await emu.stop();
		if (!keepFolders) fs.rmSync(userFolder, { recursive: true, force: true });
		else log(`  kept ${userFolder}`);
	}
	const secs = ((Date.now() - t0) / 1000).toFixed(1);
	log(`== n8n ${version}: ${secs} s`);
	return Number(secs);
}

// ------------------------------------------------------------------------------------------------ main
// Ctrl-C / SIGTERM: exit through process.exit so the 'exit' handlers kill n8n's process groups,
// release locks and stop the emulator.
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => process.exit(130));
const t0 = Date.now();
const timings = {};
let exitCode = 0;
try {
	const givenTarball = process.env.USERCOM_E2E_TARBALL
		? path.resolve(process.env.USERCOM_E2E_TARBALL)
		: undefined;
	if (process.env.USERCOM_E2E_SKIP_BUILD !== '1' && !givenTarball) {
		log('building the package (npm run build)');
		execFileSync('npm', ['run', 'build', '--silent'], {
			cwd: repoRoot,
			stdio: ['ignore', 'ignore', 'inherit'],
		});
	}
	const packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'usercom-pack-'));
	// USERCOM_E2E_TARBALL: test a given package tarball (e.g. the published one from `npm pack n8n-nodes-usercom`)
	const tarball = givenTarball ?? packPackage(repoRoot, packDir);
	log(`packed ${path.basename(tarball)}`);
	log(`provisioning n8n ${versions.join(', ')} (cached after the first run)`);
	const tp = Date.now();
	await Promise.all(versions.map((v) => provision(v)));
	timings.provision = ((Date.now() - tp) / 1000).toFixed(1);
	for (const v of versions) {
		try {
			timings[v] = await runVersion(v, tarball);
		} catch (e) {
			results.push({ version: v, name: 'setup', ok: false, error: e });
			log(`  FAIL [n8n ${v}] setup\n${indent(e.stack ?? e)}`);
		}
	}
	fs.rmSync(packDir, { recursive: true, force: true });
} catch (e) {
	results.push({ version: '-', name: 'setup', ok: false, error: e });
	console.error(e);
}
const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
console.log('');
for (const r of results)
	console.log(
		`${r.ok ? 'PASS' : 'FAIL'}  n8n ${r.version}  ${r.name}${r.ms ? `  (${(r.ms / 1000).toFixed(1)} s)` : ''}`,
	);
console.log(
	`\ntimes: provisioning ${timings.provision ?? '-'} s; ${versions.map((v) => `n8n ${v} ${timings[v] ?? '-'} s`).join('; ')}; total ${((Date.now() - t0) / 1000).toFixed(1)} s`,
);
console.log(`${passed} passed, ${failed} failed`);
if (failed > 0 || passed === 0) exitCode = 1;
process.exit(exitCode);
