// The bounded cache every per-process cache uses (cache/bounded-cache.ts): never more entries than
// its bound, and the one that goes is the one used least recently.
import { expect } from 'chai';
import { BoundedCache } from '../../cache/bounded-cache.ts';

describe('bounded cache', () => {
  it('never holds more than its bound: the least recently set goes first', () => {
    const cache = new BoundedCache<string, number>(3);
    for (const [i, k] of ['a', 'b', 'c', 'd', 'e'].entries()) cache.set(k, i);
    expect(cache.size).to.equal(3);
    expect([...cache.keys()]).to.deep.equal(['c', 'd', 'e']);
    expect(cache.get('a')).to.equal(undefined);
    expect(cache.get('e')).to.equal(4);
  });

  it('counts a get as a use, so an entry read often survives newer ones', () => {
    const cache = new BoundedCache<string, string>(2);
    cache.set('hot', 'h');
    cache.set('cold', 'c');
    expect(cache.get('hot')).to.equal('h');
    cache.set('new', 'n');
    expect(cache.has('hot')).to.equal(true);
    expect(cache.has('cold')).to.equal(false);
  });

  it('does not count a peek as a use', () => {
    const cache = new BoundedCache<string, string>(2);
    cache.set('a', '1');
    cache.set('b', '2');
    expect(cache.peek('a')).to.equal('1');
    cache.set('c', '3');
    expect(cache.peek('a')).to.equal(undefined);
    expect([...cache.keys()]).to.deep.equal(['b', 'c']);
  });

  it('replaces a value in place of adding one, and makes it the most recent', () => {
    const cache = new BoundedCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('a', 10);
    expect(cache.size).to.equal(2);
    cache.set('c', 3);
    expect([...cache.keys()]).to.deep.equal(['a', 'c']);
    expect(cache.get('a')).to.equal(10);
  });

  it('keeps entries whose value is undefined or null apart from missing ones', () => {
    const cache = new BoundedCache<string, number | null | undefined>(2);
    cache.set('u', undefined);
    cache.set('n', null);
    expect(cache.has('u')).to.equal(true);
    expect(cache.get('u')).to.equal(undefined);
    // Reading 'u' made it the most recent: 'n' goes when a third entry comes.
    cache.set('x', 1);
    expect([...cache.keys()]).to.deep.equal(['u', 'x']);
  });

  it('forgets entries on delete and clear', () => {
    const cache = new BoundedCache<number, string>(5);
    cache.set(1, 'one');
    cache.set(2, 'two');
    expect(cache.delete(1)).to.equal(true);
    expect(cache.delete(1)).to.equal(false);
    expect(cache.get(1)).to.equal(undefined);
    cache.clear();
    expect(cache.size).to.equal(0);
  });

  it('refuses a bound that is not a positive whole number', () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) expect(() => new BoundedCache(bad), String(bad)).to.throw(RangeError);
  });
});
