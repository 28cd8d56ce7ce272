// A private Redis Cluster for the store benchmarks: three `redis-server` processes with cluster
// mode on free loopback ports in a temp folder, joined by `redis-cli --cluster create`, stopped
// by the pids started here (the test suite's helper does more: slot moves; this one only runs).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

/** Why a cluster cannot start here, or null when the binaries are present. */
export function clusterUnavailable() {
  const ok = (cmd) => spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;
  return ok('redis-server') && ok('redis-cli') ? null : 'redis-server or redis-cli not installed';
}

function bindOnce(port) {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(null));
    s.listen(port, '127.0.0.1', () => {
      const got = s.address().port;
      s.close(() => resolve(got));
    });
  });
}

/** A free port whose cluster bus port (+10000) is free too. */
async function freePortPair(taken) {
  for (;;) {
    const port = await bindOnce(0);
    if (port === null || port > 55_000 || taken.includes(port)) continue;
    if ((await bindOnce(port + 10_000)) !== null) return port;
  }
}

async function until(what, probe, ms = 20_000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`bench cluster: timed out waiting for ${what}`);
}

/** Starts the cluster; `stop()` kills exactly the processes started here and removes the folder. */
export async function startRedisCluster(masters = 3) {
  const dir = mkdtempSync(join(tmpdir(), 'factorkit-bench-cluster-'));
  const children = [];
  const admins = [];
  const stop = async () => {
    await Promise.all(admins.map((c) => c.quit().catch(() => c.disconnect())));
    await Promise.all(
      children.map(
        (child) =>
          new Promise((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', resolve);
            child.kill('SIGKILL');
          }),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const ports = [];
    for (let i = 0; i < masters; i++) ports.push(await freePortPair(ports));
    for (const port of ports) {
      const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir];
      args.push('--cluster-enabled', 'yes', '--cluster-config-file', join(dir, `n-${port}.conf`));
      args.push('--save', '', '--appendonly', 'no', '--daemonize', 'no');
      children.push(spawn('redis-server', args, { stdio: 'ignore' }));
      const c = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 1 });
      c.on('error', () => undefined);
      admins.push(c);
      await until(`redis-server on ${port}`, async () => (await c.ping()) === 'PONG');
    }
    const nodes = ports.map((p) => `127.0.0.1:${p}`);
    const create = spawnSync(
      'redis-cli',
      ['--cluster', 'create', ...nodes, '--cluster-replicas', '0', '--cluster-yes'],
      { encoding: 'utf8', timeout: 30_000 },
    );
    if (create.status !== 0) throw new Error(`redis-cli --cluster create: ${create.stderr}`);
    for (const c of admins) {
      await until('cluster_state:ok', async () =>
        /cluster_state:ok/.test(await c.call('CLUSTER', 'INFO')),
      );
    }
    return { nodes: ports.map((port) => ({ host: '127.0.0.1', port })), admins, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
