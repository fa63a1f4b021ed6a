// Line charts over sessions, drawn as SVG (no plotting library: the pages work offline): a client's trends on the
// trainer's page, a person's history on theirs.

const SVG = "http://www.w3.org/2000/svg";
const COLOURS = ["#3fb950", "#58a6ff", "#f85149", "#d29922", "#bc8cff", "#ff7b72", "#79c0ff", "#e3b341"];
const WIDTH = 600;
const HEIGHT = 200;
const PAD = { left: 40, right: 16, top: 12, bottom: 28 };
const MAX_DATE_LABELS = 6; // more would overlap: then only the first and the last

function svg(tag, attributes, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

const label = (value, unit) => `${Math.abs(value) >= 10 ? value.toFixed(0) : Math.round(value * 100) / 100}${unit}`;

// One chart: each of `series` ({name, values}: one value per date, null where none) a line over `dates` (x: their
// order), y from `low` to `high`, the axis labels in `unit`.
export function lineChart(title, dates, series, { low, high, unit = "" }) {
  const figure = document.createElement("figure");
  figure.className = "chart";
  figure.append(Object.assign(document.createElement("figcaption"), { textContent: title }));
  const chart = svg("svg", { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: "img", "aria-label": title });
  const span = WIDTH - PAD.left - PAD.right;
  const x = (index) => PAD.left + (dates.length === 1 ? span / 2 : (index * span) / (dates.length - 1));
  const y = (value) => HEIGHT - PAD.bottom - ((value - low) / (high - low || 1)) * (HEIGHT - PAD.top - PAD.bottom);
  chart.append(svg("line", { class: "axis", x1: PAD.left, y1: y(low), x2: WIDTH - PAD.right, y2: y(low) }));
  chart.append(svg("line", { class: "axis", x1: PAD.left, y1: y(low), x2: PAD.left, y2: y(high) }));
  for (const value of [low, high]) chart.append(svg("text", { x: 2, y: y(value) + 4 }, label(value, unit)));
  const shown = dates.length <= MAX_DATE_LABELS ? dates.map((_, index) => index) : [0, dates.length - 1];
  for (const index of shown) {
    // the end labels stay inside the chart: the first starts at its point, the last ends there
    const anchor = dates.length === 1 ? "middle" : index === 0 ? "start" : index === dates.length - 1 ? "end" : "middle";
    chart.append(svg("text", { x: x(index), y: HEIGHT - 8, "text-anchor": anchor }, dates[index]));
  }
  const legend = document.createElement("p");
  legend.className = "legend";
  series.forEach(({ name, values }, number) => {
    const colour = COLOURS[number % COLOURS.length];
    const points = values.map((value, index) => (value === null ? null : [x(index), y(value)])).filter(Boolean);
    chart.append(svg("polyline", {
      class: "series", points: points.map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`).join(" "), stroke: colour,
      "data-series": name,
    }));
    for (const [cx, cy] of points) chart.append(svg("circle", { cx, cy, r: 4, fill: colour }));
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.style.background = colour; // through the CSSOM: the pages' policy allows no inline style attribute
    const item = document.createElement("span");
    item.append(swatch, name);
    legend.append(item);
  });
  figure.append(chart, legend);
  return figure;
}
