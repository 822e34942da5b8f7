/**
 * A TraceSink that streams into a file and publishes it atomically, like writeFileAtomic in
 * src/cli/io.ts (same temporary name in the same directory, then rename) — but in chunks,
 * so a trace of a million events is never one string in memory.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { TraceSink } from './chrome.js';

/** Bytes of text gathered before one write(2). */
const CHUNK = 1 << 20;

export class AtomicFileSink implements TraceSink {
  /** The temporary file written until commit(). */
  readonly tmp: string;
  private readonly fd: number;
  private parts: string[] = [];
  private size = 0;
  private closed = false;

  /** Opens the temporary file; throws the fs error (ENOENT, EACCES, …) if it cannot. */
  constructor(readonly file: string) {
    const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now().toString(36)}.tmp`);
    this.tmp = tmp;
    this.fd = fs.openSync(tmp, 'w');
  }

  write(chunk: string): void {
    if (this.closed) throw new Error(`trace file ${this.file} is already closed`);
    this.parts.push(chunk);
    this.size += chunk.length;
    if (this.size >= CHUNK) this.flush();
  }

  /** Write what is buffered, close, rename over the destination. */
  commit(): void {
    try {
      this.flush();
      this.closed = true;
      fs.closeSync(this.fd);
      fs.renameSync(this.tmp, this.file);
    } catch (err) {
      this.abort();
      throw err;
    }
  }

  /** Close and remove the temporary file; the destination is left untouched. Idempotent. */
  abort(): void {
    if (!this.closed) {
      this.closed = true;
      try {
        fs.closeSync(this.fd);
      } catch {
        // already closed
      }
    }
    try {
      fs.rmSync(this.tmp, { force: true });
    } catch {
      // best effort
    }
  }

  private flush(): void {
    if (this.parts.length === 0) return;
    const text = this.parts.length === 1 ? this.parts[0]! : this.parts.join('');
    this.parts = [];
    this.size = 0;
    const buf = Buffer.from(text, 'utf8');
    let off = 0;
    while (off < buf.length) off += fs.writeSync(this.fd, buf, off, buf.length - off);
  }
}

/** A sink that keeps the text in memory (tests, small traces). */
export class StringSink implements TraceSink {
  private parts: string[] = [];
  write(chunk: string): void {
    this.parts.push(chunk);
  }
  text(): string {
    return this.parts.join('');
  }
}
