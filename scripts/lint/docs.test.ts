/**
 * The docs say only what is true of the tree: every link, every `npm run` command and every path they name exists,
 * the README stays a front door, every service has a README, and no doc carries what means nothing to a newcomer
 * (issue numbers, commit hashes).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const SCRIPTS = Object.keys(
  (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts,
);
const SERVICES = readdirSync(path.join(ROOT, 'services')).filter((name) =>
  statSync(path.join(ROOT, 'services', name)).isDirectory(),
);

function markdownUnder(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) return markdownUnder(relative);
    return entry.name.endsWith('.md') ? [relative] : [];
  });
}

/** Every doc a newcomer reads: the README, docs/, each service's README, the LocalStack note. */
export const DOCS = [
  'README.md',
  ...markdownUnder('docs'),
  ...SERVICES.map((service) => path.join('services', service, 'README.md')).filter((doc) =>
    existsSync(path.join(ROOT, doc)),
  ),
  'localstack/README.md',
];

const read = (doc: string): string => readFileSync(path.join(ROOT, doc), 'utf8');

/** Text outside fenced code blocks, where links and prose live. */
const prose = (text: string): string => text.replace(/^```[\s\S]*?^```/gm, '');

/** GitHub's heading anchors: lower case, punctuation but hyphens and underscores dropped, spaces as hyphens. */
export function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

const anchorsOf = (text: string): Set<string> =>
  new Set([...prose(text).matchAll(/^#{1,6} (.+)$/gm)].map((match) => anchorOf(match[1]!)));

/** Links to files of this repository (not to web addresses or mail). */
function relativeLinks(text: string): { target: string; anchor?: string }[] {
  return [...prose(text).matchAll(/\]\(([^)\s]+)\)/g)]
    .map((match) => match[1]!)
    .filter((href) => !/^[a-z]+:/i.test(href))
    .map((href) => {
      const [target, anchor] = href.split('#');
      return { target: target ?? '', anchor };
    });
}

/**
 * Paths a doc names in backticks: anything that starts with a top-level folder of the repository or names a file
 * by a known extension. Placeholders (`<name>`), globs and options are not paths.
 */
const TOP_LEVEL = ['services/', 'shared/', 'scripts/', 'docs/', 'localstack/', 'patches/', '.ci/'];
function namedPaths(text: string): string[] {
  return [...text.matchAll(/`([^`\s]+)`/g)]
    .map((match) => match[1]!.replace(/[.,:;]$/, ''))
    .filter((candidate) => !/[<>*{}$=|]/.test(candidate) && !candidate.startsWith('-'))
    .filter(
      (candidate) =>
        TOP_LEVEL.some((top) => candidate.startsWith(top)) ||
        /^[\w./-]+\/[\w.-]+\.(ts|mjs|cjs|js|json|yml|yaml|sql|cql|md|sh|txt|xml|java|patch)$/.test(candidate),
    );
}

/** A named path exists from the repository's root, from the doc's folder, or from the service the doc is in. */
function pathExists(doc: string, named: string): boolean {
  const bases = [ROOT, path.dirname(path.join(ROOT, doc))];
  const service = /^services\/([^/]+)\//.exec(doc)?.[1];
  if (service) bases.push(path.join(ROOT, 'services', service));
  return bases.some((base) => existsSync(path.join(base, named.replace(/\/$/, ''))));
}

describe('the docs', () => {
  it('keep the README a front door of about 200 lines that names both commands', () => {
    const readme = read('README.md');
    expect(readme.split('\n').length).toBeLessThanOrEqual(200);
    expect(readme).toContain('npm start');
    expect(readme).toContain('npm test');
  });

  it('give every service a README', () => {
    const missing = SERVICES.filter((service) => !existsSync(path.join(ROOT, 'services', service, 'README.md')));
    expect(missing).toEqual([]);
  });

  it.each(DOCS)('%s: every link goes to a file that exists, and every anchor to a heading in it', (doc) => {
    const broken: string[] = [];
    for (const { target, anchor } of relativeLinks(read(doc))) {
      const file = target === '' ? path.join(ROOT, doc) : path.resolve(path.dirname(path.join(ROOT, doc)), target);
      if (!existsSync(file)) {
        broken.push(`${target}: no such file`);
        continue;
      }
      if (anchor && file.endsWith('.md') && !anchorsOf(readFileSync(file, 'utf8')).has(anchor)) {
        broken.push(`${target}#${anchor}: no such heading`);
      }
    }
    expect(broken).toEqual([]);
  });

  it.each(DOCS)('%s: every `npm run` command is a script of package.json', (doc) => {
    const named = [...read(doc).matchAll(/npm run ([\w:-]+)(?![\w:<-])/g)].map((match) => match[1]!);
    expect(named.filter((script) => !SCRIPTS.includes(script))).toEqual([]);
  });

  it.each(DOCS)('%s: every path it names exists', (doc) => {
    expect(namedPaths(read(doc)).filter((named) => !pathExists(doc, named))).toEqual([]);
  });

  it.each(DOCS)('%s: names no issue number or commit hash', (doc) => {
    const text = read(doc);
    const issueNumbers = [...text.matchAll(/\bissues? #?\d+\b|(?<![\w/-])#\d{1,4}\b/gi)].map((match) => match[0]);
    // A hash: 7 to 40 hex digits with at least one digit and one letter, standing alone.
    const hashes = [...text.matchAll(/(?<![\w./:-])[0-9a-f]{7,40}(?![\w-])/g)]
      .map((match) => match[0])
      .filter((word) => /\d/.test(word) && /[a-f]/.test(word));
    expect({ issueNumbers, hashes }).toEqual({ issueNumbers: [], hashes: [] });
  });
});

describe('anchorOf', () => {
  it('makes the anchors GitHub makes', () => {
    expect(anchorOf('Where the local cloud keeps its data')).toBe('where-the-local-cloud-keeps-its-data');
    expect(anchorOf("The engine's speed (`npm run bench:engine`)")).toBe('the-engines-speed-npm-run-benchengine');
    expect(anchorOf('marketing-events')).toBe('marketing-events');
  });
});
