package org.virtlxc.cgroups;

/**
 * One {@code <blkiotune><device>}: weight and throttles for a block device. Null components are left alone.
 *
 * @param path the device path from the XML (for messages)
 */
public record BlkioDeviceLimit(String path, DeviceNumber device, Integer weight, Long readBytesSec,
                               Long writeBytesSec, Long readIopsSec, Long writeIopsSec) {}
