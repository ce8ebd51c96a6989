// Our own pages in the SAML flows, where the use cases send the browser next; server/saml mounts
// its routes at these paths. Never a URL an application controls.

/** Where a pending SP-initiated request is answered once there is a sign-in (sp-initiated.ts). */
export const SSO_CONTINUE_PATH = '/saml/sso/continue';
/** Where a front-channel logout chain moves on (single-logout.ts). */
export const SLO_PROGRESS_PATH = '/saml/slo/progress';
/** Where the person lands when nothing else is waiting. */
export const PORTAL_HOME_PATH = '/start';
