import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { type ExecutionStats, executionStatsOf, logExecutionSummary } from '../transport';
import * as company from './company';
import * as deal from './deal';
import * as event from './event';
import * as importResource from './import';
import * as product from './product';
import * as user from './user';
import { runItems } from './runItems';
import type { ItemExecute, RecordKeysOf } from './runItems';

type BatchExecute = (
	this: IExecuteFunctions,
	items: INodeExecutionData[],
) => Promise<INodeExecutionData[]>;
interface OperationModule {
	execute?: ItemExecute;
	executeBatch?: BatchExecute;
	/**
	 * The records an item touches (items on the same record run in input order); none: every record.
	 */
	recordKeys?: RecordKeysOf;
}

/**
 * Resource name -> its operations. To register a new resource (e.g. Import, whose operations
 * may export `executeBatch` instead of `execute`): import it above and add it here, and add its
 * option + description in versionDescription.ts.
 */
export const resources: Record<string, Record<string, OperationModule>> = {
	user: user.operations,
	event: event.operations,
	deal: deal.operations,
	product: product.operations,
	company: company.operations,
	import: importResource.operations,
};

const ZERO: ExecutionStats = { requests: 0, rateLimited: 0, retries: 0, waitMs: 0 };

/** The transport's counters of this execution so far (shared by every User.com node of the run). */
function statsNow(ctx: IExecuteFunctions): ExecutionStats {
	return executionStatsOf(ctx) ?? ZERO;
}

/** Tells the user when this node's run hit User.com's rate limit or needed retries. */
function addRateLimitHint(this: IExecuteFunctions, before: ExecutionStats): void {
	// the guide's "log API interactions": one summary line per run (warn when it saw 429s/retries)
	logExecutionSummary.call(this);
	const after = statsNow(this);
	const stats: ExecutionStats = {
		requests: after.requests - before.requests,
		rateLimited: after.rateLimited - before.rateLimited,
		retries: after.retries - before.retries,
		waitMs: after.waitMs - before.waitMs,
	};
	if (stats.rateLimited <= 0 && stats.retries <= 0) return;
	const waited = Math.round(stats.waitMs / 100) / 10;
	const parts = [
		`${stats.requests} request${stats.requests === 1 ? '' : 's'}`,
		`${stats.rateLimited} rate-limited (429)`,
		`${stats.retries} retr${stats.retries === 1 ? 'y' : 'ies'}`,
		`${waited}s waited`,
	];
	const advice =
		stats.rateLimited > 0
			? ' If this happens often, lower the rate limit in the User.com credential, ' +
				'or give this n8n instance a smaller share of it.'
			: ' User.com answered with server errors or timeouts; the requests were retried.';
	this.addExecutionHints?.({
		message: `User.com: ${parts.join(', ')}.${advice}`,
		location: 'outputPane',
	});
}

export async function router(
	this: IExecuteFunctions,
	continueOnFail: boolean,
): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;
	const module = resources[resource]?.[operation];
	if (!module) {
		throw new NodeOperationError(
			this.getNode(),
			`The operation "${operation}" of "${resource}" is not supported`,
		);
	}

	const statsBefore = { ...statsNow(this) };
	const out = module.executeBatch
		? await module.executeBatch.call(this, items)
		: await runItems.call(
				this,
				items.length,
				module.execute as ItemExecute,
				module.recordKeys,
				continueOnFail,
			);
	addRateLimitHint.call(this, statsBefore);
	return [out];
}
