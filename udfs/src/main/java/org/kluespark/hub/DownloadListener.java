package org.kluespark.hub;

/**
 * Progress of a hub download, for the CLI to print; the downloader itself never writes to stdout.
 * {@code totalBytes} is {@code -1} when the hub did not say. Calls come from the downloading thread.
 */
public interface DownloadListener {

  DownloadListener NONE = new DownloadListener() {};

  /** A file already in the cache (snapshot or shared blob); nothing is transferred. */
  default void cached(String file, long sizeBytes) {}

  /** A transfer begins; {@code resumedFrom} bytes are already on disk from an interrupted attempt. */
  default void started(String file, long resumedFrom, long totalBytes) {}

  /** {@code downloadedBytes} of {@code file} are now on disk (including resumed bytes). */
  default void progress(String file, long downloadedBytes, long totalBytes) {}

  /** An attempt failed and will be retried (resuming from what is on disk). */
  default void retrying(String file, int attempt, int maxAttempts, String reason) {}

  /** {@code file} is complete, verified and linked into the snapshot. */
  default void finished(String file, long sizeBytes) {}
}
