import { CLUSTER_NODES_HANDOFF } from './test-environment';

// Each test file of the e2e-cluster project runs on the cluster its globalSetup started: jest
// gives every test file its own copy of process.env, so other projects' files never see this.
const nodes = process.env[CLUSTER_NODES_HANDOFF];
if (!nodes) {
  throw new Error(
    `${CLUSTER_NODES_HANDOFF} is not set: run these suites in the e2e-cluster project`,
  );
}
process.env.TEST_REDIS_CLUSTER_NODES = nodes;
