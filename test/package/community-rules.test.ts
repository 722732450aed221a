/**
 * What n8n's current community-node rules require (n8n's source, packages/@n8n/eslint-plugin-community-nodes,
 * rules newer than the published 0.32.0) and the verification guidelines, for the checks the published
 * lint plugin cannot make today. Each block names the rule it stands in for.
 */
import { readdirSync, readFileSync } from 'fs';
import * as path from 'path';
import type { ICredentialType, INodeProperties, INodeType } from 'n8n-workflow';

import { UserComApi } from '../../credentials/UserComApi.credentials';
import { UserComTriggerApi } from '../../credentials/UserComTriggerApi.credentials';
import { UserCom } from '../../nodes/UserCom/UserCom.node';
import { UserComTrigger } from '../../nodes/UserComTrigger/UserComTrigger.node';

const root = path.resolve(__dirname, '../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');
const pkg = JSON.parse(read('package.json'));
const repoUrl = 'https://github.com/n8n-nodes-usercom/n8n-nodes-usercom';

// @n8n/constants CODEX_NODE_CATEGORIES, the list valid-node-categories checks against.
const COMMUNITY_CATEGORIES = [
	'Data & Storage',
	'Finance & Accounting',
	'Marketing & Content',
	'Productivity',
	'Miscellaneous',
	'Sales',
	'Development',
	'Analytics',
	'Communication',
	'Utility',
	'AI',
];

const nodes: Array<{ file: string; className: string; node: INodeType }> = [
	{ file: 'nodes/UserCom/UserCom.node.ts', className: 'UserCom', node: new UserCom() },
	{
		file: 'nodes/UserComTrigger/UserComTrigger.node.ts',
		className: 'UserComTrigger',
		node: new UserComTrigger(),
	},
];
const credentials: Array<{ file: string; className: string; credential: ICredentialType }> = [
	{
		file: 'credentials/UserComApi.credentials.ts',
		className: 'UserComApi',
		credential: new UserComApi(),
	},
	{
		file: 'credentials/UserComTriggerApi.credentials.ts',
		className: 'UserComTriggerApi',
		credential: new UserComTriggerApi(),
	},
];
const codexFiles = nodes.map(({ file }) => file.replace(/\.ts$/, '.json'));

