import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { LocalServiceFace } from '@backbone/shared/local';
import { demoOrder, discoverServices, faceProblems, serverlessServices, type LocalService } from './services';

const service = (name: string, face: LocalServiceFace): LocalService => ({ name, dir: `/services/${name}`, face });

describe('services as tooling finds them', () => {
  const engine = service('rules-engine', { kind: 'container', start: async () => [] });
  const both = service('snoops', { kind: 'lambdas-and-container' });
  const lambdas = service('events', { kind: 'lambdas' });

  it('sends only services with Lambdas to the Serverless Framework (provision, offline, package)', () => {
    expect(serverlessServices([engine, both, lambdas]).map((s) => s.name)).toEqual(['snoops', 'events']);
  });

  it('checks what a face declares against the folder, saying what to fix', () => {
    expect(faceProblems('engine', { kind: 'container' }, { serverlessYml: false })).toEqual([]);
    expect(faceProblems('events', { kind: 'lambdas' }, { serverlessYml: false })).toEqual([
      'services/events is of kind "lambdas" but has no serverless.yml',
    ]);
    expect(faceProblems('x', { kind: 'lambda' }, { serverlessYml: true })).toEqual([
      'services/x: localService.kind must be one of lambdas, container, lambdas-and-container',
    ]);
    expect(faceProblems('x', undefined, { serverlessYml: true })[0]).toMatch(/must export "localService"/);
    expect(faceProblems('x', { kind: 'lambdas', demo: 'yes' }, { serverlessYml: true })).toEqual([
      'services/x: localService.demo must be a function',
    ]);
  });

  it('runs demos after those they show, then by name', () => {
    const shows = service('a-scheduler', { kind: 'lambdas', demoAfter: ['b-ingestion'] });
    const publishes = service('b-ingestion', { kind: 'lambdas' });
    expect(demoOrder([shows, lambdas, publishes]).map((s) => s.name)).toEqual(['b-ingestion', 'a-scheduler', 'events']);
  });

  it('refuses a demo order that names no service or goes round in a cycle', () => {
    expect(() => demoOrder([service('a', { kind: 'lambdas', demoAfter: ['nobody'] })])).toThrow(
      'services/a: demoAfter names "nobody", which is not a service',
    );
    expect(() =>
      demoOrder([
        service('a', { kind: 'lambdas', demoAfter: ['b'] }),
        service('b', { kind: 'lambdas', demoAfter: ['a'] }),
      ]),
    ).toThrow('demoAfter forms a cycle: a -> b -> a');
  });
});

describe("this repository's services", () => {
  it('each has a public face that declares its kind', () => {
    const found = discoverServices();
    expect(found.map((s) => [s.name, s.face.kind])).toEqual([
      ['device-ownership', 'lambdas'],
      ['dlq-console', 'lambdas'],
      ['marketing-events', 'lambdas'],
      ['rules-ingestion', 'lambdas'],
      ['snoop-scheduler', 'lambdas-and-container'],
    ]);
  });

  it('give serverless-offline ports of their own, so that every service starts beside the others', () => {
    const ports = serverlessServices(discoverServices()).flatMap((s) => {
      const yml = readFileSync(path.join(s.dir, 'serverless.yml'), 'utf8');
      return [...yml.matchAll(/^\s+(httpPort|websocketPort|lambdaPort): (\d+)$/gm)].map(
        (m) => `${m[2]} (${s.name} ${m[1]})`,
      );
    });
    const byPort = new Map<string, string[]>();
    for (const entry of ports) byPort.set(entry.split(' ')[0]!, [...(byPort.get(entry.split(' ')[0]!) ?? []), entry]);
    expect([...byPort.values()].filter((uses) => uses.length > 1)).toEqual([]);
    expect(ports.length).toBe(3 * serverlessServices(discoverServices()).length);
  });
});
