import { type UserComContext, executionKeyOf } from './context';
import { loggerOf } from './logging';
import { transportState } from './state';

/** What one execution's User.com requests went through (for the execution hint and summary). */
export interface ExecutionStats {
	requests: number;
	rateLimited: number;
	retries: number;
	waitMs: number;
}

const MAX_TRACKED_EXECUTIONS = 500;

/** The live counters of an execution (created on first use; the oldest are dropped beyond 500). */
export function statsFor(execKey: string): ExecutionStats {
	const executions = transportState.executions;
	let stats = executions.get(execKey);
	if (!stats) {
		stats = { requests: 0, rateLimited: 0, retries: 0, waitMs: 0 };
		executions.set(execKey, stats);
		if (executions.size > MAX_TRACKED_EXECUTIONS) {
			const oldest = executions.keys().next().value as string;
			executions.delete(oldest);
		}
	}
	return stats;
}

/** Per-execution counters so far (undefined when the execution sent nothing). */
export function getExecutionStats(executionId: string): ExecutionStats | undefined {
	const stats = transportState.executions.get(executionId);
	return stats ? { ...stats } : undefined;
}

/** The counters of the execution that `context` runs in (undefined when it sent nothing). */
export function executionStatsOf(context: UserComContext): ExecutionStats | undefined {
	return getExecutionStats(executionKeyOf(context));
}

/** Returns and forgets the counters of an execution. */
export function takeExecutionStats(executionId: string): ExecutionStats | undefined {
	const stats = getExecutionStats(executionId);
	transportState.executions.delete(executionId);
	return stats;
}

/**
 * Logs this execution's User.com summary (requests, 429s, retries, time spent waiting) — as a
 * warning when it saw 429s or retries, else at debug level — and returns the counters.
 * Meant for the end of a node run (the router also turns them into an execution hint).
 */
export function logExecutionSummary(this: UserComContext): ExecutionStats | undefined {
	const executionId = executionKeyOf(this);
	const stats = getExecutionStats(executionId);
	if (!stats) return undefined;
	const log = loggerOf(this, []);
	const meta = { executionId, ...stats, waitSeconds: Math.round(stats.waitMs / 100) / 10 };
	const text =
		`User.com execution summary: ${stats.requests} request(s), ${stats.rateLimited} ` +
		`rate-limited (429), ${stats.retries} retried, ${meta.waitSeconds} s waiting`;
	if (stats.rateLimited > 0 || stats.retries > 0) log.warn(text, meta);
	else log.debug(text, meta);
	return stats;
}
