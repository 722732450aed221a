/**
 * Redis + PostgreSQL for n8n's queue mode, from Debian's packages, started by the bench itself on
 * loopback, non-default ports, in a temp dir, and stopped at the end.
 * Install once (root): apt-get update && apt-get install -y redis-server postgresql
 */
import { spawn, spawnSync, ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, chmodSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as net from 'node:net';

export async function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const srv = net.createServer();
		srv.unref();
		srv.on('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const port = (srv.address() as net.AddressInfo).port;
			srv.close(() => resolve(port));
		});
	});
}

export function findPgBin(): string | null {
	const root = '/usr/lib/postgresql';
	if (!existsSync(root)) return null;
	const versions = readdirSync(root)
		.filter((v) => existsSync(join(root, v, 'bin', 'pg_ctl')))
		.sort((a, b) => Number(b) - Number(a));
	return versions.length ? join(root, versions[0], 'bin') : null;
}

export function queueServicesAvailable(): { ok: boolean; why?: string } {
	if (!existsSync('/usr/bin/redis-server'))
		return { ok: false, why: 'redis-server not installed (apt-get install -y redis-server)' };
	if (!findPgBin())
		return { ok: false, why: 'postgresql not installed (apt-get install -y postgresql)' };
	if (spawnSync('id', ['-u', 'postgres']).status !== 0)
		return { ok: false, why: 'no postgres system user' };
	return { ok: true };
}

async function waitFor(
	check: () => boolean | Promise<boolean>,
	timeoutMs: number,
	what: string,
): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if (await check()) return;
		await new Promise((r) => setTimeout(r, 200));
	}
	throw new Error(`timed out waiting for ${what}`);
}

function tcpOpen(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const s = net.connect(port, '127.0.0.1');
		s.once('connect', () => {
			s.destroy();
			resolve(true);
		});
		s.once('error', () => resolve(false));
	});
}

export interface QueueServices {
	redisPort: number;
	pgPort: number;
	pgDatabase: string;
	dir: string;
	psql(sql: string): string;
	stop(): Promise<void>;
}

export async function startQueueServices(log: (s: string) => void): Promise<QueueServices> {
	const avail = queueServicesAvailable();
	if (!avail.ok) throw new Error(avail.why);
	const pgBin = findPgBin()!;
	const dir = mkdtempSync(join(tmpdir(), 'usercom-bench-q-'));
	chmodSync(dir, 0o755);
	const redisPort = await freePort();
	const pgPort = await freePort();
	const pgData = join(dir, 'pg');
	let redis: ChildProcess | null = null;
	let pgStarted = false;

	const stop = async () => {
		if (redis && redis.exitCode === null) {
			redis.kill('SIGTERM');
			await new Promise((r) => {
				const t = setTimeout(r, 3000);
				redis!.once('exit', () => {
					clearTimeout(t);
					r(null);
				});
			});
		}
		if (pgStarted) {
			spawnSync(
				'runuser',
				['-u', 'postgres', '--', join(pgBin, 'pg_ctl'), '-D', pgData, '-m', 'fast', '-w', 'stop'],
				{
					stdio: 'ignore',
				},
			);
			pgStarted = false;
		}
		rmSync(dir, { recursive: true, force: true });
	};

	try {
		log(`redis on 127.0.0.1:${redisPort}, postgres on 127.0.0.1:${pgPort} (dir ${dir})`);
		redis = spawn(
			'/usr/bin/redis-server',
			[
				'--port',
				String(redisPort),
				'--bind',
				'127.0.0.1',
				'--save',
				'',
				'--appendonly',
				'no',
				'--dir',
				dir,
				'--daemonize',
				'no',
			],
			{ stdio: 'ignore' },
		);
		await waitFor(() => tcpOpen(redisPort), 15000, 'redis');

		spawnSync('mkdir', ['-p', pgData]);
		spawnSync('chown', ['-R', 'postgres:postgres', dir]);
		const init = spawnSync(
			'runuser',
			[
				'-u',
				'postgres',
				'--',
				join(pgBin, 'initdb'),
				'-D',
				pgData,
				'-A',
				'trust',
				'-U',
				'postgres',
				'--no-sync',
				'-E',
				'UTF8',
			],
			{ encoding: 'utf8' },
		);
		if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
		writeFileSync(join(dir, 'pg.log'), '');
		spawnSync('chown', ['postgres:postgres', join(dir, 'pg.log')]);
		const start = spawnSync(
			'runuser',
			[
				'-u',
				'postgres',
				'--',
				join(pgBin, 'pg_ctl'),
				'-D',
				pgData,
				'-l',
				join(dir, 'pg.log'),
				'-w',
				'-t',
				'60',
				'-o',
				`-p ${pgPort} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`,
				'start',
			],
			{ encoding: 'utf8' },
		);
		if (start.status !== 0) throw new Error(`pg_ctl start failed: ${start.stderr} ${start.stdout}`);
		pgStarted = true;
		const psql = (sql: string, db = 'postgres') => {
			const r = spawnSync(
				'psql',
				['-h', '127.0.0.1', '-p', String(pgPort), '-U', 'postgres', '-d', db, '-At', '-c', sql],
				{
					encoding: 'utf8',
				},
			);
			if (r.status !== 0) throw new Error(`psql failed: ${r.stderr}`);
			return r.stdout.trim();
		};
		psql('CREATE DATABASE n8n');
		return {
			redisPort,
			pgPort,
			pgDatabase: 'n8n',
			dir,
			psql: (sql: string) => psql(sql, 'n8n'),
			stop,
		};
	} catch (e) {
		await stop();
		throw e;
	}
}
