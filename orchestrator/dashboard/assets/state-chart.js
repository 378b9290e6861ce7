// The saga's state chart: the server lays it out from the machine definition
// (GET /dashboard/api/saga-chart); this draws it and marks the order's path and current state.
import { svg } from './live.js';

/** Draws the chart; returns a function that highlights a path ({from, to}[]) and the current state. */
export function drawStateChart(container, chart) {
  const marker = svg(
    'marker',
    {
      id: 'arrow',
      viewBox: '0 0 10 10',
      refX: 9,
      refY: 5,
      markerWidth: 7,
      markerHeight: 7,
      orient: 'auto-start-reverse',
    },
    svg('path', { d: 'M 0 0 L 10 5 L 0 10 z' }),
  );
  const edges = chart.edges.map((edge) => {
    const label = [...new Set(edge.events.map((e) => e.split(' [')[0]))].join(' / ');
    return svg(
      'g',
      { class: `edge ${edge.kind}`, 'data-from': edge.from, 'data-to': edge.to },
      svg('title', {}, `${edge.from} → ${edge.to}: ${edge.events.join(', ')}`),
      svg('path', { d: edge.path, 'marker-end': 'url(#arrow)' }),
      svg('text', { x: edge.labelX, y: edge.labelY }, label),
    );
  });
  const nodes = chart.nodes.map((node) =>
    svg(
      'g',
      { class: `state ${node.kind}`, 'data-state': node.name },
      svg('title', {}, `${node.name} (${node.kind})${node.command ? `: sends ${node.command}` : ''}`),
      svg('rect', { x: node.x, y: node.y, width: node.width, height: node.height }),
      svg('text', { x: node.x + node.width / 2, y: node.y + (node.command ? 19 : 27) }, node.name),
      node.command
        ? svg('text', { class: 'command', x: node.x + node.width / 2, y: node.y + 34 }, node.command)
        : null,
    ),
  );
  container.replaceChildren(
    svg(
      'svg',
      {
        viewBox: `0 0 ${chart.width} ${chart.height}`,
        width: chart.width,
        height: chart.height,
        role: 'img',
        'aria-label': 'saga state chart',
      },
      svg('defs', {}, marker),
      edges,
      nodes,
    ),
  );
  return function highlight(path, current) {
    const visited = new Set(path.map((step) => step.to));
    const taken = new Set(path.filter((s) => s.from !== null).map((s) => `${s.from}>${s.to}`));
    for (const g of container.querySelectorAll('g.state')) {
      g.classList.toggle('visited', visited.has(g.dataset.state));
      g.classList.toggle('current', g.dataset.state === current);
    }
    for (const g of container.querySelectorAll('g.edge')) {
      g.classList.toggle('taken', taken.has(`${g.dataset.from}>${g.dataset.to}`));
    }
  };
}
