// /api/v1/audit: the audit log, filtered (?from=&to=&actor=&actorName=&action=&target=&outcome=),
// newest first, paged; /api/v1/audit/export: every matching event as JSON lines
// (application/x-ndjson), one event per line, streamed page by page.
import type { Router } from 'express';
import type { AuditLog } from '../../access/audit/audit-log.ts';

export function mountAudit(router: Router, log: Pick<AuditLog, 'list' | 'export'>): void {
  router.get('/audit', async (req, res) => {
    res.json(await log.list(req.query));
  });
  router.get('/audit/export', async (req, res) => {
    const events = log.export(req.query);
    // The first page is read before the headers go, so a bad filter is still a 400 problem.
    const first = await events.next();
    res.status(200).type('application/x-ndjson');
    res.setHeader('Content-Disposition', 'attachment; filename="gatehouse-audit.jsonl"');
    if (!first.done) res.write(`${JSON.stringify(first.value)}\n`);
    for await (const event of events) {
      if (!res.write(`${JSON.stringify(event)}\n`)) await new Promise((resolve) => res.once('drain', resolve));
    }
    res.end();
  });
}
