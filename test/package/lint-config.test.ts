/**
 * `npm run lint` (= `n8n-node lint`) must check nodes/, credentials/ and package.json with at least
 * every rule of n8n's own configuration (@n8n/node-cli/eslint), at the same options and no lower
 * severity, while the development tooling (test/, bench/, scripts/) is left out of it.
 */
import { execFileSync } from 'child_process';
import * as path from 'path';

type RuleEntry = number | string | [number | string, ...unknown[]];

const root = path.resolve(__dirname, '../..');
const shipped = [
	'package.json',
	'nodes/UserCom/UserCom.node.ts',
	'nodes/UserCom/transport/index.ts',
	'nodes/UserCom/actions/router.ts',
	'nodes/UserComTrigger/UserComTrigger.node.ts',
	'credentials/UserComApi.credentials.ts',
	'credentials/UserComTriggerApi.credentials.ts',
];
const tooling = ['test/package/lint-config.test.ts', 'bench/run.ts', 'scripts/e2e.mjs'];

const effective: Record<
	string,
	{
		ignored: boolean;
		ours: Record<string, RuleEntry>;
		official: Record<string, RuleEntry>;
		noInlineConfig: boolean;
	}
> = JSON.parse(
	execFileSync(
		process.execPath,
		['test/package/effective-lint-rules.mjs', ...shipped, ...tooling],
		{
			cwd: root,
			encoding: 'utf8',
		},
	),
);

function severity(entry: RuleEntry | undefined): number {
	const level = Array.isArray(entry) ? entry[0] : entry;
	if (level === undefined) return 0;
	return typeof level === 'number' ? level : ({ off: 0, warn: 1, error: 2 }[level] ?? 0);
}

function options(entry: RuleEntry | undefined): unknown[] {
	return Array.isArray(entry) ? entry.slice(1) : [];
}

describe('lint configuration against n8n-node lint', () => {
	it.each(shipped)('%s is linted with every rule n8n sets, no weaker', (file) => {
		const { ignored, ours, official } = effective[file];
		expect(ignored).toBe(false);
		const enabled = Object.entries(official).filter(([, entry]) => severity(entry) > 0);
		expect(enabled.length).toBeGreaterThan(file === 'package.json' ? 10 : 50);
		const weakened = enabled
			.filter(
				([rule, entry]) =>
					severity(ours[rule]) < severity(entry) ||
					JSON.stringify(options(ours[rule])) !== JSON.stringify(options(entry)),
			)
			.map(([rule]) => rule);
		expect(weakened).toEqual([]);
	});

	it('includes the cloud rules that n8n Cloud verification depends on', () => {
		const rules = effective['nodes/UserCom/UserCom.node.ts'].ours;
		for (const rule of [
			'@n8n/community-nodes/no-restricted-globals',
			'@n8n/community-nodes/no-restricted-imports',
			'@n8n/community-nodes/missing-paired-item',
			'@n8n/community-nodes/require-node-api-error',
			'@typescript-eslint/no-explicit-any',
		]) {
			expect([rule, severity(rules[rule])]).toEqual([rule, 2]);
		}
	});

	it.each(shipped.filter((file) => file !== 'package.json'))(
		'%s ignores inline eslint-disable comments, as the scanner does',
		(file) => {
			expect(effective[file].noInlineConfig).toBe(true);
		},
	);

	it.each(tooling)('%s (development tooling, not published) is outside the lint', (file) => {
		expect(effective[file].ignored).toBe(true);
	});
});
