import { FairQueue } from '../../../src/lambda/fair-queue';

describe('FairQueue', () => {
  test('serves the keys round robin, each key first in first out', () => {
    // Prepare
    const queue = new FairQueue<string>();
    for (const item of ['a1', 'a2', 'a3', 'a4']) queue.push('a', item);
    queue.push('b', 'b1');
    queue.push('c', 'c1');
    queue.push('c', 'c2');

    // Act
    const served: (string | undefined)[] = [];
    while (queue.size > 0) served.push(queue.shift());

    // Assess
    expect(served).toEqual(['a1', 'b1', 'c1', 'a2', 'c2', 'a3', 'a4']);
    expect(queue.shift()).toBeUndefined();
  });

  test('a key that comes back after running dry waits for the keys already waiting', () => {
    // Prepare
    const queue = new FairQueue<string>();
    queue.push('a', 'a1');
    queue.push('b', 'b1');
    queue.push('b', 'b2');
    expect(queue.shift()).toBe('a1');

    // Act
    queue.push('a', 'a2');

    // Assess
    expect([queue.shift(), queue.shift(), queue.shift()]).toEqual(['b1', 'a2', 'b2']);
  });

  test('removes an item wherever it waits, and its key when it was the last', () => {
    // Prepare
    const queue = new FairQueue<string>();
    queue.push('a', 'a1');
    queue.push('b', 'b1');
    queue.push('a', 'a2');

    // Act
    const removed = [queue.remove('b', 'b1'), queue.remove('b', 'b1'), queue.remove('a', 'a1')];

    // Assess
    expect(removed).toEqual([true, false, true]);
    expect(queue.size).toBe(1);
    expect(queue.shift()).toBe('a2');
  });
});
