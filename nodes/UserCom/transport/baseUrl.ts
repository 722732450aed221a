/**
 * Turns the credential's "subdomain" field into the API base URL.
 * Accepts `acme`, `acme.user.com`, or a full URL (`https://acme.user.com`,
 * `http://127.0.0.1:4010`). Plain http is only allowed for loopback hosts (the local emulator).
 * The result always ends in `/api/public/`.
 */
export type BaseUrlResult = { ok: true; url: string } | { ok: false; error: string };

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

export function isLoopbackHost(hostname: string): boolean {
	const host = hostname.toLowerCase();
	return (
		host === 'localhost' ||
		host === '[::1]' ||
		host === '::1' ||
		/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
	);
}

export function resolveBaseUrl(subdomain: unknown): BaseUrlResult {
	const fail = (error: string): BaseUrlResult => ({ ok: false, error });
	const raw = typeof subdomain === 'string' ? subdomain.trim() : '';
	if (!raw) {
		return fail(
			'The User.com credential has no subdomain: enter your app subdomain, ' +
				'e.g. "acme" for acme.user.com',
		);
	}
	if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
		let url: URL;
		try {
			url = new URL(raw);
		} catch {
			return fail(`The User.com subdomain "${raw}" is not a valid URL`);
		}
		if (url.username || url.password) {
			return fail('The User.com base URL must not contain a user name or password');
		}
		if (url.protocol === 'http:') {
			if (!isLoopbackHost(url.hostname)) {
				return fail(
					'The User.com base URL must use https ' +
						`(plain http is only allowed for localhost): ${url.origin}`,
				);
			}
		} else if (url.protocol !== 'https:') {
			return fail(`The User.com base URL must start with https:// (got ${url.protocol}//)`);
		}
		let path = url.pathname.replace(/\/+$/, '');
		if (!/\/api\/public$/.test(path)) path += '/api/public';
		return { ok: true, url: `${url.origin}${path}/` };
	}
	const host = raw.replace(/\/+$/, '').toLowerCase();
	if (host.includes('.')) {
		const labels = host.split('.');
		if (!labels.every((label) => LABEL.test(label))) {
			return fail(`The User.com subdomain "${raw}" is not a valid host name`);
		}
		return { ok: true, url: `https://${host}/api/public/` };
	}
	if (!LABEL.test(host)) {
		return fail(
			`The User.com subdomain "${raw}" is not valid: use only letters, digits and hyphens, ` +
				'e.g. "acme" for acme.user.com',
		);
	}
	return { ok: true, url: `https://${host}.user.com/api/public/` };
}

/** Joins a relative API path to the base URL, adding the trailing slash User.com requires. */
export function joinPath(baseUrl: string, path: string): string {
	let p = path.replace(/^\/+/, '');
	const q = p.indexOf('?');
	if (q >= 0) {
		const query = p.slice(q);
		p = p.slice(0, q);
		if (!p.endsWith('/')) p += '/';
		return baseUrl + p + query;
	}
	if (p && !p.endsWith('/')) p += '/';
	return baseUrl + p;
}
