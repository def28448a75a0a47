// The service the profilers start (run.mjs, threads.mjs, allocations.mjs), and the read they load.
import { freePorts } from '../lib/ports.mjs';
import { DISCARD_SPAN_EXPORTS, registerUser, startService } from '../lib/service.mjs';

/**
 * Starts the built service with what profiling needs: long-lived tokens, cheap hashing for the
 * setup's logins, `preloads` required into it, and with `traced` every request traced to a no-op
 * exporter (as case 9's traced instance is), unless the profiler's own OTEL_TRACES_SAMPLER and
 * OTEL_TRACES_SAMPLER_ARG ask for a sampler. `env` and `nodeArgs` go to `startService`; an
 * `env.NODE_OPTIONS` is kept, with the preloads after it.
 */
export async function startProfiledService({
  traced = false,
  preloads = [],
  env = {},
  nodeArgs = [],
} = {}) {
  const [port] = await freePorts(1);
  const required = [...preloads, ...(traced ? [DISCARD_SPAN_EXPORTS] : [])];
  return startService({
    port,
    nodeArgs,
    env: {
      ACCESS_TOKEN_TTL: '1h',
      // Only the setup's logins hash passwords: cheaply.
      BCRYPT_COST: '4',
      ...(traced ? tracingEnv() : {}),
      ...env,
      NODE_OPTIONS: [env.NODE_OPTIONS, ...required.map((file) => `--require ${file}`)]
        .filter(Boolean)
        .join(' '),
    },
  });
}

/** Case 2's read, `GET /users/me`, as a user registered for it: the request autocannon sends. */
export async function usersMeRequest(base) {
  const user = await registerUser(base, 'profile');
  return { url: `${base}/users/me`, headers: { authorization: `Bearer ${user.accessToken}` } };
}

function tracingEnv() {
  const sampler = ['OTEL_TRACES_SAMPLER', 'OTEL_TRACES_SAMPLER_ARG']
    .filter((name) => process.env[name])
    .map((name) => [name, process.env[name]]);
  return { OTEL_TRACES_EXPORTER: 'otlp', ...Object.fromEntries(sampler) };
}
