// Provisioning through the `aws` driver: the real @aws-sdk/client-iam and client-sts against the
// AWS stand-in (docs/aws-standin.md), Gatehouse started as in production with the driver's
// endpoints pointed at the stand-in. What an administrator would notice: the roles and provider
// appear, follow edits, go away, and jobs report what happened.
import { GetRoleCredentialsCommand } from '@aws-sdk/client-sso';
import { expect } from 'chai';
import { generateSelfSignedSigningKey, type GeneratedKeyPair } from '../../idp/keys/self-signed-certificate.ts';
import { ConflictError } from '../../model/errors.ts';
import { startPortalApiWorld, DEV, PROD, SANDBOX, type PortalApiWorld } from '../aws/portal-api-fixtures.ts';
import { startAwsStandIn, type AwsStandIn } from '../support/aws-standin/server.ts';

const WRITES = /^(Create|Update|Delete|Attach|Detach|Put|Tag|Untag)/;

describe('Provisioning with the aws driver (real SDK clients, AWS stand-in)', function () {
  let aws: AwsStandIn;
  let world: PortalApiWorld;
  let pauses: number[];
  // The key the tests of key rollover stage, uploaded: they are about carrying a staged key to every
  // account, not about making one (test/saml/key-rollover.test.ts), and staging `{}` would make an
  // RSA 3072 key each time. Made once, of 2048 bits, the least a signing key may have.
  let stagedKey: GeneratedKeyPair;

  before(async () => {
    stagedKey = await generateSelfSignedSigningKey('https://gatehouse.test/saml/metadata', { modulusLength: 2048 });
  });
  beforeEach(async () => {
    aws = await startAwsStandIn();
    for (const id of [PROD, DEV, SANDBOX]) aws.addAccount({ id, name: id, email: `${id}@example.com` });
    pauses = [];
    world = await startPortalApiWorld({
      env: { PROVISIONING_DRIVER: 'aws', PROVISIONING_IAM_ENDPOINT: aws.url, PROVISIONING_STS_ENDPOINT: aws.url },
      provisioning: { credentials: aws.credentials, backoff: { attempts: 4, baseMs: 100, maxMs: 1000, sleep: async (ms) => void pauses.push(ms) } },
    });
    // The seed's assignments provisioned each account as they were made.
    await provisioning().idle();
  });
  afterEach(async () => {
    await world.close();
    await aws.close();
  });

  const provisioning = () => world.gh.services.provisioning;
  const api = (m: string, p: string, b?: unknown) => world.gh.api(m, p, b);
  const setId = (name: string) => world.org.sets[name]!.id;
  const writesIn = (accountId: string, since: number) => aws.calls.slice(since).filter((c) => c.service === 'iam' && c.accountId === accountId && WRITES.test(c.action));
  const roleOf = (accountId: string, name: string) => [...aws.iam(accountId).roles.values()].find((r) => r.roleName.startsWith(`Gatehouse_${name}_`));

  it('creates the provider and one role per assigned permission set in each account, named as the portal and GetRoleCredentials name them', async () => {
    const metadata = await (await fetch(`${world.gh.baseUrl}/saml/metadata`)).text();
    expect(aws.iam(PROD).samlProviders.get('GatehouseIdP')?.metadataDocument).to.equal(metadata);
    expect([...aws.iam(PROD).roles.values()].map((r) => r.roleName.replace(/_[0-9a-f]{16}$/, '')).sort()).to.deep.equal(['Gatehouse_AdministratorAccess', 'Gatehouse_ReadOnly']);
    expect([...aws.iam(DEV).roles.values()].map((r) => r.path)).to.deep.equal(['/gatehouse/']);

    const created = roleOf(PROD, 'ReadOnly')!;
    // The role the console assertion names ...
    const { browser, accessToken } = await world.tokenFor('alice');
    const fed = await browser.federate(PROD, 'ReadOnly');
    const assertion = Buffer.from(fed.fields.SAMLResponse!, 'base64').toString('utf8');
    const asserted = /(arn:aws:iam::\d{12}:role\/[^,<]+),arn:aws:iam::\d{12}:saml-provider\/[^<]+/.exec(assertion)?.[1];
    // ... the role GetRoleCredentials asks STS for ...
    await world.sso().send(new GetRoleCredentialsCommand({ accountId: PROD, roleName: 'ReadOnly', accessToken }));
    const askedSts = world.sts.calls.at(-1)!.roleArn;
    // ... the role created, and the one the admin API shows: one string.
    const status = await api('GET', `/accounts/${PROD}/provisioned-permission-sets`);
    const shown = status.body.items.find((s: any) => s.permissionSetName === 'ReadOnly').roleArn;
    expect(new Set([asserted, askedSts, created.arn, shown])).to.deep.equal(new Set([created.arn]));
    expect(created.arn).to.match(/^arn:aws:iam::111122223333:role\/gatehouse\/Gatehouse_ReadOnly_[0-9a-f]{16}$/);

    const trust = JSON.parse(created.assumeRolePolicyDocument);
    expect(trust.Statement[0]).to.deep.equal({
      Effect: 'Allow',
      Principal: { Federated: `arn:aws:iam::${PROD}:saml-provider/GatehouseIdP` },
      Action: ['sts:AssumeRoleWithSAML', 'sts:TagSession'],
      Condition: { StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' } },
    });
    expect(created.maxSessionDuration).to.equal(8 * 3600);
    expect(Object.fromEntries(created.tags)).to.include({ 'gatehouse:managed': 'true', 'gatehouse:permission-set': setId('ReadOnly'), 'gatehouse:permission-set-version': '1' });
    const jobs = await api('GET', `/provisioning/jobs?accountId=${PROD}`);
    expect(jobs.body.items.map((j: any) => j.status)).to.satisfy((s: string[]) => s.every((x) => x === 'SUCCEEDED'));
  });

  it('provisions every field of a permission set, and re-applying changes nothing', async () => {
    aws.iam(DEV).customerPolicies.add(`arn:aws:iam::${DEV}:policy/team/DevBoundary`);
    aws.iam(DEV).customerPolicies.add(`arn:aws:iam::${DEV}:policy/Deploy`);
    const inline = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] };
    const ps = await api('POST', '/permission-sets', {
      name: 'Everything',
      description: 'Every field',
      sessionDuration: 'PT4H',
      managedPolicies: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
      customerManagedPolicies: [{ name: 'Deploy' }],
      inlinePolicy: inline,
      permissionsBoundary: { customerManagedPolicyReference: { name: 'DevBoundary', path: '/team/' } },
      tags: [{ key: 'team', value: 'platform' }],
    });
    expect(ps.status).to.equal(201);
    const userId = world.org.users.carol!.id;
    expect((await api('POST', '/account-assignments', { accountId: DEV, permissionSetId: ps.body.id, principalType: 'USER', principalId: userId })).status).to.equal(201);
    await provisioning().idle();
    const role = roleOf(DEV, 'Everything')!;
    expect(role.description).to.equal('Every field');
    expect(role.maxSessionDuration).to.equal(4 * 3600);
    expect([...role.attachedPolicies].sort()).to.deep.equal([`arn:aws:iam::${DEV}:policy/Deploy`, 'arn:aws:iam::aws:policy/ReadOnlyAccess']);
    expect(JSON.parse(role.inlinePolicies.get('GatehouseInlinePolicy')!)).to.deep.equal(inline);
    expect(role.permissionsBoundary).to.equal(`arn:aws:iam::${DEV}:policy/team/DevBoundary`);
    expect(role.tags.get('team')).to.equal('platform');

    const before = aws.calls.length;
    const job = await provisioning().start(DEV, 'apply', 'test');
    await provisioning().idle();
    expect((await provisioning().job(job.id)).status).to.equal('SUCCEEDED');
    expect(writesIn(DEV, before)).to.deep.equal([]);
    expect((await provisioning().plan()).filter((p) => p.accountId === DEV)).to.deep.equal([]);

    // The same state as StackSets-ready CloudFormation, through the admin API.
    const stacksets = await api('GET', '/provisioning/stacksets');
    const withEverything = stacksets.body.items.find((g: any) => JSON.stringify(g.template).includes('Every field'));
    expect(withEverything.accountIds).to.deep.equal([DEV]);
    expect(Object.values(withEverything.template.Mappings.RoleNames[DEV])).to.include(role.roleName);
  });

  it('marks an edit as needing provisioning, and provisions it on request (or at once when the instance says so)', async () => {
    const before = aws.calls.length;
    const edit = await api('PATCH', `/permission-sets/${setId('ReadOnly')}`, { managedPolicies: ['arn:aws:iam::aws:policy/ViewOnlyAccess'], sessionDuration: 'PT2H' });
    expect(edit.status).to.equal(200);
    await provisioning().idle();
    expect(writesIn(PROD, before)).to.deep.equal([]);
    const stale = await api('GET', `/permission-sets/${setId('ReadOnly')}/provisioned-accounts?provisioningStatus=LATEST_PERMISSION_SET_NOT_PROVISIONED`);
    expect(stale.body.items.map((s: any) => [s.accountId, s.provisionedVersion, s.currentVersion])).to.deep.equal([[PROD, 1, 2], [DEV, 1, 2]]);

    const started = await api('POST', `/permission-sets/${setId('ReadOnly')}/provision`, { accountId: PROD });
    expect(started.status).to.equal(202);
    expect(started.body.items[0]).to.include({ accountId: PROD, status: 'IN_PROGRESS' });
    await provisioning().idle();
    const done = await api('GET', `/provisioning/jobs/${started.body.items[0].id}`);
    expect(done.body.status).to.equal('SUCCEEDED');
    const role = roleOf(PROD, 'ReadOnly')!;
    expect(role.attachedPolicies).to.deep.equal(['arn:aws:iam::aws:policy/ViewOnlyAccess']);
    expect(role.maxSessionDuration).to.equal(7200);
    expect(role.tags.get('gatehouse:permission-set-version')).to.equal('2');

    expect((await api('PUT', '/provisioning/settings', { autoProvisionEdits: true })).status).to.equal(200);
    await api('PATCH', `/permission-sets/${setId('ReadOnly')}`, { description: 'read only' });
    await provisioning().idle();
    expect(roleOf(DEV, 'ReadOnly')!.description).to.equal('read only');
    const latest = await api('GET', `/accounts/${DEV}/provisioned-permission-sets?provisioningStatus=LATEST_PERMISSION_SET_PROVISIONED`);
    expect(latest.body.items.map((s: any) => s.permissionSetName)).to.deep.equal(['ReadOnly']);
  });

  it('deletes the role when the last assignment of its set in the account goes, and the provider with the last role', async () => {
    const bob = world.org.users.bob!.id;
    const del = await api('DELETE', `/account-assignments?accountId=${SANDBOX}&permissionSetId=${setId('Billing')}&principalType=USER&principalId=${bob}`);
    expect(del.status).to.equal(204);
    await provisioning().idle();
    expect(aws.iam(SANDBOX).roles.size).to.equal(0);
    expect(aws.iam(SANDBOX).samlProviders.size).to.equal(0);
    expect(await provisioning().status({ accountId: SANDBOX })).to.deep.equal([]);
  });

  it('reports a failure mid-job as FAILED with the reason, and a retry finishes cleanly', async () => {
    aws.fail({ action: 'PutRolePolicy', accountId: SANDBOX, code: 'LimitExceeded', status: 409, message: 'Maximum policy size exceeded' });
    await api('PATCH', `/permission-sets/${setId('Billing')}`, { inlinePolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }] } });
    const [job] = await provisioning().provisionPermissionSet(setId('Billing'), undefined, 'test');
    await provisioning().idle();
    const failed = await provisioning().job(job!.id);
    expect(failed.status).to.equal('FAILED');
    expect(failed.failureReason).to.contain('iam:PutRolePolicy').and.contain('LimitExceeded').and.contain(SANDBOX);
    const retry = await provisioning().start(SANDBOX, 'request', 'test');
    await provisioning().idle();
    expect((await provisioning().job(retry.id)).status).to.equal('SUCCEEDED');
    expect(roleOf(SANDBOX, 'Billing')!.inlinePolicies.size).to.equal(1);
  });

  it('retries throttling with growing pauses, and fails on AccessDenied of the assumed role', async () => {
    aws.fail({ action: 'ListRoles', accountId: DEV, code: 'Throttling', times: 3 });
    const j1 = await provisioning().start(DEV, 'request', 'test');
    await provisioning().idle();
    expect((await provisioning().job(j1.id)).status).to.equal('SUCCEEDED');
    expect(pauses).to.have.length(3);
    expect(pauses[2]).to.be.greaterThan(pauses[0]!);

    aws.denyIam(DEV);
    const j2 = await provisioning().start(DEV, 'request', 'test');
    await provisioning().idle();
    const failed = await provisioning().job(j2.id);
    expect(failed.status).to.equal('FAILED');
    expect(failed.failureReason).to.contain('AccessDenied');

    // An account whose access role does not trust Gatehouse: the assignment's job says so.
    aws.addAccount({ id: '121212121212', name: 'New', email: 'new@example.com' });
    aws.denyAssume('121212121212');
    await api('POST', '/accounts', { accountId: '121212121212', name: 'New', email: 'new@example.com' });
    await api('POST', '/account-assignments', { accountId: '121212121212', permissionSetId: setId('Billing'), principalType: 'USER', principalId: world.org.users.bob!.id });
    await provisioning().idle();
    const [j3] = (await api('GET', '/provisioning/jobs?accountId=121212121212')).body.items;
    expect(j3).to.include({ status: 'FAILED', trigger: 'assignment' });
    expect(j3.failureReason).to.contain('sts:AssumeRole').and.contain('AccessDenied');
  });

  it('runs one job per account at a time: a second start is refused with 409 while the first runs', async () => {
    const hold = aws.hold('ListRoles', PROD);
    const first = await api('POST', '/provisioning/apply', { accountId: PROD });
    expect(first.status).to.equal(202);
    await hold.reached;
    const second = await api('POST', '/provisioning/apply', { accountId: PROD });
    expect(second.status).to.equal(409);
    await provisioning().start(PROD, 'request', 'test').then(
      () => expect.fail('started'),
      (e) => expect(e).to.be.instanceOf(ConflictError),
    );
    hold.release();
    await provisioning().idle();
    expect((await provisioning().job(first.body.items[0].id)).status).to.equal('SUCCEEDED');
  });

  it('finds drift (a policy attached by hand, a trust edited, a role deleted) and a re-provision repairs it', async () => {
    const ro = roleOf(PROD, 'ReadOnly')!;
    ro.attachedPolicies.push('arn:aws:iam::aws:policy/AdministratorAccess');
    ro.assumeRolePolicyDocument = ro.assumeRolePolicyDocument.replace('https://signin.aws.amazon.com/saml', 'https://evil.example/saml');
    const admin = roleOf(PROD, 'AdministratorAccess')!;
    aws.iam(PROD).roles.delete(admin.roleName.toLowerCase());
    const drift = await api('GET', `/accounts/${PROD}/drift`);
    expect(drift.status).to.equal(200);
    expect(drift.body.roles.map((r: any) => [r.action, r.roleName.replace(/_[0-9a-f]{16}$/, ''), r.fields ?? null])).to.deep.equal([
      ['create', 'Gatehouse_AdministratorAccess', null],
      ['update', 'Gatehouse_ReadOnly', ['trustPolicy', 'managedPolicies']],
    ]);
    await provisioning().start(PROD, 'repair', 'test');
    await provisioning().idle();
    expect((await api('GET', `/accounts/${PROD}/drift`)).body).to.deep.equal({ accountId: PROD, provider: null, roles: [] });
  });

  it('shows a staged signing key as a provider update in every account, and apply carries it there before promotion', async () => {
    const staged = await api('POST', '/signing-keys', stagedKey);
    expect(staged.status).to.equal(201);
    const plan = await api('GET', '/provisioning/plan');
    expect(plan.body.accounts.map((a: any) => [a.accountId, a.provider?.action]).sort()).to.deep.equal([[PROD, 'update'], [DEV, 'update'], [SANDBOX, 'update']].sort());
    const applied = await api('POST', '/provisioning/apply', {});
    expect(applied.status).to.equal(202);
    await provisioning().idle();
    const metadata = await (await fetch(`${world.gh.baseUrl}/saml/metadata`)).text();
    for (const [id, name] of [[PROD, 'GatehouseIdP'], [DEV, 'Gatehouse'], [SANDBOX, 'Gatehouse']] as const) expect(aws.iam(id).samlProviders.get(name)?.metadataDocument).to.equal(metadata);
  });

  it('carries a staged signing key to every provider by itself (the sweep every node runs)', async () => {
    const staged = await api('POST', '/signing-keys', stagedKey);
    expect(staged.status).to.equal(201);
    expect((await provisioning().refreshProviders()).sort()).to.deep.equal([PROD, DEV, SANDBOX].sort());
    await provisioning().idle();
    const metadata = await (await fetch(`${world.gh.baseUrl}/saml/metadata`)).text();
    expect(metadata).to.contain(staged.body.certificatePem.replace(/-----[^-]+-----|\s/g, '').slice(0, 64));
    for (const [id, name] of [[PROD, 'GatehouseIdP'], [DEV, 'Gatehouse'], [SANDBOX, 'Gatehouse']] as const) expect(aws.iam(id).samlProviders.get(name)?.metadataDocument).to.equal(metadata);
    const jobs = (await api('GET', `/provisioning/jobs?accountId=${DEV}`)).body.items;
    expect(jobs[0]).to.include({ trigger: 'key-rollover', status: 'SUCCEEDED' });
    expect(await provisioning().refreshProviders()).to.deep.equal([]);
  });

  it('refuses to promote a staged key (409 naming the accounts) until every provider carries its certificate, unless forced', async () => {
    const staged = await api('POST', '/signing-keys', stagedKey);
    const refused = await api('POST', `/signing-keys/${staged.body.id}/promote`);
    expect(refused.status).to.equal(409);
    expect(refused.body.detail).to.match(/SAML provider of 3 accounts/);
    for (const id of [PROD, DEV, SANDBOX]) expect(refused.body.detail).to.contain(id);
    expect((await api('GET', `/signing-keys/${staged.body.id}`)).body.status).to.equal('next');

    // Carried to one account only: still refused, naming the two left.
    await provisioning().start(PROD, 'key-rollover', 'test');
    await provisioning().idle();
    const stillRefused = await api('POST', `/signing-keys/${staged.body.id}/promote`);
    expect(stillRefused.status).to.equal(409);
    expect(stillRefused.body.detail).not.to.contain(PROD);

    // Every provider carries it: promoted.
    await api('POST', '/provisioning/apply', {});
    await provisioning().idle();
    const promoted = await api('POST', `/signing-keys/${staged.body.id}/promote`);
    expect(promoted.status, JSON.stringify(promoted.body)).to.equal(200);
    expect(promoted.body.status).to.equal('current');
  });

  it('promotes with force although providers lag, and audits which accounts did', async () => {
    const staged = await api('POST', '/signing-keys', stagedKey);
    const forced = await api('POST', `/signing-keys/${staged.body.id}/promote?force=true`);
    expect(forced.status, JSON.stringify(forced.body)).to.equal(200);
    const [event] = (await api('GET', '/audit?action=signing-key.promote')).body.items;
    expect(event.detail).to.include({ forced: true });
    expect(event.detail.accountsBehind.sort()).to.deep.equal([PROD, DEV, SANDBOX].sort());
  });

  it('refuses to delete an account that still has roles provisioned (409 saying what remains) unless forced', async () => {
    const refused = await api('DELETE', `/accounts/${PROD}?cascade=true`);
    expect(refused.status).to.equal(409);
    expect(refused.body.detail).to.match(/still has its SAML provider and 2 roles .*Gatehouse_ReadOnly_[0-9a-f]{16}/);
    expect(refused.body.detail).to.contain('force=true');
    expect((await api('GET', `/accounts/${PROD}`)).status).to.equal(200);
    expect((await api('GET', `/account-assignments?accountId=${PROD}`)).body.items.length).to.be.above(0);

    // Assignments removed and provisioned away: the roles and the provider are gone, the account deletes.
    for (const a of (await api('GET', `/account-assignments?accountId=${DEV}`)).body.items) {
      await api('DELETE', `/account-assignments?accountId=${DEV}&permissionSetId=${a.permissionSetId}&principalType=${a.principalType}&principalId=${a.principalId}`);
    }
    await provisioning().idle();
    expect(aws.iam(DEV).roles.size).to.equal(0);
    expect((await api('DELETE', `/accounts/${DEV}`)).status).to.equal(204);

    const forced = await api('DELETE', `/accounts/${PROD}?cascade=true&force=true`);
    expect(forced.status, JSON.stringify(forced.body)).to.equal(204);
    const [event] = (await api('GET', `/audit?action=account.delete&target=account/${PROD}`)).body.items;
    expect(event.detail).to.include({ forced: true });
    expect(event.detail.leftInAws.roles).to.have.length(2);
    expect(event.detail.leftInAws.provider).to.equal(`arn:aws:iam::${PROD}:saml-provider/GatehouseIdP`);
    // Forgotten by Gatehouse (still in AWS): no status, and no key promotion waits for it.
    expect((await api('GET', `/accounts/${PROD}/provisioned-permission-sets`)).body.items).to.deep.equal([]);
    expect(await provisioning().providersBehind()).not.to.include(PROD);
  });
});
