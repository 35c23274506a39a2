package org.kluespark.precision;

import ai.onnx.proto.OnnxMl.ModelProto;
import java.util.List;
import java.util.Map;

/**
 * The result of {@link Int8Quantizer#quantize}.
 *
 * @param model the quantized graph (same inputs and outputs as the float32 one)
 * @param summary the quantization parameters for the bundle manifest, keys in a stable order
 * @param report one human-readable line per decision (what was quantized, what was kept float32 and why)
 */
public record QuantizedModel(ModelProto model, Map<String, String> summary, List<String> report) {
  public QuantizedModel {
    summary = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(summary));
    report = List.copyOf(report);
  }
}
