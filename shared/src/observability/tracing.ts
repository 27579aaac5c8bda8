/**
 * X-Ray tracing (Powertools Tracer): every AWS SDK client the factories build records a subsegment per call, inside
 * the invocation's segment that Lambda's active tracing opens, so one message's path (SQS, DynamoDB, S3, Secrets
 * Manager) shows as one trace. The Tracer turns itself off outside Lambda (tests, scripts) and where the stage says
 * so (POWERTOOLS_TRACE_ENABLED=false: the local cloud has no X-Ray daemon).
 */
import { Tracer } from '@aws-lambda-powertools/tracer';

let tracer: Tracer | undefined;

/** The process's one Tracer (its service name from POWERTOOLS_SERVICE_NAME, set per service in serverless.yml). */
export function processTracer(): Tracer {
  tracer ??= new Tracer();
  return tracer;
}

/** The client, recording each of its calls when tracing is on; as it is otherwise. */
export function traced<TClient>(client: TClient): TClient {
  const active = processTracer();
  return active.isTracingEnabled() ? active.captureAWSv3Client(client) : client;
}
