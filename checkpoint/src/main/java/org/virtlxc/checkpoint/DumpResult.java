package org.virtlxc.checkpoint;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A completed dump.
 *
 * @param imageDir the checkpoint directory (CRIU images, {@link CheckpointManifest#FILE}, {@code domain.xml},
 *     CRIU's {@code dump.log})
 * @param manifest what was recorded for the restore
 * @param leftRunning whether the domain still runs
 * @param criuTime how long CRIU took (freeze, dump and, without leave-running, kill)
 */
public record DumpResult(Path imageDir, CheckpointManifest manifest, boolean leftRunning, Duration criuTime) {}
