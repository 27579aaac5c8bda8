/**
 * device-ownership's public face for local runs and tooling (`@backbone/device-ownership/local`). Its queue and
 * DLQ are declared in serverless.yml; its CQL migrations, simulation and demo join here with its functions.
 */
import type { LocalServiceFace } from '@backbone/shared/local';

export const localService: LocalServiceFace = { kind: 'lambdas' };
