// A file that several processes may try to create at once, of which exactly one must win: each
// writes its candidate to a private temporary file (0600, fsynced) and hard-links it to the final
// name. link(2) fails with EEXIST when the name exists, so the winner's file appears complete or
// not at all, and every loser reads the winner's. Used for the signing key and the server secret,
// which every node sharing the directory must agree on.
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';

/** The file's content, creating it from `make()` if it does not exist yet. */
export async function readOrCreateOnce(file: string, make: () => Promise<string> | string): Promise<{ content: string; created: boolean }> {
  const existing = await readIfExists(file);
  if (existing !== null) return { content: existing, created: false };
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const content = await make();
  if (await createExclusively(file, content)) return { content, created: true };
  return { content: await readFile(file, 'utf8'), created: false };
}

async function createExclusively(file: string, content: string): Promise<boolean> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(content, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(temp, file);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

async function readIfExists(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}
