// What a use case asks the browser to do next, for server/ to render as it is
// (server/http/browser-step.ts): post a form to another site (SAML HTTP-POST binding, SAML
// Bindings §3.5) or follow a redirect (HTTP-Redirect binding, §3.4, or one of our own pages).
// A use case never sees the response object; it returns one of these.

export interface PostStep {
  kind: 'post';
  /** Where the self-submitting form goes (an ACS, a SingleLogoutService, an AWS sign-in endpoint). */
  action: string;
  fields: Record<string, string>;
  /** The page title while the form submits. */
  title: string;
}

export interface RedirectStep {
  kind: 'redirect';
  url: string;
  /** 302 for the SAML HTTP-Redirect binding (SAML Bindings §3.4.5); 303 (see other) otherwise. */
  status?: 302 | 303;
}

export type BrowserStep = PostStep | RedirectStep;
