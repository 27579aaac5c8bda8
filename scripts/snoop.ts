/**
 * npm run snoop -- <start|status> against the local cloud: snoop-scheduler's CLI with the environment its customer
 * step gets in serverless.yml for the local stage (runs table, queue, customer store).
 */
import { CLI, functionEnvironment } from '@backbone/snoop-scheduler/local';
import { runServiceCli } from './local-cloud/service-cli';

if (require.main === module) void runServiceCli('snoop-scheduler', CLI, functionEnvironment);
