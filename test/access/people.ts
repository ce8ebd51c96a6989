// Test doubles shared by the use-case tests in this folder: an identity source held in memory
// (its users can be disabled or removed between calls, as a directory can change behind
// Gatehouse) and a real embedded ephemeral store in a temporary file.
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import type { IdentitySource } from '../../directory/identity-source.ts';
import type { Group, User } from '../../model/types.ts';
import { EmbeddedEphemeralStore } from '../../store/ephemeral/embedded.ts';

export function user(id: string, overrides: Partial<User> = {}): User {
  const at = new Date('2026-01-01T00:00:00Z');
  return {
    id,
    userName: id,
    displayName: id,
    name: { givenName: id, familyName: 'Test' },
    emails: [{ value: `${id}@example.com`, primary: true }],
    attributes: {},
    enabled: true,
    isAdmin: false,
    source: 'builtin',
    externalId: null,
    createdAt: at,
    updatedAt: at,
    ...overrides,
  };
}

/** An identity source whose users and groups the test changes at will; it counts group reads. */
export class MemorySource implements Pick<IdentitySource, 'getUser' | 'groupsOf'> {
  readonly users = new Map<string, User>();
  readonly groups = new Map<string, Group[]>();
  groupReads = 0;

  async getUser(id: string): Promise<User | null> {
    return this.users.get(id) ?? null;
  }

  async groupsOf(u: User): Promise<Group[]> {
    this.groupReads += 1;
    return this.groups.get(u.id) ?? [];
  }
}

export function asSource(source: MemorySource): IdentitySource {
  return source as unknown as IdentitySource;
}

/** An embedded ephemeral store in a new temporary directory; close() removes it. */
export function tempEphemeralStore(): { store: EmbeddedEphemeralStore; close(): Promise<void> } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-access-'));
  const store = new EmbeddedEphemeralStore({ file: path.join(dir, 'ephemeral.db'), timeoutMs: 1000 });
  return {
    store,
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
