// The one interface every provisioning driver implements (docs/provisioning.md, "Drivers"): read
// what Gatehouse owns in an account, and carry out a set of changes there.
import type { Account } from '../../model/types.ts';
import type { AccountChanges, ObservedAccount } from './changes.ts';
import type { DesiredAccount } from './desired-state.ts';

export interface ProvisioningDriver {
  readonly name: 'aws' | 'export';
  /** What Gatehouse owns in the account now. */
  observe(account: Account): Promise<ObservedAccount>;
  /** Carries out `changes` (found against observe's answer) so the account reaches `desired`. */
  execute(account: Account, changes: AccountChanges, desired: DesiredAccount | null): Promise<void>;
  /** Lets go of the connections it keeps between jobs; called once no job runs any more (ProvisioningService.close). */
  close?(): void;
}

/** A driver call that failed: the job records `message` as its reason. `retryable` for throttling that outlasted the retries. */
export class ProvisioningFailure extends Error {
  constructor(
    message: string,
    readonly retryable = false,
    /** The AWS error name, when the failure came from an AWS answer. */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'ProvisioningFailure';
  }
}
