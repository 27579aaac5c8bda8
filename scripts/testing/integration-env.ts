// Every integration test process reads the same variables the services read, pointing at the local cloud.
import { applyLocalEnvironment } from '../local-cloud/environment';

applyLocalEnvironment();

// Test processes log only errors; the services under test log to .local-cloud/logs.
process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
