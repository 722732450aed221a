/**
 * What `npm pack` would publish: dist/ (compiled nodes and credentials, codex files, icons), README,
 * LICENSE and package.json. No tests, bench, scripts, TypeScript sources or source maps (their paths
 * point into a checkout that is not published). Builds dist/ first when it is missing or older than
 * a source file.
 */
import { execFileSync } from 'child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'fs';
import * as path from 'path';

const root = path.resolve(__dirname, '../..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

function newestSourceTime(dir: string): number {
	return readdirSync(dir, { withFileTypes: true }).reduce((newest, entry) => {
		const full = path.join(dir, entry.name);
		return Math.max(newest, entry.isDirectory() ? newestSourceTime(full) : statSync(full).mtimeMs);
	}, 0);
}

function ensureBuilt(): void {
	const marker = path.join(root, pkg.n8n.nodes[0]);
	const sources = Math.max(
		newestSourceTime(path.join(root, 'nodes')),
		newestSourceTime(path.join(root, 'credentials')),
	);
	if (!existsSync(marker) || statSync(marker).mtimeMs < sources) {
		execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'pipe' });
	}
}

type PackedFile = { path: string; size: number };
let files: PackedFile[];
let paths: string[];

beforeAll(() => {
	ensureBuilt();
	const [report] = JSON.parse(
		execFileSync('npm', ['pack', '--dry-run', '--json'], {
			cwd: root,
			encoding: 'utf8',
			stdio: ['ignore', 'pipe', 'pipe'],
		}),
	);
	files = report.files;
	paths = files.map((f) => f.path).sort();
}, 60_000);

describe('npm pack contents', () => {
	it('holds only dist/, README.md, LICENSE and package.json', () => {
		expect(paths.filter((p) => !p.startsWith('dist/'))).toEqual([
			'LICENSE',
			'README.md',
			'package.json',
		]);
	});

	it('has no tests, bench, scripts, sources or source maps', () => {
		const unwanted = paths.filter(
			(p) =>
				/(^|\/)(test|tests|bench|scripts|coverage)\//.test(p) ||
				/\.map$/.test(p) ||
				(/\.ts$/.test(p) && !/\.d\.ts$/.test(p)) ||
				/\.(test|spec)\.js$/.test(p) ||
				p === 'dist/package.json',
		);
		expect(unwanted).toEqual([]);
	});

	it('has every node and credential n8n loads, with its codex file and both icons', () => {
		for (const entry of [...pkg.n8n.nodes, ...pkg.n8n.credentials]) expect(paths).toContain(entry);
		for (const node of pkg.n8n.nodes as string[]) {
			const dir = path.posix.dirname(node);
			expect(paths).toContain(node.replace(/\.js$/, '.json'));
			expect(paths).toEqual(
				expect.arrayContaining([`${dir}/usercom.svg`, `${dir}/usercom.dark.svg`]),
			);
		}
		expect(paths).toEqual(
			expect.arrayContaining(['dist/credentials/usercom.svg', 'dist/credentials/usercom.dark.svg']),
		);
	});

	it('leaks no build-machine path and references no source map', () => {
		const leaks = paths
			.filter((p) => /\.(js|d\.ts|json)$/.test(p))
			.filter((p) => {
				const text = readFileSync(path.join(root, p), 'utf8');
				return (
					text.includes(root) ||
					text.includes('sourceMappingURL') ||
					/\/(home|root|Users|work)\/[^'"\s]*\/nodes\//.test(text)
				);
			});
		expect(leaks).toEqual([]);
	});

	it('stays small (compiled code, codex files and icons only)', () => {
		const total = files.reduce((sum, f) => sum + f.size, 0);
		expect(total).toBeLessThan(1_000_000);
	});
});
