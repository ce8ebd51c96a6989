// Run as a separate process by signing-keys.test.ts: a node's first start against the database
// given as argument; prints the fingerprint of the current key it ends up with.
import { ensureCurrentSigningKey } from '../../access/signing-keys/first-start.ts';
import { generateSigningKey } from '../../idp/keys.ts';
import { openSqlStores } from '../../store/sql/open.ts';

const stores = await openSqlStores({ kind: 'postgres', url: process.argv[2]! });
try {
  const { current, created } = await ensureCurrentSigningKey({
    store: stores.signingKeys,
    sealKey: Buffer.alloc(32, 7),
    configured: async () => null,
    generate: () => generateSigningKey('https://gatehouse.test/saml/metadata'),
    now: () => new Date(),
  });
  process.stdout.write(JSON.stringify({ fingerprint: current.fingerprintSha256, created }));
} finally {
  await stores.close();
}
