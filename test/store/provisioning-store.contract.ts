// The ProvisioningStore contract (store/stores.ts), run by sql-contract.ts on every backend, each
// test on a fresh database: one IN_PROGRESS job per account whoever starts one at the same moment,
// a finished job stays finished, interrupted jobs are found by their lease, records are upserts.
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { ConflictError } from '../../model/errors.ts';
import type { SqlStores } from '../../store/stores.ts';

interface Fresh {
  stores: SqlStores;
  dispose(): Promise<void>;
}

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
const job = (accountId: string, s = 0) => ({ id: randomUUID(), accountId, permissionSetId: null, trigger: 'request', at: at(s), leaseExpiresAt: at(s + 60) });

export function provisioningStoreContract(fresh: () => Promise<Fresh>): void {
  describe('ProvisioningStore', () => {
    let db: Fresh;
    beforeEach(async () => {
      db = await fresh();
    });
    afterEach(() => db.dispose());

    it('refuses a second IN_PROGRESS job for the account, even started at the same moment, and allows one again once it ends', async () => {
      const p = db.stores.provisioning;
      const results = await Promise.allSettled([p.startJob(job('111122223333')), p.startJob(job('111122223333')), p.startJob(job('444455556666'))]);
      const sameAccount = results.slice(0, 2);
      expect(sameAccount.filter((r) => r.status === 'fulfilled')).to.have.length(1);
      const refused = sameAccount.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(refused.reason).to.be.instanceOf(ConflictError);
      expect(results[2]!.status).to.equal('fulfilled');
      const running = (sameAccount.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<{ id: string }>).value;
      expect(await p.finishJob(running.id, 'FAILED', 'iam:CreateRole: Throttling', at(5))).to.equal(true);
      // Finished once: a late second finish (another node) changes nothing.
      expect(await p.finishJob(running.id, 'SUCCEEDED', null, at(6))).to.equal(false);
      const got = await p.getJob(running.id);
      expect(got).to.include({ status: 'FAILED', failureReason: 'iam:CreateRole: Throttling', leaseExpiresAt: null });
      await p.startJob(job('111122223333', 10));
    });

    it('finds jobs whose lease ran out, and a renewed lease keeps a job out of them', async () => {
      const p = db.stores.provisioning;
      const a = await p.startJob(job('111122223333'));
      const b = await p.startJob(job('444455556666'));
      expect(await p.renewLease(b.id, at(200), at(30))).to.equal(true);
      expect((await p.interruptedJobs(at(100))).map((j) => j.id)).to.deep.equal([a.id]);
      await p.finishJob(a.id, 'SUCCEEDED', null, at(101));
      expect(await p.renewLease(a.id, at(300), at(102))).to.equal(false);
      expect(await p.interruptedJobs(at(100))).to.deep.equal([]);
    });

    it('lists jobs newest first, by account and status, in pages', async () => {
      const p = db.stores.provisioning;
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const j = await p.startJob(job('111122223333', i));
        ids.push(j.id);
        await p.finishJob(j.id, 'SUCCEEDED', null, at(i));
      }
      const first = await p.listJobs({ accountId: '111122223333' }, { limit: 3 });
      const second = await p.listJobs({ accountId: '111122223333' }, { limit: 3, nextToken: first.nextToken });
      expect([...first.items, ...second.items].map((j) => j.id)).to.deep.equal([...ids].reverse());
      expect(second.nextToken).to.equal(undefined);
      expect((await p.listJobs({ status: 'FAILED' })).items).to.deep.equal([]);
    });

    it('keeps one record per (account, permission set) and per account provider', async () => {
      const p = db.stores.provisioning;
      const role = { accountId: '111122223333', permissionSetId: 'ps-aaaaaaaaaaaaaaaa', roleName: 'Gatehouse_A_1', roleArn: 'arn:aws:iam::111122223333:role/gatehouse/Gatehouse_A_1', version: 1, provisionedAt: at(1) };
      await p.putRole(role);
      await p.putRole({ ...role, version: 3, provisionedAt: at(2) });
      await p.putRole({ ...role, accountId: '444455556666', roleArn: 'x' });
      expect(await p.listRoles({ accountId: '111122223333' })).to.deep.equal([{ ...role, version: 3, provisionedAt: at(2) }]);
      expect((await p.listRoles({ permissionSetId: role.permissionSetId })).map((r) => r.accountId)).to.deep.equal(['111122223333', '444455556666']);
      await p.deleteRole('111122223333', role.permissionSetId);
      expect(await p.listRoles({ accountId: '111122223333' })).to.deep.equal([]);
      const provider = { accountId: '111122223333', name: 'Gatehouse', arn: 'arn:aws:iam::111122223333:saml-provider/Gatehouse', metadataSha256: 'a'.repeat(64), provisionedAt: at(1) };
      await p.putProvider(provider);
      await p.putProvider({ ...provider, metadataSha256: 'b'.repeat(64) });
      expect(await p.listProviders()).to.deep.equal([{ ...provider, metadataSha256: 'b'.repeat(64) }]);
      await p.deleteProvider('111122223333');
      expect(await p.listProviders()).to.deep.equal([]);
    });

    it('keeps OU assignments unique, and their members until they go', async () => {
      const p = db.stores.provisioning;
      const a = { id: randomUUID(), ouPath: '/Root/Workloads', permissionSetId: 'ps-aaaaaaaaaaaaaaaa', principalType: 'GROUP' as const, principalId: 'g1', createdAt: at(1) };
      await p.createOuAssignment(a);
      const dup = await p.createOuAssignment({ ...a, id: randomUUID() }).catch((e: unknown) => e);
      expect(dup).to.be.instanceOf(ConflictError);
      await p.addOuMember(a.id, '444455556666');
      await p.addOuMember(a.id, '111122223333');
      await p.addOuMember(a.id, '111122223333');
      expect(await p.listOuMembers(a.id)).to.deep.equal(['111122223333', '444455556666']);
      expect(await p.listOuAssignments()).to.deep.equal([a]);
      await p.deleteOuAssignment(a.id);
      expect(await p.getOuAssignment(a.id)).to.equal(null);
      expect(await p.listOuMembers(a.id)).to.deep.equal([]);
    });

    it('keeps what Organizations last said of each account', async () => {
      const p = db.stores.provisioning;
      await p.putOrganizationAccount({ accountId: '444455556666', ouPath: '/Root/Workloads', status: 'ACTIVE', importedAt: at(1) });
      await p.putOrganizationAccount({ accountId: '111122223333', ouPath: '/Root', status: 'ACTIVE', importedAt: at(1) });
      await p.putOrganizationAccount({ accountId: '444455556666', ouPath: '/Root/Workloads', status: 'REMOVED', importedAt: at(2) });
      expect(await p.listOrganizationAccounts()).to.deep.equal([
        { accountId: '111122223333', ouPath: '/Root', status: 'ACTIVE', importedAt: at(1) },
        { accountId: '444455556666', ouPath: '/Root/Workloads', status: 'REMOVED', importedAt: at(2) },
      ]);
    });
  });
}
