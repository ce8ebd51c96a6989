// A per-process cache that holds at most a fixed number of entries: adding one more drops the
// least recently used (read with get, or written with set). Each process keeps such caches of
// what it has already parsed, decrypted or prepared; the store stays the authority on every value
// (callers compare against what they just read, or key entries by a version), so an entry dropped
// early only costs the work again, and the bound keeps memory flat whatever the traffic.
//
// A Map keeps its keys in insertion order, so re-inserting an entry on every use leaves the least
// recently used first, where eviction takes it: no list to maintain, O(1) for every operation.

export class BoundedCache<K, V> {
  readonly #entries = new Map<K, V>();

  constructor(readonly maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError(`maxEntries must be a positive integer, not ${maxEntries}`);
  }

  /** The value, now the most recently used; undefined when absent. */
  get(key: K): V | undefined {
    const value = this.#entries.get(key);
    if (value === undefined && !this.#entries.has(key)) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, value as V);
    return value;
  }

  /** The value without counting this as a use (e.g. only to decide what to read ahead). */
  peek(key: K): V | undefined {
    return this.#entries.get(key);
  }

  has(key: K): boolean {
    return this.#entries.has(key);
  }

  /** Adds or replaces the entry as the most recently used, dropping the least recently used beyond the bound. */
  set(key: K, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.maxEntries) this.#entries.delete(this.#entries.keys().next().value as K);
  }

  delete(key: K): boolean {
    return this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Keys, least recently used first. */
  keys(): MapIterator<K> {
    return this.#entries.keys();
  }
}
