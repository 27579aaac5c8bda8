/**
 * The local cloud's components, one file each beside this one, and the order they start in. Adding one: a file
 * exporting a Component (install, launch, probe), its port in ../layout.ts, and a place in COMPONENTS.
 */
import { cassandra } from './cassandra';
import type { Component } from './component';
import { dynamodbLocal } from './dynamodb-local';
import { elasticmq } from './elasticmq';
import { gateway } from './gateway';
import { moto } from './moto';
import { pgbouncer } from './pgbouncer';
import { postgres } from './postgres';

export { InstallError, type Component } from './component';
export { PASSWORD_LOGIN_GROUP, POSTGRES_DATABASE, POSTGRES_ROLE } from './postgres';
export { PGBOUNCER_POOL_SIZE } from './pgbouncer';

/** In start order: the gateway fronts the three AWS emulators, so it comes after them. */
// PgBouncer starts with the rest: its readiness check goes through to PostgreSQL, so it waits for it.
export const COMPONENTS: readonly Component[] = [
  cassandra,
  postgres,
  pgbouncer,
  elasticmq,
  dynamodbLocal,
  moto,
  gateway,
];

export function findComponent(name: string): Component {
  const component = COMPONENTS.find((c) => c.name === name);
  if (!component) {
    throw new Error(`unknown component "${name}"; components: ${COMPONENTS.map((c) => c.name).join(', ')}`);
  }
  return component;
}
