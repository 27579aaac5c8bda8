/**
 * Finding the engine's containers and telling each to refresh: the running tasks of its ECS service in AWS (each
 * task's private address, as the load balancer's target group knows it), a list of addresses locally.
 */
import { signatureHeaders } from '@backbone/shared';
import { DescribeTasksCommand, ListTasksCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { EngineTarget, RefreshAnswer } from '../domain/engine-refresh';

/** The engine's port in its container (engine/Dockerfile, the task definition). */
const ENGINE_CONTAINER_PORT = 8080;

export const staticEngineTargets = (urls: readonly string[]) => async (): Promise<EngineTarget[]> =>
  urls.map((url) => ({ id: new URL(url).host, url }));

export function ecsEngineTargets(ecs: ECSClient, cluster: string, service: string) {
  return async (): Promise<EngineTarget[]> => {
    const { taskArns = [] } = await ecs.send(
      new ListTasksCommand({ cluster, serviceName: service, desiredStatus: 'RUNNING' }),
    );
    if (taskArns.length === 0) return [];
    const { tasks = [] } = await ecs.send(new DescribeTasksCommand({ cluster, tasks: taskArns }));
    return tasks.flatMap((task) => {
      const address = task.attachments
        ?.flatMap((attachment) => attachment.details ?? [])
        .find((detail) => detail.name === 'privateIPv4Address')?.value;
      return address && task.taskArn
        ? [{ id: task.taskArn.split('/').pop()!, url: `http://${address}:${ENGINE_CONTAINER_PORT}` }]
        : [];
    });
  };
}

/**
 * POST /rules/refresh on one container, signed with the engine's secret (the secret itself never travels: the
 * containers are reached at their task addresses, inside the VPC, without the load balancer's TLS).
 */
export function refreshOverHttp(secret: () => Promise<string>, timeoutMs = 10_000) {
  return async (target: EngineTarget, version: string): Promise<RefreshAnswer> => {
    let response: Response;
    try {
      const body = JSON.stringify({ version });
      const signed = signatureHeaders(await secret(), { method: 'POST', path: '/rules/refresh', body });
      response = await fetch(`${target.url}/rules/refresh`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...signed },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      return { kind: 'unreachable', reason: error instanceof Error ? error.message : String(error) };
    }
    const body = (await response.json().catch(() => ({}))) as { version?: string; changed?: boolean; reason?: string };
    if (response.status === 200)
      return { kind: 'serving', version: body.version ?? version, changed: body.changed === true };
    if (response.status === 422) return { kind: 'refused', reason: body.reason ?? 'the engine could not load it' };
    return { kind: 'unreachable', reason: `HTTP ${response.status}${body.reason ? `: ${body.reason}` : ''}` };
  };
}

/** Which container runs which version: an item per container in the rule-sets table (`ENGINE#<id>`). */
export function recordEngineVersion(documents: DynamoDBDocumentClient, ruleSetsTable: string) {
  return async (
    target: EngineTarget,
    outcome: { version: string; serving: boolean; reason?: string },
  ): Promise<void> => {
    await documents.send(
      new PutCommand({
        TableName: ruleSetsTable,
        Item: {
          pk: `ENGINE#${target.id}`,
          url: target.url,
          at: new Date().toISOString(),
          ...(outcome.serving
            ? { servingVersion: outcome.version }
            : { failedVersion: outcome.version, reason: outcome.reason }),
        },
      }),
    );
  };
}
