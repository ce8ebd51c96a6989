// First start: the built-in directory gets an administrator `admin`, with the password from
// GATEHOUSE_BOOTSTRAP_ADMIN_PASSWORD or a generated one that the caller prints exactly once.
import { randomBytes } from 'node:crypto';
import type { UserService } from '../directory/users.ts';
import type { DirectoryStore } from '../store/stores.ts';

export const BOOTSTRAP_ADMIN = 'admin';

export type BootstrapResult = { created: false } | { created: true; userName: string; generatedPassword: string | null };

export async function ensureBootstrapAdmin(directory: DirectoryStore, users: UserService, configuredPassword: string | null): Promise<BootstrapResult> {
  // Only on a directory with no users at all: an admin who was renamed or deleted on purpose is
  // not resurrected at the next start.
  const existing = await directory.listUsers({ limit: 1 });
  if (existing.items.length > 0) return { created: false };
  const generatedPassword = configuredPassword ? null : randomBytes(18).toString('base64url');
  try {
    await users.create(
      { userName: BOOTSTRAP_ADMIN, displayName: 'Administrator', isAdmin: true, password: configuredPassword ?? generatedPassword },
      'system',
    );
  } catch (e) {
    // Another process sharing the database won the race; it printed its own password.
    if ((e as { kind?: string }).kind === 'conflict') return { created: false };
    throw e;
  }
  return { created: true, userName: BOOTSTRAP_ADMIN, generatedPassword };
}
