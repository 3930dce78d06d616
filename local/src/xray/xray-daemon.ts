/**
 * The local X-Ray daemon: listens on UDP where the SDKs send segment documents
 * (`AWS_XRAY_DAEMON_ADDRESS`, `127.0.0.1:2000` by default) and files them in a `TraceStore` instead of
 * forwarding them to the X-Ray API. It listens on the loopback interface only, whatever host that variable
 * names: nothing outside this machine may write into the traces.
 */
import * as dgram from 'node:dgram';
import { parseDatagram } from './daemon-datagram';
import { TraceStore } from './trace-store';

export const DAEMON_HOST = '127.0.0.1';
export const DEFAULT_DAEMON_PORT = 2000;

export interface XRayDaemonOptions {
  /**
   * The UDP port; 0 picks a free one.
   * @default the port of `AWS_XRAY_DAEMON_ADDRESS`, else 2000 — or a free port when 2000 is taken
   */
  readonly port?: number;
  /** @default a new store of the last 10,000 documents */
  readonly store?: TraceStore;
}

export interface DaemonAddress {
  readonly host: string;
  readonly port: number;
}

/** Reads `127.0.0.1:2000` or the two-address form `udp:127.0.0.1:2000 tcp:127.0.0.1:2001` (UDP is kept). */
export function parseDaemonAddress(value: string | undefined): DaemonAddress | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const parts = value.trim().split(/\s+/);
  const udp = parts.length === 1 ? parts[0] : parts.find((part) => part.startsWith('udp:'))?.slice(4);
  const match = udp === undefined ? null : /^([^:]+):(\d{1,5})$/.exec(udp);
  if (!match?.[1] || !match[2]) return undefined;
  const port = Number(match[2]);
  return port <= 65_535 ? { host: match[1], port } : undefined;
}

export class XRayDaemon {
  private constructor(
    private readonly socket: dgram.Socket,
    readonly host: string,
    readonly port: number,
    readonly store: TraceStore,
  ) {}

  static async start(options: XRayDaemonOptions = {}): Promise<XRayDaemon> {
    const requested = options.port ?? parseDaemonAddress(process.env.AWS_XRAY_DAEMON_ADDRESS)?.port;
    const store = options.store ?? new TraceStore();
    let socket: dgram.Socket;
    try {
      socket = await bind(requested ?? DEFAULT_DAEMON_PORT);
    } catch (error) {
      // Only the default gives way: a port asked for by name must be the one used.
      if (requested !== undefined || (error as { code?: unknown }).code !== 'EADDRINUSE') throw error;
      socket = await bind(0);
    }
    socket.on('message', (datagram) => {
      const { documents, malformed } = parseDatagram(datagram);
      for (const document of documents) store.put(document);
      if (malformed > 0) store.countMalformed(malformed);
    });
    // A datagram socket error (never fatal for a receiver) must not take the local cloud down.
    socket.on('error', () => undefined);
    const { address, port } = socket.address();
    return new XRayDaemon(socket, address, port, store);
  }

  /** `host:port`, the value of `AWS_XRAY_DAEMON_ADDRESS` that reaches this daemon. */
  get address(): string {
    return `${this.host}:${this.port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      try {
        this.socket.close(() => resolve());
      } catch {
        // Already closed.
        resolve();
      }
    });
  }
}

function bind(port: number): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    const fail = (error: Error): void => {
      socket.close();
      reject(error);
    };
    socket.once('error', fail);
    socket.bind(port, DAEMON_HOST, () => {
      socket.off('error', fail);
      resolve(socket);
    });
  });
}
