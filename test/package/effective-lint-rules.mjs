// Prints, as JSON, how ESLint configures each file given on the command line: under this project's
// eslint.config.mjs and under n8n's own configuration alone (@n8n/node-cli/eslint). A child process,
// because both configurations are ES modules that Jest's CommonJS sandbox cannot import.
import { config } from '@n8n/node-cli/eslint';
import { ESLint } from 'eslint';

const cwd = process.cwd();
const ours = new ESLint({ cwd });
const official = new ESLint({ cwd, overrideConfigFile: true, overrideConfig: config });

const result = {};
for (const file of process.argv.slice(2)) {
	const ignored = await ours.isPathIgnored(file);
	const mine = ignored ? undefined : await ours.calculateConfigForFile(file);
	const theirs = await official.calculateConfigForFile(file);
	result[file] = {
		ignored,
		ours: mine?.rules ?? {},
		official: theirs?.rules ?? {},
		noInlineConfig: mine?.linterOptions?.noInlineConfig ?? false,
	};
}
process.stdout.write(JSON.stringify(result));
