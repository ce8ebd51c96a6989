// What starts provisioning by itself, called by the assignment and permission set services after
// their transaction commits. Kept to the changes provisioning reacts to, so it can be fed from an
// access-change event bus instead without touching the provisioning service.
export interface ProvisioningTrigger {
  /** An assignment was created or removed in the account. */
  assignmentsChanged(accountId: string): void;
  /** A permission set was edited, or deleted (with its assignments). */
  permissionSetChanged(permissionSetId: string, deleted: boolean): void;
}
