// A frame is a list of lines, each a list of styled segments, laid out in plain code before Ink
// sees it: every line is cut to the terminal's width and the frame to its height, so the frame
// never wraps or scrolls (Ink clears the whole screen when a frame is as tall as the terminal,
// which flickers).

export interface Segment {
  text: string;
  color?: 'green' | 'yellow' | 'red' | 'cyan' | 'magenta' | 'gray';
  bold?: boolean;
  dim?: boolean;
  inverse?: boolean;
}

export type Line = Segment[];

export function seg(text: string, style: Omit<Segment, 'text'> = {}): Segment {
  return { text, ...style };
}

export function lineLength(line: Line): number {
  let n = 0;
  for (const s of line) n += s.text.length;
  return n;
}

/** Cuts a line to `width` columns (segments past it are dropped, the one across it is cut). */
export function clip(line: Line, width: number): Line {
  const out: Line = [];
  let left = width;
  for (const s of line) {
    if (left <= 0) break;
    if (s.text.length <= left) out.push(s);
    else out.push({ ...s, text: s.text.slice(0, left) });
    left -= s.text.length;
  }
  return out;
}

/** The text of a line, without styles (tests and the final frame of a non-TTY attach read this). */
export function plainText(line: Line): string {
  return line.map((s) => s.text).join('');
}
