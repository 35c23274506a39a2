package org.kluespark.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Serializable;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * {@code kluespark.json}: what a bundle is, written by {@code kluespark convert} and {@code kluespark quantize}
 * beside {@code model.onnx}. Optional: a bundle exported elsewhere has none, and its precision is read from the
 * graph ({@link GraphPrecision}). When present, the loader refuses it unless it describes the {@code model.onnx}
 * beside it (same SHA-256, same precision), so a model file swapped after conversion cannot pass as another.
 *
 * @param precision what the graph computes in
 * @param modelSha256 SHA-256 of the {@code model.onnx} it describes
 * @param source what the bundle was made from: a checkpoint or bundle name and the SHA-256 of its weights
 * @param converter the kluespark version that wrote it
 * @param parameters how it was made (weight storage, quantization scheme and granularity, ops kept float32 ...)
 */
public record BundleManifest(Precision precision, String modelSha256, Source source, String converter,
    Map<String, String> parameters) implements Serializable {
  public static final String FILE = "kluespark.json";
  public static final int FORMAT_VERSION = 1;

  /** @param sha256 SHA-256 of the source's model file, or of its config and weight files for a checkpoint */
  public record Source(String name, String sha256) implements Serializable {}

  private static final String UDFS_POM_PROPERTIES = "/META-INF/maven/org.kluespark/kluespark-udfs/pom.properties";

  /** "kluespark VERSION" as Maven recorded it in the udfs jar; a build run from target/classes has none. */
  public static String currentConverter() {
    try (java.io.InputStream in = BundleManifest.class.getResourceAsStream(UDFS_POM_PROPERTIES)) {
      if (in != null) {
        java.util.Properties properties = new java.util.Properties();
        properties.load(in);
        return "kluespark " + properties.getProperty("version", "(unknown version)");
      }
    } catch (java.io.IOException e) {
      // fall through: the version is informational only
    }
    return "kluespark (development build)";
  }

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public BundleManifest {
    Objects.requireNonNull(precision, "precision");
    Objects.requireNonNull(modelSha256, "modelSha256");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(converter, "converter");
    parameters = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
  }

  public String toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("format_version", FORMAT_VERSION);
    root.put("precision", precision.paramValue());
    root.put("model_sha256", modelSha256);
    ObjectNode sourceNode = root.putObject("source");
    sourceNode.put("name", source.name());
    sourceNode.put("sha256", source.sha256());
    root.put("converter", converter);
    ObjectNode params = root.putObject("parameters");
    parameters.forEach(params::put);
    try {
      return JSON.writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write " + FILE + ": " + e.getMessage(), e);
    }
  }

  /** Parses {@code json}, naming {@code file} in every error. */
  public static BundleManifest parse(String json, String file) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new ModelBundleException(file + " is not valid JSON: " + e.getOriginalMessage()
          + ". Re-create the bundle with kluespark convert or quantize, or delete the file.", e);
    }
    if (root == null || !root.isObject()) {
      throw new ModelBundleException(file + " is not a JSON object; expected a kluespark bundle manifest.");
    }
    int version = root.path("format_version").asInt(-1);
    if (version < 1) {
      throw new ModelBundleException(file + " has no valid format_version; expected a kluespark bundle manifest.");
    }
    if (version > FORMAT_VERSION) {
      throw new ModelBundleException(file + " has format_version " + version + ", written by a newer kluespark "
          + "(this one reads up to " + FORMAT_VERSION + "). Upgrade kluespark on the driver and executors.");
    }
    Precision precision;
    try {
      precision = Precision.fromParam("precision", required(root, "precision", file));
    } catch (IllegalArgumentException e) {
      throw new ModelBundleException(file + ": " + e.getMessage(), e);
    }
    JsonNode sourceNode = root.path("source");
    Source source = new Source(sourceNode.path("name").asText(""), sourceNode.path("sha256").asText(""));
    Map<String, String> parameters = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.path("parameters").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      parameters.put(entry.getKey(), entry.getValue().asText());
    }
    return new BundleManifest(precision, required(root, "model_sha256", file), source,
        root.path("converter").asText(""), parameters);
  }

  /**
   * Refuses a manifest that does not describe the graph beside it: another file's hash (the model was replaced
   * or edited after conversion) or another precision than the graph computes in.
   */
  public void checkDescribes(String actualModelSha256, Precision graphPrecision, String manifestFile,
      String modelFile) {
    if (!modelSha256.equalsIgnoreCase(actualModelSha256)) {
      throw new ModelBundleException(manifestFile + " describes a model.onnx with sha256 " + modelSha256 + ", but "
          + modelFile + " has sha256 " + actualModelSha256 + ": the model was replaced or changed after the bundle "
          + "was written. Re-create the bundle with kluespark convert or quantize, or delete " + FILE
          + " if the new model.onnx is meant to be used as is.");
    }
    if (precision != graphPrecision) {
      throw new ModelBundleException(manifestFile + " says precision " + precision.paramValue() + ", but "
          + modelFile + " computes in " + graphPrecision.paramValue() + ". Re-create the bundle with kluespark "
          + "convert or quantize.");
    }
  }

  private static String required(JsonNode root, String field, String file) {
    JsonNode node = root.get(field);
    if (node == null || !node.isTextual() || node.asText().isBlank()) {
      throw new ModelBundleException(file + " has no '" + field + "'; expected a kluespark bundle manifest.");
    }
    return node.asText();
  }
}
