// People for admin role tests: create a built-in user with a password through the admin API, and
// get them an admin API token the ordinary way (POST /api/v1/tokens).
import type { TestGatehouse } from './gatehouse.ts';

export const PERSON_PASSWORD = 'person-password-123';

export async function createPerson(gh: TestGatehouse, userName: string, over: Record<string, unknown> = {}): Promise<{ id: string; userName: string }> {
  const res = await gh.api('POST', '/users', { userName, displayName: userName, password: PERSON_PASSWORD, ...over });
  if (res.status !== 201) throw new Error(`create ${userName}: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.id as string, userName };
}

export async function createGroup(gh: TestGatehouse, displayName: string, memberIds: string[] = []): Promise<string> {
  const res = await gh.api('POST', '/groups', { displayName });
  if (res.status !== 201) throw new Error(`create group: ${res.status} ${JSON.stringify(res.body)}`);
  for (const userId of memberIds) await gh.api('POST', `/groups/${res.body.id}/members`, { userId });
  return res.body.id as string;
}

/** The raw answer of POST /tokens for `userName`. */
export async function requestToken(gh: TestGatehouse, userName: string, password = PERSON_PASSWORD) {
  return gh.api('POST', '/tokens', { userName, password }, null);
}

export async function tokenOf(gh: TestGatehouse, userName: string): Promise<string> {
  const res = await requestToken(gh, userName);
  if (res.status !== 201) throw new Error(`token for ${userName}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.token as string;
}
