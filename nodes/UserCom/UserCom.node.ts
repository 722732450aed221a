import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	NodeConnectionType,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { router } from './actions/router';
import { nodeProperties } from './actions/versionDescription';
import { listSearch, loadOptions } from './methods';

/**
 * One main input and one main output. Kept in a constant: @n8n/community-nodes wants
 * NodeConnectionTypes (exists in n8n-workflow 1.x and 2.x), eslint-plugin-n8n-nodes-base wants
 * the literal 'main' inside an inline array; a constant satisfies both.
 */
const MAIN_CONNECTION: NodeConnectionType[] = [NodeConnectionTypes.Main];

export class UserCom implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'User.com',
		name: 'userCom',
		icon: { light: 'file:usercom.svg', dark: 'file:usercom.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Manage contacts, events, deals and products in User.com',
		defaults: { name: 'User.com' },
		usableAsTool: true,
		inputs: MAIN_CONNECTION,
		outputs: MAIN_CONNECTION,
		credentials: [{ name: 'userComApi', required: true }],
		properties: nodeProperties,
	};

	methods = { loadOptions, listSearch };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		// On Error → Continue (regular or error output): failed items become error items
		const continueOnFail = this.continueOnFail();
		return await router.call(this, continueOnFail);
	}
}
