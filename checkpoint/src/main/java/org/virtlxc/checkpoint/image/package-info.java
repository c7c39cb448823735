/**
 * The save image: one self-describing, versioned, checksummed, streamable file holding a dumped domain.
 *
 * <h2>Format, version 2 (version 1 is read too)</h2>
 * A POSIX tar stream (512-byte records, no blocking beyond them), stored as is or as one zstd stream followed by a
 * 40-byte zstd skippable frame holding the SHA-256 of the compressed bytes before it ({@link DigestFrame}). So
 * {@code tar tf F} or {@code zstd -dc F | tar t} list it, and an unpacked image checks with
 * {@code sha256sum -c SHA256SUMS} (all but the page images, from version 2 on). Members, in this order, all mode 0600,
 * mtime = the dump time:
 * <ol>
 *   <li>{@code manifest.json}: {@link Manifest} (format name and version first; domain name, UUID and XML; dump
 *       time; run state; compression; host facts; cgroup limits; CRIU externals; process and page counts; the
 *       payload members with their sizes);</li>
 *   <li>{@code manifest.json.sha256}: its SHA-256, so the manifest is checked without reading further;</li>
 *   <li>the payload: {@code criu/NAME} for CRIU's image files, {@code extra/NAME} for other files, exactly as the
 *       manifest lists them;</li>
 *   <li>version 2 on: {@code CRC32CSUMS}: for each page image ({@code criu/pages-N.img}), in image order, a line
 *       "{@code HEX  NAME}", HEX being the CRC32C (Castagnoli) of each 1 MiB chunk of it, 8 lower-case hex digits
 *       per chunk, the last chunk possibly shorter ({@link MemberCheck}): verifying a GiB of pages takes 0.02 s
 *       instead of SHA-256's 0.6-0.7 s, which bounded a restore;</li>
 *   <li>{@code SHA256SUMS}: the SHA-256 of every member before it, except the page images from version 2 on
 *       ({@code sha256sum} format), so {@code CRC32CSUMS} is covered too;</li>
 *   <li>{@code SHA256SUMS.sha256}: the SHA-256 of the trailer.</li>
 * </ol>
 * A save written while CRIU dumps ({@link StreamedImageFile}) lists {@code extra/padding} first (zeros, a hole in the
 * file: the room left for the manifest, written last), then the page images in the order CRIU wrote them, then the
 * other members; read like any other.
 * Every version starts with the first two members, so that an unknown version is refused by name
 * ({@link SaveImageException.Code#UNSUPPORTED_VERSION}). A reader also checks each tar header's checksum byte for
 * byte, that padding and the end-of-archive records are zero and that nothing follows: no single changed byte and
 * no truncation passes unnoticed.
 *
 * <h2>Entry points</h2>
 * {@link SaveImageWriter} (save), {@link SaveImageReader} (dumpxml/info, verify, restore's extraction; {@link
 * SaveImageReader#extractLeavingPages} leaves an uncompressed image's page images in the file, recorded as {@link
 * MembersInPlace}, which the controller's {@link CriuImageServer} serves to {@code criu restore --stream}),
 * {@link SaveImageEditor#define} (save-image-define), {@link HostFacts#current()} and
 * {@link Compatibility#check} (restore's host check).
 */
package org.virtlxc.checkpoint.image;
