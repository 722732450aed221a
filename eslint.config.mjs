// Lint = the rules n8n's package scanner runs (@n8n/eslint-plugin-community-nodes, recommended)
// plus eslint-plugin-n8n-nodes-base. Inline eslint-disable comments are not honoured, as in the scanner.
import communityNodes from '@n8n/eslint-plugin-community-nodes';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';
import tsParser from '@typescript-eslint/parser';

const community = communityNodes.configs.recommended;

export default [
	{ ignores: ['dist/**', 'node_modules/**', 'test/**', 'bench/**', 'scripts/**', 'coverage/**'] },
	{ linterOptions: { noInlineConfig: true, reportUnusedDisableDirectives: 'off' } },
	{
		files: ['package.json'],
		languageOptions: { parser: tsParser, parserOptions: { extraFileExtensions: ['.json'] } },
		plugins: { ...community.plugins, 'n8n-nodes-base': n8nNodesBase },
		rules: {
			...Object.fromEntries(
				Object.entries(community.rules).filter(([name]) =>
					[
						'package-name-convention',
						'no-runtime-dependencies',
						'valid-peer-dependencies',
						'no-forbidden-lifecycle-scripts',
						'no-overrides-field',
						'require-files-array',
						'require-homepage',
						'valid-author',
						'node-registration-complete',
						'ai-node-package-json',
					].some((r) => name.endsWith('/' + r)),
				),
			),
			...n8nNodesBase.configs.community.rules,
		},
	},
	{
		files: ['nodes/**/*.ts', 'credentials/**/*.ts'],
		languageOptions: {
			parser: tsParser,
			parserOptions: { project: './tsconfig.json', sourceType: 'module' },
		},
		plugins: { ...community.plugins, 'n8n-nodes-base': n8nNodesBase },
		rules: { ...community.rules },
	},
	{
		files: ['credentials/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.credentials.rules,
			// This rule is meant for n8n's own repository (documentationUrl as a docs slug). Community
			// packages must give a full URL, which the scanner's credential-documentation-url requires.
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
		},
	},
	{
		files: ['nodes/**/*.ts'],
		rules: { ...n8nNodesBase.configs.nodes.rules },
	},
];
