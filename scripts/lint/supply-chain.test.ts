/**
 * What the project installs from outside, it installs as it was when it was chosen: every PyPI package pinned with
 * the hashes of its files (and pip told to refuse anything else), Maven's downloads refused on a checksum mismatch.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const CONF = path.join(__dirname, '../local-cloud/conf');
const INSTALL = readFileSync(path.join(__dirname, '../local-cloud/components/install.ts'), 'utf8');

describe('the supply chain', () => {
  const locks = readdirSync(CONF).filter((file) => /^requirements-.*\.txt$/.test(file));

  it('locks every PyPI install: each package and dependency pinned to a version with the hashes of its files', () => {
    expect(locks.length).toBeGreaterThanOrEqual(3);
    for (const lock of locks) {
      const text = readFileSync(path.join(CONF, lock), 'utf8');
      // A requirement is its line and its continuation lines (the hashes).
      const requirements = text
        .replace(/\\\n\s*/g, ' ')
        .split('\n')
        .filter((line) => line.trim() !== '' && !line.trim().startsWith('#'));
      const unhashed = requirements.filter((line) => !/^[\w.-]+==[\w.!+-]+( +--hash=sha256:[0-9a-f]{64})+$/.test(line));
      expect({ lock, unhashed }).toEqual({ lock, unhashed: [] });
      // Made from its .in, which names what is wanted.
      expect(readdirSync(CONF)).toContain(lock.replace(/\.txt$/, '.in'));
    }
  });

  it('installs with pip --require-hashes and Maven --strict-checksums', () => {
    expect(INSTALL).toMatch(/'--require-hashes', '--no-deps', '-r', requirementsFile/);
    expect(INSTALL).toMatch(/'--strict-checksums'/);
  });
});
