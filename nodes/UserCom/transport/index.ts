/**
 * The transport's public entry, used by actions/, methods/ and the Trigger. One request flows
 * request.ts (account, settings, call) -> dispatcher.ts (slot) -> send.ts (HTTP) -> outcomes.ts
 * (one function per kind of answer: done, retry or fail) -> failures.ts (normalized error).
 */
export { userComApiRequest } from './request';
export { userComApiRequestAllItems } from './pagination';
export { encodePathId } from './pathId';
export type { UserComRequestOptions } from './call';
export { CREDENTIAL_NAME, type UserComContext } from './context';
export { inFlightAdvisor } from './account';
export { bindRunSignal, unbindRunSignal } from './runSignal';
export { isCancellationError } from './failures';
export { DEFAULT_SETTINGS, readRequestSettings, type UserComRequestSettings } from './settings';
export type { UserComWriteKind } from './retry';
export type { NormalizedUserComError, UserComErrorCategory } from './errors';
export { normalizeUserComError, toNormalizedError, createUserComApiError } from './errors';
export { resolveBaseUrl } from './baseUrl';
export {
	getExecutionStats,
	executionStatsOf,
	takeExecutionStats,
	logExecutionSummary,
	type ExecutionStats,
} from './stats';
export type { Clock } from './clock';
export { yieldToEventLoop } from './state';
