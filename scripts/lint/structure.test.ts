/**
 * One shape for every function, kept by a test: each function folder has its handler, its wiring and the handler's
 * unit test; the wiring owns the dependencies' type (`<Name>Deps`) and never imports the handler; every service has
 * one composition root with its one SERVICE name; and no two files import each other, directly or round a circle.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const SERVICES = readdirSync(path.join(ROOT, 'services')).filter((name) =>
  statSync(path.join(ROOT, 'services', name)).isDirectory(),
);
const FUNCTIONS = SERVICES.flatMap((service) => {
  const dir = path.join('services', service, 'src', 'functions');
  return existsSync(path.join(ROOT, dir)) ? readdirSync(path.join(ROOT, dir)).map((fn) => path.join(dir, fn)) : [];
});

const read = (file: string): string => readFileSync(path.join(ROOT, file), 'utf8');
const pascal = (kebab: string): string => kebab.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase());

/** Every TypeScript file of the code a service runs or a script uses (node_modules and bundles aside). */
function typescriptFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    if (['node_modules', 'dist', '.serverless', '.esbuild'].includes(entry.name)) return [];
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) return typescriptFiles(relative);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [relative] : [];
  });
}

/** The files a file imports by a relative path (the edges of the graph a circle would be in). */
function relativeImports(file: string, known: ReadonlySet<string>): string[] {
  return [...read(file).matchAll(/^(?:import|export)[^;]*?from\s+'(\.[^']*)'/gms)].flatMap((match) => {
    const base = path.normalize(path.join(path.dirname(file), match[1]!));
    return [`${base}.ts`, path.join(base, 'index.ts')].filter((candidate) => known.has(candidate)).slice(0, 1);
  });
}

/** The import circles among `files`: each a list of files that reach one another (Tarjan's strongly connected parts). */
export function importCircles(files: readonly string[], importsOf: (file: string) => string[]): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  const visit = (file: string): void => {
    index.set(file, index.size);
    low.set(file, index.get(file)!);
    stack.push(file);
    onStack.add(file);
    for (const next of importsOf(file)) {
      if (!index.has(next)) {
        visit(next);
        low.set(file, Math.min(low.get(file)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(file, Math.min(low.get(file)!, index.get(next)!));
    }
    if (low.get(file) === index.get(file)) {
      const part: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        part.push(member);
      } while (member !== file);
      if (part.length > 1) circles.push(part.sort());
    }
  };
  for (const file of files) if (!index.has(file)) visit(file);
  return circles;
}

describe('the shape of every function', () => {
  it('finds the functions', () => {
    expect(FUNCTIONS.length).toBeGreaterThanOrEqual(13);
  });

  it.each(FUNCTIONS)('%s has handler.ts, wiring.ts and handler.test.ts', (fn) => {
    const missing = ['handler.ts', 'wiring.ts', 'handler.test.ts'].filter((f) => !existsSync(path.join(ROOT, fn, f)));
    expect(missing).toEqual([]);
  });

  it.each(FUNCTIONS)('%s: the wiring owns <Name>Deps and never imports the handler', (fn) => {
    const wiring = read(path.join(fn, 'wiring.ts'));
    const name = `${pascal(path.basename(fn))}Deps`;
    expect({
      owns: new RegExp(`export interface ${name}\\b`).test(wiring),
      importsHandler: /from '\.\/handler'/.test(wiring),
    }).toEqual({ owns: true, importsHandler: false });
  });
});

describe('every service', () => {
  it.each(SERVICES)('%s has one composition root, which names the service once', (service) => {
    const files = typescriptFiles(path.join('services', service, 'src'));
    const definitions = files.filter((file) => /^export const SERVICE = /m.test(read(file)));
    expect(definitions).toEqual([path.join('services', service, 'src', 'composition-root.ts')]);
    expect(read(definitions[0]!)).toContain(`export const SERVICE = '${service}';`);
  });
});

describe('imports', () => {
  it('form no circle anywhere in services, packages, shared and scripts', () => {
    const files = ['services', 'packages', 'shared', 'scripts'].flatMap(typescriptFiles);
    const known = new Set(files);
    expect(importCircles(files, (file) => relativeImports(file, known))).toEqual([]);
  });

  it('are found circling when they do (the check itself)', () => {
    const graph: Record<string, string[]> = { a: ['b'], b: ['c'], c: ['a'], d: ['a'], e: ['e'] };
    expect(importCircles(Object.keys(graph), (file) => graph[file] ?? [])).toEqual([['a', 'b', 'c']]);
  });
});
