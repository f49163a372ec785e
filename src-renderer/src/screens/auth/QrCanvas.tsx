import qrcode from 'qrcode-generator';
import { useEffect, useRef } from 'react';

const QUIET = 4;
const SCALE = 5;

/**
 * A QR code painted on a canvas: the page's CSP allows no data: or blob: images, and the
 * address holds a key, so it never becomes an image URL either.
 */
export function QrCanvas({ text, label }: { text: string; label: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = ref.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return;
    const code = qrcode(0, 'M');
    code.addData(text, 'Byte');
    code.make();
    const n = code.getModuleCount();
    const size = (n + 2 * QUIET) * SCALE;
    canvas.width = size;
    canvas.height = size;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, size, size);
    ctx.fillStyle = '#000';
    for (let r = 0; r < n; r++)
      for (let c = 0; c < n; c++)
        if (code.isDark(r, c)) ctx.fillRect((c + QUIET) * SCALE, (r + QUIET) * SCALE, SCALE, SCALE);
    return () => ctx.clearRect(0, 0, size, size);
  }, [text]);
  return <canvas ref={ref} className="qr-canvas" role="img" aria-label={label} data-testid="totp-qr" />;
}
