package org.kluespark.benchmark;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The systems an invocation runs (pure logic). Each system needs its model bundle and, for the reuse systems,
 * TextEmbedder's {@code reuseDuplicates} Param. Systems named in {@code --systems} whose needs are not met are
 * an error before any JVM starts; without {@code --systems}, they are left out and said so.
 *
 * @param systems the systems to run, in option order
 * @param leftOut one line per default system left out, with the reason
 */
record SystemSelection(List<BenchSystem> systems, List<String> leftOut) {

  static SystemSelection resolve(BenchmarkOptions options, boolean reuseParamAvailable) {
    List<BenchSystem> systems = new ArrayList<>();
    List<String> unmet = new ArrayList<>();
    for (BenchSystem system : options.systems()) {
      Optional<String> reason = unmet(system, options.model(), options.int8Model(), reuseParamAvailable);
      if (reason.isPresent()) {
        unmet.add(reason.get());
      } else {
        systems.add(system);
      }
    }
    if (options.systemsGiven() && !unmet.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", unmet));
    }
    if (systems.isEmpty()) {
      throw new IllegalArgumentException("No system can run: " + String.join("; ", unmet));
    }
    return new SystemSelection(List.copyOf(systems), List.copyOf(unmet));
  }

  /** Why {@code system} cannot run with these options, or empty when it can. */
  static Optional<String> unmet(BenchSystem system, String model, String int8Model, boolean reuseParamAvailable) {
    if (system.bundle() == BenchSystem.Bundle.LC4J_INT8 && !AnchorModel.FP32_MODEL.equals(
        model.toLowerCase(Locale.ROOT))) {
      return Optional.of(system + " runs langchain4j's int8 all-MiniLM-L6-v2, an anchor for --model "
          + AnchorModel.FP32_MODEL + " only (this run's --model is " + model + ")");
    }
    if (system.bundle() == BenchSystem.Bundle.INT8 && int8Model == null) {
      return Optional.of(system + " needs --int8-model DIR (an int8 bundle, e.g. written by kluespark quantize, or "
          + AnchorModel.NAME + " for langchain4j's int8 MiniLM)");
    }
    if (system.reuseDuplicates() && !reuseParamAvailable) {
      return Optional.of(system + " needs TextEmbedder's Param " + ReuseDuplicates.PARAM + ", which this build's "
          + "TextEmbedder lacks; build a checkout with duplicate reuse (issue 12) or leave " + system
          + " out of --systems");
    }
    return Optional.empty();
  }
}
