// Signing keys shared by every node through PostgreSQL (access/signing-keys/): the first start
// imports the configured key or makes one, and nodes starting together agree on it; private keys
// are sealed under the server key; a key promoted on one node signs on another once that node's
// copy is older than its refresh period (moved here with an injected clock, never slept through).
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import pg from 'pg';
import { ensureCurrentSigningKey } from '../../access/signing-keys/first-start.ts';
import { SigningKeyring, publishedKeys } from '../../access/signing-keys/keyring.ts';
import { SigningKeyService } from '../../access/signing-keys/signing-key-service.ts';
import { SIGNING_KEY_FILE, readConfiguredSigningKey, signingKeyFromPem, type SigningKeyMaterial } from '../../idp/keys.ts';
import { generateSelfSignedSigningKey } from '../../idp/keys/self-signed-certificate.ts';
import { openSqlStores } from '../../store/sql/open.ts';
import type { SqlStores } from '../../store/stores.ts';
import { ENTITY_ID, tempDir } from '../idp/fixtures.ts';
import { migratedPostgresTemplate, type TestDatabase } from '../support/postgres.ts';

const child = path.join(path.dirname(fileURLToPath(import.meta.url)), 'first-signing-key.child.ts');
const SEAL_KEY = Buffer.alloc(32, 7);
const REFRESH_MS = 10_000;

/**
 * Runs first-signing-key.child.ts in one process per key, each offering its own, released together
 * once every one has found the key set empty; returns what each ended up with.
 */
async function firstStartsTogether(url: string, keys: SigningKeyMaterial[]): Promise<{ fingerprint: string; created: boolean }[]> {
  const nodes = keys.map((k) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', child, url], {
      env: { ...process.env, FIRST_KEY_PEMS: JSON.stringify({ privateKeyPem: k.privateKeyPem, certificatePem: k.key.certificatePem }) },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const offering = new Promise<void>((resolve) => {
      proc.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('offering\n')) resolve();
      });
    });
    const done = new Promise<{ fingerprint: string; created: boolean }>((resolve, reject) => {
      proc.on('exit', (code) => {
        const result = out.split('\n').find((line) => line.startsWith('{'));
        if (code === 0 && result) resolve(JSON.parse(result) as { fingerprint: string; created: boolean });
        else reject(new Error(`first start exited ${code}: ${err || out}`));
      });
    });
    return { proc, offering, done };
  });
  // A node that ends before offering (it failed, or found a key) ends the wait; its outcome tells why.
  await Promise.race([Promise.all(nodes.map((n) => n.offering)), Promise.all(nodes.map((n) => n.done))]);
  for (const { proc } of nodes) proc.stdin.write('go\n');
  return Promise.all(nodes.map((n) => n.done));
}

