// Run as a separate process by keys.test.ts: loads (or creates) the signing key in the directory
// given as argument and prints its certificate, so the test can compare what processes got.
import { loadOrCreateSigningKey } from '../../idp/keys.ts';

const key = await loadOrCreateSigningKey({ certsDir: process.argv[2]!, entityId: 'https://gatehouse.test/saml/metadata' });
process.stdout.write(JSON.stringify({ source: key.source, certificateDer: key.certificateDer }));
