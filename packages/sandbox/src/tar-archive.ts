/** A file to put into a sandbox: an absolute path inside it, its bytes, and its mode. */
export interface ArchiveFile {
  path: string;
  content: Buffer;
  mode?: number;
}

function header(name: string, size: number, mode: number): Buffer {
  const block = Buffer.alloc(512);
  const field = (value: string, offset: number, length: number) => block.write(value, offset, length, "utf8");
  const octal = (value: number, offset: number, length: number) =>
    field(`${value.toString(8).padStart(length - 1, "0")}\0`, offset, length);
  // ustar: names up to 100 bytes, or a 155-byte prefix plus a 100-byte name.
  let prefix = "";
  let rest = name;
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf("/", 155);
    prefix = name.slice(0, cut);
    rest = name.slice(cut + 1);
    if (cut <= 0 || Buffer.byteLength(rest) > 100 || Buffer.byteLength(prefix) > 155) {
      throw new Error(`Path too long for a tar archive: ${name}`);
    }
  }
  field(rest, 0, 100);
  octal(mode, 100, 8);
  octal(0, 108, 8);
  octal(0, 116, 8);
  octal(size, 124, 12);
  octal(Math.floor(Date.now() / 1000), 136, 12);
  field("        ", 148, 8);
  field("0", 156, 1);
  field("ustar\0", 257, 6);
  field("00", 263, 2);
  field(prefix, 345, 155);
  let sum = 0;
  for (const byte of block) sum += byte;
  field(`${sum.toString(8).padStart(6, "0")}\0 `, 148, 8);
  return block;
}

/**
 * A tar archive (ustar) of the files, rooted at `/`, for Docker's putArchive. It holds files only: Docker makes
 * missing parent directories itself, while a directory entry would reset the owner and mode of an existing one
 * (`/tmp` would lose its sticky bit, `/root` its 0700).
 */
export function tarArchive(files: ArchiveFile[]): Buffer {
  const parts: Buffer[] = [];
  for (const file of files) {
    const relative = file.path.replace(/^\/+/, "");
    parts.push(header(relative, file.content.length, file.mode ?? 0o644), file.content);
    const padding = (512 - (file.content.length % 512)) % 512;
    if (padding) parts.push(Buffer.alloc(padding));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}
