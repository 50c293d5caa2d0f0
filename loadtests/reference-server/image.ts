/**
 * Embeds and finds the proof reference in JPEG and PNG files, the way a C2PA
 * signer leaves a manifest reference inside the image: a JPEG comment segment
 * right after SOI, or a PNG tEXt chunk right after IHDR. Removing the segment
 * gives back the exact original bytes, so the signature over their hash can be
 * checked on verify.
 */
import { crc32 } from "node:zlib";

export type ImageFormat = "jpeg" | "png";

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const JPEG_COMMENT_PREFIX = "CredLink-Proof: ";
const PNG_TEXT_KEYWORD = "CredLinkProof";

export function detectFormat(bytes: Buffer): ImageFormat | undefined {
    if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "jpeg";
    if (bytes.length >= 8 + 25 && bytes.subarray(0, 8).equals(PNG_SIGNATURE)) return "png";
    return undefined;
}

/** A PNG chunk: length, type, data, CRC-32 over type + data. */
export function pngChunk(type: string, data: Buffer): Buffer {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, "latin1");
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
    return Buffer.concat([head, data, crc]);
}

export function embedProof(bytes: Buffer, proofUri: string): Buffer {
    switch (detectFormat(bytes)) {
        case "jpeg": {
            const payload = Buffer.from(JPEG_COMMENT_PREFIX + proofUri, "latin1");
            const segment = Buffer.alloc(4);
            segment.writeUInt16BE(0xfffe, 0); // COM
            segment.writeUInt16BE(payload.length + 2, 2);
            return Buffer.concat([bytes.subarray(0, 2), segment, payload, bytes.subarray(2)]);
        }
        case "png": {
            const ihdrEnd = 8 + 12 + bytes.readUInt32BE(8); // signature + IHDR chunk
            const text = pngChunk(
                "tEXt",
                Buffer.concat([
                    Buffer.from(PNG_TEXT_KEYWORD, "latin1"),
                    Buffer.from([0]),
                    Buffer.from(proofUri, "latin1"),
                ]),
            );
            return Buffer.concat([bytes.subarray(0, ihdrEnd), text, bytes.subarray(ihdrEnd)]);
        }
        default:
            throw new Error("unsupported image format (JPEG and PNG are supported)");
    }
}

/** The embedded proof URI and the bytes without it, or undefined when the image carries none. */
export function extractProof(bytes: Buffer): { proofUri: string; original: Buffer } | undefined {
    const cut = (start: number, end: number, proofUri: string) => ({
        proofUri,
        original: Buffer.concat([bytes.subarray(0, start), bytes.subarray(end)]),
    });
    switch (detectFormat(bytes)) {
        case "jpeg": {
            let at = 2;
            // Walk marker segments up to the start of scan; each is FF xx + 2-byte length.
            while (at + 4 <= bytes.length && bytes[at] === 0xff) {
                const marker = bytes[at + 1];
                if (marker === 0xda || marker === 0xd9) break;
                const length = bytes.readUInt16BE(at + 2);
                const end = at + 2 + length;
                if (end > bytes.length) break;
                if (marker === 0xfe) {
                    const text = bytes.subarray(at + 4, end).toString("latin1");
                    if (text.startsWith(JPEG_COMMENT_PREFIX))
                        return cut(at, end, text.slice(JPEG_COMMENT_PREFIX.length));
                }
                at = end;
            }
            return undefined;
        }
        case "png": {
            let at = 8;
            while (at + 12 <= bytes.length) {
                const length = bytes.readUInt32BE(at);
                const type = bytes.subarray(at + 4, at + 8).toString("latin1");
                const end = at + 12 + length;
                if (end > bytes.length) break;
                if (type === "tEXt") {
                    const data = bytes.subarray(at + 8, at + 8 + length);
                    const nul = data.indexOf(0);
                    if (nul > 0 && data.subarray(0, nul).toString("latin1") === PNG_TEXT_KEYWORD) {
                        return cut(at, end, data.subarray(nul + 1).toString("latin1"));
                    }
                }
                if (type === "IEND") break;
                at = end;
            }
            return undefined;
        }
        default:
            return undefined;
    }
}
