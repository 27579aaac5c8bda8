/**
 * npm run rules -- <migrate|seed|validate|publish> against the local cloud: the rules-ingestion CLI with the
 * environment its functions get in serverless.yml for the local stage (bucket, queue, database).
 */
import { CLI, functionEnvironment } from '@backbone/rules-ingestion/local';
import { runServiceCli } from './local-cloud/service-cli';

if (require.main === module) void runServiceCli('rules-ingestion', CLI, functionEnvironment);
