import { chunkEntries } from '../../../shared/outbox/chunk-entries';

describe('chunkEntries', () => {
  it('closes a chunk at the entry count limit', () => {
    // Act
    const chunks = chunkEntries([1, 2, 3, 4, 5], () => 1, { maxEntries: 2, maxBytes: 100 });

    // Assess
    expect(chunks).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('closes a chunk before the item that would take it past the byte limit, keeping the order', () => {
    // Act
    const chunks = chunkEntries([60, 40, 1, 70, 30, 100], (size) => size, { maxEntries: 10, maxBytes: 100 });

    // Assess
    expect(chunks).toEqual([[60, 40], [1, 70], [30], [100]]);
  });

  it('makes no chunk of nothing', () => {
    // Act
    const chunks = chunkEntries([], () => 1);

    // Assess
    expect(chunks).toEqual([]);
  });
});
