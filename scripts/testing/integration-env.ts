// Every integration test process reads the same variables the services read, pointing at the local cloud.
import { applyLocalEnvironment } from '../local-cloud/environment';

applyLocalEnvironment();
