package org.kluespark.job;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.kluespark.hub.DownloadListener;
import org.kluespark.hub.HubDownloader;
import org.kluespark.hub.HubModelId;
import org.kluespark.hub.HubSettings;

/** Resolves a convert source: a local checkpoint directory, or {@code hf:ORG/NAME[@rev]} through the HF cache. */
final class CheckpointSources {
  private CheckpointSources() {}

  static Path resolve(String source, PrintWriter out) {
    if (HubModelId.isHubSpec(source)) {
      HubSettings settings = HubSettings.fromEnvironment();
      out.println("kluespark: fetching " + source + " (cache " + settings.cacheDir() + ")");
      out.flush();
      return new HubDownloader(settings, new PrintingListener(out)).download(source);
    }
    Path dir = Path.of(source);
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("Checkpoint " + source + " is not a directory. Give a HuggingFace "
          + "checkpoint directory (config.json + weights + tokenizer) or hf:ORG/NAME[@revision].");
    }
    return dir;
  }

  /** One line per file, and a progress line at most every 10% of a large file. */
  static final class PrintingListener implements DownloadListener {
    private final PrintWriter out;
    private long nextReport;

    PrintingListener(PrintWriter out) {
      this.out = out;
    }

    @Override
    public void cached(String file, long sizeBytes) {
      line("  %s: in cache (%s)", file, Bytes.human(sizeBytes));
    }

    @Override
    public void started(String file, long resumedFrom, long totalBytes) {
      nextReport = resumedFrom + Math.max(totalBytes / 10, 1);
      line("  %s: downloading %s%s", file, totalBytes < 0 ? "" : Bytes.human(totalBytes),
          resumedFrom > 0 ? ", resuming at " + Bytes.human(resumedFrom) : "");
    }

    @Override
    public void progress(String file, long downloadedBytes, long totalBytes) {
      if (totalBytes > 0 && downloadedBytes >= nextReport && downloadedBytes < totalBytes) {
        nextReport = downloadedBytes + totalBytes / 10;
        line("  %s: %d%% (%s)", file, downloadedBytes * 100 / totalBytes, Bytes.human(downloadedBytes));
      }
    }

    @Override
    public void retrying(String file, int attempt, int maxAttempts, String reason) {
      line("  %s: attempt %d of %d failed (%s); resuming", file, attempt, maxAttempts, reason);
    }

    @Override
    public void finished(String file, long sizeBytes) {
      line("  %s: done, sha256 verified where the hub gave one (%s)", file, Bytes.human(sizeBytes));
    }

    private void line(String format, Object... args) {
      out.println(String.format(format, args));
      out.flush();
    }
  }

  /** Human-readable sizes for progress lines. */
  static final class Bytes {
    private Bytes() {}

    static String human(long bytes) {
      if (bytes < 1024) {
        return bytes + " B";
      }
      String[] units = {"KiB", "MiB", "GiB", "TiB"};
      double value = bytes;
      int unit = -1;
      while (value >= 1024 && unit < units.length - 1) {
        value /= 1024;
        unit++;
      }
      return String.format("%.1f %s", value, units[unit]);
    }
  }
}
