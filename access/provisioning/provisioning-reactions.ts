// Provisioning follows access changes (docs/provisioning.md): a created or removed assignment
// re-provisions its account (the role is created with the first assignment of a permission set
// there and deleted with the last), and an edited or deleted permission set marks or cleans up the
// accounts it is provisioned to. Subscribed to the access-change bus like every other reaction
// (docs/architecture.md, "Events"); the trigger starts jobs in the background and never throws.
import type { AccessEvent } from '../../model/access-events.ts';
import type { AccessEventBus } from '../events/bus.ts';
import type { ProvisioningTrigger } from './trigger.ts';

export function subscribeProvisioning(bus: AccessEventBus, trigger: ProvisioningTrigger): () => void {
  return bus.subscribe((events: readonly AccessEvent[]) => {
    const accounts = new Set<string>();
    for (const event of events) {
      switch (event.type) {
        case 'assignment.created':
        case 'assignment.removed':
          accounts.add(event.assignment.accountId);
          break;
        case 'permission-set.edited':
          trigger.permissionSetChanged(event.permissionSetId, false);
          break;
        case 'permission-set.deleted':
          trigger.permissionSetChanged(event.permissionSetId, true);
          break;
        default:
          break;
      }
    }
    // One job per account for a whole batch (a cascade removes many assignments at once).
    for (const accountId of accounts) trigger.assignmentsChanged(accountId);
  });
}
