// Reads the organization through @aws-sdk/client-organizations with Gatehouse's own credentials
// (the management account, or a delegated administrator): DescribeOrganization for the management
// account, then the OU tree from the root (ListRoots, ListOrganizationalUnitsForParent,
// ListAccountsForParent), so every account comes with its OU path.
import {
  DescribeOrganizationCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListRootsCommand,
  OrganizationsClient,
  type Account as OrgAccount,
} from '@aws-sdk/client-organizations';
import type { OrganizationMember, OrganizationReader } from '../organization-import.ts';
import { ProvisioningFailure } from '../driver.ts';
import { REQUEST_TIMEOUTS } from './aws-driver.ts';
import { defaultBackoff, isThrottling, withBackoff, type Backoff } from './throttling.ts';

export interface AwsOrganizationsOptions {
  region: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  backoff?: Backoff;
}

export class AwsOrganizationReader implements OrganizationReader {
  readonly #client: OrganizationsClient;
  readonly #backoff: Backoff;

  constructor(o: AwsOrganizationsOptions) {
    this.#client = new OrganizationsClient({ region: o.region, endpoint: o.endpoint, credentials: o.credentials, maxAttempts: 1, requestHandler: REQUEST_TIMEOUTS });
    this.#backoff = o.backoff ?? defaultBackoff();
  }

  close(): void {
    this.#client.destroy();
  }

  async #send<O>(command: { readonly input: unknown }, what: string): Promise<O> {
    try {
      return (await withBackoff(() => this.#client.send(command as never), this.#backoff)) as O;
    } catch (e) {
      const name = e instanceof Error ? e.name : 'Error';
      throw new ProvisioningFailure(`organizations:${what}: ${name}: ${e instanceof Error ? e.message : String(e)}`, isThrottling(e), name);
    }
  }

  async #pages<T>(what: string, make: (token?: string) => { readonly input: unknown }, pick: (page: Record<string, unknown>) => T[] | undefined): Promise<T[]> {
    const out: T[] = [];
    let token: string | undefined;
    do {
      const page = await this.#send<Record<string, unknown> & { NextToken?: string }>(make(token), what);
      out.push(...(pick(page) ?? []));
      token = page.NextToken;
    } while (token);
    return out;
  }

  async read(): Promise<OrganizationMember[]> {
    const { Organization } = await this.#send<{ Organization?: { MasterAccountId?: string } }>(new DescribeOrganizationCommand({}), 'DescribeOrganization');
    const roots = await this.#pages('ListRoots', (NextToken) => new ListRootsCommand({ NextToken }), (p) => p.Roots as { Id?: string; Name?: string }[]);
    const members: OrganizationMember[] = [];
    const walk = async (parentId: string, path: string): Promise<void> => {
      const accounts = await this.#pages('ListAccountsForParent', (NextToken) => new ListAccountsForParentCommand({ ParentId: parentId, NextToken }), (p) => p.Accounts as OrgAccount[]);
      for (const a of accounts) {
        members.push({
          accountId: a.Id ?? '',
          name: a.Name ?? a.Id ?? '',
          email: a.Email ?? '',
          status: a.Status === 'SUSPENDED' || a.Status === 'PENDING_CLOSURE' ? a.Status : 'ACTIVE',
          ouPath: path,
          management: a.Id === Organization?.MasterAccountId,
        });
      }
      const units = await this.#pages('ListOrganizationalUnitsForParent', (NextToken) => new ListOrganizationalUnitsForParentCommand({ ParentId: parentId, NextToken }), (p) => p.OrganizationalUnits as { Id?: string; Name?: string }[]);
      for (const u of units) await walk(u.Id ?? '', `${path}/${u.Name ?? u.Id}`);
    };
    for (const r of roots) await walk(r.Id ?? '', `/${r.Name ?? 'Root'}`);
    return members;
  }
}
