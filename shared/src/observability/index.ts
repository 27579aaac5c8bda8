import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/**
 * Structured JSON logs (Powertools Logger) and CloudWatch metrics in Embedded
 * Metric Format (Powertools Metrics). Log what happened and the ids involved;
 * never message bodies or personal data: bodies stay in the queues and DLQs.
 */
export function createLogger(serviceName: string): Logger {
  return new Logger({ serviceName });
}

export function createMetrics(serviceName: string, namespace = 'LendingEventBackbone'): Metrics {
  return new Metrics({ namespace, serviceName });
}

export { Logger, Metrics, MetricUnit };
