/**
 * A TraceSink that keeps the text in memory (tests, small traces). The file sink is
 * src/files/output.ts's OutputFile (streamed, published atomically), used by cli/trace.ts.
 */
import type { TraceSink } from './chrome.js';

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
