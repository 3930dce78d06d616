import { listen, type RunningServer, sendJson } from '../../../src/cloud/http-server';
import { readBody, RequestBodyTooLargeError } from '../../../src/http/read-body';
import { sendRaw } from '../../support/raw-http';

const LIMIT_BYTES = 1024;

let server: RunningServer;
/** How many bytes the server had taken off the connection when it refused each body. */
let bytesReadAtRefusal: number[];

beforeAll(async () => {
  server = await listen(0, async (req, res) => {
    try {
      const body = await readBody(req, LIMIT_BYTES);
      sendJson(res, 200, { bytes: body.length });
    } catch (error) {
      if (!(error instanceof RequestBodyTooLargeError)) throw error;
      bytesReadAtRefusal.push(req.socket.bytesRead);
      sendJson(res, 413, { message: error.message });
    }
  });
});

beforeEach(() => {
  bytesReadAtRefusal = [];
});

afterAll(async () => {
  await server.close();
});

describe('readBody over HTTP', () => {
  it.each([
    ['with its length', false],
    ['chunked', true],
  ])('reads a body of exactly the limit sent %s, and keeps the connection', async (_how, chunked) => {
    // Act
    const reply = await sendRaw({
      port: server.port,
      method: 'POST',
      body: Buffer.alloc(LIMIT_BYTES, 0x61),
      chunked,
    });

    // Assess
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.text)).toEqual({ bytes: LIMIT_BYTES });
    expect(reply.headers.connection).toBe('keep-alive');
  });

  it('refuses a body one byte over the limit, from its Content-Length, and closes the connection', async () => {
    // Act
    const reply = await sendRaw({
      port: server.port,
      method: 'POST',
      body: Buffer.alloc(LIMIT_BYTES + 1, 0x61),
    });

    // Assess
    expect(reply.status).toBe(413);
    expect(JSON.parse(reply.text)).toEqual({ message: 'The request body is larger than 1024 bytes.' });
    expect(reply.headers.connection).toBe('close');
  });

  it('refuses a chunked body once it passes the limit, and stops reading it', async () => {
    // Prepare
    const body = Buffer.alloc(16 * 1024 * 1024, 0x61);

    // Act
    const reply = await sendRaw({ port: server.port, method: 'POST', body, chunked: true });

    // Assess
    expect(reply.status).toBe(413);
    expect(reply.headers.connection).toBe('close');
    expect(bytesReadAtRefusal).toHaveLength(1);
    expect(bytesReadAtRefusal[0]).toBeLessThan(1024 * 1024);
  });

  it('refuses a body announced as 10 GB without waiting for any of it', async () => {
    // Act
    const reply = await sendRaw({ port: server.port, method: 'POST', announcedBytes: 10 * 1024 ** 3 });

    // Assess
    expect(reply.status).toBe(413);
    expect(reply.headers.connection).toBe('close');
  });

  it('closes the connection after any answer given before the body was read', async () => {
    // Prepare
    const ignoring = await listen(0, async (_req, res) => sendJson(res, 404, { message: 'nothing here' }));

    // Act
    const withBody = await sendRaw({ port: ignoring.port, method: 'POST', body: 'ignored' });
    const withoutBody = await sendRaw({ port: ignoring.port, method: 'GET' });
    await ignoring.close();

    // Assess
    expect(withBody).toMatchObject({ status: 404, headers: { connection: 'close' } });
    expect(withoutBody).toMatchObject({ status: 404, headers: { connection: 'keep-alive' } });
  });
});
