// Password hashing cost: production hashes at OWASP's first argon2id setting (19 MiB, t=2, p=1).
// The test harness hashes at a trivial cost (test/support/gatehouse.ts); this checks that the cost
// the server uses did not move with it.
import { expect } from 'chai';
import { PASSWORD_HASH_COST, PasswordHasher } from '../../directory/passwords.ts';
import { TEST_PASSWORD_HASH_COST } from '../support/gatehouse.ts';

describe('directory/passwords', () => {
  it('hashes with argon2id at 19 MiB, t=2, p=1 unless given another cost', async () => {
    expect(PASSWORD_HASH_COST).to.deep.equal({ memoryCost: 19456, timeCost: 2, parallelism: 1 });
    const stored = await new PasswordHasher().hash('a password of some length');
    expect(stored).to.match(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it('verifies a hash at the cost recorded in it, whatever cost it hashes at itself', async () => {
    const cheap = await new PasswordHasher(TEST_PASSWORD_HASH_COST).hash('a password of some length');
    expect(cheap).to.match(/^\$argon2id\$v=19\$m=8,t=1,p=1\$/);
    const production = new PasswordHasher();
    expect(await production.verify(cheap, 'a password of some length')).to.equal(true);
    expect(await production.verify(cheap, 'another password')).to.equal(false);
    expect(await production.verify('not a hash', 'a password of some length')).to.equal(false);
  });
});
