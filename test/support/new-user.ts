// A built-in directory user to write straight into a store contract's database.
import { randomBytes, randomUUID } from 'node:crypto';
import type { NewUser } from '../../store/stores.ts';

export const newUser = (over: Partial<NewUser> = {}): NewUser => ({
  id: randomUUID(),
  userName: `u-${randomBytes(4).toString('hex')}`,
  displayName: 'Someone',
  name: {},
  emails: [],
  attributes: {},
  enabled: true,
  isAdmin: false,
  source: 'builtin',
  externalId: null,
  ...over,
});
