#!/usr/bin/env node
// Fails when a line in the given folders is wider than Prettier's printWidth (tabs count as tabWidth).
// Prettier does not break long strings or comments; this catches those. Usage: check-line-width.mjs DIR...
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const { printWidth, tabWidth } = createRequire(import.meta.url)('../.prettierrc.js');
const files = (dir) =>
	readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
		entry.isDirectory()
			? files(join(dir, entry.name))
			: /\.(ts|json)$/.test(entry.name)
				? [join(dir, entry.name)]
				: [],
	);

const dirs = process.argv.slice(2);
if (dirs.length === 0) throw new Error('usage: check-line-width.mjs DIR...');
const wide = dirs.flatMap(files).flatMap((file) =>
	readFileSync(file, 'utf8')
		.split('\n')
		.map((line, index) => ({
			file,
			line: index + 1,
			width: line.replace(/\t/g, ' '.repeat(tabWidth)).length,
		}))
		.filter(({ width }) => width > printWidth),
);
for (const { file, line, width } of wide)
	console.error(`${file}:${line}: ${width} columns (max ${printWidth})`);
if (wide.length > 0) {
	console.error(`${wide.length} line(s) wider than ${printWidth} columns`);
	process.exit(1);
}
console.log(`All lines in ${dirs.join(', ')} fit in ${printWidth} columns`);
