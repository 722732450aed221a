/**
 * scripts/prepublish-guard.mjs (prepublishOnly) lets only the tag-triggered GitHub Actions publish
 * with provenance through; a publish from a laptop fails with the way to release instead.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';

const root = path.resolve(__dirname, '../..');
const { version } = require('../../package.json') as { version: string };

function guard(env: Record<string, string>) {
	const clean = Object.fromEntries(
		Object.entries(process.env).filter(
			([key]) => !key.startsWith('GITHUB_') && key.toLowerCase() !== 'npm_config_provenance',
		),
	);
	const run = spawnSync(process.execPath, ['scripts/prepublish-guard.mjs'], {
		cwd: root,
		env: { ...clean, ...env },
		encoding: 'utf8',
	});
	return { status: run.status, output: run.stdout + run.stderr };
}

const ci = {
	GITHUB_ACTIONS: 'true',
	GITHUB_REF_TYPE: 'tag',
	GITHUB_REF_NAME: version,
	npm_config_provenance: 'true',
};

describe('prepublishOnly guard', () => {
	it('stops a publish from a laptop and says to tag a release', () => {
		const { status, output } = guard({});
		expect(status).toBe(1);
		expect(output).toContain('do not publish from your machine');
		expect(output).toContain(`git tag ${version} && git push origin ${version}`);
	});

	it('lets the publish job through on a version tag with provenance', () => {
		expect(guard(ci)).toEqual({
			status: 0,
			output: expect.stringContaining(`publishing ${version}`),
		});
		expect(guard({ ...ci, GITHUB_REF_NAME: `v${version}` }).status).toBe(0);
	});

	it('stops GitHub Actions on a branch', () => {
		const { status, output } = guard({ ...ci, GITHUB_REF_TYPE: 'branch', GITHUB_REF_NAME: 'main' });
		expect(status).toBe(1);
		expect(output).toContain('publish runs on a version tag only');
	});

	it('stops a tag that does not match package.json', () => {
		const { status, output } = guard({ ...ci, GITHUB_REF_NAME: '9.9.9' });
		expect(status).toBe(1);
		expect(output).toContain(`tag "9.9.9" does not match package.json version ${version}`);
	});

	it('stops a publish without provenance', () => {
		const { status, output } = guard({ ...ci, npm_config_provenance: '' });
		expect(status).toBe(1);
		expect(output).toContain('publish with npm provenance');
	});
});
