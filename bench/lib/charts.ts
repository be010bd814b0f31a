/**
 * Minimal SVG charts for benchmark results, no dependencies: grouped bars (one group per category, one bar per
 * series) and lines over a log or linear x axis. Stateless; each function returns a complete SVG document.
 * Invariant: only numbers it is given are drawn (NaN/missing values are left out, never drawn as zero).
 */

export interface Series {
  name: string;
  values: (number | null)[];
}

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b'];
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function fmt(v: number): string {
  if (v >= 1e6) return `${(v / 1e6).toFixed(v >= 1e7 ? 0 : 1)}M`;
  if (v >= 1e3) return `${(v / 1e3).toFixed(v >= 1e4 ? 0 : 1)}k`;
  return v >= 10 || Number.isInteger(v) ? v.toFixed(0) : v.toPrecision(2);
}

function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function frame(w: number, h: number, title: string, yLabel: string, body: string, legend: string[]): string {
  const leg = legend
    .map((n, i) => `<rect x="${70 + i * 180}" y="${h - 22}" width="12" height="12" fill="${COLORS[i % COLORS.length]}"/><text x="${86 + i * 180}" y="${h - 12}">${esc(n)}</text>`)
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
<text x="${w / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${esc(title)}</text>
<text transform="translate(14 ${h / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>
${body}
${leg}
</svg>
`;
}

function yAxis(x0: number, y0: number, y1: number, w: number, max: number): string {
  let s = '';
  for (let i = 0; i <= 5; i++) {
    const v = (max * i) / 5;
    const y = y0 - ((y0 - y1) * i) / 5;
    s += `<line x1="${x0}" x2="${x0 + w}" y1="${y}" y2="${y}" stroke="#ddd"/><text x="${x0 - 6}" y="${y + 4}" text-anchor="end">${fmt(v)}</text>`;
  }
  return s;
}

/** Grouped bars: `categories` along x, one bar per series in each group, value labels on top. */
export function barChart(title: string, yLabel: string, categories: string[], series: Series[], opts: { width?: number; height?: number } = {}): string {
  const w = opts.width ?? 760;
  const h = opts.height ?? 380;
  const x0 = 70;
  const y0 = h - 70;
  const y1 = 40;
  const pw = w - x0 - 20;
  const max = niceMax(Math.max(...series.flatMap((s) => s.values.filter((v): v is number => v !== null && Number.isFinite(v)))));
  const gw = pw / categories.length;
  const bw = (gw * 0.8) / series.length;
  let body = yAxis(x0, y0, y1, pw, max);
  categories.forEach((c, ci) => {
    series.forEach((s, si) => {
      const v = s.values[ci];
      if (v === null || v === undefined || !Number.isFinite(v)) return;
      const bh = ((y0 - y1) * v) / max;
      const x = x0 + ci * gw + gw * 0.1 + si * bw;
      body += `<rect x="${x.toFixed(1)}" y="${(y0 - bh).toFixed(1)}" width="${(bw - 2).toFixed(1)}" height="${bh.toFixed(1)}" fill="${COLORS[si % COLORS.length]}"/>`;
      body += `<text x="${(x + bw / 2).toFixed(1)}" y="${(y0 - bh - 3).toFixed(1)}" text-anchor="middle" font-size="10">${fmt(v)}</text>`;
    });
    body += `<text x="${(x0 + ci * gw + gw / 2).toFixed(1)}" y="${y0 + 16}" text-anchor="middle" font-size="11">${esc(c)}</text>`;
  });
  body += `<line x1="${x0}" x2="${x0 + pw}" y1="${y0}" y2="${y0}" stroke="black"/>`;
  return frame(w, h, title, yLabel, body, series.map((s) => s.name));
}

/** Lines over x values (log scale when `logX`), one per series, with points and value labels. */
export function lineChart(title: string, xLabel: string, yLabel: string, xs: number[], series: Series[], opts: { logX?: boolean; width?: number; height?: number } = {}): string {
  const w = opts.width ?? 760;
  const h = opts.height ?? 380;
  const x0 = 70;
  const y0 = h - 70;
  const y1 = 40;
  const pw = w - x0 - 40;
  const max = niceMax(Math.max(...series.flatMap((s) => s.values.filter((v): v is number => v !== null && Number.isFinite(v)))));
  const tx = (x: number): number => {
    if (xs.length === 1) return x0 + pw / 2;
    const lo = opts.logX ? Math.log10(xs[0]!) : xs[0]!;
    const hi = opts.logX ? Math.log10(xs[xs.length - 1]!) : xs[xs.length - 1]!;
    return x0 + (((opts.logX ? Math.log10(x) : x) - lo) / (hi - lo || 1)) * pw;
  };
  let body = yAxis(x0, y0, y1, pw, max);
  for (const x of xs) body += `<text x="${tx(x).toFixed(1)}" y="${y0 + 16}" text-anchor="middle">${fmt(x)}</text>`;
  body += `<text x="${x0 + pw / 2}" y="${y0 + 34}" text-anchor="middle">${esc(xLabel)}</text>`;
  series.forEach((s, si) => {
    const pts = xs.map((x, i) => [x, s.values[i]] as const).filter((p): p is readonly [number, number] => p[1] !== null && p[1] !== undefined && Number.isFinite(p[1]));
    const c = COLORS[si % COLORS.length];
    if (pts.length > 1) body += `<polyline fill="none" stroke="${c}" stroke-width="2" points="${pts.map(([x, v]) => `${tx(x).toFixed(1)},${(y0 - ((y0 - y1) * v) / max).toFixed(1)}`).join(' ')}"/>`;
    for (const [x, v] of pts) {
      const y = y0 - ((y0 - y1) * v) / max;
      body += `<circle cx="${tx(x).toFixed(1)}" cy="${y.toFixed(1)}" r="3.5" fill="${c}"/><text x="${tx(x).toFixed(1)}" y="${(y - 7).toFixed(1)}" text-anchor="middle" font-size="10">${fmt(v)}</text>`;
    }
  });
  body += `<line x1="${x0}" x2="${x0 + pw}" y1="${y0}" y2="${y0}" stroke="black"/>`;
  return frame(w, h, title, yLabel, body, series.map((s) => s.name));
}
