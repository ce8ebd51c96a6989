// Signing key rollover through the admin API (docs/operations.md "Signing key rollover"): a staged
// key is published next to the current one before it signs anything, so a relying party that
// re-reads metadata in between (node-saml here, configured only from /saml/metadata) keeps
// accepting Responses when the new key is promoted; the old key stays published until retired.
import { DOMParser } from '@xmldom/xmldom';
import { expect } from 'chai';
import type { Application } from '../../model/types.ts';
import { awsServiceProviderFromMetadata } from '../support/aws-sp.ts';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { PortalClient } from '../support/portal-client.ts';
import { seedOrganization, type SeededOrg } from '../support/seed.ts';
import { assign, autoPost, createApplication, nodeSamlFor } from './fixtures.ts';

const NS_MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const NS_DS = 'http://www.w3.org/2000/09/xmldsig#';
const AWS_ACS = 'https://signin.aws.amazon.com/saml';

describe('signing key rollover', function () {
  this.timeout(120_000);
  let gh: TestGatehouse;
  let org: SeededOrg;
  let wiki: Application;
  let alice: PortalClient;

  before(async () => {
    gh = await startGatehouse();
    org = await seedOrganization(gh.services, {
      users: [{ userName: 'alice', email: 'alice@example.com' }],
      accounts: [{ accountId: '111122223333', name: 'Production' }],
      permissionSets: [{ name: 'ReadOnly' }],
      assignments: [{ accountId: '111122223333', set: 'ReadOnly', user: 'alice' }],
    });
    wiki = await createApplication(gh.services, { slug: 'wiki' });
    await assign(gh.services, wiki, { user: org.users.alice!.id });
    alice = new PortalClient(gh.baseUrl);
    await alice.signIn('alice', org.users.alice!.password);
  });
  after(async () => {
    await gh?.close();
  });

  /** The signing certificates /saml/metadata publishes, in order. */
  async function publishedCertificates(): Promise<string[]> {
    const res = await fetch(`${gh.baseUrl}/saml/metadata`);
    expect(res.status).to.equal(200);
    const doc = new DOMParser().parseFromString(await res.text(), 'text/xml');
    return Array.from(doc.getElementsByTagNameNS(NS_MD, 'KeyDescriptor'))
      .filter((k) => k.getAttribute('use') === 'signing')
      .map((k) => k.getElementsByTagNameNS(NS_DS, 'X509Certificate')[0]!.textContent!);
  }

  /** node-saml as the wiki's SP, trusting exactly these certificates. */
  const wikiTrusting = (certs: string[]) => nodeSamlFor(gh.baseUrl, wiki, { idpCert: certs, validateInResponseTo: 'ifPresent' as never });

  /** A Response the portal posts to the wiki when alice launches it. */
  async function launchWiki(): Promise<string> {
    await alice.request('GET', '/start/applications');
    const post = autoPost(await alice.request('POST', '/start/applications/launch', { csrf: alice.csrf(), applicationId: wiki.id }));
    expect(post?.action).to.equal(wiki.acs[0]!.url);
    return post!.fields.SAMLResponse!;
  }

  async function expectAccepted(sp: Awaited<ReturnType<typeof wikiTrusting>>, samlResponse: string): Promise<void> {
    const { profile } = await sp.validatePostResponseAsync({ SAMLResponse: samlResponse });
    expect(profile?.nameID).to.equal('alice@example.com');
  }

  async function expectRefused(sp: Awaited<ReturnType<typeof wikiTrusting>>, samlResponse: string): Promise<void> {
    let error: unknown;
    try {
      await sp.validatePostResponseAsync({ SAMLResponse: samlResponse });
    } catch (e) {
      error = e;
    }
    expect(error, 'the Response should not verify').to.be.instanceOf(Error);
    expect((error as Error).message).to.match(/signature/i);
  }

  /** The certificate in a Response's (outer) signature KeyInfo. */
  const signedWith = (samlResponse: string) => /<ds:X509Certificate>([^<]+)<\/ds:X509Certificate>/.exec(Buffer.from(samlResponse, 'base64').toString('utf8'))?.[1];

  it('keeps an SP that re-read metadata accepting through stage and promote, then drops the old key on retire', async () => {
    const before = await publishedCertificates();
    expect(before).to.have.length(1);
    const [original] = before as [string];
    const originalId = (await gh.api('GET', '/signing-keys')).body.items[0].id as string;
    // An SP set up with the only certificate there was.
    const setUpBefore = await wikiTrusting([original]);
    await expectAccepted(setUpBefore, await launchWiki());

    // Stage: published at once, signs nothing yet.
    const staged = await gh.api('POST', '/signing-keys', {});
    expect(staged.status, JSON.stringify(staged.body)).to.equal(201);
    expect(staged.body).to.include({ status: 'next', origin: 'generated' });
    expect(staged.body).to.not.have.property('privateKeySealed');
    expect(JSON.stringify(staged.body)).to.not.include('PRIVATE KEY');
    const stagedDer = staged.body.certificatePem.replace(/-----[^-]+-----|\s/g, '');
    expect(await publishedCertificates()).to.deep.equal([original, stagedDer]);
    const duringStage = await launchWiki();
    expect(signedWith(duringStage)).to.equal(original);
    await expectAccepted(setUpBefore, duringStage);

    // The SP re-reads metadata and so trusts both.
    const reread = await wikiTrusting(await publishedCertificates());
    await expectAccepted(reread, duringStage);

    // Promote: the new key signs, the old one stays published as previous.
    const promoted = await gh.api('POST', `/signing-keys/${staged.body.id}/promote`);
    expect(promoted.status, JSON.stringify(promoted.body)).to.equal(200);
    expect(promoted.body).to.include({ id: staged.body.id, status: 'current' });
    expect(await publishedCertificates()).to.deep.equal([stagedDer, original]);
    const afterPromote = await launchWiki();
    expect(signedWith(afterPromote)).to.equal(stagedDer);
    await expectAccepted(reread, afterPromote);
    // What the re-read was for: an SP that never re-read metadata stops accepting.
    await expectRefused(setUpBefore, afterPromote);

    // Federation into an AWS account is signed with the current key too.
    const { fields } = await alice.federate('111122223333', 'ReadOnly');
    expect(signedWith(fields.SAMLResponse!)).to.equal(stagedDer);
    const awsAfter = await awsServiceProviderFromMetadata(`${gh.baseUrl}/saml/metadata`, AWS_ACS);
    expect((await awsAfter.validatePostResponseAsync({ SAMLResponse: fields.SAMLResponse! })).profile?.nameID).to.equal('alice@example.com');

    // Retire the old key: gone from metadata; the SP that re-read keeps accepting.
    const retired = await gh.api('DELETE', `/signing-keys/${originalId}`);
    expect(retired.status, JSON.stringify(retired.body)).to.equal(204);
    expect(await publishedCertificates()).to.deep.equal([stagedDer]);
    await expectAccepted(reread, await launchWiki());

    const list = (await gh.api('GET', '/signing-keys')).body.items as { id: string; status: string; retiredAt: string | null }[];
    expect(list.map((k) => [k.id, k.status])).to.deep.equal([
      [staged.body.id, 'current'],
      [originalId, 'retired'],
    ]);
    expect(list[1]!.retiredAt).to.be.a('string');

    const admin = (await gh.services.sql.directory.getUserByName('admin'))!.id;
    const targets = [`signing-key/${originalId}`, `signing-key/${staged.body.id}`];
    const audit = (await gh.api('GET', '/audit?limit=100')).body.items.filter((e: any) => e.action.startsWith('signing-key.') && targets.includes(e.target));
    expect(audit.map((e: any) => [e.action, e.target, e.actor])).to.deep.equal([
      ['signing-key.retire', `signing-key/${originalId}`, admin],
      ['signing-key.promote', `signing-key/${staged.body.id}`, admin],
      ['signing-key.stage', `signing-key/${staged.body.id}`, admin],
    ]);
    expect(JSON.stringify(audit)).to.not.include('PRIVATE KEY');
  });

  it('refuses what would break a relying party or lose a key, and changes nothing', async () => {
    const current = ((await gh.api('GET', '/signing-keys')).body.items as any[]).find((k) => k.status === 'current');
    const published = await publishedCertificates();

    // The current key cannot be retired, nor promoted again.
    const retireCurrent = await gh.api('DELETE', `/signing-keys/${current.id}`);
    expect(retireCurrent.status).to.equal(409);
    expect(retireCurrent.body.detail).to.match(/current/);
    expect((await gh.api('POST', `/signing-keys/${current.id}/promote`)).status).to.equal(409);
    expect((await gh.api('POST', '/signing-keys/sk-0000000000000000/promote')).status).to.equal(404);
    expect((await gh.api('DELETE', '/signing-keys/sk-0000000000000000')).status).to.equal(404);

    // Input: one PEM without the other, unknown fields, a certificate that is not the key's.
    const half = await gh.api('POST', '/signing-keys', { certificatePem: current.certificatePem });
    expect(half.status).to.equal(400);
    expect(half.body.errors[0].field).to.equal('certificatePem');
    expect((await gh.api('POST', '/signing-keys', { bits: 1024 })).status).to.equal(400);
    const { generateSelfSignedSigningKey } = await import('../../idp/keys/self-signed-certificate.ts');
    const other = await generateSelfSignedSigningKey(gh.services.saml.entityId);
    const mismatched = await gh.api('POST', '/signing-keys', { privateKeyPem: other.privateKeyPem, certificatePem: current.certificatePem });
    expect(mismatched.status).to.equal(400);
    expect(mismatched.body.detail).to.match(/does not belong/);
    expect(await publishedCertificates()).to.deep.equal(published);

    // A key of one's own can be staged; a second next key cannot; nor can a key ever stored.
    const own = await gh.api('POST', '/signing-keys', { privateKeyPem: other.privateKeyPem, certificatePem: other.certificatePem });
    expect(own.status, JSON.stringify(own.body)).to.equal(201);
    expect(own.body).to.include({ status: 'next', origin: 'uploaded' });
    const second = await gh.api('POST', '/signing-keys', {});
    expect(second.status).to.equal(409);
    expect(second.body.detail).to.include(own.body.id);

    // Promoting while a previous key is still published would drop a key some SP may still use.
    expect((await gh.api('POST', `/signing-keys/${own.body.id}/promote`)).status).to.equal(200);
    expect((await gh.api('DELETE', `/signing-keys/${current.id}`)).status).to.equal(204);
    const again = await gh.api('POST', '/signing-keys', { privateKeyPem: other.privateKeyPem, certificatePem: other.certificatePem });
    expect(again.status).to.equal(409);

    // A staged key can be withdrawn before it is promoted.
    const withdrawn = await gh.api('POST', '/signing-keys', {});
    expect((await publishedCertificates())).to.have.length(2);
    expect((await gh.api('DELETE', `/signing-keys/${withdrawn.body.id}`)).status).to.equal(204);
    expect(await publishedCertificates()).to.have.length(1);
    expect((await gh.api('DELETE', `/signing-keys/${withdrawn.body.id}`)).status).to.equal(409);
  });

  it('needs an administrator, and is described in the OpenAPI document', async () => {
    expect((await gh.api('GET', '/signing-keys', undefined, null)).status).to.equal(401);
    expect((await gh.api('POST', '/signing-keys', {}, null)).status).to.equal(401);
    const doc = (await gh.api('GET', '/openapi.json')).body;
    expect(doc.paths['/signing-keys'].post.requestBody.content['application/json'].schema.$ref).to.equal('#/components/schemas/SigningKeyStage');
    expect(doc.paths['/signing-keys/{id}/promote'].post).to.be.an('object');
    expect(doc.paths['/signing-keys/{id}'].delete).to.be.an('object');
    expect(doc.components.schemas.SigningKeyStage.properties).to.have.keys(['privateKeyPem', 'certificatePem']);
  });
});
