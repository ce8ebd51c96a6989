// /api/v1/signing-keys: the SAML signing key rollover (docs/operations.md "Signing key rollover").
// POST stages a next key, POST …/promote makes it current, DELETE retires a next or previous key.
import type { Router } from 'express';
import type { SigningKeyService } from '../../access/signing-keys/signing-key-service.ts';
import { actorOf } from './auth.ts';

export interface SigningKeyRoutesDeps {
  signingKeys: Pick<SigningKeyService, 'list' | 'stage' | 'get' | 'promote' | 'retire'>;
}

export function mountSigningKeys(router: Router, services: SigningKeyRoutesDeps): void {
  const keys = services.signingKeys;
  router.get('/signing-keys', async (_req, res) => {
    res.json({ items: await keys.list() });
  });
  router.post('/signing-keys', async (req, res) => {
    res.status(201).json(await keys.stage(req.body, actorOf(res)));
  });
  router.get('/signing-keys/:id', async (req, res) => {
    res.json(await keys.get(req.params.id));
  });
  router.post('/signing-keys/:id/promote', async (req, res) => {
    // ?force=true: promote although some account's SAML provider lacks the certificate (docs/provisioning.md).
    res.json(await keys.promote(req.params.id, actorOf(res), { force: req.query.force === 'true' }));
  });
  router.delete('/signing-keys/:id', async (req, res) => {
    await keys.retire(req.params.id, actorOf(res));
    res.status(204).end();
  });
}
