/**
 * The scenario in the URL: `#s=z.<base64url of deflate-raw>` where the browser has
 * CompressionStream, else `#s=p.<base64url of the UTF-8 text>`; both decode anywhere that
 * has DecompressionStream (plain needs nothing). No library.
 */

function toBase64Url(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array {
  const bin = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

async function through(bytes: Uint8Array, stream: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const out = new Response(new Blob([bytes as BlobPart]).stream().pipeThrough(stream));
  return new Uint8Array(await out.arrayBuffer());
}

/** The hash fragment (without '#') that carries `text`. */
export async function encodeScenario(text: string): Promise<string> {
  const bytes = new TextEncoder().encode(text);
  if (typeof CompressionStream === 'function') return `s=z.${toBase64Url(await through(bytes, new CompressionStream('deflate-raw')))}`;
  return `s=p.${toBase64Url(bytes)}`;
}

/** The scenario text a hash fragment carries, or null when it carries none (or cannot be read). */
export async function decodeScenario(hash: string): Promise<string | null> {
  const m = /(?:^#?|&)s=([zp])\.([A-Za-z0-9_-]*)/.exec(hash);
  if (m === null) return null;
  try {
    const bytes = fromBase64Url(m[2]!);
    const raw = m[1] === 'z' ? await through(bytes, new DecompressionStream('deflate-raw')) : bytes;
    return new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    return null;
  }
}
