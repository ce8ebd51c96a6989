// Signed AWS SAML Responses per second per core, as a ratio to raw RSA-SHA256 signatures per
// second with the same key in the same process (docs/portal.md, "Done means"). Each Response carries
// two signatures (Response and Assertion), so 0.5× is the ceiling; the per-signature ratio says
// how much of the time goes anywhere but RSA. samlify's createLoginResponse is measured on the
// same key for comparison (its default template, which has no attributes, so it is flattered).
//
// Rates are operations per CPU second of this process (process.cpuUsage), measured in short
// interleaved slices, so other work on the machine moves all contestants alike.
//
// Run: node --import tsx bench/saml-sign.ts [seconds per contestant, default 6]
// Measures with an RSA 3072 key (what first start generates), then with an RSA 2048 one.

import { sign } from 'node:crypto';
import { DOMParser } from '@xmldom/xmldom';
import * as samlify from 'samlify';
import { SignedXml } from 'xml-crypto';
import { signingKeyFromPem, type SigningKey } from '../idp/keys.ts';
import { generateSelfSignedSigningKey } from '../idp/keys/self-signed-certificate.ts';
import { buildAwsSamlResponse, type AwsSamlResponseInput } from '../idp/saml/aws-response.ts';

const secondsPerContestant = Number(process.argv[2] ?? 6);
const SLICE_MS = 250;
const ENTITY_ID = 'https://gatehouse.example.com/saml/metadata';
const ACS = 'https://signin.aws.amazon.com/saml';
const POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';

// A realistic "All roles" federation: two role pairs, a session duration, two session tags.
const input = (): AwsSamlResponseInput => ({
  issuer: ENTITY_ID,
  destination: ACS,
  nameId: 'alice@example.com',
  roles: [
    {
      roleArn: 'arn:aws:iam::111122223333:role/gatehouse/Gatehouse_AdministratorAccess_0123456789abcdef',
      providerArn: 'arn:aws:iam::111122223333:saml-provider/Gatehouse',
    },
    {
      roleArn: 'arn:aws:iam::111122223333:role/gatehouse/Gatehouse_ReadOnly_fedcba9876543210',
      providerArn: 'arn:aws:iam::111122223333:saml-provider/Gatehouse',
    },
  ],
  roleSessionName: 'alice@example.com',
  sessionDurationSeconds: 3600,
  principalTags: { department: 'Engineering', costCenter: 'CC-1234' },
  authnInstant: new Date(),
  sessionIndex: '_4f1c0e2b9a7d',
  now: new Date(),
});

// What raw RSA signs: a buffer the size of our canonical SignedInfo.
const signedInfoSized = Buffer.alloc(800, 'x');

interface Contestant {
  run: () => unknown;
  ops: number;
  cpuMicros: number;
}

const cpuNow = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

async function slice(c: Contestant): Promise<void> {
  const wallEnd = performance.now() + SLICE_MS;
  const start = cpuNow();
  let n = 0;
  while (performance.now() < wallEnd) {
    const r = c.run();
    if (r instanceof Promise) await r;
    n++;
  }
  c.ops += n;
  c.cpuMicros += cpuNow() - start;
}

/** Fails loudly if what we are about to time does not verify (both signatures, with the certificate alone). */
function assertVerifies(key: SigningKey): void {
  const xml = buildAwsSamlResponse(input(), key).xml;
  const signatures = new DOMParser().parseFromString(xml, 'text/xml').getElementsByTagNameNS('http://www.w3.org/2000/09/xmldsig#', 'Signature');
  if (signatures.length !== 2) throw new Error('expected two signatures');
  for (let i = 0; i < signatures.length; i++) {
    const verifier = new SignedXml({ publicCert: key.certificatePem });
    verifier.loadSignature(signatures[i]! as unknown as Node);
    if (!verifier.checkSignature(xml)) throw new Error('our Response does not verify');
  }
}

async function benchmark(key: SigningKey): Promise<void> {
  assertVerifies(key);

  // samlify as an IdP answering an SP that wants both the assertion and the message signed.
  const samlifyIdp = samlify.IdentityProvider({
    entityID: ENTITY_ID,
    privateKey: key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    signingCert: key.certificatePem,
    nameIDFormat: ['urn:oasis:names:tc:SAML:2.0:nameid-format:persistent'],
    singleSignOnService: [{ Binding: POST, Location: 'https://gatehouse.example.com/saml/sso' }],
    singleLogoutService: [{ Binding: POST, Location: 'https://gatehouse.example.com/saml/slo' }],
  });
  const samlifySp = samlify.ServiceProvider({
    entityID: 'urn:amazon:webservices',
    wantAssertionsSigned: true,
    wantMessageSigned: true,
    assertionConsumerService: [{ Binding: POST, Location: ACS }],
  });

  const raw: Contestant = { run: () => sign('sha256', signedInfoSized, key.privateKey), ops: 0, cpuMicros: 0 };
  const ours: Contestant = { run: () => buildAwsSamlResponse(input(), key), ops: 0, cpuMicros: 0 };
  const theirs: Contestant = {
    run: () => samlifyIdp.createLoginResponse(samlifySp, {} as never, 'post', { email: 'alice@example.com' }),
    ops: 0,
    cpuMicros: 0,
  };
  const all = [raw, ours, theirs];

  // Warm up (JIT, OpenSSL's per-key state), then measure.
  for (const c of all) await slice(c);
  for (const c of all) {
    c.ops = 0;
    c.cpuMicros = 0;
  }
  const rounds = Math.max(1, Math.round((secondsPerContestant * 1000) / SLICE_MS));
  for (let r = 0; r < rounds; r++) for (const c of all) await slice(c);

  const rate = (c: Contestant) => c.ops / (c.cpuMicros / 1e6);
  const bits = key.privateKey.asymmetricKeyDetails?.modulusLength;
  console.log(`key RSA ${bits}: ${rounds} interleaved slices of ${SLICE_MS} ms per contestant; rates per CPU second (one core)`);
  console.log(`  raw RSA-SHA256 signs/s                 ${rate(raw).toFixed(1)}`);
  console.log(`  Gatehouse signed AWS Responses/s       ${rate(ours).toFixed(1)}`);
  console.log(`  samlify createLoginResponse/s          ${rate(theirs).toFixed(1)}`);
  console.log(`  ratio Gatehouse Responses / raw signs  ${(rate(ours) / rate(raw)).toFixed(3)}x  (ceiling 0.5x: two signatures each)`);
  console.log(`  ratio per signature (2 per Response)   ${((2 * rate(ours)) / rate(raw)).toFixed(3)}x`);
  console.log(`  ratio samlify / raw signs              ${(rate(theirs) / rate(raw)).toFixed(3)}x`);
}

for (const modulusLength of [3072, 2048] as const) {
  const pems = await generateSelfSignedSigningKey(ENTITY_ID, { modulusLength });
  await benchmark(signingKeyFromPem(pems.privateKeyPem, pems.certificatePem, 'the benchmark'));
}
