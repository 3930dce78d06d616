import { urlUnder } from '../../../shared/http';

describe('urlUnder', () => {
  test.each([
    ['https://abc.execute-api.eu-west-1.amazonaws.com/prod', 'orders/ord_1'],
    ['https://abc.execute-api.eu-west-1.amazonaws.com/prod/', 'orders/ord_1'],
  ])('keeps the stage of %s', (base, path) => {
    expect(urlUnder(base, path).href).toBe(
      'https://abc.execute-api.eu-west-1.amazonaws.com/prod/orders/ord_1',
    );
  });

  test('a host without a path', () => {
    expect(urlUnder('http://127.0.0.1:3000', 'accounts').href).toBe('http://127.0.0.1:3000/accounts');
  });
});
