import { z } from 'zod';
import { ConfigurationError } from '../errors';
import { commaSeparated, loadConfig } from './load-config';

describe('loadConfig', () => {
  const schema = z.object({
    TABLE: z.string().min(3),
    MAX_RECEIVE_COUNT: z.coerce.number().int().positive(),
    HOSTS: commaSeparated,
  });

  it('parses and coerces valid configuration', () => {
    expect(loadConfig(schema, { TABLE: 'orders', MAX_RECEIVE_COUNT: '5', HOSTS: 'a:1, b:2' })).toEqual({
      TABLE: 'orders',
      MAX_RECEIVE_COUNT: 5,
      HOSTS: ['a:1', 'b:2'],
    });
  });

  it('reports every problem at once, naming each variable', () => {
    let error: unknown;
    try {
      loadConfig(schema, { TABLE: 'x', MAX_RECEIVE_COUNT: 'five' }, 'test-service');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    const message = (error as Error).message;
    expect(message).toContain('invalid configuration for test-service');
    expect(message).toMatch(/TABLE: /);
    expect(message).toMatch(/MAX_RECEIVE_COUNT: /);
    expect(message).toMatch(/HOSTS: /);
  });

  it('treats empty strings as unset', () => {
    const optional = z.object({ AWS_ENDPOINT_URL: z.url().optional() });
    expect(loadConfig(optional, { AWS_ENDPOINT_URL: '' })).toEqual({});
  });
});