/** GitHub's anchor for a Markdown heading. */
function anchor(heading: string): string {
	return heading
		.trim()
		.toLowerCase()
		.replace(/[^\p{L}\p{N}\s-]/gu, '')
		.replace(/\s/g, '-');
}
const readmeAnchors = new Set(
	read('README.md')
		.split('\n')
		.filter((line) => /^#{1,6} /.test(line))
		.map((line) => anchor(line.replace(/^#+ /, ''))),
);

/** Every parameter of a node, nested collection and fixedCollection options included. */
function parameters(
	properties: INodeProperties[],
	at = '',
): Array<{ at: string; p: INodeProperties }> {
	return properties.flatMap((p) => {
		const here = `${at}/${p.name}`;
		const own = [{ at: here, p }];
		if (p.type === 'collection' && Array.isArray(p.options))
			return own.concat(parameters(p.options as INodeProperties[], here));
		if (p.type === 'fixedCollection' && Array.isArray(p.options)) {
			return own.concat(
				(p.options as Array<{ name: string; values: INodeProperties[] }>).flatMap((group) =>
					parameters(group.values ?? [], `${here}/${group.name}`),
				),
			);
		}
		return own;
	});
}

describe('codex files (valid-node-categories, no-codex-subcategories, no-ai-codex-category)', () => {
	it.each(codexFiles)(
		'%s uses categories from the community list only, and no subcategories',
		(file) => {
			const codex = JSON.parse(read(file));
			expect(Array.isArray(codex.categories) && codex.categories.length > 0).toBe(true);
			const unknown = codex.categories.filter((c: string) => !COMMUNITY_CATEGORIES.includes(c));
			expect(unknown).toEqual([]);
			// "AI" only for nodes built with @n8n/ai-node-sdk; subcategories likewise.
			expect(codex.categories).not.toContain('AI');
			expect(codex).not.toHaveProperty('subcategories');
			expect(read(file.replace(/\.json$/, '.ts'))).not.toContain('@n8n/ai-node-sdk');
		},
	);

	it.each(codexFiles)(
		'%s names its node and links documentation that exists in the README',
		(file) => {
			const codex = JSON.parse(read(file));
			const { name } = nodes.find((n) => file.startsWith(n.file.replace(/\.ts$/, '')))!.node
				.description;
			expect(codex.node).toBe(`${pkg.name}.${name}`);
			const links: string[] = [
				...codex.resources.primaryDocumentation,
				...(codex.resources.credentialDocumentation ?? []),
			].map((entry: { url: string }) => entry.url);
			expect(links.length).toBeGreaterThan(0);
			for (const url of links.filter((u) => u.startsWith(repoUrl))) {
				expect([url, readmeAnchors.has(url.split('#')[1])]).toEqual([url, true]);
			}
			expect(codex.resources.primaryDocumentation[0].url).toMatch(new RegExp(`^${repoUrl}#`));
		},
	);

	it('the node inside n8n carries no inline codex that would override the JSON file', () => {
		for (const { node } of nodes) expect(node.description).not.toHaveProperty('codex');
	});
});

describe('node classes (node-file-conventions, node-filename-against-convention, trigger-node-conventions, node-class-description-naming)', () => {
	it.each(nodes)(
		'$file is named after its class and its description.name',
		({ file, className, node }) => {
			const { name } = node.description;
			expect(path.basename(file)).toBe(`${className}.node.ts`);
			expect(path.basename(file)).toBe(`${name.charAt(0).toUpperCase()}${name.slice(1)}.node.ts`);
			expect(name).toMatch(/^[a-z][a-zA-Z0-9]*$/);
			expect(node.description.description).not.toBe('');
			for (const credential of node.description.credentials ?? [])
				expect(credential.name).toMatch(/Api$/);
			expect(String(node.description.defaults.color ?? '').toLowerCase()).not.toBe('#ff6d5a');
		},
	);

	it('the trigger is labelled as one: name ends with Trigger, displayName contains it, no inputs', () => {
		const { description } = new UserComTrigger();
		expect(description.name).toMatch(/Trigger$/);
		expect(description.displayName).toContain('Trigger');
		expect(description.inputs).toEqual([]);
	});

	it.each(nodes)('$file uses one credential at a time (single-credential-per-node)', ({ node }) => {
		expect((node.description.credentials ?? []).length).toBeLessThanOrEqual(1);
	});

	it.each(nodes.map(({ file }) => file))(
		'%s creates every NodeOperationError with an itemIndex (node-execute-block)',
		(file) => {
			const source = read(file);
			const calls = source.match(/new NodeOperationError\([^;]*?\);/gs) ?? [];
			expect(calls.filter((call) => !/\{[^}]*\bitemIndex\b[^}]*\}\s*\)\s*;$/s.test(call))).toEqual(
				[],
			);
		},
	);

	// require-continue-on-fail looks for a this.continueOnFail() call written inside the class's own
	// execute() (it does not follow calls), so execute() reads it and passes it down to the router.
	it('UserCom.execute() calls this.continueOnFail() itself (require-continue-on-fail)', () => {
		const source = read('nodes/UserCom/UserCom.node.ts');
		const execute = source.slice(source.indexOf('async execute('));
		expect(execute).toMatch(/this\.continueOnFail\(\)/);
	});
});

describe('node parameters (require-param-default, no-duplicate-param-options, no-asterisk-in-option-names, hint-max-length)', () => {
	const all = nodes.flatMap(({ node }) =>
		parameters(node.description.properties, node.description.name),
	);

	it('checks every parameter of both nodes', () => {
		expect(all.length).toBeGreaterThan(50);
	});

	it('every parameter declares a default', () => {
		expect(all.filter(({ p }) => !('default' in p)).map(({ at }) => at)).toEqual([]);
	});

	it('options have unique names and values, and no asterisk in a name', () => {
		const problems = all
			.filter(
				({ p }) => (p.type === 'options' || p.type === 'multiOptions') && Array.isArray(p.options),
			)
			.flatMap(({ at, p }) => {
				const options = p.options as Array<{ name: string; value: unknown }>;
				const names = options.map((o) => o.name);
				const values = options.map((o) => JSON.stringify(o.value));
				return [
					...(new Set(names).size !== names.length ? [`${at}: duplicate name`] : []),
					...(new Set(values).size !== values.length ? [`${at}: duplicate value`] : []),
					...names.filter((n) => n.includes('*')).map((n) => `${at}: "${n}"`),
				];
			});
		expect(problems).toEqual([]);
	});

	it('hints are at most 120 characters (longer text belongs in description)', () => {
		expect(all.filter(({ p }) => (p.hint ?? '').length > 120).map(({ at }) => at)).toEqual([]);
	});
});

describe('credentials (cred-class-name-suffix, cred-class-field-naming, cred-filename-against-convention, credential-documentation-url)', () => {
	it.each(credentials)(
		'$file follows the naming conventions',
		({ file, className, credential }) => {
			expect(className).toMatch(/Api$/);
			expect(path.basename(file)).toBe(`${className}.credentials.ts`);
			expect(read(file)).toContain(`export class ${className} implements ICredentialType`);
			expect(credential.name).toMatch(/^[a-z][a-zA-Z0-9]*Api$/);
			expect(credential.displayName).toMatch(/^[A-Z]/);
			expect(credential.displayName).not.toMatch(/\bApi\b/);
		},
	);

	it.each(credentials)('$file links its documentation with a full https URL', ({ credential }) => {
		expect(credential.documentationUrl).toMatch(/^https:\/\/[^\s]+$/);
	});

	it('every credential file in credentials/ is listed above', () => {
		const files = readdirSync(path.join(root, 'credentials')).filter((f) =>
			f.endsWith('.credentials.ts'),
		);
		expect(files.sort()).toEqual(credentials.map(({ file }) => path.basename(file)).sort());
	});
});

describe('package.json (community-package-json, require-mit-license, require-community-node-keyword, no-monorepo, guidelines)', () => {
	it('is a community package with an MIT licence, author, description and the n8n block', () => {
		expect(pkg.name).toMatch(/^n8n-nodes-/);
		expect(pkg.keywords).toContain('n8n-community-node-package');
		expect(pkg.license).toBe('MIT');
		expect(pkg.version).toMatch(/^\d+\.\d+\.\d+/);
		expect(pkg.description.length).toBeGreaterThan(20);
		expect(pkg.author.name).toBeTruthy();
		expect(pkg.author.email).toMatch(/@/);
		expect(pkg.n8n.n8nNodesApiVersion).toBe(1);
		expect(pkg.n8n.nodes).toEqual(nodes.map(({ file }) => `dist/${file.replace(/\.ts$/, '.js')}`));
		expect(pkg.n8n.credentials).toEqual(
			credentials.map(({ file }) => `dist/${file.replace(/\.ts$/, '.js')}`),
		);
	});

	it('points to one public GitHub repository of its own (package source verification, no-monorepo)', () => {
		expect(pkg.repository.url).toBe(`git+${repoUrl}.git`);
		expect(pkg.repository).not.toHaveProperty('directory');
		expect(pkg.homepage).toBe(`${repoUrl}#readme`);
		expect(pkg.bugs?.url).toBe(`${repoUrl}/issues`);
	});

	it('publishes only dist/, with no runtime dependencies and n8n-workflow as the only peer', () => {
		expect(pkg.files).toEqual(['dist']);
		expect(pkg.dependencies).toBeUndefined();
		expect(pkg.peerDependencies).toEqual({ 'n8n-workflow': '*' });
		expect(pkg.overrides).toBeUndefined();
		for (const script of ['preinstall', 'install', 'postinstall', 'prepare', 'prepublish']) {
			expect([script, pkg.scripts[script]]).toEqual([script, undefined]);
		}
	});

	it('is published with npm provenance, as n8n requires since 1 May 2026', () => {
		expect(pkg.publishConfig).toEqual({ access: 'public', provenance: true });
		expect(pkg.scripts.prepublishOnly).toBe('node scripts/prepublish-guard.mjs');
		expect(read('.github/workflows/publish.yml')).toMatch(
			/npm publish --provenance --access public/,
		);
		expect(read('.github/workflows/publish.yml')).toMatch(/id-token: write/);
	});

	it('ships an MIT LICENSE naming the author', () => {
		const license = read('LICENSE');
		expect(license).toMatch(/^MIT License/);
		expect(license).toContain(`Copyright (c) 2026 ${pkg.author.name}`);
		expect(license).toContain('THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND');
	});
});
