import { rewriteApiUrls } from '../../../src/template/api-url';

const LOCAL_URLS: Readonly<Record<string, string>> = {
  'abc123defg/prod': 'http://127.0.0.1:4566/restapis/abc123defg/prod/_user_request_/',
};

function localUrlFor(apiId: string, stage: string): string | undefined {
  return LOCAL_URLS[`${apiId}/${stage}`];
}

describe('rewriteApiUrls', () => {
  it.each([
    [
      'https://abc123defg.execute-api.us-east-1.amazonaws.com/prod',
      'http://127.0.0.1:4566/restapis/abc123defg/prod/_user_request_',
    ],
    [
      'https://abc123defg.execute-api.us-east-1.amazonaws.com/prod/',
      'http://127.0.0.1:4566/restapis/abc123defg/prod/_user_request_/',
    ],
    [
      'https://abc123defg.execute-api.us-east-1.amazonaws.com/prod/orders?limit=5',
      'http://127.0.0.1:4566/restapis/abc123defg/prod/_user_request_/orders?limit=5',
    ],
  ])('rewrites %s', (url, expected) => {
    // Act
    const value = rewriteApiUrls(url, localUrlFor);

    // Assess
    expect(value).toBe(expected);
  });

  it.each([
    ['an unknown api id', 'https://zzzzzzzzzz.execute-api.us-east-1.amazonaws.com/prod/'],
    ['an unknown stage', 'https://abc123defg.execute-api.us-east-1.amazonaws.com/dev/'],
    ['a longer stage name', 'https://abc123defg.execute-api.us-east-1.amazonaws.com/production/'],
    ['another region', 'https://abc123defg.execute-api.eu-west-1.amazonaws.com/prod/'],
    ['a URL that is not at the start', 'see https://abc123defg.execute-api.us-east-1.amazonaws.com/prod/'],
  ])('leaves %s untouched', (_case, url) => {
    // Act
    const value = rewriteApiUrls(url, localUrlFor);

    // Assess
    expect(value).toBe(url);
  });

  it('rewrites deeply, keeps other values and does not mutate its input', () => {
    // Prepare
    const input = {
      Variables: { API_URL: 'https://abc123defg.execute-api.us-east-1.amazonaws.com/prod/', RETRIES: 3 },
      Endpoints: ['https://abc123defg.execute-api.us-east-1.amazonaws.com/prod/health', null, true],
    };
    const snapshot = structuredClone(input);

    // Act
    const value = rewriteApiUrls(input, localUrlFor);

    // Assess
    expect(value).toEqual({
      Variables: { API_URL: 'http://127.0.0.1:4566/restapis/abc123defg/prod/_user_request_/', RETRIES: 3 },
      Endpoints: ['http://127.0.0.1:4566/restapis/abc123defg/prod/_user_request_/health', null, true],
    });
    expect(input).toEqual(snapshot);
  });

  it('asks for the api id and stage of the URL', () => {
    // Prepare
    const asked: string[] = [];

    // Act
    rewriteApiUrls('https://q1w2e3r4t5.execute-api.us-east-1.amazonaws.com/v1_beta/', (apiId, stage) => {
      asked.push(`${apiId} ${stage}`);
      return undefined;
    });

    // Assess
    expect(asked).toEqual(['q1w2e3r4t5 v1_beta']);
  });
});
