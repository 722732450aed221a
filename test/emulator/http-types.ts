import type { ModelCtx } from './models';

export interface ApiRequest {
	method: string;
	/** decoded path relative to /api/public/, e.g. `users/12/` */
	rel: string;
	query: URLSearchParams;
	headers: Record<string, string | string[] | undefined>;
	/** parsed JSON body (undefined when there was none) */
	body: unknown;
	rawBody: Buffer;
	/** scheme://host as the client addressed us, for absolute `next`/`previous` URLs */
	origin: string;
}

export interface ApiResponse {
	status: number;
	body?: unknown;
	headers?: Record<string, string>;
}

export interface Quirks {
	/**
	 * Events: validate the user before anything else (the guide's "Validation order" section and the
	 * issue). With false, POST /events/ reports every field error at once, which is what the guide's
	 * "Format 2" example shows (user_id and name errors together). Default true.
	 */
	eventsUserFirst: boolean;
}

export interface ApiCtx extends ModelCtx {
	importProcessingMs: number;
	maxImportBytes: number;
	quirks: Quirks;
	advanceImports(): void;
}

export type Handler = (
	ctx: ApiCtx,
	req: ApiRequest,
	params: string[],
) => ApiResponse | Promise<ApiResponse>;

export interface Route {
	pattern: RegExp;
	methods: Partial<Record<string, Handler>>;
	/** route accepts a multipart body (imports) */
	multipart?: boolean;
}

export const notFound = (detail = 'Not found.'): ApiResponse => ({ status: 404, body: { detail } });
export const bad = (body: unknown): ApiResponse => ({ status: 400, body });
export const ok = (body: unknown, status = 200): ApiResponse => ({ status, body });
