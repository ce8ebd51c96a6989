// The OpenAPI 3.1 document served at /api/v1/openapi.json. Request bodies are generated from the
// very zod schemas that validate them, so the document cannot drift from the code.
import { z } from 'zod';
import { accountCreateSchema, accountUpdateSchema } from '../../access/accounts.ts';
import { assignmentSchema } from '../../access/assignments.ts';
import { instanceUpdateSchema } from '../../access/instance-settings.ts';
import { permissionSetCreateSchema, permissionSetUpdateSchema } from '../../access/permission-sets.ts';
import { stageSigningKeySchema } from '../../access/signing-keys/signing-key-service.ts';
import { provisioningSettingsSchema } from '../../access/provisioning/provisioning-service.ts';
import { ouAssignmentSchema } from '../../access/provisioning/ou-assignments.ts';
import { groupCreateSchema, groupMemberSchema, groupUpdateSchema } from '../../directory/groups.ts';
import { userCreateSchema, userUpdateSchema } from '../../directory/users.ts';
import { administrationPaths, administrationSchemas } from './openapi-administration.ts';
import {
  assignmentInputSchema as appAssignmentSchema,
  customCreateSchema,
  customUpdateSchema,
  externalCreateSchema,
  externalUpdateSchema,
} from '../../access/applications/application-input.ts';

const schema = (s: z.ZodType) => {
  const { $schema: _ignored, ...json } = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return json;
};

