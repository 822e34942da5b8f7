/**
 * The playground page (web/index.html): the scenario editor with the CLI's validation, the
 * run controls, and the results drawn from what the run worker (web/worker.ts) sends back.
 * The page never runs the model itself: a run is a Worker, cancel terminates it.
 */
import { CATEGORY_NAMES } from '../src/cpu/accounting.js';
import { CATEGORY_COLOURS } from '../src/report/palette.js';
import { VERSION } from '../src/version.js';
import { BUNDLED_SCENARIOS, DEFAULT_SCENARIO } from './bundled.js';
import { decodeScenario, encodeScenario } from './permalink.js';
import type { Reply, Request, TimelineData } from './protocol.js';
import { scenarioProblems } from './scenario.js';
import { drawTimeline } from './timeline.js';

/** The four strategies the 2000 thread compared (the CLI's `--vary kernel.strategy=…`). */
export const STRATEGIES = ['bounce', 'vmap', 'kmap', 'direct'];

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const editor = $<HTMLTextAreaElement>('editor');
const gutter = $<HTMLPreElement>('gutter');
const problemsEl = $<HTMLDivElement>('problems');
const select = $<HTMLSelectElement>('scenario');
const runBtn = $<HTMLButtonElement>('run');
const compareBtn = $<HTMLButtonElement>('compare');
const sweepBtn = $<HTMLButtonElement>('sweep');
const cancelBtn = $<HTMLButtonElement>('cancel');
const progress = $<HTMLProgressElement>('progress');
const status = $<HTMLSpanElement>('status');
const download = $<HTMLAnchorElement>('download');

/** The name messages give the editor's text (`smpsim run <origin>`): the scenario it started from. */
let origin = `${DEFAULT_SCENARIO}.yaml`;
let worker: Worker | null = null;
let downloadUrl: string | null = null;
let timeline: TimelineData | null = null;

/** The timeline of the last run, over the span chosen (µs). */
function redrawTimeline(): void {
  const tl = $('timeline');
  tl.replaceChildren();
  if (timeline !== null) tl.appendChild(drawTimeline(timeline, Number($<HTMLSelectElement>('timeline-span').value)));
}

function setGutter(): void {
  const n = editor.value.split('\n').length;
  let s = '';
  for (let i = 1; i <= n; i++) s += `${i}\n`;
  gutter.textContent = s;
  gutter.scrollTop = editor.scrollTop;
}

/** The editor's problems, the CLI's lines (field, allowed values, did-you-mean); true when valid. */
function validate(): boolean {
  const lines = scenarioProblems(editor.value, origin);
  problemsEl.textContent = lines.length === 0 ? 'valid scenario' : lines.join('\n');
  problemsEl.className = lines.length === 0 ? 'ok' : 'bad';
  return lines.length === 0;
}

function setText(text: string, name: string): void {
  editor.value = text;
  origin = name;
  setGutter();
  validate();
}

function busy(on: boolean): void {
  for (const b of [runBtn, compareBtn, sweepBtn]) b.disabled = on;
  cancelBtn.disabled = !on;
}

function stopWorker(): void {
  worker?.terminate();
  worker = null;
  busy(false);
}

function offerDownload(json: string, name: string): void {
  if (downloadUrl !== null) URL.revokeObjectURL(downloadUrl);
  downloadUrl = URL.createObjectURL(new Blob([json], { type: 'application/json' }));
  download.href = downloadUrl;
  download.download = name;
  download.classList.remove('hidden');
}

