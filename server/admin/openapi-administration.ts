// The OpenAPI paths and schemas of administration itself: admin roles, the delegated administrator
// account, API tokens, and the audit log (docs/admin-api.md). openapi.ts merges them into the document.
import { z } from 'zod';
import { adminRoleGrantSchema } from '../../access/admin/admin-role-service.ts';
import { delegatedAdministratorRegisterSchema } from '../../access/admin/delegated-administrator.ts';

const ok = (description: string) => ({ description, content: { 'application/json': { schema: { type: 'object' } } } });
const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } });
const body = (ref: string) => ({ required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } } });
const errors = {
  '400': problem('Invalid input; nothing changed'),
  '401': problem('Missing or bad bearer token'),
  '403': problem("The caller's admin role may not do this; nothing changed, the refusal is audited"),
  '404': problem('Unknown id'),
};
const principal = [
  { name: 'principalType', in: 'path', required: true, schema: { type: 'string', enum: ['USER', 'GROUP'] } },
  { name: 'principalId', in: 'path', required: true, schema: { type: 'string' } },
];
const paging = [
  { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
  { name: 'nextToken', in: 'query', schema: { type: 'string' } },
];
const auditFilters = [
  { name: 'from', in: 'query', description: 'ISO 8601 date-time, inclusive', schema: { type: 'string', format: 'date-time' } },
  { name: 'to', in: 'query', description: 'ISO 8601 date-time, exclusive', schema: { type: 'string', format: 'date-time' } },
  { name: 'actor', in: 'query', description: 'user id, system, anonymous or cli:<name>', schema: { type: 'string' } },
  { name: 'actorName', in: 'query', description: 'a userName', schema: { type: 'string' } },
  { name: 'action', in: 'query', schema: { type: 'string' } },
  { name: 'target', in: 'query', description: 'the object, e.g. user/<id> (also accepted as object)', schema: { type: 'string' } },
  { name: 'outcome', in: 'query', schema: { type: 'string', enum: ['success', 'refused', 'failure'] } },
];

const schema = (s: z.ZodType) => {
  const { $schema: _ignored, ...json } = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return json;
};

export function administrationPaths() {
  return {
    '/tokens/{id}': {
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
      delete: { tags: ['auth'], summary: 'Revoke an API token by id, on every node at once (a delegated administrator: only their own)', responses: { '204': { description: 'Revoked' }, ...errors } },
    },
    '/admin-roles': { get: { tags: ['admin-roles'], summary: 'Every admin role grant (users with isAdmin included)', responses: { '200': ok('{items}'), ...errors } } },
    '/admin-roles/{principalType}/{principalId}': {
      parameters: principal,
      put: { tags: ['admin-roles'], summary: 'Give a built-in user or group an admin role (administrators only)', requestBody: body('AdminRoleGrant'), responses: { '200': ok('The grant'), ...errors } },
      delete: { tags: ['admin-roles'], summary: 'Take the role away; the API tokens of those who held it go too (administrators only)', responses: { '204': { description: 'Revoked' }, ...errors } },
    },
    '/delegated-administrator': {
      get: { tags: ['admin-roles'], summary: 'The registered delegated administrator account', responses: { '200': ok('{accountId, registeredAt, registeredBy}'), ...errors } },
      put: {
        tags: ['admin-roles'],
        summary: 'Register a member account as the delegated administrator account (administrators only; one at a time, never the management account)',
        requestBody: body('DelegatedAdministratorRegister'),
        responses: { '200': ok('The registration'), ...errors, '409': problem('An account is already registered') },
      },
      delete: { tags: ['admin-roles'], summary: 'Deregister it; assignments stay as they are (administrators only)', responses: { '204': { description: 'Deregistered' }, ...errors } },
    },
    '/audit': { get: { tags: ['audit'], summary: 'Audit log, newest first, filtered', parameters: [...auditFilters, ...paging], responses: { '200': ok('A page of events'), ...errors } } },
    '/audit/export': {
      get: {
        tags: ['audit'],
        summary: 'Every matching event as JSON lines, newest first',
        parameters: auditFilters,
        responses: { '200': { description: 'One event per line', content: { 'application/x-ndjson': { schema: { type: 'string' } } } }, ...errors },
      },
    },
  };
}

export function administrationSchemas() {
  return {
    AdminRoleGrant: schema(adminRoleGrantSchema),
    DelegatedAdministratorRegister: schema(delegatedAdministratorRegisterSchema),
  };
}
