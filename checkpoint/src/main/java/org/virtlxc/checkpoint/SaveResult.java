package org.virtlxc.checkpoint;

import java.nio.file.Path;
import java.time.Duration;
import org.virtlxc.checkpoint.image.RunState;

/**
 * A completed save or managed save.
 *
 * @param domainName  the domain
 * @param target      the save image file, or the managed save's checkpoint directory
 * @param runState    the state the domain comes back in
 * @param leftRunning whether the domain still runs (save {@code --leave-running})
 * @param criuTime    how long CRIU's dump took
 * @param totalTime   how long the whole job took
 * @param bytes       the image's payload bytes (managed save: the checkpoint directory's bytes)
 */
public record SaveResult(String domainName, Path target, RunState runState, boolean leftRunning, Duration criuTime,
                         Duration totalTime, long bytes) {}
