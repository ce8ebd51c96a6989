// `gatehouse keys list|stage|promote|retire`: the signing key rollover from the host
// (docs/operations.md "Signing key rollover"). It works on the database the nodes share, with the
// server key they share, through the same use cases as the admin API; every node picks a change
// up within SIGNING_KEYS_REFRESH_SECONDS.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { loadExistingServerSecret } from '../access/server-secret.ts';
import { SigningKeyring } from '../access/signing-keys/keyring.ts';
import { SigningKeyService, type SigningKeyView } from '../access/signing-keys/signing-key-service.ts';
import { idpEntityId } from '../idp/saml/metadata.ts';
import type { Config } from '../server/config.ts';
import { buildProvisioning } from '../server/provisioning-services.ts';
import { openSqlStores } from '../store/sql/open.ts';
import { silentLogger, type CliIo } from './io.ts';

/** Adds `keys` to the program; its subcommands inherit the program's settings (exit and output handling). */
export function addKeysCommand(program: Command, config: () => Config, io: CliIo): Command {
  const keys = program.command('keys').description('roll the SAML signing key over: stage a next key, promote it, retire the old one');
  keys.option('--json', 'print JSON instead of text');
  const json = () => Boolean(keys.opts().json);
  const print = (value: unknown, text: string) => io.out(`${json() ? JSON.stringify(value, null, 2) : text}\n`);

  keys
    .command('list')
    .description('every signing key: current (signs), next (staged), previous (still published), retired')
    .action(() =>
      withKeys(config(), async (service) => {
        const items = await service.list();
        print({ items }, items.length ? items.map(line).join('\n') : 'No signing keys yet: start Gatehouse once to create the first.');
      }),
    );

  keys
    .command('stage')
    .description('add a next key: published in metadata at once, signing nothing until promoted')
    .option('--key <file>', 'PEM private key of your own (with --cert); otherwise Gatehouse generates one')
    .option('--cert <file>', 'PEM certificate of that key')
    .action((options: { key?: string; cert?: string }) =>
      withKeys(config(), async (service) => {
        const input = {
          ...(options.key !== undefined ? { privateKeyPem: await readFile(options.key, 'utf8') } : {}),
          ...(options.cert !== undefined ? { certificatePem: await readFile(options.cert, 'utf8') } : {}),
        };
        const staged = await service.stage(input, actor());
        print(
          staged,
          `${line(staged)}\nStaged and published in ${config().baseUrl}/saml/metadata. Give every relying party the new metadata, then:\n  gatehouse keys promote ${staged.id}`,
        );
      }),
    );

  keys
    .command('promote')
    .description('the next key signs from now on; the current one stays published as previous')
    .argument('<id>', 'id of the next key')
    .option('--force', "promote even though some account's SAML provider does not carry the key's certificate yet")
    .action((id: string, opts: { force?: boolean }) =>
      withKeys(config(), async (service) => {
        const promoted = await service.promote(id, actor(), { force: Boolean(opts.force) });
        const previous = (await service.list()).find((k) => k.status === 'previous');
        print(
          promoted,
          `${line(promoted)}\nEvery node signs with it within ${config().signingKeysRefreshSeconds} s.` +
            (previous ? ` Once nothing can hold a message signed by the old key any more:\n  gatehouse keys retire ${previous.id}` : ''),
        );
      }),
    );

  keys
    .command('retire')
    .description('remove a next or previous key from metadata and erase its private key')
    .argument('<id>', 'id of the key')
    .action((id: string) =>
      withKeys(config(), async (service) => {
        const retired = await service.retire(id, actor());
        print(retired, `${line(retired)}\nGone from metadata; its private key is erased.`);
      }),
    );
  return keys;
}

/** One key on one line: id, status, origin, expiry, fingerprint. */
function line(k: SigningKeyView): string {
  return [k.id, k.status.padEnd(8), k.origin.padEnd(11), `valid until ${k.notAfter.slice(0, 10)}`, `SHA-256 ${k.fingerprintSha256}`].join('  ');
}

function actor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}

async function withKeys(config: Config, work: (service: SigningKeyService) => Promise<void>): Promise<void> {
  // Opening a SQLite file that is not there would create an empty database beside the real one.
  if (config.database.kind === 'sqlite' && !existsSync(config.database.file)) {
    throw new Error(`No database at ${config.database.file}: set DATA_DIR or DATABASE_URL as the Gatehouse nodes have them`);
  }
  const serverSecret = await loadExistingServerSecret({ certsDir: config.certsDir, secret: config.secret });
  const sql = await openSqlStores(config.database, { connectTimeoutMs: config.dependencyTimeoutMs, queryTimeoutMs: Math.max(config.dependencyTimeoutMs, 5000) });
  try {
    const sealKey = serverSecret.deriveKey('signing-keys');
    const keyring = new SigningKeyring({ store: sql.signingKeys, sealKey, refreshMs: config.signingKeysRefreshSeconds * 1000 });
    // Promotion waits for every account's SAML provider to carry the new certificate, as on the API.
    const provisioning = buildProvisioning(config, sql, keyring, silentLogger());
    try {
      await work(new SigningKeyService({ store: sql.signingKeys, audit: sql.audit, keyring, sealKey, entityId: idpEntityId(config.baseUrl), providersBehind: () => provisioning.providersBehind() }));
    } finally {
      await provisioning.close();
    }
  } finally {
    await sql.close();
  }
}
