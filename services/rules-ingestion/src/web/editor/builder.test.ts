import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  celToCondition,
  conditionToCel,
  storedSnoopSchema,
  toSnoopDefinition,
  type Condition,
} from '@backbone/rules-language';
import { z } from 'zod';
import { builderShows } from './builder';

const catalogue = z
  .array(storedSnoopSchema)
  .parse(JSON.parse(readFileSync(path.join(__dirname, '..', '..', '..', 'seed', 'snoop-catalogue.json'), 'utf8')));

describe('the condition builder over the seed catalogue', () => {
  const texts = catalogue.map((stored) => ({ id: stored.id, when: toSnoopDefinition(stored).when }));

  it('opens every snoop: a row for every part of every condition', () => {
    const shown = texts.filter(({ when }) => builderShows(celToCondition(when)));
    expect(shown.length / texts.length).toBeGreaterThanOrEqual(0.9);
    expect(shown.map((t) => t.id)).toEqual(texts.map((t) => t.id));
  });

  it('gives every text back unchanged: text -> builder -> text', () => {
    const changed = texts.filter(({ when }) => conditionToCel(celToCondition(when)) !== when);
    expect(changed).toEqual([]);
  });

  it('says so of a shape it has no row for', () => {
    expect(builderShows({ someday: true } as unknown as Condition)).toBe(false);
    expect(builderShows({ compare: [{ formula: 'x' }, '>', { value: 1 }] } as unknown as Condition)).toBe(false);
    expect(builderShows({ all: [{ is: 'profile.isHomeowner' }, { not: { nope: 1 } as unknown as Condition }] })).toBe(
      false,
    );
  });
});
