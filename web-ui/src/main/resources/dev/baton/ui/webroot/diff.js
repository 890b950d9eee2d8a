// A line diff (longest common subsequence) for comparing job versions, in plain JS.
import { h } from './dom.js';

/** Above this many lines on a side, the diff is not computed (the LCS table grows with the product). */
export const MAX_DIFF_LINES = 4000;

/** [{op: ' ' | '-' | '+', text}] turning `a` into `b` (arrays of lines). */
export function diffLines(a, b) {
  // trim the common head and tail first: versions usually differ in a few places
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length, endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) { endA--; endB--; }
  const A = a.slice(start, endA), B = b.slice(start, endB);
  const n = A.length, m = B.length;
  const L = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) L[i][j] = A[i] === B[j] ? L[i + 1][j + 1] + 1 : Math.max(L[i + 1][j], L[i][j + 1]);
  const out = a.slice(0, start).map(text => ({ op: ' ', text }));
  let i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && A[i] === B[j]) { out.push({ op: ' ', text: A[i] }); i++; j++; }
    else if (j < m && (i === n || L[i][j + 1] >= L[i + 1][j])) { out.push({ op: '+', text: B[j] }); j++; }
    else { out.push({ op: '-', text: A[i] }); i++; }
  }
  for (const text of a.slice(endA)) out.push({ op: ' ', text });
  return out;
}

/** The diff as a <pre>: removed and added lines marked, long unchanged stretches folded to 3 lines of context. */
export function diffView(oldText, newText, attrs = {}) {
  const a = oldText.split('\n'), b = newText.split('\n');
  if (a.length > MAX_DIFF_LINES || b.length > MAX_DIFF_LINES) {
    return h('p', { class: 'muted' }, `The definitions are too long to compare here (over ${MAX_DIFF_LINES} lines).`);
  }
  const d = diffLines(a, b);
  const added = d.filter(x => x.op === '+').length, removed = d.filter(x => x.op === '-').length;
  const rows = [];
  const CONTEXT = 3;
  for (let k = 0; k < d.length;) {
    if (d[k].op !== ' ') { rows.push(line(d[k])); k++; continue; }
    let e = k;
    while (e < d.length && d[e].op === ' ') e++;
    const len = e - k, lead = k === 0 ? 0 : CONTEXT, trail = e === d.length ? 0 : CONTEXT;
    if (len > lead + trail + 1) {
      for (let x = k; x < k + lead; x++) rows.push(line(d[x]));
      rows.push(h('div', { class: 'fold muted' }, `… ${len - lead - trail} unchanged lines …`));
      for (let x = e - trail; x < e; x++) rows.push(line(d[x]));
    } else {
      for (let x = k; x < e; x++) rows.push(line(d[x]));
    }
    k = e;
  }
  return h('div', {},
    h('p', { class: 'small', id: 'diff-summary' }, added || removed ? `${added} line${added === 1 ? '' : 's'} added, ${removed} removed` : 'No differences.'),
    h('pre', { class: 'code diff', tabindex: 0, ...attrs }, rows));
}

function line(x) {
  return h('div', { class: x.op === '+' ? 'add' : x.op === '-' ? 'del' : 'ctx' }, h('span', { class: 'op', 'aria-hidden': 'true' }, x.op), x.text);
}
