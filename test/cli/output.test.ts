/**
 * Output files (issue 11, item 2): --out and --trace replace a regular file atomically but
 * write a device or a FIFO in place (never a regular file where /dev/null was); `-` is
 * standard output; a full or read-only disk is exit 2 with the real reason.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { TINY_SCENARIO, cli, tempDir } from './helpers.js';

function scenario(text = TINY_SCENARIO): string {
  const f = path.join(tempDir('smpsim-output-'), 'tiny.yaml');
  fs.writeFileSync(f, text);
  return f;
}

/** A FIFO with a reader (`cat`) collecting what is written to it. */
function fifoWithReader(dir: string): { fifo: string; read: Promise<string>; kill: () => void } {
  const fifo = path.join(dir, 'pipe');
  execFileSync('mkfifo', [fifo]);
  const reader = spawn('cat', [fifo], { stdio: ['ignore', 'pipe', 'ignore'] });
  let text = '';
  reader.stdout.on('data', (d: Buffer) => (text += d.toString()));
  const read = new Promise<string>((resolve) => reader.on('close', () => resolve(text)));
  return { fifo, read, kill: () => reader.kill('SIGKILL') };
}

/** A character device equivalent to /dev/null made in a temporary folder (root only). */
function makeNullDevice(dir: string): string | null {
  const dev = path.join(dir, 'null');
  const r = spawnSync('mknod', [dev, 'c', '1', '3']);
  return r.status === 0 ? dev : null;
}

const canMknod = makeNullDevice(tempDir('smpsim-mknod-probe-')) !== null;

describe('special files are written in place', () => {
  it('run --out FIFO: the reader gets the report, the FIFO stays a FIFO', async () => {
    const dir = tempDir('smpsim-output-');
    const { fifo, read, kill } = fifoWithReader(dir);
    try {
      const r = await cli(['run', scenario(), '--format', 'json', '--out', fifo]);
      expect(r.code, r.stderr).toBe(0);
      expect(fs.lstatSync(fifo).isFIFO()).toBe(true);
      expect(JSON.parse(await read).ops.completed).toBe(200);
      expect(fs.readdirSync(dir)).toEqual(['pipe']);
    } finally {
      kill();
    }
  });

  it.skipIf(!canMknod)('run --out and --trace to a character device leave the device in place', async () => {
    const dir = tempDir('smpsim-output-');
    const dev = makeNullDevice(dir)!;
    const r = await cli(['run', scenario(), '--out', dev, '--trace', dev]);
    expect(r.code, r.stderr).toBe(0);
    expect(fs.lstatSync(dev).isCharacterDevice()).toBe(true);
    expect(fs.readdirSync(dir)).toEqual(['null']);
  });

  it('a regular file is replaced atomically, keeping its mode; a symlink to it stays a symlink', async () => {
    const dir = tempDir('smpsim-output-');
    const target = path.join(dir, 'report.json');
    fs.writeFileSync(target, 'old');
    fs.chmodSync(target, 0o640);
    const link = path.join(dir, 'link.json');
    fs.symlinkSync(target, link);
    const r = await cli(['run', scenario(), '--format', 'json', '--out', link]);
    expect(r.code, r.stderr).toBe(0);
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(JSON.parse(fs.readFileSync(target, 'utf8')).ops.completed).toBe(200);
    expect(fs.statSync(target).mode & 0o777).toBe(0o640);
    expect(fs.readdirSync(dir).sort()).toEqual(['link.json', 'report.json']);
  });
});

