/**
 * A private Redis Cluster for tests: `redis-server` processes with cluster mode on free loopback
 * ports in a temp folder, joined by `redis-cli --cluster create`, stopped by the pids started
 * here. Also moves one slot between masters the way a reshard does (CLUSTER SETSLOT and
 * MIGRATE), in steps, so a test can run operations while the slot is half moved (ASK) and
 * after it moved (MOVED).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

export interface ClusterMaster {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly id: string;
}

export interface SlotMigration {
  /** Moves these keys of the slot (all of them by default) to the target now. */
  migrateKeys(keys?: string[]): Promise<number>;
  /** Moves what is left and assigns the slot to the target on every master. */
  finish(): Promise<void>;
}

export interface TestCluster {
  readonly masters: ClusterMaster[];
  readonly nodes: { host: string; port: number }[];
  /** The master serving a slot now. */
  ownerOf(slot: number): Promise<ClusterMaster>;
  /** The slot of a key (CLUSTER KEYSLOT). */
  slotOf(key: string): Promise<number>;
  /** How many MOVED, ASK and TRYAGAIN replies this master has sent (INFO errorstats). */
  redirections(m: ClusterMaster): Promise<number>;
  /** Starts moving a slot to another master (IMPORTING on it, MIGRATING on the owner). */
  beginSlotMove(slot: number, to: ClusterMaster): Promise<SlotMigration>;
  stop(): Promise<void>;
}

/** Whether this machine has the Redis binaries the cluster needs. */
export function clusterToolsAvailable(): boolean {
  const ok = (cmd: string) => spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;
  return ok('redis-server') && ok('redis-cli');
}

/** A port free now, whose cluster bus port (+10000) is free too. */
async function freePortPair(taken: Set<number>): Promise<number> {
  const tryBind = (port: number) =>
    new Promise<number | null>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(null));
      s.listen(port, '127.0.0.1', () => {
        const got = (s.address() as { port: number }).port;
        s.close(() => resolve(got));
      });
    });
  for (;;) {
    const port = await tryBind(0);
    if (port === null || port > 55_000 || taken.has(port)) continue;
    if ((await tryBind(port + 10_000)) !== null) return port;
  }
}

async function until<T>(what: string, probe: () => Promise<T | null>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== null) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`test cluster: timed out waiting for ${what}`, { cause: last });
}

const admin = (port: number) => {
  const c = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 1, lazyConnect: true });
  c.on('error', () => undefined);
  return c;
};

export async function startRedisCluster(masterCount = 3): Promise<TestCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'factorkit-cluster-'));
  const children: ChildProcess[] = [];
  const clients: Redis[] = [];
  const stop = async () => {
    await Promise.all(clients.map((c) => c.quit().catch(() => c.disconnect())));
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGKILL');
          }),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const ports: number[] = [];
    for (let i = 0; i < masterCount; i++) ports.push(await freePortPair(new Set(ports)));
    for (const port of ports) {
      const child = spawn(
        'redis-server',
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--dir',
          dir,
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          join(dir, `nodes-${port}.conf`),
          '--cluster-node-timeout',
          '5000',
          '--save',
          '',
          '--appendonly',
          'no',
          '--daemonize',
          'no',
        ],
        { stdio: 'ignore' },
      );
      children.push(child);
      const c = admin(port);
      clients.push(c);
      await until(`redis-server on ${port}`, async () => ((await c.ping()) === 'PONG' ? 1 : null));
    }
    const create = spawnSync(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...ports.map((p) => `127.0.0.1:${p}`),
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ],
      { encoding: 'utf8', timeout: 30_000 },
    );
    if (create.status !== 0)
      throw new Error(`redis-cli --cluster create: ${create.stdout}${create.stderr}`);
    for (const c of clients) {
      await until('cluster_state:ok', async () => {
        const info = (await c.call('CLUSTER', 'INFO')) as string;
        return /cluster_state:ok/.test(info) && /cluster_slots_ok:16384/.test(info) ? 1 : null;
      });
    }
    const masters: ClusterMaster[] = [];
    for (const [i, port] of ports.entries()) {
      masters.push({
        host: '127.0.0.1',
        port,
        id: (await clients[i]!.call('CLUSTER', 'MYID')) as string,
      });
    }
    const clientOf = (m: ClusterMaster) => clients[ports.indexOf(m.port)]!;
    const ownerOf = async (slot: number): Promise<ClusterMaster> => {
      const ranges = (await clients[0]!.call('CLUSTER', 'SLOTS')) as [
        number,
        number,
        [string, number, string],
      ][];
      const hit = ranges.find(([lo, hi]) => slot >= lo && slot <= hi);
      const m = masters.find((x) => x.port === hit?.[2][1]);
      if (!m) throw new Error(`test cluster: no owner for slot ${slot}`);
      return m;
    };
    return {
      masters,
      nodes: masters.map(({ host, port }) => ({ host, port })),
      ownerOf,
      async redirections(m) {
        const info = (await clientOf(m).call('INFO', 'errorstats')) as string;
        let n = 0;
        for (const [, count] of info.matchAll(/errorstat_(?:MOVED|ASK|TRYAGAIN):count=(\d+)/g))
          n += Number(count);
        return n;
      },
      slotOf: async (key) => Number(await clients[0]!.call('CLUSTER', 'KEYSLOT', key)),
      async beginSlotMove(slot, to) {
        const from = await ownerOf(slot);
        if (from.id === to.id) throw new Error('test cluster: slot already on the target');
        await clientOf(to).call('CLUSTER', 'SETSLOT', slot, 'IMPORTING', from.id);
        await clientOf(from).call('CLUSTER', 'SETSLOT', slot, 'MIGRATING', to.id);
        const migrateKeys = async (keys?: string[]) => {
          const list =
            keys ??
            ((await clientOf(from).call('CLUSTER', 'GETKEYSINSLOT', slot, 1000)) as string[]);
          if (list.length === 0) return 0;
          await clientOf(from).call('MIGRATE', to.host, to.port, '', 0, 5000, 'KEYS', ...list);
          return list.length;
        };
        return {
          migrateKeys,
          async finish() {
            while ((await migrateKeys()) > 0);
            // The target first, then the source, then the rest, as redis-cli's reshard does.
            await clientOf(to).call('CLUSTER', 'SETSLOT', slot, 'NODE', to.id);
            await clientOf(from).call('CLUSTER', 'SETSLOT', slot, 'NODE', to.id);
            for (const m of masters) {
              if (m.id !== to.id && m.id !== from.id)
                await clientOf(m).call('CLUSTER', 'SETSLOT', slot, 'NODE', to.id);
            }
          },
        };
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
