import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScenarioCheck } from '../../src/check/compare.js';
import { formatJunit, makeReport, xmlEscape } from '../../src/check/report.js';
import { cli, workspace } from './helpers.js';

interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(s: string): string {
  return s.replace(/&([a-z]+|#\d+|#x[0-9a-f]+);/gi, (m, e: string) => {
    if (e.startsWith('#x') || e.startsWith('#X')) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(parseInt(e.slice(1), 10));
    const v = ENTITIES[e];
    if (v === undefined) throw new Error(`unknown entity ${m}`);
    return v;
  });
}

/**
 * A strict little XML parser for what JUnit reports use (prolog, elements, attributes,
 * text): throws on anything not well-formed — unbalanced or crossed tags, unquoted or
 * duplicate attributes, a raw '<' or '&' in text, more than one root.
 */
function parseXml(xml: string): XmlElement {
  let i = 0;
  const prolog = /^<\?xml version="1\.0" encoding="UTF-8"\?>\s*/.exec(xml);
  if (prolog === null) throw new Error('no XML declaration');
  i = prolog[0].length;
  const root: XmlElement = { name: '#document', attrs: {}, children: [], text: '' };
  const stack: XmlElement[] = [root];
  const NAME = /[A-Za-z_][\w.-]*/y;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const text = xml.slice(i, lt < 0 ? xml.length : lt);
    if (/&(?![a-z]+;|#\d+;|#x[0-9a-f]+;)/i.test(text) || text.includes('>')) throw new Error(`bad text ${JSON.stringify(text)}`);
    if (stack.length === 1 && text.trim() !== '') throw new Error('text outside the root');
    stack[stack.length - 1]!.text += decode(text);
    if (lt < 0) break;
    i = lt + 1;
    if (xml[i] === '/') {
      NAME.lastIndex = i + 1;
      const m = NAME.exec(xml);
      if (m === null) throw new Error(`bad end tag at ${i}`);
      const top = stack.pop()!;
      if (top.name !== m[0]) throw new Error(`</${m[0]}> closes <${top.name}>`);
      i = NAME.lastIndex;
      if (xml[i] !== '>') throw new Error(`bad end tag </${m[0]}`);
      i++;
      continue;
    }
    NAME.lastIndex = i;
    const m = NAME.exec(xml);
    if (m === null) throw new Error(`bad tag at ${i}`);
    const el: XmlElement = { name: m[0], attrs: {}, children: [], text: '' };
    i = NAME.lastIndex;
    for (;;) {
      const ws = /\s*/y;
      const before = i;
      ws.lastIndex = i;
      ws.exec(xml);
      i = ws.lastIndex;
      if (xml.startsWith('/>', i) || xml[i] === '>') break;
      const attr = /([A-Za-z_][\w.-]*)="([^"<]*)"/y;
      attr.lastIndex = i;
      const a = attr.exec(xml);
      // An attribute needs whitespace before it and a quoted value.
      if (a === null || i === before) throw new Error(`bad attribute in <${el.name}> at ${i}`);
      if (a[1]! in el.attrs) throw new Error(`duplicate attribute ${a[1]}`);
      el.attrs[a[1]!] = decode(a[2]!);
      i = attr.lastIndex;
    }
    const parent = stack[stack.length - 1]!;
    if (parent === root && root.children.length > 0) throw new Error('more than one root');
    parent.children.push(el);
    if (xml.startsWith('/>', i)) i += 2;
    else {
      i += 1;
      stack.push(el);
    }
  }
  if (stack.length !== 1) throw new Error(`unclosed <${stack[stack.length - 1]!.name}>`);
  if (root.children.length !== 1) throw new Error('no root element');
  return root.children[0]!;
}

describe('the XML checker itself', () => {
  it('refuses malformed XML', () => {
    const head = '<?xml version="1.0" encoding="UTF-8"?>\n';
    expect(() => parseXml(`${head}<a><b></a></b>`)).toThrow();
    expect(() => parseXml(`${head}<a x=1/>`)).toThrow();
    expect(() => parseXml(`${head}<a>1 < 2</a>`)).toThrow();
    expect(() => parseXml(`${head}<a>R&D</a>`)).toThrow();
    expect(() => parseXml(`${head}<a/><b/>`)).toThrow();
    expect(() => parseXml(`${head}<a x="1" x="2"/>`)).toThrow();
    expect(parseXml(`${head}<a x="&lt;1&gt;"><b>t &amp; u</b></a>`).children[0]!.text).toBe('t & u');
  });
});

