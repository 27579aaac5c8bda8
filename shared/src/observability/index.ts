import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { currentCorrelation } from './correlation';

export { currentCorrelation, withCorrelation, type Correlation } from './correlation';

type Extra = Parameters<Logger['info']> extends [unknown, ...infer Rest] ? Rest : never;
type Message = Parameters<Logger['info']>[0];

/**
 * The extra input of a log call with the current correlation (correlation.ts) added, in the form Powertools takes
 * (attribute objects; a lone error or string is put under `error` or `extra`, as Powertools itself would put it).
 */
function correlated(extra: Extra): Extra {
  const correlation = currentCorrelation();
  if (!correlation) return extra;
  const [first] = extra;
  if (extra.length === 1 && (first instanceof Error || typeof first === 'string'))
    return [first instanceof Error ? { error: first } : { extra: first }, { ...correlation }];
  return [...(extra as Exclude<Extra, [Error | string]>), { ...correlation }];
}

/** A Powertools Logger whose every line carries the current correlation, when there is one. */
class CorrelatedLogger extends Logger {
  override debug(input: Message, ...extra: Extra): void {
    super.debug(input, ...correlated(extra));
  }
  override info(input: Message, ...extra: Extra): void {
    super.info(input, ...correlated(extra));
  }
  override warn(input: Message, ...extra: Extra): void {
    super.warn(input, ...correlated(extra));
  }
  override error(input: Message, ...extra: Extra): void {
    super.error(input, ...correlated(extra));
  }
}

/**
 * Structured JSON logs (Powertools Logger) and CloudWatch metrics in Embedded
 * Metric Format (Powertools Metrics). Log what happened and the ids involved;
 * never message bodies or personal data: bodies stay in the queues and DLQs. Every line written while a message is
 * handled carries its correlationId and messageId (correlation.ts).
 */
export function createLogger(serviceName: string): Logger {
  return new CorrelatedLogger({ serviceName });
}

export function createMetrics(serviceName: string, namespace = 'LendingEventBackbone'): Metrics {
  return new Metrics({ namespace, serviceName });
}

export { Logger, Metrics, MetricUnit };
