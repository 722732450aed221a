#!/usr/bin/env node
// prepublishOnly: the package is published only by .github/workflows/publish.yml, on a version tag,
// with npm provenance (n8n's scanner rejects a package without it). A publish from a laptop stops here.
import { readFileSync } from 'node:fs';

const fail = (message) => {
	console.error(`prepublish-guard: ${message}`);
	process.exit(1);
};

const env = process.env;
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

if (env.GITHUB_ACTIONS !== 'true') {
	fail(
		`do not publish from your machine: n8n only accepts community packages published from GitHub Actions with npm provenance. ` +
			`Tag the release instead (git tag ${version} && git push origin ${version}); .github/workflows/publish.yml publishes it.`,
	);
}
if (env.GITHUB_REF_TYPE !== 'tag') {
	fail(
		`publish runs on a version tag only (this run is for ${env.GITHUB_REF_TYPE ?? 'no'} ref "${env.GITHUB_REF_NAME ?? ''}").`,
	);
}
if ((env.GITHUB_REF_NAME ?? '').replace(/^v/, '') !== version) {
	fail(
		`tag "${env.GITHUB_REF_NAME}" does not match package.json version ${version}: bump the version or fix the tag.`,
	);
}
if (env.npm_config_provenance !== 'true') {
	fail(
		'publish with npm provenance: npm publish --provenance --access public (see .github/workflows/publish.yml).',
	);
}
console.log(
	`prepublish-guard: publishing ${version} from GitHub Actions tag ${env.GITHUB_REF_NAME} with provenance`,
);
