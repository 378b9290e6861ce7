/**
 * A PostgreSQL cluster of the chaos run's own (`--private-pg PORT`), so that `--pg-restarts` restarts
 * it and not the machine's server, which others use: `initdb` once into `<state dir>/chaos-postgres`
 * (trust authentication, loopback only), `pg_ctl start` when it is not running, `pg_ctl restart
 * -m fast` for a restart (every connection cut). Binaries from /usr/lib/postgresql/<newest>/bin; run
 * as the `postgres` user when the run is root (PostgreSQL refuses to run as root).
 */
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The newest installed PostgreSQL's bin directory (null when none is installed there). */
export function postgresBinDir(root = '/usr/lib/postgresql'): string | null {
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? null : join(root, versions[0], 'bin');
}

export class PrivatePostgres {
  readonly port: number;
  readonly dataDir: string;
  readonly #bin: string;
  readonly #log: string;

  constructor(port: number, stateDir: string) {
    const bin = postgresBinDir();
    if (bin === null) throw new Error('--private-pg: no PostgreSQL binaries in /usr/lib/postgresql/*/bin');
    this.#bin = bin;
    this.port = port;
    this.dataDir = join(stateDir, 'chaos-postgres', 'data');
    this.#log = join(stateDir, 'chaos-postgres', 'postgres.log');
  }

  /** The server's URL (database `postgres`, superuser `postgres`). */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  /** initdb (once) and start (unless running). */
  async ensureRunning(): Promise<void> {
    const home = join(this.dataDir, '..');
    mkdirSync(home, { recursive: true });
    if (userInfo().uid === 0) chownSync(home, ...(await this.#postgresIds()));
    if (!existsSync(join(this.dataDir, 'PG_VERSION')))
      await this.#as('initdb', [
        '-D',
        this.dataDir,
        '-U',
        'postgres',
        '-A',
        'trust',
        '-E',
        'UTF8',
        '--no-sync',
      ]);
    if (!(await this.running())) await this.#ctl(['start']);
  }

  async running(): Promise<boolean> {
    try {
      await this.#as('pg_ctl', ['-D', this.dataDir, 'status']);
      return true;
    } catch {
      return false;
    }
  }

  /** `pg_ctl restart -m fast`: every session cut, the server back once it accepts connections. */
  restart(): Promise<void> {
    return this.#ctl(['restart', '-m', 'fast']);
  }

  async stop(): Promise<void> {
    if (await this.running()) await this.#as('pg_ctl', ['-D', this.dataDir, '-m', 'fast', '-w', 'stop']);
  }

  #ctl(args: string[]): Promise<void> {
    const options = `-p ${this.port} -c listen_addresses=127.0.0.1 -k ${join(this.dataDir, '..')} -c max_connections=200`;
    return this.#as('pg_ctl', [
      '-D',
      this.dataDir,
      '-l',
      this.#log,
      '-o',
      options,
      '-w',
      '-t',
      '60',
      ...args,
    ]);
  }

  async #postgresIds(): Promise<[number, number]> {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    return [Number(stdout.trim()), Number(gid.trim())];
  }

  async #as(tool: string, args: string[]): Promise<void> {
    const path = join(this.#bin, tool);
    const [file, argv] =
      userInfo().uid === 0 ? ['runuser', ['-u', 'postgres', '--', path, ...args]] : [path, args];
    try {
      await run(file, argv, { timeout: 120_000 });
    } catch (error) {
      const e = error as { stderr?: string; message: string };
      throw new Error(`${tool} ${args.join(' ')}: ${(e.stderr ?? '').trim() || e.message}`, { cause: error });
    }
  }
}
