// Applications whose metadata comes from a URL (docs/saml-applications.md): fetched at creation, re-fetched on
// demand and on schedule (validUntil / cacheDuration), the last good copy kept when a fetch fails or
// brings an invalid document; and the egress rule (ASVS V13.2.4): private, loopback, link-local,
// unique-local and other non-public targets are refused before any connection unless allowed, and
// so are redirects to them. The metadata is served by a local HTTP server on 127.0.0.1, which the
// "open" Gatehouse is allowed to reach (METADATA_FETCH_ALLOW_PRIVATE=127.0.0.1) and the "strict"
// one is not. No test sends traffic to a non-loopback private address: those are refused first.

import { expect } from 'chai';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { hex, keys, metadata, MetadataServer, POST, secondsBetween, uniqueEntityId, type Keys } from './applications-fixtures.ts';

const OPEN_ENV = { METADATA_FETCH_ALLOW_PRIVATE: '127.0.0.1', METADATA_FETCH_TIMEOUT_MS: '1000' };

describe('admin API: applications from a metadata URL', function () {
  let open: TestGatehouse;
  let strict: TestGatehouse;
  let server: MetadataServer;
  let k: Keys;

  before(async () => {
    [open, strict, server, k] = await Promise.all([startGatehouse({ env: OPEN_ENV }), startGatehouse(), MetadataServer.start(), keys()]);
  });
  after(async () => {
    await Promise.all([open?.close(), strict?.close(), server?.close()]);
  });

  /** Serves a fresh valid document at a fresh path; returns the URL, path and entity id. */
  function served(more: Parameters<typeof metadata>[3] = {}, signing = k.sp) {
    const path = `/md-${hex()}.xml`;
    const entityId = uniqueEntityId();
    const xml = metadata(entityId, signing, null, more);
    server.serve(path, xml);
    return { path, url: server.url(path), entityId, xml };
  }

  async function createFromUrl(gh: TestGatehouse, url: string) {
    return gh.api('POST', '/applications', { name: `URL ${hex()}`, metadataUrl: url });
  }

  function expectRefusedUrl(res: { status: number; body: any }, detail: RegExp) {
    expect(res.status, JSON.stringify(res.body)).to.equal(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).to.deep.equal(['metadataUrl']);
    expect(res.body.detail, res.body.detail).to.match(detail);
  }

  describe('creating', () => {
    it('fetches the document now, stores it with the SP data, and schedules the next fetch after cacheDuration', async () => {
      const { path, url, entityId, xml } = served({ cacheDuration: 'PT6H' });
      const before = Date.now();
      const res = await createFromUrl(open, url);
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      expect(res.body).to.deep.include({ entityId, signingCertificates: res.body.signingCertificates });
      expect(res.body.acs[0]).to.deep.include({ binding: POST, isDefault: true });
      const m = res.body.metadata;
      expect(m).to.deep.include({ source: 'url', url, xml, lastError: null, cacheDurationSeconds: 21600, validUntil: null });
      expect(new Date(m.fetchedAt).getTime()).to.be.within(before - 1000, Date.now() + 1000);
      expect(secondsBetween(m.fetchedAt, m.nextFetchAt)).to.be.closeTo(6 * 3600, 2);
      expect(server.hits(path)).to.equal(1);
      const request = server.requests.find((r) => r.path === path)!;
      expect(request.headers.accept).to.match(/application\/samlmetadata\+xml/);
      expect(request.headers['accept-encoding']).to.equal('identity');
    });

    it('schedules after cacheDuration clamped to 5 min .. 7 days (24 h when absent), and always before validUntil', async () => {
      const inHours = (h: number) => new Date(Date.now() + h * 3600_000).toISOString();
      const cases: [Parameters<typeof metadata>[3], number][] = [
        [{}, 24 * 3600],
        [{ cacheDuration: 'PT1M' }, 300],
        [{ cacheDuration: 'P30D' }, 7 * 24 * 3600],
        [{ cacheDuration: 'P1D', validUntil: inHours(2) }, 3600], // an hour before it expires
        [{ validUntil: inHours(0.5) }, 900], // half-way when it expires within two hours
      ];
      for (const [more, seconds] of cases) {
        const res = await createFromUrl(open, served(more).url);
        expect(res.status, JSON.stringify(res.body)).to.equal(201);
        expect(secondsBetween(res.body.metadata.fetchedAt, res.body.metadata.nextFetchAt), JSON.stringify(more)).to.be.closeTo(seconds, 5);
      }
    });

    it('refuses a document that is invalid, says why, and stores nothing', async () => {
      const path = `/bad-${hex()}.xml`;
      server.serve(path, metadata(uniqueEntityId(), k.weak, null));
      const name = `Weak ${hex()}`;
      const res = await open.api('POST', '/applications', { name, metadataUrl: server.url(path) });
      expectRefusedUrl(res, /was refused: .*1024-bit RSA key/);
      expect((await open.api('GET', `/applications?name=${encodeURIComponent(name)}`)).body.items).to.deep.equal([]);
    });
  });

  describe('the egress rule', () => {
    let v4: MetadataServer;
    let v6: MetadataServer;
    before(async () => {
      [v4, v6] = await Promise.all([MetadataServer.start('127.0.0.1'), MetadataServer.start('::1')]);
    });
    after(async () => {
      await Promise.all([v4?.close(), v6?.close()]);
    });

    it('refuses private, loopback, link-local, unique-local and other non-public targets before connecting', async () => {
      const targets: [string, RegExp][] = [
        ['https://10.0.0.1/metadata.xml', /10\.0\.0\.1 is a private address/],
        ['https://172.16.5.4/metadata.xml', /private/],
        ['https://192.168.1.1/metadata.xml', /private/],
        ['https://169.254.169.254/latest/meta-data/', /169\.254\.169\.254 is a link-local address/],
        ['https://100.64.0.1/metadata.xml', /reserved/],
        ['https://0.0.0.0/metadata.xml', /unspecified/],
        ['https://224.0.0.1/metadata.xml', /multicast/],
        [`http://127.0.0.1:${v4.port}/metadata.xml`, /127\.0\.0\.1 is a loopback address/],
        [`https://127.0.0.1:${v4.port}/metadata.xml`, /loopback/],
        [`https://127.1.2.3:${v4.port}/metadata.xml`, /loopback/],
        [`https://[::1]:${v6.port}/metadata.xml`, /::1 is a loopback address/],
        [`http://[::1]:${v6.port}/metadata.xml`, /loopback/],
        [`https://[::ffff:127.0.0.1]:${v4.port}/metadata.xml`, /loopback address \(IPv4 inside IPv6\)/],
        ['https://[::ffff:a9fe:a9fe]/latest/meta-data/', /link-local address \(IPv4 inside IPv6\)/],
        ['https://[64:ff9b::a00:1]/metadata.xml', /private address \(IPv4 inside IPv6\)/],
        ['https://[fd12:3456::1]/metadata.xml', /unique-local/],
        ['https://[fe80::1]/metadata.xml', /link-local/],
        ['https://[ff02::1]/metadata.xml', /multicast/],
        ['https://[::]/metadata.xml', /unspecified/],
        [`https://localhost:${v4.port}/metadata.xml`, /localhost \(127\.0\.0\.1\) is a loopback address/],
      ];
      for (const [url, detail] of targets) {
        const name = `Private ${hex()}`;
        const started = Date.now();
        const res = await strict.api('POST', '/applications', { name, metadataUrl: url });
        expectRefusedUrl(res, detail);
        expect(res.body.detail).to.match(/only fetched from public addresses/);
        expect(Date.now() - started, url).to.be.below(1000);
        expect((await strict.api('GET', `/applications?name=${encodeURIComponent(name)}`)).body.items).to.deep.equal([]);
      }
      expect(v4.connections, 'connections to 127.0.0.1').to.equal(0);
      expect(v6.connections, 'connections to ::1').to.equal(0);
    });

    it('refuses plain http except to localhost, and URLs with credentials, without any lookup', async () => {
      expectRefusedUrl(await createFromUrl(strict, 'http://sp.example.com/metadata.xml'), /must use https \(http only for localhost/);
      expectRefusedUrl(await createFromUrl(strict, 'https://user:secret@sp.example.com/metadata.xml'), /must not contain a user name or password/);
      expectRefusedUrl(await createFromUrl(strict, 'file:///etc/passwd'), /must use https/);
      expectRefusedUrl(await createFromUrl(strict, 'not a url'), /not an absolute URL/);
    });

    it('follows redirects only to allowed targets, checking each hop, at most three', async () => {
      const target = served();
      const redirect = (from: string, to: string, status = 302) => server.on(from, (_req, res) => res.writeHead(status, { location: to }).end());
      const p = `/r-${hex()}`;
      redirect(`${p}/private`, 'https://10.0.0.1/metadata.xml');
      redirect(`${p}/v6`, `https://[::1]:${server.port}/metadata.xml`, 307);
      redirect(`${p}/imds`, 'https://169.254.169.254/latest/meta-data/', 301);
      redirect(`${p}/http`, 'http://sp.example.com/metadata.xml', 308);
      expectRefusedUrl(await createFromUrl(open, server.url(`${p}/private`)), /10\.0\.0\.1 is a private address/);
      expectRefusedUrl(await createFromUrl(open, server.url(`${p}/v6`)), /::1 is a loopback address/);
      expectRefusedUrl(await createFromUrl(open, server.url(`${p}/imds`)), /link-local/);
      expectRefusedUrl(await createFromUrl(open, server.url(`${p}/http`)), /redirect target .* must use https/);

      // Three hops (one relative) to an allowed target are followed; a fourth is one too many.
      redirect(`${p}/1`, `${p}/2`);
      redirect(`${p}/2`, server.url(`${p}/3`));
      redirect(`${p}/3`, target.path, 303);
      const followed = await createFromUrl(open, server.url(`${p}/1`));
      expect(followed.status, JSON.stringify(followed.body)).to.equal(201);
      expect(followed.body.entityId).to.equal(target.entityId);
      expect(followed.body.metadata.url).to.equal(server.url(`${p}/1`));
      redirect(`${p}/0`, `${p}/1`);
      expectRefusedUrl(await createFromUrl(open, server.url(`${p}/0`)), /more than 3 redirects/);
    });

    it('allows exactly the listed addresses: 127.0.0.1 is allowed to the open node, 127.0.0.2 is not', async () => {
      const other = await MetadataServer.start('127.0.0.2');
      try {
        other.serve('/m.xml', metadata(uniqueEntityId(), k.sp, null));
        expectRefusedUrl(await createFromUrl(open, `https://127.0.0.2:${other.port}/m.xml`), /127\.0\.0\.2 is a loopback address/);
        expect(other.connections).to.equal(0);
      } finally {
        await other.close();
      }
    });
  });

  describe('bounded fetches', () => {
    it('refuses a body over 1 MB, by its Content-Length or as it streams, without reading it all', async () => {
      const p = `/big-${hex()}`;
      server.on(`${p}/declared`, (_req, res) => {
        res.writeHead(200, { 'content-length': String(5 * 1024 * 1024) });
        res.write('<');
      });
      let streamed = 0;
      let completed = false;
      server.on(`${p}/stream`, (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/xml' });
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        const pump = () => {
          while (streamed < 64 * 1024 * 1024) {
            streamed += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          completed = true;
          res.end();
        };
        res.on('close', () => res.removeAllListeners('drain'));
        pump();
      });
      expectRefusedUrl(await createFromUrl(open, server.url(`${p}/declared`)), /larger than 1048576 bytes/);
      expectRefusedUrl(await createFromUrl(open, server.url(`${p}/stream`)), /larger than 1048576 bytes/);
      expect(completed).to.equal(false);
      expect(streamed).to.be.below(64 * 1024 * 1024);
    });

    it('gives up at the deadline on a server that never answers or drips its body', async () => {
      const p = `/slow-${hex()}`;
      server.on(`${p}/hang`, () => {});
      server.on(`${p}/drip`, (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/xml' });
        const timer = setInterval(() => res.write(' '), 100);
        res.on('close', () => clearInterval(timer));
      });
      for (const path of [`${p}/hang`, `${p}/drip`]) {
        const started = Date.now();
        expectRefusedUrl(await createFromUrl(open, server.url(path)), /no complete answer within 1000 ms/);
        expect(Date.now() - started).to.be.within(900, 3000);
      }
    });

    it('refuses an error status and a compressed body', async () => {
      const p = `/odd-${hex()}`;
      server.on(`${p}/gzip`, (_req, res) => res.writeHead(200, { 'content-encoding': 'gzip' }).end('x'));
      expectRefusedUrl(await createFromUrl(open, server.url(`${p}/missing`)), /answered HTTP 404/);
      expectRefusedUrl(await createFromUrl(open, server.url(`${p}/gzip`)), /gzip-encoded body/);
    });
  });

  describe('refreshing', () => {
    async function refresh(gh: TestGatehouse, id: string) {
      const res = await gh.api('POST', `/applications/${id}/refresh-metadata`);
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      return res.body as { outcome: string; error: string | null; application: any };
    }

    it('keeps the last good copy when the server serves garbage, an invalid document or is down, and takes a valid new one', async () => {
      const { path, url, entityId, xml } = served({ cacheDuration: 'PT12H' });
      const created = (await createFromUrl(open, url)).body;
      const goodCerts = created.signingCertificates;
      const keptGood = async (result: { application: any }) => {
        const now = (await open.api('GET', `/applications/${created.id}`)).body;
        expect(now.signingCertificates).to.deep.equal(goodCerts);
        expect(now.acs).to.deep.equal(created.acs);
        expect(now.metadata.xml).to.equal(xml);
        expect(now.metadata.fetchedAt).to.equal(created.metadata.fetchedAt);
        expect(result.application.metadata.lastError).to.be.a('string');
        // Retried in five minutes.
        expect(secondsBetween(new Date(), now.metadata.nextFetchAt)).to.be.closeTo(300, 5);
      };

      server.serve(path, '<<< not xml at all');
      const garbage = await refresh(open, created.id);
      expect(garbage.outcome).to.equal('failed');
      expect(garbage.error).to.match(/was refused: .*not well-formed XML/);
      await keptGood(garbage);

      const invalid: [string, RegExp][] = [
        [metadata(entityId, k.weak, null), /1024-bit RSA key/],
        [metadata(uniqueEntityId(), k.next, null), /now names entity id/],
        [metadata(entityId, k.next, null, { validUntil: '2021-06-01T00:00:00Z' }), /expired at 2021-06-01/],
        [metadata(entityId, k.next, null, { acs: [{ url: 'http://sp.example.net/acs', index: 0 }] }), /must use https/],
      ];
      for (const [doc, reason] of invalid) {
        server.serve(path, doc);
        const result = await refresh(open, created.id);
        expect(result.outcome).to.equal('failed');
        expect(result.error).to.match(reason);
        await keptGood(result);
      }

      // Down: the server is gone (connection refused).
      const store = open.services.sql.applications;
      const gone = await MetadataServer.start();
      gone.serve('/m.xml', xml);
      const stored = (await store.get(created.id))!;
      await store.update(created.id, { metadata: { ...stored.metadata, url: gone.url('/m.xml') } });
      await gone.close();
      const down = await refresh(open, created.id);
      expect(down.outcome).to.equal('failed');
      expect(down.error).to.match(/connection was refused/);
      await keptGood(down);
      await store.update(created.id, { metadata: { ...stored.metadata, url } });

      // A valid document with a new certificate replaces the SP data.
      const rotatedXml = metadata(entityId, k.next, null, { cacheDuration: 'PT2H' });
      server.serve(path, rotatedXml);
      const updated = await refresh(open, created.id);
      expect(updated.outcome).to.equal('updated');
      expect(updated.error).to.equal(null);
      const now = (await open.api('GET', `/applications/${created.id}`)).body;
      expect(now.signingCertificates).to.have.length(1).and.not.deep.equal(goodCerts);
      expect(now.signingCertificates[0]).to.contain('BEGIN CERTIFICATE');
      expect(now.metadata).to.deep.include({ xml: rotatedXml, lastError: null, cacheDurationSeconds: 7200 });
      expect(secondsBetween(now.metadata.fetchedAt, now.metadata.nextFetchAt)).to.be.closeTo(7200, 2);

      const again = await refresh(open, created.id);
      expect(again.outcome).to.equal('unchanged');
      const audit = (await open.api('GET', '/audit?action=application.metadata-refresh')).body.items.filter((e: { target: string }) => e.target === `application/${created.id}`);
      expect(audit.map((e: { detail: { outcome: string } }) => e.detail.outcome)).to.include.members(['failed', 'updated']);
    });

    it('refuses to refresh an app whose metadata was uploaded (409), and an unknown app (404)', async () => {
      const uploaded = (await open.api('POST', '/applications', { name: `Up ${hex()}`, metadataXml: metadata(uniqueEntityId(), k.sp, null) })).body;
      const res = await open.api('POST', `/applications/${uploaded.id}/refresh-metadata`);
      expect(res.status).to.equal(409);
      expect(res.body.detail).to.match(/only metadata from a URL is refreshed/);
      expect((await open.api('POST', '/applications/app-0000000000000000/refresh-metadata')).status).to.equal(404);
    });

    it('the refresher fetches what is due, once, and moves its next fetch on', async () => {
      const { path, url } = served({ cacheDuration: 'PT1H' });
      const created = (await createFromUrl(open, url)).body;
      const store = open.services.sql.applications;
      // Not due yet: not fetched.
      await open.services.metadataRefresher.tick();
      expect(server.hits(path)).to.equal(1);
      const app = (await store.get(created.id))!;
      await store.update(app.id, { metadata: { ...app.metadata, nextFetchAt: new Date(Date.now() - 1000) } });
      // Several apps of other tests may be due too; this one is fetched exactly once.
      await open.services.metadataRefresher.tick();
      expect(server.hits(path)).to.equal(2);
      const after = (await store.get(created.id))!;
      expect(secondsBetween(new Date(), after.metadata.nextFetchAt!)).to.be.closeTo(3600, 5);
      await open.services.metadataRefresher.tick();
      expect(server.hits(path)).to.equal(2);
    });

    it('two nodes sharing a database refresh each due app once between them', async () => {
      const nodeA = await startGatehouse({ env: OPEN_ENV });
      const nodeB = await startGatehouse({ env: OPEN_ENV, dataDir: nodeA.config.dataDir });
      try {
        const docs = [served(), served(), served()];
        const ids: string[] = [];
        for (const d of docs) ids.push((await createFromUrl(nodeA, d.url)).body.id);
        for (const id of ids) {
          const app = (await nodeA.services.sql.applications.get(id))!;
          await nodeA.services.sql.applications.update(id, { metadata: { ...app.metadata, nextFetchAt: new Date(Date.now() - 1000) } });
        }
        const [a, b] = await Promise.all([nodeA.services.metadataRefresher.tick(), nodeB.services.metadataRefresher.tick()]);
        expect(a + b).to.equal(3);
        for (const d of docs) expect(server.hits(d.path), d.path).to.equal(2);
        for (const id of ids) expect((await nodeB.services.sql.applications.get(id))!.metadata.nextFetchAt!.getTime()).to.be.above(Date.now());
      } finally {
        await nodeB.close();
        await nodeA.close();
      }
    });
  });
});
