package org.kluespark.job;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.kluespark.model.ModelBundle;
import org.kluespark.model.ModelBundleLoader;
import org.kluespark.model.ModelInspector;
import org.kluespark.model.ModelSignature;
import org.kluespark.pooling.PoolingRule;
import org.kluespark.pooling.SentenceDeclaration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code kluespark info}: validates a model bundle the way embed would and describes it. No Spark needed. */
@Command(name = "info", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    sortOptions = false,
    description = "Check a model bundle and print its inputs, outputs and sizes.")
final class InfoCommand implements Callable<Integer>, ErrorReporter.Verbose {
  @Spec
  CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "PATH|minilm", description = "Model bundle directory "
      + "on any Hadoop file system, or the built-in model minilm.")
  String model;

  @Option(names = "--max-seq-length", paramLabel = "N", defaultValue = "128", description = "Sequence length "
      + "to check the model with (the probe run uses it). Default: ${DEFAULT-VALUE}.")
  int maxSeqLength;

  @Option(names = "--verbose", description = "Print stack traces on errors.")
  boolean verbose;

  @Override
  public boolean verbose() {
    return verbose;
  }

  @Override
  public Integer call() {
    ModelBundle bundle = ModelBundleLoader.load(model, new Configuration());
    ModelSignature signature = ModelInspector.inspect(bundle, maxSeqLength);
    PrintWriter out = spec.commandLine().getOut();
    row(out, "location", bundle.location());
    row(out, "fingerprint (sha256)", bundle.fingerprint());
    row(out, "inputs", "input_ids yes, attention_mask yes, token_type_ids " + yesNo(signature.hasTokenTypeIds()));
    row(out, "outputs", "last_hidden_state yes, pooler_output " + yesNo(signature.hasPooler())
        + ", hidden state outputs " + signature.hiddenStateOutputs().size());
    row(out, "hidden size", signature.hiddenSize());
    row(out, "tokenizer vocabulary", signature.tokenizerVocabSize());
    row(out, "embedding vocab size", orUnknown(signature.embeddingVocabSize()));
    row(out, "max positions", orUnknown(signature.maxPositions()));
    row(out, "pad id", signature.padTokenId());
    row(out, "declared pooling", bundle.declaration().map(SentenceDeclaration::summary)
        .map(d -> d + " (from " + bundle.declaration().get().source() + ")").orElse("none"));
    row(out, "pooling auto means", PoolingRule.autoSummary(bundle.declaration().orElse(null), signature.hasPooler()));
    row(out, "pooled size (auto)", PoolingRule.resolve("auto", null, bundle.declaration().orElse(null),
        bundle.dense(), signature.hasPooler(), bundle.location()).width(signature.hiddenSize()));
    row(out, "precision", bundle.precision().paramValue()
        + (bundle.manifest().isPresent() ? "" : " (read from the graph; the bundle has no kluespark.json)"));
    bundle.manifest().ifPresent(manifest -> {
      row(out, "source", manifest.source().name() + " (sha256 " + manifest.source().sha256() + ")");
      row(out, "written by", manifest.converter());
      manifest.parameters().forEach((key, value) -> row(out, "  " + key, value));
    });
    out.flush();
    return 0;
  }

  private static void row(PrintWriter out, String label, Object value) {
    out.printf("%-22s %s%n", label + ":", value);
  }

  private static String yesNo(boolean value) {
    return value ? "yes" : "no";
  }

  private static Object orUnknown(Integer value) {
    return value == null ? "unknown" : value;
  }
}
