// AWS Organizations as the stand-in keeps it: one organization, a root, an OU tree and the
// accounts in it, answered in the JSON 1.1 protocol (X-Amz-Target AWSOrganizationsV20161128.*).
import { AwsFault } from './errors.ts';

export interface OrgAccount {
  id: string;
  name: string;
  email: string;
  status: 'ACTIVE' | 'SUSPENDED' | 'PENDING_CLOSURE';
  /** Id of the root or OU it sits in. */
  parentId: string;
}

export interface OrgUnit {
  id: string;
  name: string;
  parentId: string;
}

export class Organization {
  readonly id = 'o-standin1234';
  readonly rootId = 'r-stnd';
  readonly accounts = new Map<string, OrgAccount>();
  readonly units = new Map<string, OrgUnit>();

  constructor(readonly managementAccountId: string) {}

  accountArn(id: string): string {
    return `arn:aws:organizations::${this.managementAccountId}:account/${this.id}/${id}`;
  }

  handle(op: string, input: Record<string, unknown>): unknown {
    const pageOf = <T>(items: T[]) => {
      const start = Number(input.NextToken ?? 0);
      const max = Number(input.MaxResults ?? 20);
      if (!Number.isInteger(max) || max < 1 || max > 20) throw new AwsFault(400, 'InvalidInputException', 'MaxResults must be 1..20');
      return { items: items.slice(start, start + max), NextToken: start + max < items.length ? String(start + max) : undefined };
    };
    const accountJson = (a: OrgAccount) => ({ Id: a.id, Arn: this.accountArn(a.id), Email: a.email, Name: a.name, Status: a.status, JoinedMethod: 'CREATED', JoinedTimestamp: 1700000000 });
    const parent = () => {
      const id = String(input.ParentId ?? '');
      if (id !== this.rootId && !this.units.has(id)) throw new AwsFault(400, 'ParentNotFoundException', `parent ${id} not found`);
      return id;
    };
    switch (op) {
      case 'DescribeOrganization':
        return {
          Organization: {
            Id: this.id,
            Arn: `arn:aws:organizations::${this.managementAccountId}:organization/${this.id}`,
            FeatureSet: 'ALL',
            MasterAccountArn: this.accountArn(this.managementAccountId),
            MasterAccountId: this.managementAccountId,
            MasterAccountEmail: this.accounts.get(this.managementAccountId)?.email ?? 'management@example.com',
          },
        };
      case 'ListRoots':
        return { Roots: [{ Id: this.rootId, Arn: `arn:aws:organizations::${this.managementAccountId}:root/${this.id}/${this.rootId}`, Name: 'Root', PolicyTypes: [] }] };
      case 'ListAccounts': {
        const { items, NextToken } = pageOf([...this.accounts.values()].sort((a, b) => (a.id < b.id ? -1 : 1)));
        return { Accounts: items.map(accountJson), NextToken };
      }
      case 'ListAccountsForParent': {
        const p = parent();
        const { items, NextToken } = pageOf([...this.accounts.values()].filter((a) => a.parentId === p).sort((a, b) => (a.id < b.id ? -1 : 1)));
        return { Accounts: items.map(accountJson), NextToken };
      }
      case 'ListOrganizationalUnitsForParent': {
        const p = parent();
        const { items, NextToken } = pageOf([...this.units.values()].filter((u) => u.parentId === p).sort((a, b) => (a.id < b.id ? -1 : 1)));
        return { OrganizationalUnits: items.map((u) => ({ Id: u.id, Arn: `arn:aws:organizations::${this.managementAccountId}:ou/${this.id}/${u.id}`, Name: u.name })), NextToken };
      }
      default:
        throw new AwsFault(400, 'UnknownOperationException', `unknown operation ${op}`);
    }
  }
}
