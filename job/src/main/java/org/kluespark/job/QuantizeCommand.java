package org.kluespark.job;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.kluespark.convert.BundlePrecisionWriter;
import org.kluespark.model.ModelBundleLoader;
import org.kluespark.precision.PrecisionOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code kluespark quantize}: a float32 bundle to an int8 one (or fp16 with {@code --precision fp16}), in Java.
 * Works on any bundle: converted, built-in, or exported elsewhere.
 */
@Command(name = "quantize", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    sortOptions = false,
    description = "Rewrite a float32 bundle as int8 (dynamic quantization: int8 weights, activations quantized "
        + "per call; for CPUs) or fp16 (for GPUs). Writes model.onnx, tokenizer.json, config.json, kluespark.json.",
    footer = {"", "Examples:",
        "  kluespark quantize --model minilm --output models/minilm-int8",
        "  kluespark quantize --model models/klue-bert-base --output models/klue-bert-base-fp16 --precision fp16"})
final class QuantizeCommand implements Callable<Integer>, ErrorReporter.Verbose {
  @Spec
  CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "PATH|minilm", description = "Float32 bundle directory "
      + "on any Hadoop file system, or the built-in model minilm.")
  String model;

  @Option(names = "--output", required = true, paramLabel = "DIR", description = "Bundle directory to write "
      + "(must be empty or absent unless --overwrite; replaced only once the new bundle has loaded and run).")
  Path output;

  @Option(names = "--precision", paramLabel = "int8|fp16", defaultValue = "int8", description = "Default: "
      + "${DEFAULT-VALUE}.")
  String precision;

  @Mixin
  PrecisionFlags precisionFlags = new PrecisionFlags();

  @Option(names = "--overwrite", description = "Replace an existing bundle directory.")
  boolean overwrite;

  @Option(names = "--verbose", description = "Print stack traces on errors.")
  boolean verbose;

  @Override
  public boolean verbose() {
    return verbose;
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrecisionOptions options = precisionFlags.options(precision);
    OutputDirs.requireWritable(output, overwrite);
    long start = System.nanoTime();
    BundlePrecisionWriter.Result result = BundlePrecisionWriter.write(ModelBundleLoader.load(model, new Configuration()),
        model, output, options, line -> out.println("kluespark: " + line));
    out.printf("kluespark: wrote %s bundle %s in %.1f s; model.onnx %,d -> %,d bytes.%n",
        options.precision().paramValue(), result.bundleDir(), (System.nanoTime() - start) / 1e9,
        result.sourceModelBytes(), result.modelBytes());
    out.flush();
    return 0;
  }
}
