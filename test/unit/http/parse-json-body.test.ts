import * as z from 'zod';
import {
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../../../shared/errors/app-error';
import {
  DEFAULT_MAX_BODY_BYTES,
  isJsonContentType,
  parseJsonBody,
  readJsonBody,
} from '../../../shared/http/parse-json-body';
import { jsonEvent, proxyEvent, thrownBy } from './proxy-event';

const CreateOrder = z.strictObject({
  customerId: z.string().min(1),
  items: z
    .array(
      z.strictObject({
        productId: z.string(),
        quantity: z.number().int().positive({ error: 'must be a positive integer' }),
      }),
    )
    .min(1),
  note: z.string().max(10).optional(),
});

const validOrder = { customerId: 'usr_1', items: [{ productId: 'prd_1', quantity: 2 }] };

/** A JSON string value padded so that the serialized body is exactly `bytes` long. */
function bodyOfBytes(bytes: number): string {
  const skeleton = JSON.stringify({ pad: '' });
  return JSON.stringify({ pad: 'x'.repeat(bytes - skeleton.length) });
}

describe('parseJsonBody', () => {
  it('returns the parsed body of a valid request', () => {
    // Prepare
    const event = jsonEvent(validOrder);

    // Act
    const body = parseJsonBody(event, CreateOrder);

    // Assess
    expect(body).toEqual(validOrder);
  });

  it('rejects an unknown field, top-level and nested, one detail per field', () => {
    // Prepare
    const event = jsonEvent({
      ...validOrder,
      coupon: 'X',
      items: [{ productId: 'prd_1', quantity: 1, colour: 'red' }],
    });

    // Act
    const error = thrownBy(() => parseJsonBody(event, CreateOrder));

    // Assess
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect((error as ValidationError).details).toEqual(
      expect.arrayContaining([
        { path: 'coupon', message: 'is not allowed' },
        { path: 'items.0.colour', message: 'is not allowed' },
      ]),
    );
  });

  it('names the path and the reason in the message and in the details', () => {
    // Prepare
    const event = jsonEvent({ customerId: 'usr_1', items: [{ productId: 'prd_1', quantity: 0 }] });

    // Act
    const error = thrownBy(() => parseJsonBody(event, CreateOrder)) as ValidationError;

    // Assess
    expect(error.message).toBe('items[0].quantity must be a positive integer');
    expect(error.details).toEqual([{ path: 'items.0.quantity', message: 'must be a positive integer' }]);
  });

  it('phrases zod issues the schema gives no message for, and counts the rest', () => {
    // Prepare
    const event = jsonEvent({ items: [], note: 'far too long a note' });

    // Act
    const error = thrownBy(() => parseJsonBody(event, CreateOrder)) as ValidationError;

    // Assess
    expect(error.details).toEqual([
      { path: 'customerId', message: 'is required' },
      { path: 'items', message: 'must not be empty' },
      { path: 'note', message: 'must be at most 10 characters long' },
    ]);
    expect(error.message).toBe('customerId is required (and 2 more problems, see details)');
  });

  it('refuses, when called, a schema that would drop unknown fields', () => {
    // Prepare
    const loose = z.strictObject({ items: z.array(z.object({ quantity: z.number() })) });

    // Act
    const error = thrownBy(() => parseJsonBody(jsonEvent({ items: [] }), loose));

    // Assess
    expect(error).not.toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(/body schema accepts unknown fields at body\.items\[\]/);
  });

  it('answers malformed JSON with MALFORMED_JSON, without echoing the body', () => {
    // Prepare
    const event = proxyEvent({ body: '{"customerId": "secret-value",' });

    // Act
    const error = thrownBy(() => parseJsonBody(event, CreateOrder)) as ValidationError;

    // Assess
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.code).toBe('MALFORMED_JSON');
    expect(error.message).not.toContain('secret-value');
  });

  it.each([null, ''])('requires a body (%p)', (body) => {
    // Prepare
    const event = proxyEvent({ body });

    // Act
    const error = thrownBy(() => parseJsonBody(event, CreateOrder));

    // Assess
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ code: 'VALIDATION_FAILED', message: 'body is required' });
  });

  describe('the 64 KB limit, on the bytes of the body', () => {
    it('accepts a body of exactly 64 KB', () => {
      // Prepare
      const event = proxyEvent({ body: bodyOfBytes(DEFAULT_MAX_BODY_BYTES) });

      // Act
      const json = readJsonBody(event);

      // Assess
      expect(json).toEqual({ pad: expect.any(String) });
    });

    it('refuses one byte more with 413', () => {
      // Prepare
      const event = proxyEvent({ body: bodyOfBytes(DEFAULT_MAX_BODY_BYTES + 1) });

      // Act
      const error = thrownBy(() => readJsonBody(event));

      // Assess
      expect(error).toBeInstanceOf(PayloadTooLargeError);
      expect(error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    });

    it('counts UTF-8 bytes, not characters', () => {
      // Prepare: 'é' is two bytes, so this body has fewer characters than the limit but more bytes.
      const characters = DEFAULT_MAX_BODY_BYTES - 20;
      const body = JSON.stringify({ pad: 'é'.repeat(characters / 2 + 10) });
      expect(body.length).toBeLessThan(DEFAULT_MAX_BODY_BYTES);

      // Act
      const error = thrownBy(() => readJsonBody(proxyEvent({ body })));

      // Assess
      expect(error).toBeInstanceOf(PayloadTooLargeError);
    });

    it('measures a base64 body after decoding it', () => {
      // Prepare: 64 KB of JSON is about 87 KB of base64.
      const encoded = Buffer.from(bodyOfBytes(DEFAULT_MAX_BODY_BYTES)).toString('base64');
      const tooBig = Buffer.from(bodyOfBytes(DEFAULT_MAX_BODY_BYTES + 1)).toString('base64');

      // Act
      const json = readJsonBody(proxyEvent({ body: encoded, isBase64Encoded: true }));
      const error = thrownBy(() => readJsonBody(proxyEvent({ body: tooBig, isBase64Encoded: true })));

      // Assess
      expect(encoded.length).toBeGreaterThan(DEFAULT_MAX_BODY_BYTES);
      expect(json).toEqual({ pad: expect.any(String) });
      expect(error).toBeInstanceOf(PayloadTooLargeError);
    });

    it('honours a smaller limit given by the caller', () => {
      // Prepare
      const event = proxyEvent({ body: bodyOfBytes(101) });

      // Act
      const error = thrownBy(() => readJsonBody(event, { maxBodyBytes: 100 }));

      // Assess
      expect(error).toBeInstanceOf(PayloadTooLargeError);
      expect((error as Error).message).toBe('The request body exceeds 100 bytes.');
    });
  });

  describe('base64 bodies', () => {
    it('decodes and parses them', () => {
      // Prepare
      const event = proxyEvent({
        body: Buffer.from(JSON.stringify(validOrder)).toString('base64'),
        isBase64Encoded: true,
      });

      // Act
      const body = parseJsonBody(event, CreateOrder);

      // Assess
      expect(body).toEqual(validOrder);
    });

    it('refuses bytes that are not UTF-8 as MALFORMED_JSON', () => {
      // Prepare
      const event = proxyEvent({
        body: Buffer.from([0x7b, 0xff, 0x7d]).toString('base64'),
        isBase64Encoded: true,
      });

      // Act
      const error = thrownBy(() => readJsonBody(event));

      // Assess
      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toMatchObject({ code: 'MALFORMED_JSON' });
    });
  });

  describe('Content-Type', () => {
    it.each([
      'application/json',
      'application/json; charset=utf-8',
      'Application/JSON;charset=UTF-8',
      'application/json; charset="utf-8"',
    ])('accepts %p', (contentType) => {
      // Prepare
      const event = jsonEvent(validOrder, { headers: { 'content-type': contentType } });

      // Act
      const body = parseJsonBody(event, CreateOrder);

      // Assess
      expect(body).toEqual(validOrder);
    });

    it.each([
      'text/plain',
      'application/jsonp',
      'application/json; charset=iso-8859-1',
      'application/x-www-form-urlencoded',
    ])('refuses %p with 415', (contentType) => {
      // Prepare
      const event = jsonEvent(validOrder, { headers: { 'Content-Type': contentType } });

      // Act
      const error = thrownBy(() => parseJsonBody(event, CreateOrder));

      // Assess
      expect(error).toBeInstanceOf(UnsupportedMediaTypeError);
      expect(error).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
    });

    it('refuses a body without a Content-Type with 415', () => {
      // Prepare
      const event = jsonEvent(validOrder, { headers: null });

      // Act
      const error = thrownBy(() => parseJsonBody(event, CreateOrder));

      // Assess
      expect(error).toBeInstanceOf(UnsupportedMediaTypeError);
    });

    it('reads the media type case-insensitively and ignores unknown parameters', () => {
      // Act
      const verdicts = [isJsonContentType('APPLICATION/JSON; boundary=x'), isJsonContentType(undefined)];

      // Assess
      expect(verdicts).toEqual([true, false]);
    });
  });
});
