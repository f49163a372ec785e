import { useEffect, useRef, useState } from 'react';

interface Ready {
  url: string;
  fileName: string;
}

/**
 * Hands a file to the browser as a download: a link with the `download` attribute, clicked
 * once for the user and kept on screen to save it again (the desktop window opens no new
 * windows, so this works the same there and in the browser preview).
 */
export function useDownload() {
  const [ready, setReady] = useState<Ready | null>(null);
  const link = useRef<HTMLAnchorElement>(null);
  const fresh = useRef(false);
  useEffect(() => {
    if (ready && fresh.current) {
      fresh.current = false;
      link.current?.click();
    }
    return () => {
      if (ready) URL.revokeObjectURL(ready.url);
    };
  }, [ready]);
  const start = (blob: Blob, fileName: string) => {
    fresh.current = true;
    setReady({ url: URL.createObjectURL(blob), fileName });
  };
  const element = ready ? (
    <a
      ref={link}
      href={ready.url}
      download={ready.fileName}
      className="slip-link"
      data-testid="download-link"
    >
      Save {ready.fileName}
    </a>
  ) : null;
  return { start, element };
}

/** "1.2 MB", "340 KB". */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}

/** "14:05" on this workstation's clock. */
export function hhmm(ms: number): string {
  const d = new Date(ms);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}