const body = (ref: string) => ({ required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } } });
const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } });
const ok = (description: string) => ({ description, content: { 'application/json': { schema: { type: 'object' } } } });
const listParams = [
  { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
  { name: 'nextToken', in: 'query', schema: { type: 'string' } },
  { name: 'name', in: 'query', description: 'case-insensitive substring of the name', schema: { type: 'string' } },
];
const idParam = (name = 'id') => ({ name, in: 'path', required: true, schema: { type: 'string' } });
const cascadeParam = { name: 'cascade', in: 'query', description: 'also delete the assignments that refer to it', schema: { type: 'boolean' } };
const errors = { '400': problem('Invalid input; nothing changed'), '401': problem('Missing or bad bearer token'), '404': problem('Unknown id'), '409': problem('Duplicate or still referenced') };

function crud(tag: string, create: string, update: string, deleteParams: object[] = []) {
  return {
    collection: {
      get: { tags: [tag], summary: `List ${tag}`, parameters: listParams, responses: { '200': ok('A page'), ...errors } },
      post: { tags: [tag], summary: `Create`, requestBody: body(create), responses: { '201': ok('Created'), ...errors } },
    },
    item: {
      parameters: [idParam()],
      get: { tags: [tag], summary: 'Read', responses: { '200': ok('Found'), ...errors } },
      patch: { tags: [tag], summary: 'Update (partial)', requestBody: body(update), responses: { '200': ok('Updated'), ...errors } },
      delete: { tags: [tag], summary: 'Delete', parameters: deleteParams, responses: { '204': { description: 'Deleted' }, ...errors } },
    },
  };
}

export function openApiDocument(baseUrl: string) {
  const users = crud('users', 'UserCreate', 'UserUpdate');
  const groups = crud('groups', 'GroupCreate', 'GroupUpdate');
  const accounts = crud('accounts', 'AccountCreate', 'AccountUpdate', [cascadeParam]);
  const sets = crud('permission-sets', 'PermissionSetCreate', 'PermissionSetUpdate', [cascadeParam]);
  return {
    openapi: '3.1.0',
    info: { title: 'Gatehouse admin API', version: '1' },
    servers: [{ url: `${baseUrl}/api/v1` }],
    security: [{ bearer: [] }],
    paths: {
      '/tokens': {
        get: {
          tags: ['auth'],
          summary: 'Unexpired API tokens (id, owner, role, dates; never the secret); a delegated administrator sees only their own',
          parameters: [{ name: 'userId', in: 'query', schema: { type: 'string' } }, listParams[0], listParams[1]],
          responses: { '200': ok('A page of tokens'), ...errors },
        },
        post: {
          tags: ['auth'],
          summary: 'Trade an administrator userName and password, and totpCode (the current authenticator-app code) when the account has a second factor or the MFA policy asks for one, for a bearer token',
          security: [],
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['userName', 'password'], properties: { userName: { type: 'string' }, password: { type: 'string' }, totpCode: { type: 'string', description: 'six digits; needed when the account has an authenticator app or sign-in asks for a second factor (docs/mfa.md)' } } } } } },
          responses: {
            '201': ok('{token, tokenType, expiresAt, id, role}'),
            '400': errors['400'],
            '401': errors['401'],
            '429': problem('Too many failed attempts for this name or from this address, or the account is locked; see Retry-After'),
          },
        },
      },
      '/tokens/current': { delete: { tags: ['auth'], summary: 'Revoke the token used for this call', responses: { '204': { description: 'Revoked' } } } },
      '/users': users.collection,
      '/users/{id}': users.item,
      '/users/{id}/entitlements': { parameters: [idParam()], get: { tags: ['users'], summary: 'Accounts and permission sets the user reaches directly or through groups', responses: { '200': ok('Entitlements'), ...errors } } },
      '/users/{id}/sign-in-state': { parameters: [idParam()], get: { tags: ['users'], summary: 'Whether the user is locked (state "locked", until unlocked) or throttled (state "throttled", with retryAfterSeconds) from signing in, or "open"', responses: { '200': { description: 'The state', content: { 'application/json': { schema: { type: 'object', required: ['state'], properties: { state: { type: 'string', enum: ['open', 'throttled', 'locked'] }, retryAfterSeconds: { type: 'integer' } } } } } }, ...errors } } },
      '/users/{id}/mfa-devices': { parameters: [idParam()], get: { tags: ['users'], summary: "The user's second-factor devices (id, kind, name, dates; never a secret) and how many recovery codes are unused", responses: { '200': ok('{items, recoveryCodesLeft}'), ...errors } } },
      '/users/{id}/mfa-devices/{deviceId}': { parameters: [idParam(), { name: 'deviceId', in: 'path', required: true, schema: { type: 'string' } }], delete: { tags: ['users'], summary: 'Remove one of the user\'s devices (audited); the last one takes the recovery codes with it', responses: { '204': { description: 'Removed' }, ...errors } } },
      '/users/{id}/mfa-reset': { parameters: [idParam()], post: { tags: ['users'], summary: 'Reset the user\'s MFA: every device and recovery code goes (audited); the next sign-in registers a device anew', responses: { '200': ok('{devicesRemoved}'), ...errors } } },
      '/users/{id}/unlock': { parameters: [idParam()], post: { tags: ['users'], summary: 'Lift the lock of 100 consecutive failed password checks (portal and token endpoint alike)', responses: { '204': { description: 'Unlocked' }, ...errors } } },
      '/groups': groups.collection,
      '/groups/{id}': groups.item,
      '/groups/{id}/members': {
        parameters: [idParam()],
        get: { tags: ['groups'], summary: 'List members', parameters: listParams, responses: { '200': ok('A page of users'), ...errors } },
        post: { tags: ['groups'], summary: 'Add a member', requestBody: body('GroupMember'), responses: { '204': { description: 'Added' }, ...errors } },
      },
      '/groups/{id}/members/{userId}': { parameters: [idParam(), idParam('userId')], delete: { tags: ['groups'], summary: 'Remove a member', responses: { '204': { description: 'Removed' }, ...errors } } },
      '/accounts': accounts.collection,
      '/accounts/{id}': accounts.item,
      '/permission-sets': sets.collection,
      '/permission-sets/{id}': sets.item,
      '/account-assignments': {
        get: {
          tags: ['account-assignments'],
          summary: 'List assignments, filtered by any of accountId, permissionSetId, principalType, principalId',
          parameters: ['accountId', 'permissionSetId', 'principalType', 'principalId', 'limit', 'nextToken'].map((name) => ({ name, in: 'query', schema: { type: 'string' } })),
          responses: { '200': ok('A page'), ...errors },
        },
        post: { tags: ['account-assignments'], summary: 'Assign a permission set on an account to a user or group', requestBody: body('AccountAssignment'), responses: { '201': ok('Created'), ...errors } },
        delete: {
          tags: ['account-assignments'],
          summary: 'Remove an assignment (its four fields in the query)',
          parameters: ['accountId', 'permissionSetId', 'principalType', 'principalId'].map((name) => ({ name, in: 'query', required: true, schema: { type: 'string' } })),
          responses: { '204': { description: 'Removed' }, ...errors },
        },
      },
      '/instance': {
        get: { tags: ['instance'], summary: 'Instance settings', responses: { '200': ok('Instance') } },
        patch: { tags: ['instance'], summary: 'Portal session duration, attributes for access control, SP metadata trust, the MFA policy (mode, allowedFactors, withoutDevice)', requestBody: body('InstanceUpdate'), responses: { '200': ok('Instance'), ...errors } },
      },
      '/identity-source': {
        get: { tags: ['identity-source'], summary: 'The identity source in force (built-in or LDAP; the service password is never returned)', responses: { '200': ok('Description') } },
        put: { tags: ['identity-source'], summary: 'Sign in against this LDAP / Active Directory (omit bindPassword to keep the stored one)', requestBody: { required: true, content: { 'application/json': { schema: { type: 'object' } } } }, responses: { '200': ok('Description'), '400': errors['400'], '409': problem('Set by the environment') } },
        delete: { tags: ['identity-source'], summary: 'Back to the built-in directory', responses: { '200': ok('Description'), '409': problem('Set by the environment') } },
      },
      '/identity-source/test': {
        post: {
          tags: ['identity-source'],
          summary: 'Test connection with the settings in the body, or those in force',
          parameters: [{ name: 'sampleUser', in: 'query', schema: { type: 'string' } }],
          responses: { '200': ok('Every step passed'), '422': ok('The report, with the failing step') },
        },
      },
      '/identity-source/users': { get: { tags: ['identity-source'], summary: 'Search the directory for users to assign', parameters: [{ name: 'q', in: 'query', schema: { type: 'string' } }], responses: { '200': ok('{items}') } } },
      '/identity-source/groups': { get: { tags: ['identity-source'], summary: 'Search the directory for groups to assign', parameters: [{ name: 'q', in: 'query', schema: { type: 'string' } }], responses: { '200': ok('{items}') } } },
      '/applications': {
        get: { tags: ['applications'], summary: 'List SAML applications', parameters: listParams, responses: { '200': ok('A page'), ...errors } },
        post: {
          tags: ['applications'],
          summary: 'Create from SP metadata (metadataXml, metadataUrl, a raw metadata body with ?name=), from typed fields, or an external AWS account',
          requestBody: {
            required: true,
            content: {
              'application/json': { schema: { oneOf: [{ $ref: '#/components/schemas/ApplicationCreate' }, { $ref: '#/components/schemas/ExternalAwsAccountCreate' }] } },
              'application/samlmetadata+xml': { schema: { type: 'string' } },
            },
          },
          responses: { '201': ok('Created'), ...errors },
        },
      },
      '/applications/{id}': {
        parameters: [idParam()],
        get: { tags: ['applications'], summary: 'Read', responses: { '200': ok('Found'), ...errors } },
        patch: { tags: ['applications'], summary: 'Update settings or metadata', requestBody: { required: true, content: { 'application/json': { schema: { oneOf: [{ $ref: '#/components/schemas/ApplicationUpdate' }, { $ref: '#/components/schemas/ExternalAwsAccountUpdate' }] } } } }, responses: { '200': ok('Updated'), ...errors } },
        delete: { tags: ['applications'], summary: 'Delete (with its assignments)', responses: { '204': { description: 'Deleted' }, ...errors } },
      },
      '/applications/{id}/refresh-metadata': { parameters: [idParam()], post: { tags: ['applications'], summary: 'Fetch URL metadata now', responses: { '200': ok('{outcome, error, application}'), ...errors } } },
      '/applications/{id}/assignments': {
        parameters: [idParam()],
        get: { tags: ['applications'], summary: 'Users and groups assigned', responses: { '200': ok('A page'), ...errors } },
        post: { tags: ['applications'], summary: 'Assign a user or group (roleArns for external AWS accounts)', requestBody: body('ApplicationAssignment'), responses: { '201': ok('Assigned'), ...errors } },
        delete: {
          tags: ['applications'],
          summary: 'Remove an assignment',
          parameters: ['principalType', 'principalId'].map((name) => ({ name, in: 'query', required: true, schema: { type: 'string' } })),
          responses: { '204': { description: 'Removed' }, ...errors },
        },
      },
      '/applications/{id}/preview': {
        parameters: [idParam(), { name: 'userId', in: 'query', required: true, schema: { type: 'string' } }],
        get: { tags: ['applications'], summary: 'Exactly what that user would receive (or why they would be refused)', responses: { '200': ok('Preview'), ...errors } },
      },
      '/signing-keys': {
        get: { tags: ['signing-keys'], summary: 'SAML signing keys: current (signs), next (staged), previous (still published), retired', responses: { '200': ok('{items}'), '401': errors['401'] } },
        post: {
          tags: ['signing-keys'],
          summary: 'Stage a next key, published in metadata at once and signing nothing yet: generated ({}), or the PEM pair given',
          requestBody: { required: false, content: { 'application/json': { schema: { $ref: '#/components/schemas/SigningKeyStage' } } } },
          responses: { '201': ok('The staged key'), '400': errors['400'], '401': errors['401'], '409': problem('A next key is already staged') },
        },
      },
      '/signing-keys/{id}': {
        parameters: [idParam()],
        get: { tags: ['signing-keys'], summary: 'Read', responses: { '200': ok('Found'), ...errors } },
        delete: { tags: ['signing-keys'], summary: 'Retire a next or previous key: gone from metadata, private key erased', responses: { '204': { description: 'Retired' }, ...errors, '409': problem('The current key, or already retired') } },
      },
      '/signing-keys/{id}/promote': {
        parameters: [idParam()],
        post: { tags: ['signing-keys'], summary: 'The next key signs from now on; the current one stays published as previous', responses: { '200': ok('The promoted key'), ...errors, '409': problem('Not the next key, or a previous key is still published') } },
      },
      '/oidc/signing-keys': {
        get: { tags: ['oidc'], summary: 'The OpenID Provider\'s signing keys (RS256, ES256): current (signs) and previous (still in the JWKS)', responses: { '200': ok('{items}'), '401': errors['401'] } },
      },
      '/oidc/signing-keys/rotate': {
        post: { tags: ['oidc'], summary: 'New current RS256 and ES256 keys; the replaced ones stay published until the next rotation', responses: { '200': ok('{current, previous}'), '401': errors['401'] } },
      },
      '/applications/{id}/client-secret': {
        parameters: [idParam()],
        post: { tags: ['applications'], summary: 'A new client secret for an OIDC application, shown once in the answer; the old one stops working at once', responses: { '200': ok('The application with clientSecret'), ...errors } },
      },
      ...administrationPaths(),
      ...provisioningPaths(),
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Problem: {
          type: 'object',
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            errors: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } } },
          },
        },
        UserCreate: schema(userCreateSchema),
        UserUpdate: schema(userUpdateSchema),
        GroupCreate: schema(groupCreateSchema),
        GroupUpdate: schema(groupUpdateSchema),
        GroupMember: schema(groupMemberSchema),
        AccountCreate: schema(accountCreateSchema),
        AccountUpdate: schema(accountUpdateSchema),
        PermissionSetCreate: schema(permissionSetCreateSchema),
        PermissionSetUpdate: schema(permissionSetUpdateSchema),
        AccountAssignment: schema(assignmentSchema),
        InstanceUpdate: schema(instanceUpdateSchema),
        ApplicationCreate: schema(customCreateSchema),
        ApplicationUpdate: schema(customUpdateSchema),
        ExternalAwsAccountCreate: schema(externalCreateSchema),
        ExternalAwsAccountUpdate: schema(externalUpdateSchema),
        ApplicationAssignment: schema(appAssignmentSchema),
        SigningKeyStage: schema(stageSigningKeySchema),
        ...administrationSchemas(),
        ProvisioningSettings: schema(provisioningSettingsSchema),
        OuAssignment: schema(ouAssignmentSchema),
        ProvisionTarget: { type: 'object', properties: { accountId: { type: 'string', pattern: '^\\d{12}$' } }, additionalProperties: false },
      },
    },
  };
}

