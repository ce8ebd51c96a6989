// bench/login: password sign-ins per second through the real portal (HTTP form post, throttle
// checks, directory lookup, argon2id verify, session creation, audit record) as a ratio to the
// bare password hash rate with the same parameters in the same process. Goal ≥ 0.7×: the hash
// should be the only real cost of a sign-in.
//
//   node --import tsx bench/login.ts [--seconds 5] [--concurrency 4] [--rounds 3]
import os from 'node:os';
import { PASSWORD_HASH_COST, PasswordHasher } from '../directory/passwords.ts';
import { startGatehouse } from '../test/support/gatehouse.ts';
import { PortalClient } from '../test/support/portal-client.ts';
import { seedOrganization } from '../test/support/seed.ts';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const seconds = arg('seconds', 5);
const concurrency = arg('concurrency', 4);
const rounds = arg('rounds', 3);

async function rate(work: (worker: number) => Promise<void>): Promise<number> {
  let done = 0;
  const until = Date.now() + seconds * 1000;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      while (Date.now() < until) {
        await work(w);
        done++;
      }
    }),
  );
  return done / (Number(process.hrtime.bigint() - start) / 1e9);
}

// Production's password hashing cost: the ratio below is to a production argon2id verify.
const gh = await startGatehouse({ passwordHashCost: PASSWORD_HASH_COST });
try {
  const users = Array.from({ length: concurrency }, (_, i) => ({ userName: `bench${i}`, password: `bench-password-${i}` }));
  await seedOrganization(gh.services, { users });
  const clients = await Promise.all(
    users.map(async () => {
      const c = new PortalClient(gh.baseUrl);
      await c.request('GET', '/start');
      return { client: c, csrf: c.csrf(), cookie: c.cookies.get('gh_login')! };
    }),
  );
  const passwords = new PasswordHasher();
  const hash = await passwords.hash('bench-password-0');

  // Warm up both paths.
  await passwords.verify(hash, 'bench-password-0');
  const signIn = async (w: number) => {
    const { client, csrf, cookie } = clients[w]!;
    client.cookies.clear();
    client.cookies.set('gh_login', cookie);
    const res = await client.request('POST', '/start/login', { csrf, userName: users[w]!.userName, password: users[w]!.password });
    if (res.status !== 303) throw new Error(`sign-in failed: ${res.status}`);
  };
  await signIn(0);

  // Alternate the two measurements so background load hits both alike; report medians.
  const hashRuns: number[] = [];
  const signInRuns: number[] = [];
  for (let round = 0; round < rounds; round++) {
    hashRuns.push(
      await rate(async () => {
        if (!(await passwords.verify(hash, 'bench-password-0'))) throw new Error('verify failed');
      }),
    );
    signInRuns.push(await rate(signIn));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const hashes = median(hashRuns);
  const signIns = median(signInRuns);
  const cores = os.availableParallelism();
  console.log(`cores: ${cores}, concurrency: ${concurrency}, ${rounds} alternating rounds of ${seconds} s, medians`);
  console.log(`argon2id verify (19 MiB, t=2, p=1): ${hashes.toFixed(1)}/s (${(hashes / cores).toFixed(1)}/s per core)`);
  console.log(`portal sign-ins (HTTP):             ${signIns.toFixed(1)}/s (${(signIns / cores).toFixed(1)}/s per core)`);
  console.log(`ratio sign-ins / hashes: ${(signIns / hashes).toFixed(2)}x (goal >= 0.70x)`);
} finally {
  await gh.close();
}
