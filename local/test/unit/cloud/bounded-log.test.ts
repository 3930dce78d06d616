import { BoundedLog } from '../../../src/cloud/bounded-log';

describe('BoundedLog', () => {
  test('keeps every entry up to its capacity, oldest first', () => {
    // Prepare
    const log = new BoundedLog<number>(3);

    // Act
    [1, 2, 3].forEach((entry) => log.push(entry));

    // Assess
    expect(log.items()).toEqual([1, 2, 3]);
    expect(log.evicted).toBe(0);
  });

  test('beyond its capacity drops the oldest entries and counts them', () => {
    // Prepare
    const log = new BoundedLog<number>(3);

    // Act
    for (let entry = 1; entry <= 8; entry++) log.push(entry);

    // Assess
    expect(log.items()).toEqual([6, 7, 8]);
    expect(log.evicted).toBe(5);
    expect(log.size).toBe(3);
  });

  test('refuses a capacity that keeps nothing', () => {
    expect(() => new BoundedLog(0)).toThrow(RangeError);
  });
});
