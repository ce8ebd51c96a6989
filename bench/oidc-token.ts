// Authorization-code exchanges at the OpenID Provider's token endpoint per CPU second (one core),
// as a ratio to raw signatures with the same key in the same process (docs/performance.md). Each
// exchange signs one ID token (RS256 or ES256, as the app asks) and does everything else a real
// one does: client authentication, the code taken from the ephemeral store, PKCE, the person
// re-read and re-checked against their assignment, access and refresh tokens stored.
//
//   node --import tsx bench/oidc-token.ts [--seconds 6] [--batch 150]
//
// A real Gatehouse in this process (embedded store on SQLite). Codes are made beforehand, in
// batches (a code lives 60 seconds), by a browser already signed in to the portal: each is one
// request to /oidc/auth. Only the exchanges are timed, and the raw signatures in slices between
// them, so other work on the machine moves both alike. The client side (fetch) runs in the same
// process and is counted too: the ratio is a floor.
import { createHash, createPrivateKey, randomBytes, sign, type JsonWebKey } from 'node:crypto';
import { startGatehouse } from '../test/support/gatehouse.ts';
import { PortalClient } from '../test/support/portal-client.ts';
import { seedOrganization } from '../test/support/seed.ts';
import { createOidcApp, REDIRECT_URI } from '../test/support/oidc-rp.ts';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const SECONDS = arg('seconds', 6);
const BATCH = arg('batch', 150);

const cpuNow = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

const gh = await startGatehouse();
try {
  const org = await seedOrganization(gh.services, { users: [{ userName: 'alice', email: 'alice@example.com' }], groups: [{ name: 'Staff', members: ['alice'] }] });
  const browser = new PortalClient(gh.baseUrl);
  await browser.signIn('alice', org.users.alice!.password);
  const keys = (await gh.services.oidcSigningKeys.read()).jwks;

  for (const alg of ['RS256', 'ES256'] as const) {
    const app = await createOidcApp(gh, { name: `Bench ${alg}`, idTokenSignedResponseAlg: alg }, { GROUP: [org.groups.Staff!] });
    const basic = `Basic ${Buffer.from(`${app.id}:${app.clientSecret}`).toString('base64')}`;
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');

    const codes = async (n: number): Promise<string[]> => {
      const out: string[] = [];
      const query = new URLSearchParams({ client_id: app.id, response_type: 'code', redirect_uri: REDIRECT_URI, scope: 'openid profile email groups', code_challenge: challenge, code_challenge_method: 'S256' });
      for (let i = 0; i < n; i++) {
        let res = await browser.request('GET', `/oidc/auth?${query}`);
        // The first authorization of an app passes the interaction step once.
        for (let hops = 0; hops < 6 && res.location && !res.location.startsWith(REDIRECT_URI); hops++) {
          const next = new URL(res.location, gh.baseUrl);
          res = await browser.request('GET', next.pathname + next.search);
          const refresh = /<meta http-equiv="refresh" content="0;url=([^"]+)">/.exec(res.text)?.[1];
          if (refresh) res = await browser.request('GET', new URL(refresh.replace(/&amp;/g, '&'), gh.baseUrl).pathname + new URL(refresh.replace(/&amp;/g, '&'), gh.baseUrl).search);
        }
        const code = res.location ? new URL(res.location).searchParams.get('code') : null;
        if (!code) throw new Error(`no code: ${res.status} ${res.location} ${res.text.slice(0, 200)}`);
        out.push(code);
      }
      return out;
    };
    const exchange = async (code: string) => {
      const res = await fetch(`${gh.baseUrl}/oidc/token`, {
        method: 'POST',
        headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier }),
      });
      const body = (await res.json()) as { id_token?: string };
      if (!body.id_token) throw new Error(`exchange failed: ${res.status} ${JSON.stringify(body)}`);
      return body.id_token;
    };

    // Raw signatures with the very key the provider signs this app's ID tokens with.
    const jwk = keys.find((k) => k.alg === alg)!;
    const key = createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' });
    const signingInput = Buffer.alloc(700, 'x');
    const rawSign = () => (alg === 'RS256' ? sign('sha256', signingInput, key) : sign('sha256', signingInput, { key, dsaEncoding: 'ieee-p1363' }));

    const idToken = await exchange((await codes(1))[0]!);
    const kid = (JSON.parse(Buffer.from(idToken.split('.')[0]!, 'base64url').toString()) as { kid: string; alg: string });
    if (kid.alg !== alg || kid.kid !== jwk.kid) throw new Error(`ID token signed with ${kid.alg} ${kid.kid}, expected ${alg} ${jwk.kid}`);

    let exchanges = 0;
    let exchangeMicros = 0;
    let signs = 0;
    let signMicros = 0;
    const deadline = performance.now() + SECONDS * 1000;
    while (performance.now() < deadline) {
      const batch = await codes(BATCH);
      const start = cpuNow();
      for (const code of batch) await exchange(code);
      exchangeMicros += cpuNow() - start;
      exchanges += batch.length;
      const signStart = cpuNow();
      const signEnd = performance.now() + 250;
      while (performance.now() < signEnd) {
        rawSign();
        signs++;
      }
      signMicros += cpuNow() - signStart;
    }
    const exchangeRate = exchanges / (exchangeMicros / 1e6);
    const signRate = signs / (signMicros / 1e6);
    console.log(`${alg} (${jwk.kid}): ${exchanges} exchanges; rates per CPU second of this process (one core)`);
    console.log(`  raw ${alg} signatures/s                 ${signRate.toFixed(1)}`);
    console.log(`  authorization-code exchanges/s        ${exchangeRate.toFixed(1)}`);
    console.log(`  ratio exchanges / raw signatures      ${(exchangeRate / signRate).toFixed(3)}x  (ceiling 1x: one signature each)`);
  }
} finally {
  await gh.close();
}
