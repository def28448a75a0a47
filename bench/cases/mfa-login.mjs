// Case 8, the second factor's cost at login: a complete login of an account with TOTP
// (`POST /auth/login`, then `POST /auth/mfa/verify` with a code) against a login of an account
// without (`POST /auth/login` alone), at the default bcrypt cost. Workers alternate the two kinds
// login by login in the same run, so drift on the machine falls on both alike; each login is timed
// from its first request to its tokens, and logins/s of a kind is `workers / mean login time`.
// A code is accepted once per account and step, so MFA logins take turns over a pool of accounts
// (a worker that finds none free waits, untimed).
// Usage: npm run build && node bench/cases/mfa-login.mjs [seconds=8] [workers=8] [rounds=2]
import { generate } from 'otplib';
import { jsonClient } from '../lib/http-client.mjs';
import { median } from '../lib/load.mjs';
import { freePorts } from '../lib/ports.mjs';
import { clearPrefix, runWhenMain } from '../lib/baseline.mjs';
import { registerUser, startService } from '../lib/service.mjs';

const TARGET_RATIO = 0.9;
const PLAIN_ACCOUNTS = 4;
const MFA_ACCOUNTS = 120;
const STEP_SECONDS = 30;
const REDIS_PREFIX = 'tm-bench-mfa:';

export async function run({ seconds = 8, connections: workers = 8, rounds = 2 } = {}) {
  const [port] = await freePorts(1);
  let service;
  await clearPrefix(REDIS_PREFIX);
  try {
    service = await startService({ port, env: { REDIS_KEY_PREFIX: REDIS_PREFIX } });
    const client = jsonClient(service.base, { sockets: workers * 2, timeoutMs: 60_000 });
    const plain = [];
    for (let i = 0; i < PLAIN_ACCOUNTS; i++)
      plain.push(await registerUser(service.base, 'mfa-plain'));
    const withMfa = [];
    // Eight at a time: each enrolment is two bcrypt runs.
    while (withMfa.length < MFA_ACCOUNTS) {
      withMfa.push(
        ...(await Promise.all(Array.from({ length: 8 }, () => enrolled(client, service.base)))),
      );
    }
    const pool = codePool(withMfa);

    const loginOnce = {
      plain: async (turn) => expectOk(await passwordStep(client, plain[turn % plain.length])),
      mfa: async (_turn, account, code) => {
        const first = await passwordStep(client, account);
        expectOk(first);
        if (!first.body.mfaRequired) throw new Error('an MFA account logged in without a code');
        expectOk(
          await client.request({
            method: 'POST',
            path: '/auth/mfa/verify',
            body: { mfaToken: first.body.mfaToken, code },
          }),
        );
      },
    };

    await alternate({ workers, seconds: 2, loginOnce, pool }); // warm-up: JIT, pools, both paths
    const rows = [];
    for (let round = 1; round <= rounds; round++) {
      const figures = await alternate({ workers, seconds, loginOnce, pool });
      rows.push({
        round,
        ...figures,
        ratio: figures.mfa.loginsPerSecond / figures.plain.loginsPerSecond,
      });
    }
    client.close();
    const ratio = median(rows.map((row) => row.ratio));
    return {
      case: 'mfa-login',
      target: `MFA logins/s ≥ ${TARGET_RATIO} of plain logins/s`,
      settings: { seconds, workers, bcryptCost: 12, mfaAccounts: MFA_ACCOUNTS },
      rows,
      ratio,
      met: ratio >= TARGET_RATIO,
      rssMb: await service.rssMb(),
    };
  } finally {
    await service?.stop();
    await clearPrefix(REDIS_PREFIX);
  }
}

/** Workers alternate plain and MFA logins for `seconds`; returns each kind's figures. */
async function alternate({ workers, seconds, loginOnce, pool }) {
  const times = { plain: [], mfa: [] };
  const end = Date.now() + seconds * 1000;
  let turn = 0;
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      let kind = worker % 2 ? 'plain' : 'mfa';
      while (Date.now() < end) {
        const mine = turn++;
        let started;
        if (kind === 'mfa') {
          const { account, code } = await pool.take();
          started = performance.now();
          await loginOnce.mfa(mine, account, code);
        } else {
          started = performance.now();
          await loginOnce.plain(mine);
        }
        times[kind].push(performance.now() - started);
        kind = kind === 'mfa' ? 'plain' : 'mfa';
      }
    }),
  );
  const figures = (list) => {
    const mean = list.reduce((sum, ms) => sum + ms, 0) / list.length;
    const sorted = [...list].sort((a, b) => a - b);
    return {
      logins: list.length,
      meanMs: mean,
      p50Ms: sorted[Math.floor(sorted.length / 2)],
      // Every worker doing this kind only: the rate its login time allows.
      loginsPerSecond: (workers * 1000) / mean,
    };
  };
  return { plain: figures(times.plain), mfa: figures(times.mfa) };
}

/**
 * Hands out (account, code) pairs no account has used: each account's next code is for the step
 * after its last, within the one-step window either side of now.
 */
function codePool(accounts) {
  let next = 0;
  return {
    async take() {
      for (;;) {
        const nowStep = Math.floor(Date.now() / 1000 / STEP_SECONDS);
        for (let tried = 0; tried < accounts.length; tried++) {
          const account = accounts[next++ % accounts.length];
          const step = Math.max(account.lastStep + 1, nowStep - 1);
          if (step > nowStep + 1) continue;
          account.lastStep = step;
          return {
            account,
            code: await generate({ secret: account.secret, epoch: step * STEP_SECONDS }),
          };
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
  };
}

/** A new account with TOTP on. */
async function enrolled(client, base) {
  const account = await registerUser(base, 'mfa-on');
  const setup = await client.request({
    method: 'POST',
    path: '/auth/mfa/totp/setup',
    token: account.accessToken,
    body: { password: account.password },
  });
  expectOk(setup);
  const step = Math.floor(Date.now() / 1000 / STEP_SECONDS) - 1;
  const code = await generate({ secret: setup.body.secret, epoch: step * STEP_SECONDS });
  expectOk(
    await client.request({
      method: 'POST',
      path: '/auth/mfa/totp/enable',
      token: account.accessToken,
      body: { code },
    }),
  );
  return { ...account, secret: setup.body.secret, lastStep: step };
}

function passwordStep(client, { email, password }) {
  return client.request({ method: 'POST', path: '/auth/login', body: { email, password } });
}

function expectOk(response) {
  if (response.status !== 200) {
    throw new Error(
      `login failed: ${response.status ?? response.error} ${JSON.stringify(response.body)}`,
    );
  }
  return response;
}

runWhenMain(import.meta.url, run, (result) => {
  console.log(JSON.stringify(result.rows, null, 2));
  console.log(`MFA/plain logins/s (median): ${result.ratio.toFixed(2)} (target ≥ ${TARGET_RATIO})`);
});