describe('signing keys shared through PostgreSQL', function () {
  this.timeout(120_000);
  let db: TestDatabase;
  let stores: SqlStores;
  // Keys made once, of 2048 bits, the least a signing key may have (idp/keys.ts): what is tested
  // here is how nodes share keys, not how a key is made (test/idp/keys.test.ts), and an RSA 3072
  // key takes seconds to make on a shared machine.
  let material: SigningKeyMaterial[];
  // Every test starts on a database with the schema and no key (opening and migrating are tested
  // in test/store/).
  const migratedDatabase = migratedPostgresTemplate();

  before(async () => {
    material = await Promise.all(
      [1, 2, 3].map(async () => {
        const pems = await generateSelfSignedSigningKey(ENTITY_ID, { modulusLength: 2048 });
        return { key: signingKeyFromPem(pems.privateKeyPem, pems.certificatePem, 'a test key'), privateKeyPem: pems.privateKeyPem };
      }),
    );
  });
  beforeEach(async () => {
    db = await migratedDatabase();
    stores = await openSqlStores({ kind: 'postgres', url: db.url });
  });
  afterEach(async () => {
    await stores?.close();
    await db?.drop();
  });

  const firstStart = (configured: Awaited<ReturnType<typeof readConfiguredSigningKey>>, sealKey = SEAL_KEY) =>
    ensureCurrentSigningKey({ store: stores.signingKeys, sealKey, configured: async () => configured, generate: async () => material[2]!, now: () => new Date() });

  it('imports the configured key at first start, and afterwards the database decides', async () => {
    const [configured, other] = material as [SigningKeyMaterial, SigningKeyMaterial];
    const first = await firstStart({ ...configured, origin: 'environment' });
    expect(first.created).to.equal(true);
    expect(first.current).to.include({ status: 'current', origin: 'environment', fingerprintSha256: configured.key.fingerprintSha256 });
    // A later start with another configured key changes nothing.
    const later = await firstStart({ ...other, origin: 'environment' });
    expect(later).to.deep.equal({ current: first.current, created: false });
    expect(await stores.signingKeys.list()).to.have.length(1);
  });

  it('imports the key file an earlier version left in CERTS_DIR, or makes a key when there is none', async () => {
    const certs = await tempDir('certs');
    try {
      await writeFile(path.join(certs.dir, SIGNING_KEY_FILE), material[0]!.privateKeyPem + material[0]!.key.certificatePem, { mode: 0o600 });
      const fromFile = await firstStart(await readConfiguredSigningKey({ certsDir: certs.dir }));
      expect(fromFile.current).to.include({ origin: 'file', fingerprintSha256: material[0]!.key.fingerprintSha256 });
    } finally {
      await certs.remove();
    }
    const empty = await migratedDatabase();
    const other = await openSqlStores({ kind: 'postgres', url: empty.url });
    try {
      const made = await ensureCurrentSigningKey({ store: other.signingKeys, sealKey: SEAL_KEY, configured: async () => null, generate: async () => material[2]!, now: () => new Date() });
      expect(made.current).to.include({ origin: 'generated', fingerprintSha256: material[2]!.key.fingerprintSha256 });
    } finally {
      await other.close();
      await empty.drop();
    }
  });

  it('gives two processes starting at once on an empty database one and the same key', async () => {
    // Both found no key and offer their own at the same moment: one becomes current, the other reads it.
    const results = await firstStartsTogether(db.url, [material[0]!, material[1]!]);
    expect(results[0]!.fingerprint).to.be.oneOf([material[0]!.key.fingerprintSha256, material[1]!.key.fingerprintSha256]);
    expect(results[1]!.fingerprint).to.equal(results[0]!.fingerprint);
    expect(results.filter((r) => r.created)).to.have.length(1);
    expect((await stores.signingKeys.list()).map((k) => k.fingerprintSha256)).to.deep.equal([results[0]!.fingerprint]);
  });

  it('keeps private keys sealed at rest, bound to their row, and says so when the server key differs', async () => {
    const { current } = await firstStart({ ...material[0]!, origin: 'environment' });
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const rows = (await client.query('select * from signing_keys')).rows;
      expect(JSON.stringify(rows)).to.not.include('PRIVATE KEY');
      expect(rows[0].private_key_sealed).to.match(/^v1\./);
    } finally {
      await client.end();
    }
    // A sealed value copied onto another key's row does not open there.
    const moved = await stores.signingKeys.insert(
      { id: 'sk-00000000000000aa', status: 'next', origin: 'uploaded', certificatePem: material[1]!.key.certificatePem, fingerprintSha256: material[1]!.key.fingerprintSha256, privateKeySealed: current.privateKeySealed! },
      new Date(),
    );
    const rightKey = new SigningKeyring({ store: stores.signingKeys, sealKey: SEAL_KEY, refreshMs: REFRESH_MS });
    let movedError: unknown;
    try {
      await rightKey.reload();
    } catch (e) {
      movedError = e;
    }
    expect((movedError as Error).message).to.include(`${moved.id} cannot be decrypted`);
    await stores.signingKeys.retire(moved.id, new Date());

    const wrongKey = new SigningKeyring({ store: stores.signingKeys, sealKey: Buffer.alloc(32, 9), refreshMs: REFRESH_MS });
    let error: unknown;
    try {
      await wrongKey.reload();
    } catch (e) {
      error = e;
    }
    expect((error as Error).message).to.match(new RegExp(`${current.id} cannot be decrypted with this server key.*GATEHOUSE_SECRET`));
  });

  it('signs with a key promoted on another node once that node re-reads the set, and publishes it as soon as it does', async () => {
    await firstStart({ ...material[0]!, origin: 'environment' });
    const nodes = [0, 1].map(() => {
      let now = 1_000_000;
      const keyring = new SigningKeyring({ store: stores.signingKeys, sealKey: SEAL_KEY, refreshMs: REFRESH_MS, now: () => now });
      const service = new SigningKeyService({
        store: stores.signingKeys,
        audit: stores.audit,
        keyring,
        sealKey: SEAL_KEY,
        entityId: ENTITY_ID,
        generate: async () => material[1]!,
      });
      return { keyring, service, advance: (ms: number) => (now += ms) };
    });
    const [a, b] = nodes as [(typeof nodes)[0], (typeof nodes)[0]];
    await a.keyring.reload();
    await b.keyring.reload();
    const original = material[0]!.key.fingerprintSha256;
    const staged = material[1]!.key.fingerprintSha256;

    const next = await a.service.stage({}, 'test');
    // Node a publishes the staged key at once; node b when its copy is due.
    expect(publishedKeys(await a.keyring.fresh()).map((k) => k.fingerprintSha256)).to.deep.equal([original, staged]);
    expect(publishedKeys(await b.keyring.fresh()).map((k) => k.fingerprintSha256)).to.deep.equal([original]);
    b.advance(REFRESH_MS);
    expect(publishedKeys(await b.keyring.fresh()).map((k) => k.fingerprintSha256)).to.deep.equal([original, staged]);

    await a.service.promote(next.id, 'test');
    expect(a.keyring.current().fingerprintSha256).to.equal(staged);
    // Node b still signs with the old key, which every metadata copy still lists.
    b.advance(REFRESH_MS - 1);
    expect(b.keyring.current().fingerprintSha256).to.equal(original);
    b.advance(1);
    // Due: this signature still uses the copy it has, and starts the re-read; the next one uses the new key.
    expect(b.keyring.current().fingerprintSha256).to.equal(original);
    await b.keyring.fresh();
    expect(b.keyring.current().fingerprintSha256).to.equal(staged);
    expect(publishedKeys(b.keyring.snapshot()).map((k) => k.fingerprintSha256)).to.deep.equal([staged, original]);
  });

  it('keeps signing with the keys it has when the database does not answer a re-read', async () => {
    await firstStart({ ...material[0]!, origin: 'environment' });
    let now = 0;
    const errors: unknown[] = [];
    const keyring = new SigningKeyring({ store: stores.signingKeys, sealKey: SEAL_KEY, refreshMs: REFRESH_MS, now: () => now, onRefreshError: (e) => errors.push(e) });
    await keyring.reload();
    await stores.close();
    now += REFRESH_MS;
    expect(keyring.current().fingerprintSha256).to.equal(material[0]!.key.fingerprintSha256);
    expect(publishedKeys(await keyring.fresh())).to.have.length(1);
    expect(errors.length).to.be.at.least(1);
    expect(keyring.current().fingerprintSha256).to.equal(material[0]!.key.fingerprintSha256);
  });
});