describe('--junit', () => {
  it('writes one testsuite, one testcase per scenario, failures naming the metrics', async () => {
    const ws = workspace();
    fs.writeFileSync(path.join(ws.dir, 'scenarios', 'other.yaml'), fs.readFileSync(ws.scenario, 'utf8').replace('name: check-lt', 'name: check-other'));
    expect((await cli(['baseline', 'scenarios', '--out', 'baselines'], ws.dir)).code).toBe(0);
    // Make only check-lt fail: slower handoffs in its file.
    fs.writeFileSync(ws.scenario, fs.readFileSync(ws.scenario, 'utf8').replace('costs: {preset: modern}', 'costs: {preset: modern, line_transfer_local: 200ns}'));
    const r = await cli(['check', 'scenarios', '--baseline', 'baselines', '--junit', 'out/report.xml'], ws.dir);
    expect(r.code).toBe(2); // out/ does not exist: refused before running
    expect(r.stderr).toMatch(/^--junit: cannot write out\/report\.xml: no directory out/);
    const run = await cli(['check', 'scenarios', '--baseline', 'baselines', '--junit', 'report.xml'], ws.dir);
    expect(run.code).toBe(1);
    const suite = parseXml(fs.readFileSync(path.join(ws.dir, 'report.xml'), 'utf8'));
    expect(suite.name).toBe('testsuite');
    expect(suite.attrs).toMatchObject({ name: 'smpsim check', tests: '2', failures: '1', errors: '0' });
    const cases = suite.children.filter((c) => c.name === 'testcase');
    expect(cases.map((c) => c.attrs.name)).toEqual(['check-lt', 'check-other']);
    const failure = cases[0]!.children.find((c) => c.name === 'failure')!;
    expect(failure.attrs.type).toBe('regression');
    expect(failure.attrs.message).toMatch(/^metrics moved: .*ops\.per_sec/);
    expect(failure.attrs.message).toContain('per_op.locks.torture_spinlock.wait_ns.total');
    expect(failure.text).toContain('costs.line_transfer_local: 37 -> 200');
    expect(cases[1]!.children).toEqual([]);
    expect(fs.readdirSync(ws.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('escapes whatever the names and messages hold', () => {
    expect(xmlEscape(`a<b>&"c"'d'\u0001`)).toBe('a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;');
    const nasty = `<"it's" & co>`;
    const check: ScenarioCheck = {
      name: nasty,
      file: `dir/${nasty}.yaml`,
      baseline_file: 'b.json',
      replications: 1,
      fingerprint: { baseline: '0000000000000000', now: '1111111111111111', equal: false },
      verdict: 'fail',
      metrics: [
        {
          metric: `locks.${nasty}.contentions`,
          baseline: 1,
          now: 2,
          delta: 1,
          delta_pct: 100,
          test: 'tolerance',
          tolerance: { relative: 0.05, absolute: 0 },
          status: 'moved',
          verdict: 'fail',
        },
      ],
      scenario_changes: [`name: "a" -> "${nasty}"`],
      wall_ms: 5,
    };
    const aborted: ScenarioCheck = { ...check, name: 'stuck', verdict: 'error', error: 'run aborted: deadlock at t=5 ns', metrics: [] };
    const suite = parseXml(formatJunit(makeReport([check, aborted], 0.01, 'baselines', [])));
    expect(suite.attrs).toMatchObject({ tests: '2', failures: '1', errors: '1' });
    expect(suite.children[0]!.attrs.name).toBe(nasty);
    expect(suite.children[0]!.children[0]!.attrs.message).toBe(`metrics moved: locks.${nasty}.contentions`);
    expect(suite.children[1]!.children[0]!.name).toBe('error');
    expect(suite.children[1]!.children[0]!.attrs.message).toBe('run aborted: deadlock at t=5 ns');
  });
});
