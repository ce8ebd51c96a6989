// Named configuration documents as JSON rows; put is an upsert so nodes saving at once never clash.

import type { SettingsStore } from '../stores.ts';
import { readDate, readJson, writeJson } from './codec.ts';
import type { SqlContext } from './context.ts';
import { translated } from './errors.ts';

export class SqlSettingsStore implements SettingsStore {
  constructor(private readonly ctx: SqlContext) {}

  async get<T>(name: string): Promise<{ value: T; updatedAt: Date } | null> {
    const row = await translated(() => this.ctx.db.selectFrom('settings').selectAll().where('name', '=', name).executeTakeFirst());
    return row ? { value: readJson<T>(row.value_json), updatedAt: readDate(row.updated_at) } : null;
  }

  async put(name: string, value: unknown): Promise<void> {
    const value_json = writeJson(value);
    const updated_at = this.ctx.codec.date(new Date());
    await translated(() =>
      this.ctx.db
        .insertInto('settings')
        .values({ name, value_json, updated_at })
        .onConflict((oc) => oc.column('name').doUpdateSet({ value_json, updated_at }))
        .execute(),
    );
  }

  async delete(name: string): Promise<void> {
    await translated(() => this.ctx.db.deleteFrom('settings').where('name', '=', name).execute());
  }
}
