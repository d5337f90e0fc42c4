// A frame's lines as Ink elements: each line one Text cut to the terminal's width, neighbouring
// segments of one style joined, since fewer Text nodes make a cheaper frame.

import { Box, Text } from 'ink';
import type React from 'react';
import type { Line } from './lines.ts';

export function FrameLines({ lines }: { lines: Line[] }): React.ReactElement {
  return (
    <Box flexDirection="column">
      {lines.map((line, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: a frame is a grid of rows; row i is always row i
        <FrameLine key={i} line={line} />
      ))}
    </Box>
  );
}

function FrameLine({ line }: { line: Line }): React.ReactElement {
  return (
    <Text wrap="truncate">
      {line.length === 0 || line.every((s) => s.text === '')
        ? ' '
        : merged(line).map((s, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: segments of a row, redrawn whole every frame
            <Text key={i} color={s.color} bold={s.bold} dimColor={s.dim} inverse={s.inverse}>
              {s.text}
            </Text>
          ))}
    </Text>
  );
}

/** Joins neighbouring segments of the same style. */
function merged(line: Line): Line {
  const out: Line = [];
  for (const s of line) {
    if (s.text === '') continue;
    const last = out[out.length - 1];
    if (
      last &&
      last.color === s.color &&
      !!last.bold === !!s.bold &&
      !!last.dim === !!s.dim &&
      !!last.inverse === !!s.inverse
    ) {
      out[out.length - 1] = { ...last, text: last.text + s.text };
    } else out.push(s);
  }
  return out;
}
