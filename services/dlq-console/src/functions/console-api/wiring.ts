import { createLogger } from '@backbone/shared';
import { openDeadLetterConsole, SERVICE } from '../../composition-root';
import type { Logger } from '@backbone/shared';
import type { DeadLetterConsole } from '../../domain/console';
import type { PageConfig } from '../../web/page';

export interface ConsoleApiDeps {
  console: DeadLetterConsole;
  logger: Logger;
  /** Where the page sends people to sign in. */
  page: PageConfig;
}

/** The API's side effects: the console library on its queues and tables. */
export function wireConsoleApi(env: Record<string, string | undefined> = process.env): ConsoleApiDeps {
  return {
    console: openDeadLetterConsole(env),
    logger: createLogger(SERVICE),
    page: { signInUrl: env['CONSOLE_SIGN_IN_URL'] ?? '', clientId: env['CONSOLE_CLIENT_ID'] ?? '' },
  };
}