/** Provisioning (docs/provisioning.md): jobs answer 202 IN_PROGRESS, polled at /provisioning/jobs/{id}. */
function provisioningPaths() {
  const tags = ['provisioning'];
  const statusParam = { name: 'provisioningStatus', in: 'query', schema: { type: 'string', enum: ['LATEST_PERMISSION_SET_PROVISIONED', 'LATEST_PERMISSION_SET_NOT_PROVISIONED'] } };
  const target = { required: false, content: { 'application/json': { schema: { $ref: '#/components/schemas/ProvisionTarget' } } } };
  const started = { '202': ok('{items}: the jobs started, IN_PROGRESS'), ...errors, '409': problem('A job of that account is already running, or no driver is configured') };
  return {
    '/permission-sets/{id}/provision': {
      parameters: [idParam()],
      post: { tags, summary: 'ProvisionPermissionSet: to one account ({accountId}) or every account it is assigned in ({})', requestBody: target, responses: started },
    },
    '/permission-sets/{id}/provisioned-accounts': {
      parameters: [idParam()],
      get: { tags, summary: 'ListAccountsForProvisionedPermissionSet: per account, role name and ARN, provisioned vs current version', parameters: [statusParam], responses: { '200': ok('{items}'), ...errors } },
    },
    '/accounts/{accountId}/provisioned-permission-sets': {
      parameters: [idParam('accountId')],
      get: { tags, summary: 'ListPermissionSetsProvisionedToAccount: per permission set, role name and ARN, provisioned vs current version', parameters: [statusParam], responses: { '200': ok('{items}'), ...errors } },
    },
    '/accounts/{accountId}/drift': {
      parameters: [idParam('accountId')],
      get: { tags, summary: 'Read the account back through the driver: what differs from the desired state', responses: { '200': ok('{accountId, provider, roles}'), ...errors } },
    },
    '/provisioning/plan': {
      get: { tags, summary: 'What apply would create, update and delete, per account (from the records; no AWS call)', parameters: [{ name: 'accountId', in: 'query', schema: { type: 'string' } }], responses: { '200': ok('{driver, accounts}'), ...errors } },
    },
    '/provisioning/apply': { post: { tags, summary: 'Start a job for every account the plan lists, or for the one given', requestBody: target, responses: started } },
    '/provisioning/stacksets': { get: { tags, summary: 'StackSets-ready CloudFormation templates, one per group of accounts sharing the same permission sets', responses: { '200': ok('{items: [{accountIds, template}]}'), '401': errors['401'] } } },
    '/provisioning/jobs': { get: { tags, summary: 'Provisioning jobs, newest first', parameters: [{ name: 'accountId', in: 'query', schema: { type: 'string' } }, ...listParams.slice(0, 2)], responses: { '200': ok('A page'), '401': errors['401'] } } },
    '/provisioning/jobs/{id}': { parameters: [idParam()], get: { tags, summary: 'DescribePermissionSetProvisioningStatus: IN_PROGRESS, SUCCEEDED or FAILED with failureReason', responses: { '200': ok('The job'), ...errors } } },
    '/organization/import': { post: { tags, summary: 'Create or update accounts from AWS Organizations (aws driver); closed or removed accounts are flagged, never deleted', responses: { '200': ok('{created, updated, flagged}'), ...errors, '409': problem('No aws driver configured') } } },
    '/ou-assignments': {
      get: { tags, summary: 'Assignments to every current and future account of an OU, with the accounts they reach now', responses: { '200': ok('{items}'), '401': errors['401'] } },
      post: { tags, summary: 'Assign a permission set in every account of an OU (and the OUs under it), now and after each import', requestBody: body('OuAssignment'), responses: { '201': ok('Created, with accountIds'), ...errors } },
    },
    '/ou-assignments/{id}': { parameters: [idParam()], delete: { tags, summary: 'Remove it, and the account assignments it made', responses: { '204': { description: 'Removed' }, ...errors } } },
    '/organization/accounts': { get: { tags, summary: 'What the last import said of each account: OU path, status, flagged', responses: { '200': ok('{items}'), '401': errors['401'] } } },
    '/provisioning/settings': {
      get: { tags, summary: 'Whether edits of permission sets are provisioned at once', responses: { '200': ok('Settings'), '401': errors['401'] } },
      put: { tags, summary: 'Replace the provisioning settings', requestBody: body('ProvisioningSettings'), responses: { '200': ok('Settings'), ...errors } },
    },
  };
}