describe('- is standard output', () => {
  it('run --out - prints the report and writes no file named -', async () => {
    const cwd = tempDir('smpsim-output-');
    const r = await cli(['run', scenario(), '--format', 'json', '--out', '-', '--quiet'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).ops.completed).toBe(200);
    expect(fs.readdirSync(cwd)).toEqual([]);
  });

  it('run --trace - streams the trace to stdout when the report goes elsewhere', async () => {
    const cwd = tempDir('smpsim-output-');
    const r = await cli(['run', scenario(), '--out', 'report.txt', '--trace', '-'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    const trace = JSON.parse(r.stdout) as { traceEvents: unknown[] };
    expect(trace.traceEvents.length).toBeGreaterThan(0);
    expect(fs.readdirSync(cwd)).toEqual(['report.txt']);
  });

  it('run --trace - with the report on stdout too: exit 2, one line', async () => {
    const r = await cli(['run', scenario(), '--trace', '-']);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd()).toMatch(/^--trace -: standard output already carries the report/);
  });
});

/** An fs error as Node raises it. */
function fsError(code: string, syscall: string): NodeJS.ErrnoException {
  const messages: Record<string, string> = { ENOSPC: 'no space left on device', EROFS: 'read-only file system' };
  return Object.assign(new Error(`${code}: ${messages[code]}, ${syscall}`), { code, syscall, errno: -1 });
}

describe('a full or read-only disk (fs errors injected)', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('run --trace on a full disk: exit 2 naming ENOSPC as soon as a write fails, no temporary file left', async () => {
    const dir = tempDir('smpsim-output-');
    let writes = 0;
    const real = fs.writeSync.bind(fs);
    vi.spyOn(fs, 'writeSync').mockImplementation(((fd: number, ...rest: unknown[]) => {
      if (fd > 2) {
        writes++;
        throw fsError('ENOSPC', 'write');
      }
      return (real as (...a: unknown[]) => number)(fd, ...rest);
    }) as typeof fs.writeSync);
    // Enough events that the trace passes its 1 MiB buffer mid-run.
    const r = await cli(['run', scenario(TINY_SCENARIO.replace('stop: {ops: 200}', 'stop: {ops: 40000}')), '--trace', path.join(dir, 't.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^--trace: cannot write .*t\.json: no space left on device \(ENOSPC\)$/m);
    expect(writes).toBe(1);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('sweep and baseline --out on a read-only disk: exit 2 naming EROFS', async () => {
    const dir = tempDir('smpsim-output-');
    const real = fs.mkdirSync.bind(fs);
    vi.spyOn(fs, 'mkdirSync').mockImplementation(((p: fs.PathLike, opts?: fs.MakeDirectoryOptions) => {
      if (String(p).startsWith(dir)) throw fsError('EROFS', 'mkdir');
      return real(p, opts);
    }) as typeof fs.mkdirSync);
    const s = await cli(['sweep', scenario(), '--out', path.join(dir, 'sw')]);
    expect(s.code).toBe(2);
    expect(s.stderr.trimEnd()).toMatch(/^--out: cannot create .*sw: read-only file system \(EROFS\)$/);
    const b = await cli(['baseline', scenario(), '--out', path.join(dir, 'bl')]);
    expect(b.code).toBe(2);
    expect(b.stderr.trimEnd()).toMatch(/^--out: cannot create folder .*bl: read-only file system \(EROFS\)$/);
  });
});

/** A real tmpfs: only where this process may mount (root in a container that allows it). */
function tryMount(opts: string): string | null {
  const dir = tempDir('smpsim-mnt-');
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', opts, 'tmpfs', dir], { stdio: 'ignore' });
  return r.status === 0 ? dir : null;
}
const mounted: string[] = [];
afterAll(() => {
  for (const m of mounted) spawnSync('umount', [m], { stdio: 'ignore' });
});
const probe = process.platform === 'linux' && process.getuid?.() === 0 ? tryMount('size=64k') : null;
if (probe !== null) mounted.push(probe);

describe.skipIf(probe === null)('a real full and read-only tmpfs (root only)', () => {
  it('run --trace on a 64 KiB tmpfs: exit 2, ENOSPC', async () => {
    const r = await cli(['run', scenario(TINY_SCENARIO.replace('stop: {ops: 200}', 'stop: {ops: 40000}')), '--trace', path.join(probe!, 't.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no space left on device \(ENOSPC\)/);
    expect(fs.readdirSync(probe!)).toEqual([]);
  });

  it('sweep and baseline --out on a read-only tmpfs: exit 2, EROFS', async () => {
    const ro = tryMount('size=64k,ro');
    expect(ro).not.toBeNull();
    mounted.push(ro!);
    const s = await cli(['sweep', scenario(), '--out', path.join(ro!, 'sw')]);
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(/read-only file system \(EROFS\)/);
    const b = await cli(['baseline', scenario(), '--out', path.join(ro!, 'bl')]);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/read-only file system \(EROFS\)/);
  });
});
