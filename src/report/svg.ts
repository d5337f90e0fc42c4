// Figures as SVG files: a vega-lite spec is compiled to vega and rendered headless in Node
// (renderer 'none': no canvas, no browser), so reports and the docs are made the same way on
// any machine. Conventions for engram's figures (the spec's job, not this module's): axis titles
// with units, and series told apart by dash pattern and point shape as well as by colour, so a
// figure reads in black and white.
import fs from 'node:fs';
import path from 'node:path';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** The SVG text of a vega-lite spec. */
export async function vegaLiteToSvg(spec: TopLevelSpec): Promise<string> {
  const { spec: compiled } = compile(spec);
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Renders a vega-lite spec and writes the SVG to `file` (folders are created); returns the file. */
export async function writeVegaLiteSvg(spec: TopLevelSpec, file: string): Promise<string> {
  const svg = await vegaLiteToSvg(spec);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, svg);
  fs.renameSync(tmp, file);
  return file;
}

export type { TopLevelSpec };
