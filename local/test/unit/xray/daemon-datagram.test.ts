import { DATAGRAM_HEADER, formatDatagram, parseDatagram } from '../../../src/xray/daemon-datagram';
import type { SegmentDocument } from '../../../src/xray/segment-document';

const TRACE_ID = '1-5759e988-bd862e3fe1be46a994272793';

const segment: SegmentDocument = {
  id: '70de5b6f19ff9a0a',
  trace_id: TRACE_ID,
  name: 'orders',
  start_time: 1_478_293_361.271,
  end_time: 1_478_293_361.449,
};
const subsegment: SegmentDocument = {
  id: '53995c3f42cd8ad8',
  trace_id: TRACE_ID,
  parent_id: '70de5b6f19ff9a0a',
  type: 'subsegment',
  name: 'DynamoDB',
  namespace: 'aws',
  start_time: 1_478_293_361.3,
  end_time: 1_478_293_361.4,
  aws: { operation: 'PutItem', table_name: 'orders' },
};

describe('parseDatagram', () => {
  it('reads the one document the SDK sends after the protocol header', () => {
    // Prepare
    const datagram = formatDatagram(subsegment);

    // Act
    const parsed = parseDatagram(datagram);

    // Assess
    expect(datagram.toString().startsWith(`${DATAGRAM_HEADER}\n{`)).toBe(true);
    expect(parsed).toEqual({ documents: [subsegment], malformed: 0 });
  });

  it('reads several documents, one a line, with or without repeated headers', () => {
    // Prepare
    const oneHeader = `${DATAGRAM_HEADER}\n${JSON.stringify(segment)}\n${JSON.stringify(subsegment)}\n`;
    const concatenated = `${formatDatagram(segment).toString()}\n${formatDatagram(subsegment).toString()}`;

    // Act
    const results = [parseDatagram(oneHeader), parseDatagram(concatenated)];

    // Assess
    for (const result of results) expect(result).toEqual({ documents: [segment, subsegment], malformed: 0 });
  });

  it('reads a pretty-printed document', () => {
    // Act
    const parsed = parseDatagram(`${DATAGRAM_HEADER}\n${JSON.stringify(segment, null, 2)}`);

    // Assess
    expect(parsed.documents).toEqual([segment]);
  });

  it('accepts an in-progress segment without an end time', () => {
    // Prepare
    const { end_time: _end, ...started } = segment;

    // Act
    const parsed = parseDatagram(formatDatagram({ ...started, in_progress: true }));

    // Assess
    expect(parsed.documents).toEqual([{ ...started, in_progress: true }]);
  });

  it('ignores and counts a datagram without the protocol header', () => {
    // Act
    const results = [
      parseDatagram(JSON.stringify(segment)),
      parseDatagram(`{"format":"xml","version":1}\n${JSON.stringify(segment)}`),
      parseDatagram(Buffer.from([0xff, 0xfe, 0x00])),
    ];

    // Assess
    for (const result of results) expect(result).toEqual({ documents: [], malformed: 1 });
  });

  it('keeps the good documents of a datagram and counts each bad line', () => {
    // Prepare
    const { start_time: _start, ...noStart } = segment;
    const lines = [
      JSON.stringify(segment),
      '{not json',
      JSON.stringify(noStart),
      JSON.stringify({ ...segment, trace_id: '1-nope' }),
      JSON.stringify({ ...subsegment, parent_id: undefined }),
      JSON.stringify({ ...segment, end_time: undefined }),
      JSON.stringify(subsegment),
    ];

    // Act
    const parsed = parseDatagram(`${DATAGRAM_HEADER}\n${lines.join('\n')}`);

    // Assess
    expect(parsed).toEqual({ documents: [segment, subsegment], malformed: 5 });
  });

  it('counts a header with nothing after it as malformed', () => {
    // Assess
    expect(parseDatagram(`${DATAGRAM_HEADER}\n`)).toEqual({ documents: [], malformed: 1 });
  });
});
