/**
 * The X-Ray daemon's UDP protocol: a header line `{"format":"json","version":1}`, a newline, then the
 * document. The Node.js SDK sends one document per datagram; several, one a line (each line may repeat
 * the header, as when datagrams are concatenated), are accepted too.
 */
import { isSegmentDocument, type SegmentDocument } from './segment-document';

export const DATAGRAM_HEADER = '{"format":"json","version":1}';

export interface ParsedDatagram {
  readonly documents: SegmentDocument[];
  /** Unreadable parts: a datagram without the header, or lines that are not segment documents. */
  readonly malformed: number;
}

/** The datagram the SDK sends for one document. */
export function formatDatagram(document: SegmentDocument): Buffer {
  return Buffer.from(`${DATAGRAM_HEADER}\n${JSON.stringify(document)}`);
}

export function parseDatagram(datagram: Buffer | string): ParsedDatagram {
  const text = typeof datagram === 'string' ? datagram : datagram.toString('utf8');
  const newline = text.indexOf('\n');
  if (newline < 0 || !isHeader(text.slice(0, newline))) return { documents: [], malformed: 1 };
  const body = text.slice(newline + 1);

  // One document, possibly pretty-printed across several lines.
  const whole = tryParse(body);
  if (isSegmentDocument(whole)) return { documents: [whole], malformed: 0 };

  const documents: SegmentDocument[] = [];
  let malformed = 0;
  for (const line of body.split('\n')) {
    if (line.trim() === '' || isHeader(line)) continue;
    const parsed = tryParse(line);
    if (isSegmentDocument(parsed)) documents.push(parsed);
    else malformed++;
  }
  return { documents, malformed: documents.length === 0 && malformed === 0 ? 1 : malformed };
}

function isHeader(line: string): boolean {
  const header = tryParse(line);
  return (
    typeof header === 'object' &&
    header !== null &&
    (header as { format?: unknown }).format === 'json' &&
    (header as { version?: unknown }).version === 1
  );
}

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
