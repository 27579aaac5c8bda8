/**
 * X-Ray for the rules engine, which runs in a container (Powertools Tracer serves Lambda functions only): a segment
 * per request, continuing the trace the invoke Lambda started (the load balancer passes X-Amzn-Trace-Id on), with a
 * subsegment for each step that waits on something else (the customer store, the run fence, the results write), sent
 * to the X-Ray daemon beside the engine in its task (AWS_XRAY_DAEMON_ADDRESS). Off unless ENGINE_TRACING is true: the
 * local cloud has no daemon.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type http from 'node:http';
import AWSXRay from 'aws-xray-sdk-core';

export interface EngineTracer {
  /** Runs a request's handling inside its segment (closed when the response ends). */
  request<T>(request: http.IncomingMessage, response: http.ServerResponse, handle: () => Promise<T>): Promise<T>;
  /** Runs one step of a request as a subsegment of its segment (nothing outside a traced request). */
  step<T>(name: string, run: () => Promise<T>): Promise<T>;
}

export const withoutTracing: EngineTracer = {
  request: (_request, _response, handle) => handle(),
  step: (_name, run) => run(),
};

export interface XRayOptions {
  /** The name the engine's segments carry in the service map. */
  name: string;
  /** Where the daemon listens ("127.0.0.1:2000" beside the engine in its task). */
  daemonAddress: string;
  /**
   * Sample every request (tests), instead of the account's sampling rules, which the daemon fetches from X-Ray (by
   * default the first request each second and 5 % of the rest).
   */
  sampleEverything?: boolean;
}

export function xrayTracer(options: XRayOptions): EngineTracer {
  AWSXRay.setDaemonAddress(options.daemonAddress);
  AWSXRay.setContextMissingStrategy('IGNORE_ERROR');
  AWSXRay.middleware.setDefaultName(options.name);
  if (options.sampleEverything) {
    AWSXRay.middleware.disableCentralizedSampling();
    AWSXRay.middleware.setSamplingRules({ version: 2, default: { fixed_target: 1, rate: 1 }, rules: [] });
  }
  const current = new AsyncLocalStorage<AWSXRay.Segment>();
  return {
    request(request, response, handle) {
      const segment = AWSXRay.middleware.traceRequestResponseCycle(request, response);
      return current.run(segment, handle);
    },
    async step(name, run) {
      const segment = current.getStore();
      if (!segment) return run();
      const subsegment = segment.addNewSubsegment(name);
      try {
        return await run();
      } catch (error) {
        subsegment.addError(error instanceof Error ? error : new Error(String(error)));
        throw error;
      } finally {
        subsegment.close();
      }
    },
  };
}
