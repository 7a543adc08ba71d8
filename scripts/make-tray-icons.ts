// Draws the tray icons into assets/tray/: a volume (a small database cylinder)
// alone when idle, with a blue "upload" badge while a backup runs and a red "!"
// badge after a failure. Colour images for Linux and Windows, black-and-alpha
// "Template" images for the macOS menu bar; 16 px and @2x (32 px) each.
//
//   node scripts/make-tray-icons.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateSync } from 'node:zlib';

type Rgba = readonly [number, number, number, number];
/** A shape in a 16×16 unit square: is the point inside? */
type Shape = (x: number, y: number) => boolean;
/** Paint a colour over a shape, or clear it back to transparent. */
type Layer = { shape: Shape; color: Rgba | 'clear' };

const ellipse = (cx: number, cy: number, rx: number, ry: number): Shape => (x, y) => ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1;
const circle = (cx: number, cy: number, r: number): Shape => ellipse(cx, cy, r, r);
const rect = (x0: number, y0: number, x1: number, y1: number): Shape => (x, y) => x >= x0 && x <= x1 && y >= y0 && y <= y1;
const union = (...shapes: Shape[]): Shape => (x, y) => shapes.some((s) => s(x, y));
/** A line segment with round ends, `w` wide. */
const segment = (ax: number, ay: number, bx: number, by: number, w: number): Shape => (x, y) => {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(x - (ax + t * dx), y - (ay + t * dy)) <= w / 2;
};
/** The lower half of an ellipse's outline, `w` wide: the seam between two discs of the cylinder. */
const lowerArc = (cx: number, cy: number, rx: number, ry: number, w: number): Shape => (x, y) => {
  if (y < cy) return false;
  const r = Math.sqrt(((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2);
  return Math.abs(r - 1) * Math.min(rx, ry) <= w / 2 && Math.abs(x - cx) <= rx - 0.3;
};
const triangle = (ax: number, ay: number, bx: number, by: number, cx: number, cy: number): Shape => (x, y) => {
  const side = (px: number, py: number, qx: number, qy: number) => (qx - px) * (y - py) - (qy - py) * (x - px);
  const s1 = side(ax, ay, bx, by);
  const s2 = side(bx, by, cx, cy);
  const s3 = side(cx, cy, ax, ay);
  return (s1 >= 0 && s2 >= 0 && s3 >= 0) || (s1 <= 0 && s2 <= 0 && s3 <= 0);
};

// The cylinder: centre x 7, top at y 4, bottom at y 12.
const CX = 7;
const RX = 5.5;
const RY = 2.2;
const TOP = 3.8;
const BOTTOM = 12.2;
const body = union(rect(CX - RX, TOP, CX + RX, BOTTOM), ellipse(CX, BOTTOM, RX, RY), ellipse(CX, TOP, RX, RY));
const lid = ellipse(CX, TOP, RX - 0.9, RY - 0.75);
const seams = union(lowerArc(CX, TOP + 2.9, RX, RY, 1), lowerArc(CX, TOP + 5.8, RX, RY, 1));

// The badge, bottom right, with a transparent ring parting it from the cylinder.
const BX = 12;
const BY = 12;
const badge = circle(BX, BY, 3.9);
const badgeGap = circle(BX, BY, 5);
const upload = union(triangle(BX, BY - 2.8, BX - 2.4, BY - 0.2, BX + 2.4, BY - 0.2), segment(BX, BY - 1, BX, BY + 2.3, 1.5));
const exclamation = union(segment(BX, BY - 2.3, BX, BY + 0.4, 1.5), circle(BX, BY + 2.1, 0.85));

type Kind = 'idle' | 'running' | 'failed';

function colourLayers(kind: Kind): Layer[] {
  const layers: Layer[] = [
    { shape: body, color: [38, 128, 112, 255] },
    { shape: lid, color: [120, 206, 186, 255] },
    { shape: seams, color: [20, 80, 70, 255] },
  ];
  if (kind === 'idle') return layers;
  return [
    ...layers,
    { shape: badgeGap, color: 'clear' },
    { shape: badge, color: kind === 'running' ? [37, 119, 226, 255] : [214, 48, 49, 255] },
    { shape: kind === 'running' ? upload : exclamation, color: [255, 255, 255, 255] },
  ];
}

function templateLayers(kind: Kind): Layer[] {
  const layers: Layer[] = [
    { shape: body, color: [0, 0, 0, 255] },
    { shape: lid, color: [0, 0, 0, 110] },
    { shape: seams, color: 'clear' },
  ];
  if (kind === 'idle') return layers;
  return [
    ...layers,
    { shape: badgeGap, color: 'clear' },
    { shape: badge, color: [0, 0, 0, 255] },
    { shape: kind === 'running' ? upload : exclamation, color: 'clear' },
  ];
}

/** Renders layers at `size` px with 8×8 supersampling; returns straight (not premultiplied) RGBA. */
function render(layers: Layer[], size: number): Buffer {
  const out = Buffer.alloc(size * size * 4);
  const n = 8;
  const scale = 16 / size;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const x = (px + (sx + 0.5) / n) * scale;
          const y = (py + (sy + 0.5) / n) * scale;
          // Premultiplied colour of this sample, painted layer by layer.
          let cr = 0;
          let cg = 0;
          let cb = 0;
          let ca = 0;
          for (const layer of layers) {
            if (!layer.shape(x, y)) continue;
            if (layer.color === 'clear') {
              cr = cg = cb = ca = 0;
              continue;
            }
            const la = layer.color[3] / 255;
            cr = layer.color[0] * la + cr * (1 - la);
            cg = layer.color[1] * la + cg * (1 - la);
            cb = layer.color[2] * la + cb * (1 - la);
            ca = la + ca * (1 - la);
          }
          r += cr;
          g += cg;
          b += cb;
          a += ca;
        }
      }
      const i = (py * size + px) * 4;
      const samples = n * n;
      out[i + 3] = Math.round((a / samples) * 255);
      if (a > 0) {
        out[i] = Math.round(r / a);
        out[i + 1] = Math.round(g / a);
        out[i + 2] = Math.round(b / a);
      }
    }
  }
  return out;
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** A minimal PNG: 8-bit RGBA, no filtering, one IDAT. */
export function encodePng(rgba: Buffer, width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 6;
  const rows = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) rgba.copy(rows, y * (width * 4 + 1) + 1, y * width * 4, (y + 1) * width * 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const outDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'assets', 'tray');
mkdirSync(outDir, { recursive: true });
for (const kind of ['idle', 'running', 'failed'] as const) {
  for (const [suffix, layers] of [['', colourLayers(kind)], ['Template', templateLayers(kind)]] as const) {
    for (const [scale, size] of [['', 16], ['@2x', 32]] as const) {
      const file = path.join(outDir, `tray-${kind}${suffix}${scale}.png`);
      writeFileSync(file, encodePng(render(layers, size), size, size));
      console.log(path.relative(process.cwd(), file));
    }
  }
}
