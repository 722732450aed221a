// Prettier settings of n8n's n8n-nodes-starter (tabs, single quotes, trailing commas, 100 columns).
// `npm run format:check` checks nodes/ and credentials/; `npm run format` rewrites them.
module.exports = {
	printWidth: 100,
	useTabs: true,
	tabWidth: 2,
	semi: true,
	singleQuote: true,
	quoteProps: 'as-needed',
	trailingComma: 'all',
	bracketSpacing: true,
	arrowParens: 'always',
	endOfLine: 'lf',
};
