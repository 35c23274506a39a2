package org.kluespark.benchmark;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * This machine's float32 peak: cores × FLOP per cycle × clock. The default 32 FLOP per cycle is 2 FMA units ×
 * 8 float32 lanes (256 bits) × 2 (a fused multiply-add is two FLOP), AVX2 + FMA; AMD Zen 4 (EPYC 9004) also
 * executes AVX-512 as two 256-bit halves, so its peak is the same. The clock is {@code cpu MHz} of
 * /proc/cpuinfo unless {@code --cpu-ghz} gives it. A KVM guest sees there the nominal clock, not the boost clock
 * its cores run at (on the project's machine 2.596 GHz nominal, about 3.6 GHz measured under load), so give
 * {@code --cpu-ghz} where the two differ, or the percentages of peak come out too high.
 *
 * @param source where the clock came from, for the report
 */
record CpuPeak(int cores, double ghz, int flopsPerCycle, String source) {

  double gflops() {
    return cores * flopsPerCycle * ghz;
  }

  String describe() {
    return String.format(Locale.ROOT, "%d cores × %d FLOP/cycle × %.3f GHz (%s) = %.1f GFLOP/s float32", cores,
        flopsPerCycle, ghz, source, gflops());
  }

  /** The peak from the options, else from /proc/cpuinfo; null when no clock is known. */
  static CpuPeak detect(BenchmarkOptions options) {
    int cores = Runtime.getRuntime().availableProcessors();
    if (options.cpuGhz() != null) {
      return new CpuPeak(cores, options.cpuGhz(), options.flopsPerCycle(), "--cpu-ghz");
    }
    try {
      Double mhz = cpuMhz(Files.readString(Path.of("/proc/cpuinfo"), StandardCharsets.UTF_8));
      return mhz == null ? null : new CpuPeak(cores, mhz / 1000, options.flopsPerCycle(),
          "cpu MHz of /proc/cpuinfo, the nominal clock; boost not seen, see --cpu-ghz");
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** The first {@code cpu MHz} value of a /proc/cpuinfo text, or null. */
  static Double cpuMhz(String cpuinfo) {
    for (String line : cpuinfo.split("\\R")) {
      int sep = line.indexOf(':');
      if (sep > 0 && line.substring(0, sep).trim().equals("cpu MHz")) {
        try {
          return Double.parseDouble(line.substring(sep + 1).trim());
        } catch (NumberFormatException e) {
          return null;
        }
      }
    }
    return null;
  }
}
