/**
 * npm run device -- <migrate|history|check> against the local cloud: the device-ownership CLI with the environment
 * its functions get in serverless.yml for the local stage (Cassandra, the rules' settings).
 */
import { CLI, functionEnvironment } from '@backbone/device-ownership/local';
import { runServiceCli } from './local-cloud/service-cli';

if (require.main === module) void runServiceCli('device-ownership', CLI, functionEnvironment);
