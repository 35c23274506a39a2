package org.kluespark.job;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.kluespark.convert.CheckpointConverter;
import org.kluespark.convert.ExportOptions;
import org.kluespark.model.ModelBundleLoader;
import org.kluespark.model.ModelInspector;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kluespark convert}: a HuggingFace checkpoint (a local directory or {@code hf:ORG/NAME[@rev]})
 * to a kluespark bundle, in pure Java. No Spark, no Python.
 */
@Command(name = "convert", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    sortOptions = false,
    description = "Convert a HuggingFace BERT/RoBERTa checkpoint to a kluespark bundle (model.onnx, "
        + "tokenizer.json, config.json). A sentence-transformers checkpoint's modules.json (pooling mode, Dense "
        + "layer, Normalize) is recorded in kluespark.json and used by pooling=auto.",
    footer = {"", "Examples:",
        "  kluespark convert hf:klue/bert-base --output models/klue-bert-base",
        "  kluespark convert /data/my-finetuned-roberta --output models/my-roberta --fp16",
        "  kluespark convert hf:klue/bert-base --output models/klue-bert-base-int8 --precision int8",
        "", "hf: downloads into the HuggingFace cache ($HF_HOME, default ~/.cache/huggingface; $HF_ENDPOINT, "
            + "$HF_TOKEN and HF_HUB_OFFLINE=1 are honoured)."})
final class ConvertCommand implements Callable<Integer>, ErrorReporter.Verbose {
  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "CHECKPOINT", description = "HF checkpoint directory (config.json, "
      + "model.safetensors[.index.json] or pytorch_model.bin, tokenizer.json or vocab.txt), or hf:ORG/NAME[@revision].")
  String checkpoint;

  @Option(names = "--output", required = true, paramLabel = "DIR", description = "Bundle directory to write "
      + "(created; must be empty or absent unless --overwrite).")
  Path output;

  @Option(names = "--fp16", description = "Store weights as float16: half the file size and broadcast; "
      + "compute stays float32.")
  boolean fp16;

  @Option(names = "--precision", paramLabel = "fp32|fp16|int8", defaultValue = "fp32", description = "What the "
      + "graph computes in: fp32; fp16 (weights and activations in half, LayerNorm and Softmax in float32: for "
      + "GPUs); int8 (int8 weights, activations quantized per call: for CPUs). Default: ${DEFAULT-VALUE}.")
  String precision;

  @Option(names = "--no-hidden-states", description = "Leave out the hidden_states.0..L outputs "
      + "(encoderOutputsCol then cannot be used with this bundle).")
  boolean noHiddenStates;

  @Mixin
  PrecisionFlags precisionFlags = new PrecisionFlags();

  @Option(names = "--overwrite", description = "Replace the files of an existing bundle directory.")
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
    // options first: a bad one fails before a hub download or a checkpoint read
    ExportOptions options = ExportOptions.defaults().withHiddenStates(!noHiddenStates)
        .withPrecision(precisionFlags.options(precision)).withHalfWeights(fp16);
    OutputDirs.requireWritable(output, overwrite);
    Path source = CheckpointSources.resolve(checkpoint, out);
    long start = System.nanoTime();
    CheckpointConverter.Result result = CheckpointConverter.convert(source, output, options,
        line -> out.println("kluespark: " + line));
    // Load it back exactly as the stage will, with a probe run, so a bad bundle fails here and not in a job.
    ModelInspector.inspect(ModelBundleLoader.load(output.toAbsolutePath().toUri().toString(),
        new org.apache.hadoop.conf.Configuration()), Math.min(128, result.config().maxSequenceLength()));
    double seconds = (System.nanoTime() - start) / 1e9;
    out.printf("kluespark: converted %s (%,d parameters) to %s (%s) in %.1f s; pooling=auto uses %s.%n",
        checkpoint, result.parameters(), output, precision, seconds, result.autoPooling());
    out.flush();
    return 0;
  }
}
