// Run as a separate process by signing-keys.test.ts: a node's first start against the database
// given as argument, offering the key given in FIRST_KEY_PEMS ({ privateKeyPem, certificatePem })
// when it finds none; prints the fingerprint of the current key it ends up with.
//
// When it comes to offer its key (it found the set empty) it says `offering` and waits for a line
// on stdin, so that the test can release two nodes together once both found the set empty.
import { ensureCurrentSigningKey } from '../../access/signing-keys/first-start.ts';
import { signingKeyFromPem } from '../../idp/keys.ts';
import { openSqlStores } from '../../store/sql/open.ts';

const pems = JSON.parse(process.env.FIRST_KEY_PEMS!) as { privateKeyPem: string; certificatePem: string };
const stores = await openSqlStores({ kind: 'postgres', url: process.argv[2]! });
try {
  const { current, created } = await ensureCurrentSigningKey({
    store: stores.signingKeys,
    sealKey: Buffer.alloc(32, 7),
    configured: async () => null,
    generate: async () => {
      process.stdout.write('offering\n');
      await new Promise((go) => process.stdin.once('data', go));
      return { key: signingKeyFromPem(pems.privateKeyPem, pems.certificatePem, 'the generated key'), privateKeyPem: pems.privateKeyPem };
    },
    now: () => new Date(),
  });
  process.stdout.write(`${JSON.stringify({ fingerprint: current.fingerprintSha256, created })}\n`);
} finally {
  await stores.close();
}
// stdin stays open (the test may still write to it); it must not keep this process alive.
process.exit(0);
