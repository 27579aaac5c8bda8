import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';

/** A command line that does not parse: what was wrong, then the usage. Tools print it and exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * A tool's command line, read by node:util's parseArgs: the command (the first positional), the options (strict: an
 * option the tool does not know is an error naming it) and the other positionals. Throws UsageError with the usage.
 */
export function readCommandLine<const O extends ParseArgsOptionsConfig>(
  argv: readonly string[],
  options: O,
  usage: string,
) {
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
    const [command, ...rest] = positionals;
    return { command, values, positionals: rest };
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}\n${usage}`);
  }
}

/**
 * Runs a tool's main and exits with its code: 2 and the usage for a command line that does not parse, 1 and the
 * message for any other failure, prefixed with the tool's name.
 */
export function runTool(name: string, main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`${name}: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(error instanceof UsageError ? 2 : 1);
    },
  );
}
