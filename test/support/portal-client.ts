// A person's browser, reduced to what the portal tests need: a cookie jar, forms with their CSRF
// token, and the auto-POST page that carries a SAMLResponse.

export interface PageResponse {
  status: number;
  text: string;
  headers: Headers;
  location: string | null;
}

const decodeEntities = (s: string) =>
  s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

export function hiddenFields(page: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const m of page.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) fields[m[1]!] = decodeEntities(m[2]!);
  return fields;
}

export class PortalClient {
  readonly cookies = new Map<string, string>();
  lastPage = '';
  /** Sent with every request (e.g. X-Forwarded-For, for a server with TRUST_PROXY). */
  readonly headers: Record<string, string> = {};

  constructor(public baseUrl: string) {}

  async request(method: string, path: string, form?: Record<string, string>): Promise<PageResponse> {
    const headers: Record<string, string> = { ...this.headers };
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await fetch(this.baseUrl + path, { method, headers, body: form ? new URLSearchParams(form).toString() : undefined, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (attrs.some((a) => /max-age=0/i.test(a.trim())) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await res.text();
    if (res.headers.get('content-type')?.includes('html')) this.lastPage = text;
    return { status: res.status, text, headers: res.headers, location: res.headers.get('location') };
  }

  /** The CSRF token of the last page seen. */
  csrf(): string {
    const token = hiddenFields(this.lastPage).csrf;
    if (!token) throw new Error(`no csrf token on the page:\n${this.lastPage.slice(0, 500)}`);
    return token;
  }

  async signIn(userName: string, password: string): Promise<PageResponse> {
    await this.request('GET', '/start');
    return this.request('POST', '/start/login', { csrf: this.csrf(), userName, password });
  }

  /** Posts the role choice; returns the auto-POST form's target and fields. */
  async federate(accountId: string, permissionSet: string): Promise<{ response: PageResponse; action: string | null; fields: Record<string, string> }> {
    await this.request('GET', '/start');
    const response = await this.request('POST', '/start/federate', { csrf: this.csrf(), accountId, permissionSet });
    const action = /<form method="post" action="([^"]+)" id="saml-post">/.exec(response.text)?.[1] ?? null;
    return { response, action: action && decodeEntities(action), fields: hiddenFields(response.text) };
  }

  async signOut(): Promise<PageResponse> {
    await this.request('GET', '/start');
    return this.request('POST', '/start/logout', { csrf: this.csrf() });
  }
}
