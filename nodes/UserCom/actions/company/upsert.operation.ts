import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { toNormalizedError, userComApiRequest } from '../../transport';
import { requireString } from '../../helpers/validation';
import {
	asNodeError,
	customAttributesField,
	readCustomAttributes,
	vctx,
	type ObjectRef,
} from '../common';
import { keysOrNone, recordKey } from '../recordKeys';
import {
	checkCustomId,
	companyFields,
	companyPath,
	readCompanyFields,
	setAttributesAfterWrite,
} from './shared';

const show = { resource: ['company'], operation: ['upsert'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Custom ID',
		name: 'customId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. acme',
		description:
			'Your own ID of the company. The company with this custom ID is updated, ' +
			'or created when there is none. Safe to retry.',
		displayOptions: { show },
	},
	{
		displayName: 'Name',
		name: 'name',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. Acme Corp',
		displayOptions: { show },
	},
	companyFields('additionalFields', 'Additional Fields', show, {}),
	customAttributesField(
		show,
		'company',
		'Set after the company is saved (a second request); they must exist in User.com',
	),
];

/** GET companies-by-id/<custom id>/; undefined on 404. */
async function findByCustomId(
	this: IExecuteFunctions,
	ref: ObjectRef,
	itemIndex: number,
): Promise<IDataObject | undefined> {
	try {
		return (await userComApiRequest.call(this, {
			method: 'GET',
			path: companyPath.call(this, ref, itemIndex),
			itemIndex,
			correlation: `company custom_id=${ref.value}`,
		})) as IDataObject;
	} catch (error) {
		if (toNormalizedError(error, itemIndex).httpCode === 404) return undefined;
		throw asNodeError(this.getNode(), error, itemIndex);
	}
}

/**
 * User.com has no update_or_create for companies (none is documented or used by any client), so
 * this looks the company up by custom ID, then updates it or creates it. Not atomic: items of one
 * run with the same custom ID run one after another (recordKeys), and a create that loses a race
 * with another writer (User.com says the custom ID exists) is turned into an update.
 * When the create's answer is lost (5xx, timeout, cut-off body) the company is looked up again:
 * found -> updated, not found -> created once more, so a retry never makes a second company.
 */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const ctx = vctx.call(this, itemIndex);
	const customId = checkCustomId.call(
		this,
		requireString(
			ctx,
			this.getNodeParameter('customId', itemIndex, ''),
			'Custom ID',
			'Enter the custom ID that identifies the company (the upsert matches on it).',
		),
		'Custom ID',
		itemIndex,
	);
	const name = requireString(
		ctx,
		this.getNodeParameter('name', itemIndex, ''),
		'Name',
		'Enter the company name.',
	);
	const body: IDataObject = {
		...readCompanyFields.call(this, itemIndex, 'additionalFields'),
		name,
		company_id: customId,
	};
	const attributes = readCustomAttributes.call(this, itemIndex);
	const ref: ObjectRef = { mode: 'customId', value: customId };
	const correlation = `company custom_id=${customId}`;

	const update = async (existing: IDataObject) =>
		(await userComApiRequest.call(this, {
			method: 'PUT',
			path: companyPath.call(
				this,
				{ mode: 'id', value: String(existing.id), id: Number(existing.id) },
				itemIndex,
			),
			body,
			itemIndex,
			correlation,
		})) as IDataObject;

	const create = async () =>
		(await userComApiRequest.call(this, {
			method: 'POST',
			path: 'companies/',
			body,
			itemIndex,
			correlation,
		})) as IDataObject;

	let company: IDataObject;
	let created = true;
	const existing = await findByCustomId.call(this, ref, itemIndex);
	if (existing) {
		company = await update(existing);
		created = false;
	} else {
		try {
			company = await create();
		} catch (error) {
			const normalized = toNormalizedError(error, itemIndex);
			const fields = Object.keys(normalized.fields ?? {});
			// someone else created it between the lookup and the create: update that one
			const raced =
				normalized.httpCode === 400 && fields.some((f) => f === 'company_id' || f === 'custom_id');
			// the answer was lost (5xx, timeout, cut-off body):
			// whether the create happened is checked, not guessed
			const unknownOutcome = normalized.category === 'server' || normalized.category === 'network';
			if (!raced && !unknownOutcome) throw asNodeError(this.getNode(), error, itemIndex);
			const now = await findByCustomId.call(this, ref, itemIndex);
			if (now) {
				company = await update(now);
				created = !raced;
			} else if (unknownOutcome) {
				company = await create();
			} else {
				throw asNodeError(this.getNode(), error, itemIndex);
			}
		}
	}
	const json = await setAttributesAfterWrite.call(
		this,
		itemIndex,
		company,
		attributes,
		created ? 'created' : 'updated',
	);
	return [{ json: { ...json, created } }];
}

export function recordKeys(this: IExecuteFunctions, itemIndex: number): string[] {
	return keysOrNone(() => [
		recordKey(
			'company',
			'customId',
			requireString(
				vctx.call(this, itemIndex),
				this.getNodeParameter('customId', itemIndex, ''),
				'Custom ID',
			),
		),
	]);
}
