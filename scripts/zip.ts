/**
 * A tiny store-only (uncompressed) ZIP writer: enough for a Teams app package
 * of a handful of small files. No ZIP64, no directories, no compression.
 *
 * Entries get a fixed timestamp (1980-01-01 00:00) unless one is given, so the
 * same input gives the same bytes.
 */
import { crc32 } from 'node:zlib';

export interface ZipEntry {
  /** Path inside the archive, forward slashes, no leading slash. */
  name: string;
  data: Uint8Array;
}

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL_DIR = 0x06054b50;
/** Version 1.0: stored entries need nothing newer. */
const VERSION = 10;
/** General purpose flag bit 11: names are UTF-8. */
const FLAG_UTF8 = 0x0800;
const MAX_U16 = 0xffff;
const MAX_U32 = 0xffffffff;

/** MS-DOS date and time words; the DOS epoch is 1980. */
function dosDateTime(when: Date): { date: number; time: number } {
  const year = Math.max(1980, when.getUTCFullYear());
  return {
    date: ((year - 1980) << 9) | ((when.getUTCMonth() + 1) << 5) | when.getUTCDate(),
    time:
      (when.getUTCHours() << 11) |
      (when.getUTCMinutes() << 5) |
      Math.floor(when.getUTCSeconds() / 2),
  };
}

/** Builds a store-only ZIP archive from the entries, in the given order. */
export function createZip(entries: readonly ZipEntry[], modified = new Date(Date.UTC(1980, 0, 1))) {
  const { date, time } = dosDateTime(modified);
  const seen = new Set<string>();
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;

  for (const entry of entries) {
    if (entry.name === '' || entry.name.startsWith('/') || entry.name.includes('\\')) {
      throw new Error(`zip: invalid entry name "${entry.name}"`);
    }
    if (seen.has(entry.name)) throw new Error(`zip: duplicate entry "${entry.name}"`);
    seen.add(entry.name);
    const name = Buffer.from(entry.name, 'utf8');
    const size = entry.data.byteLength;
    if (size >= MAX_U32 || name.length > MAX_U16) throw new Error(`zip: "${entry.name}" too large`);
    const crc = crc32(entry.data);
    const flags = /^[\x20-\x7e]*$/.test(entry.name) ? 0 : FLAG_UTF8;

    const local = Buffer.alloc(30);
    local.writeUInt32LE(LOCAL_HEADER, 0);
    local.writeUInt16LE(VERSION, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(0, 8); // method: stored
    local.writeUInt16LE(time, 10);
    local.writeUInt16LE(date, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(size, 18); // compressed size
    local.writeUInt32LE(size, 22); // uncompressed size
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28); // extra field length
    locals.push(local, name, Buffer.from(entry.data.buffer, entry.data.byteOffset, size));

    const central = Buffer.alloc(46);
    central.writeUInt32LE(CENTRAL_HEADER, 0);
    central.writeUInt16LE(VERSION, 4); // version made by (MS-DOS)
    central.writeUInt16LE(VERSION, 6); // version needed
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(0, 10);
    central.writeUInt16LE(time, 12);
    central.writeUInt16LE(date, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(size, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    // extra length, comment length, disk number, internal attributes: 0
    central.writeUInt32LE(0, 38); // external attributes
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);

    offset += local.length + name.length + size;
    if (offset >= MAX_U32) throw new Error('zip: archive too large');
  }
  if (entries.length > MAX_U16) throw new Error('zip: too many entries');

  const centralSize = centrals.reduce((sum, b) => sum + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(END_OF_CENTRAL_DIR, 0);
  // disk numbers: 0
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  // comment length: 0
  return Buffer.concat([...locals, ...centrals, end]);
}
