import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

/**
 * Shared secret for the User.com Trigger. User.com's automation "API call" module has no
 * signature, so the automation sends this secret with every call, either in the
 * `x-usercom-secret` header or as `?secret=` in the URL. Nothing here is sent to User.com's API.
 */
export class UserComTriggerApi implements ICredentialType {
	name = 'userComTriggerApi';

	displayName = 'User.com Trigger Secret API';

	icon: Icon = {
		light: 'file:../nodes/UserComTrigger/usercom.svg',
		dark: 'file:../nodes/UserComTrigger/usercom.dark.svg',
	};

	documentationUrl = 'https://github.com/n8n-nodes-usercom/n8n-nodes-usercom#usercom-trigger';

	properties: INodeProperties[] = [
		{
			displayName: 'Secret',
			name: 'secret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'A long random string: at least 16 characters, only letters, digits and - _ . ~ ' +
				'(so it survives in a URL). Put the same value in the automation: ' +
				'as header x-usercom-secret or as ?secret=... at the end of the webhook URL.',
		},
	];
}
