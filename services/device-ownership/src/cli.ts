/**
 * device-ownership from the command line (locally: npm run device -- <command>; in AWS, with the cluster's settings
 * in the environment, from a machine in its VPC).
 *
 *   migrate                               apply the CQL migrations (CASSANDRA_REPLICATION names the replication)
 *   history <deviceId>                    the device's owners, newest first
 *   check <deviceId> <applicantId> [--legacy] [--dry-run]
 *                                         the sign-up decision (binds the device unless --dry-run), as the API gives it
 *
 * Configuration comes from the environment (see composition-root.ts). Exit 1 on a failure or a bad command.
 */
import { formatTable, readCommandLine, runTool } from '@backbone/shared/local';
import { loadDevicePolicy, migrateDeviceTables, openDeviceStores } from './composition-root';
import { checkSignUp } from './domain/signup-check';

const USAGE =
  'usage: npm run device -- migrate | history <deviceId> | check <deviceId> <applicantId> [--legacy] [--dry-run]';

async function main(): Promise<number> {
  const {
    command,
    values,
    positionals: positional,
  } = readCommandLine(
    process.argv.slice(2),
    { legacy: { type: 'boolean', default: false }, 'dry-run': { type: 'boolean', default: false } },
    USAGE,
  );
  if (command === 'migrate') {
    const applied = await migrateDeviceTables(process.env, (line) => console.log(line));
    console.log(applied.length > 0 ? `applied ${applied.join(', ')}` : 'Cassandra schema is up to date');
    return 0;
  }
  if ((command === 'history' && positional.length === 1) || (command === 'check' && positional.length === 2)) {
    const stores = openDeviceStores();
    try {
      if (command === 'history') {
        const history = await stores.history(positional[0]!);
        if (history.length === 0) {
          console.log('no owner on record: the device is free');
          return 0;
        }
        const rows = history.map((h) => [h.since.toISOString(), h.ownerId, h.previousOwnerId ?? '-', h.via]);
        for (const line of formatTable([['since', 'owner', 'previous owner', 'via'], ...rows])) console.log(line);
        return 0;
      }
      const result = await checkSignUp(
        { store: stores.decisions, policy: loadDevicePolicy() },
        {
          deviceId: positional[0]!,
          applicant: { customerId: positional[1]! },
          rules: values.legacy ? 'legacy' : 'current',
          dryRun: values['dry-run'],
        },
      );
      console.log(JSON.stringify(result, null, 2));
      return 0;
    } finally {
      await stores.close();
    }
  }
  console.error(USAGE);
  return 2;
}

runTool('device', main);
