// The overview's throughput and latency chart, plain SVG.
import { svg } from './live.js';

const width = 960;
const height = 230;
const left = 46;
const right = 12;
const barsTop = 12;
const barsHeight = 90;
const linesTop = 130;
const linesHeight = 80;

/** A round upper bound for an axis (1, 2, 5 × a power of ten), at least `value`. */
const niceMax = (value) => {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 5, 10].find((m) => m * power >= value * (1 - 1e-9)) ?? 10;
  return Number((step * power).toPrecision(3));
};

/**
 * Sagas ended per second (completed and compensated, stacked) and the mean and p95 saga duration,
 * per bucket over the window that ends at `nowMs`.
 */
export function throughputChart(buckets, { nowMs, windowSeconds = 600, bucketSeconds = 10 }) {
  const start = nowMs - windowSeconds * 1000;
  const plotWidth = width - left - right;
  const x = (at) => left + ((at - start) / (windowSeconds * 1000)) * plotWidth;
  const barWidth = Math.max(1, (plotWidth / (windowSeconds / bucketSeconds)) * 0.8);
  const perSecond = (n) => n / bucketSeconds;
  const rateMax = niceMax(Math.max(0, ...buckets.map((b) => perSecond(b.completed + b.compensated))));
  const latencyMax = niceMax(Math.max(0, ...buckets.map((b) => b.p95Seconds ?? 0)));
  const yRate = (r) => barsTop + barsHeight - (r / rateMax) * barsHeight;
  const yLatency = (s) => linesTop + linesHeight - (s / latencyMax) * linesHeight;
  const visible = buckets.filter((b) => b.at >= start);
  const bars = visible.flatMap((b) => {
    const done = perSecond(b.completed);
    const undone = perSecond(b.compensated);
    return [
      svg('rect', {
        class: 'series-completed',
        x: x(b.at).toFixed(1),
        y: yRate(done).toFixed(1),
        width: barWidth.toFixed(1),
        height: (barsTop + barsHeight - yRate(done)).toFixed(1),
      }),
      svg('rect', {
        class: 'series-compensated',
        x: x(b.at).toFixed(1),
        y: yRate(done + undone).toFixed(1),
        width: barWidth.toFixed(1),
        height: (yRate(done) - yRate(done + undone)).toFixed(1),
      }),
    ];
  });
  const line = (key, cls) => {
    const points = visible
      .filter((b) => b[key] !== null)
      .map((b) => [x(b.at) + barWidth / 2, yLatency(b[key])]);
    if (points.length === 0) return null;
    // Dots as well: a single bucket is a point, not a line.
    return svg(
      'g',
      { class: cls },
      svg('polyline', { points: points.map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`).join(' ') }),
      points.map(([px, py]) => svg('circle', { cx: px.toFixed(1), cy: py.toFixed(1), r: 2.5 })),
    );
  };
  const label = (text, lx, ly, anchor = 'end') => svg('text', { x: lx, y: ly, 'text-anchor': anchor }, text);
  return svg(
    'svg',
    { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': 'throughput and latency' },
    svg('line', {
      class: 'axis',
      x1: left,
      x2: width - right,
      y1: barsTop + barsHeight,
      y2: barsTop + barsHeight,
    }),
    svg('line', {
      class: 'axis',
      x1: left,
      x2: width - right,
      y1: linesTop + linesHeight,
      y2: linesTop + linesHeight,
    }),
    label(`${rateMax}/s`, left - 4, barsTop + 8),
    label('0', left - 4, barsTop + barsHeight),
    label(`${latencyMax} s`, left - 4, linesTop + 8),
    label('0', left - 4, linesTop + linesHeight),
    label('sagas ended per second: completed (green), compensated (amber)', left + 4, barsTop + 8, 'start'),
    label('saga duration: mean (blue), p95 (red)', left + 4, linesTop + 8, 'start'),
    label('−10 min', left, height - 2, 'start'),
    label('now', width - right, height - 2),
    bars,
    line('meanSeconds', 'series-mean'),
    line('p95Seconds', 'series-p95'),
  );
}
