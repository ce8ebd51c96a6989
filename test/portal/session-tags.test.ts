// Session tags STS would refuse (a value longer than 256 characters) are left out of the AWS
// assertion, with a warning in the log, instead of failing the person's every federation.
import { expect } from 'chai';
import { awsServiceProviderFromMetadata, ROLE_ATTR, TAG_ATTR, values } from '../support/aws-sp.ts';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { PortalClient } from '../support/portal-client.ts';
import { seedOrganization, type SeededOrg } from '../support/seed.ts';

const SIGNIN = 'https://signin.aws.amazon.com/saml';

describe('session tags too long for AWS', () => {
  let gh: TestGatehouse;
  let org: SeededOrg;
  let logged: { level: number; msg: string; event?: string; tagKey?: string; attribute?: string; userId?: string }[];

  beforeEach(async () => {
    logged = [];
    gh = await startGatehouse({ log: { level: 'warn', destination: { write: (line: string) => void logged.push(JSON.parse(line)) } } });
    org = await seedOrganization(gh.services, {
      users: [{ userName: 'erin', email: 'erin@example.com', attributes: { department: 'd'.repeat(300), costCenter: '42', team: 't'.repeat(256) } }],
      accounts: [{ accountId: '111122223333', name: 'Production' }],
      permissionSets: [{ name: 'ReadOnly' }],
      assignments: [{ accountId: '111122223333', set: 'ReadOnly', user: 'erin' }],
    });
    await gh.services.instanceSettings.update({ accessControlAttributes: { department: 'Department', costCenter: 'CostCenter', team: 'Team' } }, 'test');
  });
  afterEach(async () => {
    await gh.close();
  });

  it('federates with the 300-character tag left out and the others sent, and logs a warning naming the tag', async () => {
    const browser = new PortalClient(gh.baseUrl);
    await browser.signIn('erin', org.users.erin!.password);
    const { response, fields } = await browser.federate('111122223333', 'ReadOnly');
    expect(response.status, response.text).to.equal(200);

    const sp = await awsServiceProviderFromMetadata(`${gh.baseUrl}/saml/metadata`, SIGNIN);
    const { profile } = await sp.validatePostResponseAsync({ SAMLResponse: fields.SAMLResponse! });
    const p = profile as unknown as Record<string, unknown>;
    expect(values(p, ROLE_ATTR)).to.have.length(1);
    expect(values(p, `${TAG_ATTR}Department`)).to.deep.equal([]);
    expect(values(p, `${TAG_ATTR}CostCenter`)).to.deep.equal(['42']);
    // 256 characters is still allowed.
    expect(values(p, `${TAG_ATTR}Team`)).to.deep.equal(['t'.repeat(256)]);

    const warnings = logged.filter((l) => l.event === 'federation.session-tag.left-out');
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.include({ level: 40, tagKey: 'Department', attribute: 'department', userId: org.users.erin!.id });
    expect(JSON.stringify(warnings[0])).to.not.include('d'.repeat(257));
  });
});
