/**
 * The outbox relay locally: the function's own handler run every second in this process, standing in for its
 * one-minute schedule in AWS (serverless-offline runs no schedules). A run that fails is logged and tried again.
 */
import { createRelayRuleSetOutboxHandler } from '../src/functions/relay-rule-set-outbox/handler';
import { wireRelayRuleSetOutbox } from '../src/functions/relay-rule-set-outbox/wiring';

export const LOCAL_RELAY_INTERVAL_MS = 1_000;

export function startLocalRelay(env: Record<string, string | undefined>): { stop(): Promise<void> } {
  const run = createRelayRuleSetOutboxHandler(wireRelayRuleSetOutbox(env));
  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    if (stopped) return;
    running = running
      .then(() => run())
      .catch((error: unknown) =>
        console.error(`rules-ingestion outbox relay: ${error instanceof Error ? error.message : String(error)}`),
      );
  }, LOCAL_RELAY_INTERVAL_MS);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
