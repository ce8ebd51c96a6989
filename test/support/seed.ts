// Seeds an organization through the services (as an administrator would through the API).
import type { Services } from '../../server/services.ts';

export interface SeededOrg {
  users: Record<string, { id: string; userName: string; password: string }>;
  groups: Record<string, string>;
  sets: Record<string, { id: string; name: string }>;
}

export async function seedOrganization(
  s: Services,
  spec: {
    users?: { userName: string; password?: string; email?: string; attributes?: Record<string, string>; enabled?: boolean; displayName?: string }[];
    groups?: { name: string; members: string[] }[];
    accounts?: { accountId: string; name: string; email?: string; signInEndpoint?: string; samlProviderName?: string }[];
    permissionSets?: { name: string; sessionDuration?: string; relayState?: string; description?: string }[];
    assignments?: { accountId: string; set: string; user?: string; group?: string }[];
  },
): Promise<SeededOrg> {
  const org: SeededOrg = { users: {}, groups: {}, sets: {} };
  for (const u of spec.users ?? []) {
    const password = u.password ?? `${u.userName}-password-123`;
    const created = await s.users.create(
      {
        userName: u.userName,
        displayName: u.displayName ?? u.userName,
        emails: u.email ? [{ value: u.email, primary: true }] : [],
        attributes: u.attributes ?? {},
        enabled: u.enabled ?? true,
        password,
      },
      'test',
    );
    org.users[u.userName] = { id: created.id, userName: u.userName, password };
  }
  for (const g of spec.groups ?? []) {
    const created = await s.groups.create({ displayName: g.name }, 'test');
    org.groups[g.name] = created.id;
    for (const m of g.members) await s.groups.addMember(created.id, { userId: org.users[m]!.id }, 'test');
  }
  for (const a of spec.accounts ?? []) {
    await s.accounts.create({ accountId: a.accountId, name: a.name, email: a.email ?? `${a.accountId}@example.com`, signInEndpoint: a.signInEndpoint, ...(a.samlProviderName ? { samlProviderName: a.samlProviderName } : {}) }, 'test');
  }
  for (const p of spec.permissionSets ?? []) {
    const created = await s.permissionSets.create({ name: p.name, sessionDuration: p.sessionDuration, relayState: p.relayState, description: p.description }, 'test');
    org.sets[p.name] = { id: created.id, name: created.name };
  }
  for (const a of spec.assignments ?? []) {
    await s.assignments.create(
      {
        accountId: a.accountId,
        permissionSetId: org.sets[a.set]!.id,
        principalType: a.user ? 'USER' : 'GROUP',
        principalId: a.user ? org.users[a.user]!.id : org.groups[a.group!]!,
      },
      'test',
    );
  }
  return org;
}
