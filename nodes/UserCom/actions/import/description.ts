import type { INodeProperties } from 'n8n-workflow';

export const IMPORT_OPERATIONS = ['importUsers', 'importDeals', 'importProducts'];

const show = { resource: ['import'], operation: IMPORT_OPERATIONS };

/** Fields shared by Import Users / Import Deals / Import Products. */
export const importFields: INodeProperties[] = [
	{
		displayName:
			'Runs once for all input items: they are written into one CSV file and uploaded ' +
			"in a single request (split into several files only above User.com's 200 MB limit). " +
			'Options are read from the first item.',
		name: 'importNotice',
		type: 'notice',
		default: '',
		displayOptions: { show },
	},
	{
		displayName: 'Source',
		name: 'source',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'From Input Items',
				value: 'items',
				description: 'Build the CSV from the input items, one row per item',
			},
			{
				name: 'From Binary File',
				value: 'binary',
				description: 'Upload a CSV file produced by an earlier node (one upload per item)',
			},
		],
		default: 'items',
		displayOptions: { show },
	},
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		hint: 'The name of the input binary field containing the CSV file',
		displayOptions: { show: { ...show, source: ['binary'] } },
	},
	{
		displayName: 'Mapping Column Mode',
		name: 'mappingMode',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Map Each Column Below',
				value: 'defineBelow',
				description: 'Name each User.com column and set its value (expressions allowed)',
			},
			{
				name: 'Map Automatically',
				value: 'autoMapAll',
				description:
					'Use every top-level field of the items as a column with the same name ' +
					'(nested objects are written as JSON)',
			},
		],
		default: 'defineBelow',
		displayOptions: { show: { ...show, source: ['items'] } },
	},
	{
		displayName: 'Columns',
		name: 'columns',
		placeholder: 'Add Column',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		default: {},
		description:
			'One CSV column per entry. Users need custom_id or email; deals need name or custom_id; ' +
			'products need custom_id.',
		displayOptions: { show: { ...show, source: ['items'], mappingMode: ['defineBelow'] } },
		options: [
			{
				displayName: 'Column',
				name: 'column',
				values: [
					{
						displayName: 'User.com Attribute',
						name: 'name',
						type: 'string',
						default: '',
						placeholder: 'email',
						description:
							'Standard attribute name (e.g. email, custom_id, first_name, phone_number; ' +
							'for deals name, value, currency; for products name, price) ' +
							'or the name of a custom attribute',
					},
					{
						displayName: 'Value',
						name: 'value',
						type: 'string',
						default: '',
						placeholder: '={{ $json.email }}',
						description:
							'Written as text. Nothing is escaped or stripped: a leading = or + stays as data.',
					},
				],
			},
		],
	},
	{
		displayName: 'Wait for Completion',
		name: 'waitForCompletion',
		type: 'boolean',
		default: true,
		description:
			'Whether to wait until User.com finished the import and return one item per row ' +
			'(rejected rows as errors). Off: return the import ID at once.',
		displayOptions: { show },
	},
	{
		displayName: 'Options',
		name: 'importOptions',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: { show },
		options: [
			{
				displayName: 'Column Mapping',
				name: 'columnMapping',
				placeholder: 'Add Mapping',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true },
				default: {},
				description:
					'Sent as column_mapping: renames CSV columns to User.com attributes on import ' +
					'(useful for files with headers such as "Email address")',
				options: [
					{
						displayName: 'Mapping',
						name: 'mapping',
						values: [
							{
								displayName: 'CSV Column',
								name: 'csvColumn',
								type: 'string',
								default: '',
								placeholder: 'Email address',
							},
							{
								displayName: 'User.com Attribute',
								name: 'attribute',
								type: 'string',
								default: '',
								placeholder: 'email',
							},
						],
					},
				],
			},
			{
				displayName: 'File Name',
				name: 'fileName',
				type: 'string',
				default: '',
				placeholder: 'n8n-users-import.csv',
				description:
					"Name of the uploaded file as shown in User.com's import history (From Input Items; " +
					'binary files keep their own name)',
			},
			{
				displayName: 'Lists',
				name: 'lists',
				type: 'string',
				default: '',
				placeholder: 'Newsletter, VIP',
				description: 'Comma-separated names of lists to add every imported user to',
				displayOptions: { show: { '/operation': ['importUsers'] } },
			},
			{
				displayName: 'Separator',
				name: 'separator',
				type: 'options',
				options: [
					{ name: 'Comma', value: 'comma' },
					{ name: 'Semicolon', value: 'semicolon' },
					{ name: 'Tab', value: 'tab' },
				],
				default: 'comma',
				description:
					'Field separator of the CSV (written for input items, expected in binary files)',
			},
			{
				displayName: 'Tags',
				name: 'tags',
				type: 'string',
				default: '',
				placeholder: 'imported, n8n',
				description: 'Comma-separated tag names to add to every imported user',
				displayOptions: { show: { '/operation': ['importUsers'] } },
			},
			{
				displayName: 'Trigger Automations',
				name: 'triggerAutomations',
				type: 'boolean',
				default: false,
				description: 'Whether User.com runs automations (e.g. "New user") for the imported users',
				displayOptions: { show: { '/operation': ['importUsers'] } },
			},
			{
				displayName: 'Wait Timeout (Seconds)',
				name: 'waitTimeout',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 600,
				description:
					'How long to wait for User.com to finish the import before failing ' +
					'with the import ID (the import keeps running)',
				displayOptions: { show: { '/waitForCompletion': [true] } },
			},
		],
	},
];
