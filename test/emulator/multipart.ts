/** Minimal multipart/form-data parser (RFC 7578) for the import endpoints. */
export interface MultipartPart {
	name: string;
	filename?: string;
	contentType?: string;
	data: Buffer;
}

export class MultipartError extends Error {}

export function boundaryOf(contentType: string | undefined): string | undefined {
	if (!contentType) return undefined;
	const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
	return m ? (m[1] ?? m[2]).trim() : undefined;
}

export function parseMultipart(body: Buffer, boundary: string): MultipartPart[] {
	const delim = Buffer.from('--' + boundary);
	const parts: MultipartPart[] = [];
	let pos = body.indexOf(delim);
	if (pos < 0)
		throw new MultipartError('Multipart form parse error - Invalid boundary in multipart: None');
	while (pos >= 0) {
		pos += delim.length;
		if (body.slice(pos, pos + 2).toString() === '--') break; // closing delimiter
		if (body.slice(pos, pos + 2).toString() === '\r\n') pos += 2;
		else if (body[pos] === 0x0a) pos += 1;
		const headerEnd = body.indexOf('\r\n\r\n', pos);
		if (headerEnd < 0)
			throw new MultipartError('Multipart form parse error - malformed part headers');
		const headerText = body.slice(pos, headerEnd).toString('utf8');
		const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delim]), headerEnd + 4);
		if (next < 0) throw new MultipartError('Multipart form parse error - missing closing boundary');
		const data = body.slice(headerEnd + 4, next);
		const headers: Record<string, string> = {};
		for (const line of headerText.split('\r\n')) {
			const idx = line.indexOf(':');
			if (idx > 0) headers[line.slice(0, idx).trim().toLowerCase()] = line.slice(idx + 1).trim();
		}
		const disp = headers['content-disposition'] ?? '';
		const name = /\bname="([^"]*)"/i.exec(disp)?.[1];
		const filename = /\bfilename="([^"]*)"/i.exec(disp)?.[1];
		if (name !== undefined)
			parts.push({ name, filename, contentType: headers['content-type'], data });
		pos = next + 2; // skip CRLF, land on the delimiter
	}
	return parts;
}
