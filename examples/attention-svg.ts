// A minimal SVG heatmap of attention weights: one row per output token (phonemes), one column per
// source token (letters), each cell shaded by its weight in [0, 1], with the tokens as labels.

/** Escapes text for an SVG text node. */
function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** One heatmap: its title, the column and row labels, and the weights [rows][columns]. */
export interface Heatmap {
  title: string;
  columns: readonly string[];
  rows: readonly string[];
  weights: readonly (readonly number[])[];
}

const CELL = 22;
const LABEL = 44;
const TITLE = 22;
const GAP = 28;

/** The heatmaps stacked top to bottom in one SVG document (white = 0, dark blue = 1). */
export function heatmapsSvg(maps: readonly Heatmap[]): string {
  const width = LABEL + CELL * Math.max(...maps.map((m) => m.columns.length)) + 10;
  const parts: string[] = [];
  let y = 10;
  for (const map of maps) {
    parts.push(`<text x="4" y="${y + 15}" font-size="14" font-weight="bold">${escapeXml(map.title)}</text>`);
    const top = y + TITLE + 16;
    map.columns.forEach((c, j) => parts.push(`<text x="${LABEL + j * CELL + CELL / 2}" y="${top - 4}" font-size="12" text-anchor="middle">${escapeXml(c)}</text>`));
    map.rows.forEach((r, i) => {
      const ry = top + i * CELL;
      parts.push(`<text x="${LABEL - 4}" y="${ry + CELL / 2 + 4}" font-size="11" text-anchor="end">${escapeXml(r)}</text>`);
      map.columns.forEach((_, j) => {
        const w = Math.min(1, Math.max(0, map.weights[i]![j]!));
        const shade = (v: number): number => Math.round(255 - w * (255 - v));
        parts.push(`<rect x="${LABEL + j * CELL}" y="${ry}" width="${CELL}" height="${CELL}" fill="rgb(${shade(8)},${shade(48)},${shade(107)})" stroke="#ddd"><title>${escapeXml(`${r} / ${map.columns[j]}: ${w.toFixed(3)}`)}</title></rect>`);
      });
    });
    y = top + map.rows.length * CELL + GAP;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" font-family="monospace">\n<rect width="100%" height="100%" fill="white"/>\n${parts.join("\n")}\n</svg>\n`;
}
