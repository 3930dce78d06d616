import {
  formatTraceHeader,
  isSegmentId,
  isTraceId,
  newSegmentId,
  newTraceId,
  parseTraceHeader,
  traceStartSeconds,
} from '../../../src/xray/trace-header';

describe('X-Ray ids', () => {
  it('makes trace ids of version 1, the epoch second in 8 hex digits and 24 random hex digits', () => {
    // Prepare
    const now = Date.UTC(2026, 0, 2, 3, 4, 5, 678);

    // Act
    const ids = [newTraceId(now), newTraceId(now)];

    // Assess
    const seconds = Math.floor(now / 1000).toString(16);
    for (const id of ids) expect(id).toMatch(new RegExp(`^1-${seconds}-[0-9a-f]{24}$`));
    expect(ids[0]).not.toBe(ids[1]);
    expect(traceStartSeconds(ids[0] ?? '')).toBe(Math.floor(now / 1000));
  });

  it('pads the epoch of an early time to 8 hex digits', () => {
    // Act
    const id = newTraceId(1000 * 0xabcde);

    // Assess
    expect(id.startsWith('1-000abcde-')).toBe(true);
  });

  it('makes segment ids of 16 hex digits', () => {
    // Act
    const ids = new Set(Array.from({ length: 50 }, () => newSegmentId()));

    // Assess
    expect(ids.size).toBe(50);
    for (const id of ids) expect(isSegmentId(id)).toBe(true);
  });

  it('tells valid ids from malformed ones', () => {
    // Assess
    expect(isTraceId('1-5759e988-bd862e3fe1be46a994272793')).toBe(true);
    expect(isTraceId('1-5759e988-bd862e3fe1be46a99427279')).toBe(false);
    expect(isTraceId('2-5759e988-bd862e3fe1be46a994272793')).toBe(false);
    expect(isTraceId('1-5759E988-bd862e3fe1be46a994272793')).toBe(false);
    expect(isSegmentId('53995c3f42cd8ad8')).toBe(true);
    expect(isSegmentId('53995c3f42cd8ad')).toBe(false);
    expect(isSegmentId('53995c3f42cd8adz')).toBe(false);
    expect(isSegmentId(42)).toBe(false);
  });
});

describe('parseTraceHeader', () => {
  it('reads Root, Parent and Sampled, in any order and case, around spaces', () => {
    // Act
    const header = parseTraceHeader(
      ' sampled=1 ; PARENT=53995C3F42CD8AD8;Root=1-5759e988-bd862e3fe1be46a994272793 ',
    );

    // Assess
    expect(header).toEqual({
      root: '1-5759e988-bd862e3fe1be46a994272793',
      parent: '53995c3f42cd8ad8',
      sampled: true,
    });
  });

  it('keeps other fields, and reads Sampled=? and no Sampled as no decision', () => {
    // Act
    const undecided = parseTraceHeader(
      'Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=?;Lineage=a87bd80c:0',
    );
    const absent = parseTraceHeader('Root=1-5759e988-bd862e3fe1be46a994272793');
    const notSampled = parseTraceHeader('Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=0');

    // Assess
    expect(undecided).toEqual({
      root: '1-5759e988-bd862e3fe1be46a994272793',
      data: { Lineage: 'a87bd80c:0' },
    });
    expect(absent.sampled).toBeUndefined();
    expect(notSampled.sampled).toBe(false);
  });

  it('drops an invalid Root or Parent rather than trusting it', () => {
    // Act
    const header = parseTraceHeader('Root=1-a-b;Parent=xyz;Sampled=1');

    // Assess
    expect(header).toEqual({ sampled: true });
  });

  it('reads nothing from no header or garbage', () => {
    // Assess
    expect(parseTraceHeader(undefined)).toEqual({});
    expect(parseTraceHeader('')).toEqual({});
    expect(parseTraceHeader(';;=;x')).toEqual({});
  });
});

describe('formatTraceHeader', () => {
  it('writes Root, Parent and Sampled first, then the other fields', () => {
    // Act
    const text = formatTraceHeader({
      data: { Lineage: 'a87bd80c:0' },
      sampled: true,
      parent: '53995c3f42cd8ad8',
      root: '1-5759e988-bd862e3fe1be46a994272793',
    });

    // Assess
    expect(text).toBe(
      'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1;Lineage=a87bd80c:0',
    );
  });

  it('leaves out what is unknown and round-trips what it reads', () => {
    // Prepare
    const original = 'Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=0';

    // Act
    const text = formatTraceHeader(parseTraceHeader(original));

    // Assess
    expect(text).toBe(original);
    expect(formatTraceHeader({ root: '1-5759e988-bd862e3fe1be46a994272793' })).toBe(
      'Root=1-5759e988-bd862e3fe1be46a994272793',
    );
  });
});
