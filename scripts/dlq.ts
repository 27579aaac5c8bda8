/**
 * npm run dlq -- <command> against the local cloud: the dead-letter console's command line with the environment its
 * functions get in serverless.yml for the local stage (its tables, the stage).
 */
import { CLI, functionEnvironment } from '@backbone/dlq-console/local';
import { runServiceCli } from './local-cloud/service-cli';

if (require.main === module) void runServiceCli('dlq-console', CLI, functionEnvironment);