function show(reply: Reply): void {
  switch (reply.kind) {
    case 'progress':
      progress.value = (reply.done + reply.fraction) / reply.total;
      status.textContent = reply.total > 1 ? `run ${reply.done + 1} of ${reply.total} (${reply.label})` : `running ${reply.label}…`;
      return;
    case 'error':
      stopWorker();
      progress.value = 0;
      status.textContent = 'failed';
      problemsEl.textContent = reply.lines.join('\n');
      problemsEl.className = 'bad';
      return;
    case 'result': {
      stopWorker();
      progress.value = 1;
      status.textContent = `done: ${reply.events.toLocaleString('en-US')} events in ${(reply.wallMs / 1000).toFixed(2)} s`;
      $('results').classList.remove('hidden');
      $('bottleneck').textContent = `bottleneck: ${reply.bottleneck}`;
      $('text').textContent = reply.text;
      timeline = reply.timeline;
      redrawTimeline();
      const frame = $<HTMLIFrameElement>('report');
      frame.onload = () => {
        const doc = frame.contentDocument;
        if (doc !== null) frame.style.height = `${doc.documentElement.scrollHeight + 20}px`;
      };
      frame.srcdoc = reply.html;
      offerDownload(reply.json, 'smpsim-result.json');
      return;
    }
    case 'vary': {
      stopWorker();
      progress.value = 1;
      status.textContent = `done: ${reply.rows.length} runs, ${reply.events.toLocaleString('en-US')} events in ${(reply.wallMs / 1000).toFixed(2)} s`;
      $('vary').classList.remove('hidden');
      $('vary-title').textContent = `Comparison: --vary ${reply.path}=${reply.rows.map((r) => r.label).join(',')}`;
      $('vary-chart').innerHTML = reply.svg;
      $('vary-table').textContent = reply.table;
      offerDownload(reply.json, 'smpsim-results.json');
      return;
    }
  }
}

function start(req: Request): void {
  if (!validate()) return;
  stopWorker();
  busy(true);
  progress.value = 0;
  status.textContent = 'starting…';
  const w = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  worker = w;
  w.onmessage = (ev: MessageEvent<Reply>) => {
    if (worker === w) show(ev.data);
  };
  w.onerror = (ev) => {
    if (worker !== w) return;
    show({ kind: 'error', lines: [`smpsim: the run worker failed: ${ev.message}`] });
  };
  w.postMessage(req);
}

runBtn.onclick = () => start({ kind: 'run', text: editor.value, origin, set: [], report: true });
compareBtn.onclick = () => start({ kind: 'vary', text: editor.value, origin, set: [], path: 'kernel.strategy', values: STRATEGIES });
sweepBtn.onclick = () => {
  const n = Math.max(1, Math.min(64, Math.floor(Number($<HTMLInputElement>('sweep-max').value) || 1)));
  start({ kind: 'vary', text: editor.value, origin, set: [], path: 'machine.cpus', values: Array.from({ length: n }, (_, i) => String(i + 1)) });
};
cancelBtn.onclick = () => {
  stopWorker();
  progress.value = 0;
  status.textContent = 'cancelled';
};

let pending = 0;
editor.addEventListener('input', () => {
  setGutter();
  clearTimeout(pending);
  pending = window.setTimeout(validate, 150);
});
editor.addEventListener('scroll', () => (gutter.scrollTop = editor.scrollTop));

for (const s of BUNDLED_SCENARIOS) select.add(new Option(s.name, s.name, false, s.name === DEFAULT_SCENARIO));
$('load').onclick = () => {
  const s = BUNDLED_SCENARIOS.find((b) => b.name === select.value);
  if (s !== undefined) setText(s.text, s.file);
};

$('permalink').onclick = async () => {
  const hash = await encodeScenario(editor.value);
  history.replaceState(null, '', `#${hash}&o=${encodeURIComponent(origin)}`);
  let copied = false;
  try {
    await navigator.clipboard.writeText(location.href);
    copied = true;
  } catch {
    // no clipboard permission: the address bar has it
  }
  $('link-status').textContent = copied ? 'link copied' : 'link in the address bar';
};

$('timeline-span').onchange = redrawTimeline;
$('version').textContent = VERSION;
$('timeline-legend').innerHTML = CATEGORY_NAMES.map((c) => `<span class="sw" style="background:${CATEGORY_COLOURS[c]}"></span>${c}`).join(' ');

async function init(): Promise<void> {
  const fromLink = await decodeScenario(location.hash);
  const o = /[#&]o=([^&]*)/.exec(location.hash);
  if (fromLink !== null) setText(fromLink, o === null ? 'scenario.yaml' : decodeURIComponent(o[1]!));
  else {
    const s = BUNDLED_SCENARIOS.find((b) => b.name === DEFAULT_SCENARIO) ?? BUNDLED_SCENARIOS[0]!;
    setText(s.text, s.file);
  }
  document.body.dataset.ready = 'true';
}
void init();
