// The five verbs every admin resource shares: list (paged, filtered by name), create, read,
// update (PATCH, partial), delete (optionally cascading).
import type { Router } from 'express';
import type { ListQuery, Page } from '../../store/stores.ts';
import { actorOf } from './auth.ts';
import { cascadeParam, listQuery } from './list-query.ts';

export interface ResourceService<T> {
  create(input: unknown, actor: string): Promise<T>;
  get(id: string): Promise<T>;
  list(query: ListQuery): Promise<Page<T>>;
  update(id: string, input: unknown, actor: string): Promise<T>;
  /** `force`: ?force=true, for a deletion refused over what it would leave behind (accounts: roles provisioned in AWS). */
  delete(id: string, cascade: boolean, actor: string, options?: { force?: boolean }): Promise<void>;
}

export function mountResource<T>(router: Router, path: string, service: ResourceService<T>): void {
  router.get(path, async (req, res) => {
    res.json(await service.list(listQuery(req.query)));
  });
  router.post(path, async (req, res) => {
    res.status(201).json(await service.create(req.body, actorOf(res)));
  });
  router.get(`${path}/:id`, async (req, res) => {
    res.json(await service.get(String(req.params.id)));
  });
  router.patch(`${path}/:id`, async (req, res) => {
    res.json(await service.update(String(req.params.id), req.body, actorOf(res)));
  });
  router.delete(`${path}/:id`, async (req, res) => {
    await service.delete(String(req.params.id), cascadeParam(req.query as Record<string, unknown>), actorOf(res), { force: req.query.force === 'true' });
    res.status(204).end();
  });
}
