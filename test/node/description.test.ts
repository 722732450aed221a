import { readFileSync } from 'fs';
import { join } from 'path';
import { NodeHelpers, type INodeProperties, type INodePropertyOptions } from 'n8n-workflow';

import { UserCom } from '../../nodes/UserCom/UserCom.node';
import { resources } from '../../nodes/UserCom/actions/router';
import { PRODUCT_EVENT_TYPES } from '../../nodes/UserCom/helpers/mapping';
import { PRODUCT_EVENT_TYPES as EMULATOR_EVENT_TYPES } from '../emulator';

const node = new UserCom();
const d = node.description;
const dir = join(__dirname, '../../nodes/UserCom');

function optionsOf(name: string, resource?: string): INodePropertyOptions[] {
	const prop = d.properties.find(
		(p) =>
			p.name === name &&
			(resource === undefined || p.displayOptions?.show?.resource?.includes(resource)),
	);
	return (prop?.options ?? []) as INodePropertyOptions[];
}

describe('node description', () => {
	test('identity, tool use, icons, subtitle, credential, connections', () => {
		expect(d.name).toBe('userCom');
		expect(d.displayName).toBe('User.com');
		expect(d.usableAsTool).toBe(true);
		expect(d.icon).toEqual({ light: 'file:usercom.svg', dark: 'file:usercom.dark.svg' });
		expect(d.subtitle).toBe('={{$parameter["operation"] + ": " + $parameter["resource"]}}');
		expect(d.credentials).toEqual([{ name: 'userComApi', required: true }]);
		expect(d.inputs).toEqual(['main']);
		expect(d.outputs).toEqual(['main']);
	});

	test('icons are two different real SVG files; codex names the node and its categories', () => {
		const light = readFileSync(join(dir, 'usercom.svg'), 'utf8');
		const dark = readFileSync(join(dir, 'usercom.dark.svg'), 'utf8');
		for (const svg of [light, dark])
			expect(svg).toMatch(/^<svg[^>]+xmlns="http:\/\/www.w3.org\/2000\/svg"[\s\S]*<\/svg>\s*$/);
		expect(light).not.toBe(dark);
		const codex = JSON.parse(readFileSync(join(dir, 'UserCom.node.json'), 'utf8'));
		expect(codex.node).toBe('n8n-nodes-usercom.userCom');
		expect(codex.categories).toEqual(['Marketing & Content', 'Sales']);
		expect(codex.resources.primaryDocumentation.length).toBeGreaterThan(0);
	});

	test('every operation in the UI has an implementation and every implementation is in the UI', () => {
		const uiResources = optionsOf('resource')
			.map((o) => o.value as string)
			.sort();
		expect(uiResources).toEqual(Object.keys(resources).sort());
		for (const resource of uiResources) {
			const ops = optionsOf('operation', resource)
				.map((o) => o.value as string)
				.sort();
			expect(ops).toEqual(Object.keys(resources[resource]).sort());
			for (const op of ops) {
				const module = resources[resource][op] as {
					execute?: unknown;
					executeBatch?: unknown;
					description?: INodeProperties[];
				};
				expect(
					typeof module.execute === 'function' || typeof module.executeBatch === 'function',
				).toBe(true);
				for (const prop of module.description ?? []) {
					expect(prop.displayOptions?.show?.resource).toEqual([resource]);
					expect(prop.displayOptions?.show?.operation).toEqual([op]);
				}
			}
		}
		expect(Object.keys(resources.user).sort()).toEqual(
			[
				'addTag',
				'addToList',
				'create',
				'delete',
				'get',
				'getAll',
				'removeFromList',
				'removeTag',
				'setCustomAttributes',
				'update',
				'upsert',
			].sort(),
		);
		expect(Object.keys(resources.deal).sort()).toEqual([
			'create',
			'delete',
			'get',
			'getAll',
			'update',
			'upsert',
		]);
		expect(Object.keys(resources.product).sort()).toEqual([
			'create',
			'createEvent',
			'delete',
			'get',
			'getAll',
			'update',
		]);
		expect(Object.keys(resources.event)).toEqual(['create']);
	});

	test('Request Options are shown for every resource and operation with the contract defaults', () => {
		const prop = d.properties.find((p) => p.name === 'requestOptions')!;
		expect(prop.displayOptions).toBeUndefined();
		const defaults = Object.fromEntries(
			(prop.options as INodeProperties[]).map((o) => [o.name, o.default]),
		);
		expect(defaults).toEqual({
			retryCreatesOnServerErrors: false,
			maxWaitSeconds: 300,
			timeoutSeconds: 30,
			parallelRequests: 0,
		});
	});

	test('product event types: the 16 User.com accepts (same list as the emulator)', () => {
		const values = optionsOf('eventType', 'product')
			.map((o) => o.value)
			.sort();
		expect(values).toHaveLength(16);
		expect(values).toEqual([...PRODUCT_EVENT_TYPES].sort());
		expect(values).toEqual([...EMULATOR_EVENT_TYPES].sort());
	});

	test('deal status names in the UI', () => {
		const fields = d.properties.find(
			(p) => p.name === 'additionalFields' && p.displayOptions?.show?.resource?.includes('deal'),
		)!;
		const status = (fields.options as INodeProperties[]).find((o) => o.name === 'status')!;
		expect((status.options as INodePropertyOptions[]).map((o) => o.name)).toEqual([
			'Abandoned',
			'In Progress',
			'Won',
			'Lost',
			'Archived',
		]);
	});

	test('n8n can compute the parameters of every operation (defaults resolve)', () => {
		for (const resource of Object.keys(resources)) {
			for (const operation of Object.keys(resources[resource])) {
				const params = NodeHelpers.getNodeParameters(
					d.properties,
					{ resource, operation },
					true,
					false,
					{ typeVersion: 1 },
					d,
				);
				expect(params).toMatchObject({ resource, operation, requestOptions: {} });
			}
		}
	});
});
