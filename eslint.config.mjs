// Lint = n8n's own configuration for community packages (`n8n-node lint` from @n8n/node-cli, the
// same rules its strict mode expects), kept whole for nodes/, credentials/ and package.json, plus:
// - test/, bench/ and scripts/ are ignored: they are development tooling that needs process, fs,
//   child_process and timers, they are not published (see "files" in package.json) and n8n's package
//   scanner does not lint them (it lints package.json, nodes/, credentials/ and the packed JavaScript).
// - inline eslint-disable comments are not honoured, as in the scanner;
// - nodes/ and credentials/ are type-checked while linted and keep the few n8n-nodes-base rules that
//   n8n's configuration turns off for convenience.
// test/lint-config.test.ts checks that nodes/ and credentials/ get every rule n8n's configuration sets.
import { config } from '@n8n/node-cli/eslint';
import { globalIgnores } from 'eslint/config';

export default [
	globalIgnores(['test/', 'bench/', 'scripts/', 'coverage/', 'dist/']),
	...config,
	{
		files: ['nodes/**/*.ts', 'credentials/**/*.ts'],
		linterOptions: { noInlineConfig: true, reportUnusedDisableDirectives: 'off' },
		languageOptions: { parserOptions: { project: './tsconfig.json' } },
	},
	{
		files: ['credentials/**/*.ts'],
		rules: { 'n8n-nodes-base/cred-class-field-type-options-password-missing': 'error' },
	},
	{
		files: ['nodes/**/*.ts'],
		rules: {
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'error',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'error',
			'n8n-nodes-base/node-param-type-options-max-value-present': 'error',
		},
	},
];
