package org.kluespark.benchmark;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Where and how the benchmark ran: date, command, commit, cores, CPU, memory, OS, {@code java -version}. */
final class MachineInfo {
  private MachineInfo() {}

  static Map<String, String> collect(String command, Path repoRoot, String javaBinary, List<String> jvmOptions) {
    Map<String, String> info = new LinkedHashMap<>();
    info.put("date",
        ZonedDateTime.now().truncatedTo(ChronoUnit.SECONDS).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
    info.put("command", command);
    String commit = firstLine(run(repoRoot, "git", "rev-parse", "--short", "HEAD"));
    if (!commit.isEmpty()) {
      boolean dirty = !run(repoRoot, "git", "status", "--porcelain", "--untracked-files=no").isBlank();
      info.put("commit", commit + (dirty ? " (uncommitted changes)" : ""));
    }
    info.put("cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
    String cpu = procField(Path.of("/proc/cpuinfo"), "model name");
    if (cpu != null) {
      info.put("cpu", cpu);
    }
    String memTotal = procField(Path.of("/proc/meminfo"), "MemTotal");
    if (memTotal != null) {
      String[] parts = memTotal.split("\\s+");
      info.put("memory", String.format(Locale.ROOT, "%.1f GiB", Long.parseLong(parts[0]) / 1024.0 / 1024.0));
    }
    String osName = osRelease();
    info.put("os", (osName == null ? System.getProperty("os.name") : osName) + ", kernel "
        + System.getProperty("os.version") + ", " + System.getProperty("os.arch"));
    info.put("java -version", String.join("; ", run(null, javaBinary, "-version").strip().split("\\R")));
    info.put("child JVM options", jvmOptions.stream().filter(o -> !o.startsWith("--add-opens")).toList().toString()
        + " (+ Spark's --add-opens)");
    return info;
  }

  private static String osRelease() {
    String pretty = procField(Path.of("/etc/os-release"), "PRETTY_NAME");
    return pretty == null ? null : pretty.replace("\"", "");
  }

  /** The value of the first {@code key:} (or {@code key=}) line of a /proc-style file, or null. */
  private static String procField(Path file, String key) {
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (line.startsWith(key)) {
          int sep = line.indexOf(':');
          if (sep < 0) {
            sep = line.indexOf('=');
          }
          if (sep > 0 && line.substring(0, sep).trim().equals(key)) {
            return line.substring(sep + 1).trim();
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      return null;
    }
    return null;
  }

  /** stdout and stderr of a short command, or "" when it cannot run. */
  private static String run(Path dir, String... command) {
    try {
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
      if (dir != null) {
        builder.directory(dir.toFile());
      }
      Process process = builder.start();
      byte[] out = process.getInputStream().readAllBytes();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return "";
      }
      return process.exitValue() == 0 ? new String(out, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  private static String firstLine(String text) {
    List<String> lines = new ArrayList<>(List.of(text.strip().split("\\R")));
    return lines.isEmpty() ? "" : lines.get(0).strip();
  }
}
