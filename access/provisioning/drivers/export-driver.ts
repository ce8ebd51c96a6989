// The `export` driver (docs/provisioning.md): instead of calling AWS, it writes each account's
// desired state as a CloudFormation template, `<dir>/<account id>.template.json`, for an
// administrator's own pipeline. It sees nothing in AWS, so every apply writes the whole template.
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Account } from '../../../model/types.ts';
import type { AccountChanges, ObservedAccount } from '../changes.ts';
import { accountTemplate } from '../cloudformation.ts';
import type { DesiredAccount } from '../desired-state.ts';
import type { ProvisioningDriver } from '../driver.ts';

export class ExportDriver implements ProvisioningDriver {
  readonly name = 'export' as const;

  constructor(private readonly dir: string) {}

  templatePath(accountId: string): string {
    return path.join(this.dir, `${accountId}.template.json`);
  }

  async observe(): Promise<ObservedAccount> {
    return { provider: null, roles: [] };
  }

  async execute(account: Account, _changes: AccountChanges, desired: DesiredAccount | null): Promise<void> {
    const file = this.templatePath(account.accountId);
    if (desired === null) return void (await rm(file, { force: true }));
    await mkdir(this.dir, { recursive: true });
    await writeFile(`${file}.tmp`, `${JSON.stringify(accountTemplate(desired), null, 2)}\n`);
    await rename(`${file}.tmp`, file);
  }
}
