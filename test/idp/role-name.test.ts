// The IAM role name and ARNs federation names in the Role attribute (access/role-name.ts): one
// deterministic function, shared with provisioning.
import { expect } from 'chai';
import { ROLE_PATH, roleArnFor, roleNameFor, samlProviderArn } from '../../access/role-name.ts';

const IAM_ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

describe('access/role-name', () => {
  it('is Gatehouse_<name>_<16 hex> and the same every time for the same pair', () => {
    const name = roleNameFor('AdministratorAccess', 'ps-0123456789abcdef', '111122223333');
    expect(name).to.match(/^Gatehouse_AdministratorAccess_[0-9a-f]{16}$/);
    expect(roleNameFor('AdministratorAccess', 'ps-0123456789abcdef', '111122223333')).to.equal(name);
  });

  it('differs per account and per permission set, even when two permission sets share a name', () => {
    const names = new Set([
      roleNameFor('ReadOnly', 'ps-0000000000000001', '111122223333'),
      roleNameFor('ReadOnly', 'ps-0000000000000001', '444455556666'),
      roleNameFor('ReadOnly', 'ps-0000000000000002', '111122223333'),
    ]);
    expect(names.size).to.equal(3);
  });

  it('keeps the suffix when the name is cut to IAM’s 64 characters, and keeps commas out', () => {
    const long = roleNameFor('x'.repeat(32) + 'y'.repeat(40), 'ps-0123456789abcdef', '111122223333');
    expect(long).to.have.length(64);
    expect(long).to.match(IAM_ROLE_NAME);
    expect(long.slice(-17)).to.equal(roleNameFor('short', 'ps-0123456789abcdef', '111122223333').slice(-17));
    const comma = roleNameFor('Read,Write', 'ps-0123456789abcdef', '111122223333');
    expect(comma).to.not.include(',');
    expect(comma).to.match(/^Gatehouse_Read\.Write_[0-9a-f]{16}$/);
  });

  it('forms the role and SAML provider ARNs under the /gatehouse/ path', () => {
    expect(ROLE_PATH).to.equal('/gatehouse/');
    expect(roleArnFor('111122223333', 'Gatehouse_Admin_0123456789abcdef')).to.equal(
      'arn:aws:iam::111122223333:role/gatehouse/Gatehouse_Admin_0123456789abcdef',
    );
    expect(samlProviderArn('111122223333', 'Gatehouse')).to.equal('arn:aws:iam::111122223333:saml-provider/Gatehouse');
    expect(roleArnFor('111122223333', 'R', 'aws-us-gov')).to.equal('arn:aws-us-gov:iam::111122223333:role/gatehouse/R');
  });
});
