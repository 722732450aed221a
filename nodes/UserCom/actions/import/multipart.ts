/**
 * multipart/form-data (RFC 7578) built by hand as one Buffer: the package has no runtime
 * dependencies, and nodes/ may only import n8n-workflow and relative paths.
 */

export interface MultipartTextField {
	name: string;
	value: string;
}

export interface MultipartFile {
	name: string;
	filename: string;
	contentType: string;
	data: Buffer;
}

export interface MultipartBody {
	body: Buffer;
	boundary: string;
	contentType: string;
}

const BOUNDARY_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/**
 * A boundary of 24 random characters after a fixed prefix (RFC 2046 allows up to 70 characters).
 */
export function randomBoundary(random: () => number = Math.random): string {
	let suffix = '';
	for (let i = 0; i < 24; i++)
		suffix += BOUNDARY_ALPHABET[Math.floor(random() * BOUNDARY_ALPHABET.length)];
	return `----n8nUserComImport${suffix}`;
}

/**
 * Quoted-string for Content-Disposition parameters: no CR/LF,
 * quotes and backslashes escaped as %22 / %5C.
 */
function dispositionValue(value: string): string {
	return value
		.replace(/[\r\n]/g, ' ')
		.replace(/"/g, '%22')
		.replace(/\\/g, '%5C');
}

function collides(boundary: string, fields: MultipartTextField[], file: MultipartFile): boolean {
	const marker = Buffer.from(`--${boundary}`);
	if (file.data.includes(marker)) return true;
	return fields.some((field) => Buffer.from(field.value, 'utf8').includes(marker));
}

/**
 * Builds the body: text fields first, then the file. A boundary that happens to occur in the
 * content is replaced by a fresh one (checked, not assumed).
 */
export function buildMultipart(
	fields: MultipartTextField[],
	file: MultipartFile,
	boundary?: string,
	random: () => number = Math.random,
): MultipartBody {
	let chosen = boundary ?? randomBoundary(random);
	for (let attempt = 0; collides(chosen, fields, file); attempt++) {
		if (attempt > 20)
			throw new Error('Could not find a multipart boundary that does not occur in the file');
		chosen = randomBoundary(random);
	}
	const parts: Buffer[] = [];
	for (const field of fields) {
		parts.push(
			Buffer.from(
				`--${chosen}\r\nContent-Disposition: form-data; ` +
					`name="${dispositionValue(field.name)}"\r\n\r\n`,
				'utf8',
			),
			Buffer.from(field.value, 'utf8'),
			Buffer.from('\r\n', 'utf8'),
		);
	}
	parts.push(
		Buffer.from(
			`--${chosen}\r\nContent-Disposition: form-data; name="${dispositionValue(file.name)}"; ` +
				`filename="${dispositionValue(file.filename)}"\r\nContent-Type: ` +
				`${file.contentType}\r\n\r\n`,
			'utf8',
		),
		file.data,
		Buffer.from(`\r\n--${chosen}--\r\n`, 'utf8'),
	);
	return {
		body: Buffer.concat(parts),
		boundary: chosen,
		contentType: `multipart/form-data; boundary=${chosen}`,
	};
}

/** Bytes the envelope adds around a file (for keeping whole requests under the size limit). */
export function multipartOverhead(fields: MultipartTextField[], filename: string): number {
	const probe = buildMultipart(
		fields,
		{ name: 'input_file', filename, contentType: 'text/csv; charset=utf-8', data: Buffer.alloc(0) },
		randomBoundary(),
	);
	return probe.body.length;
}
