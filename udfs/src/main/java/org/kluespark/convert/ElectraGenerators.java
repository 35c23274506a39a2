package org.kluespark.convert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Refuses ELECTRA generator checkpoints. ELECTRA trains two encoders: a small generator (a masked LM,
 * {@code ElectraForMaskedLM}) that proposes replacement tokens, and the discriminator that learns to spot
 * them. The discriminator is the one published and fine-tuned as a text encoder; the generator has the same
 * {@code electra.*} layout and would convert, but its vectors are a by-product of pre-training, so a generator
 * given by mistake for its discriminator would silently give worse embeddings. kluespark refuses it instead.
 */
final class ElectraGenerators {
  private static final List<String> HEAD_PREFIXES = List.of("generator_predictions.", "generator_lm_head.");

  private ElectraGenerators() {}

  /** Refuses a config.json whose {@code architectures} name a generator ({@code ElectraForMaskedLM}, {@code *Generator*}). */
  static void refuseByConfig(String configJson, String source) {
    JsonNode architectures;
    try {
      architectures = new ObjectMapper().readTree(configJson).path("architectures");
    } catch (IOException e) {
      return; // EncoderConfig.parse has already reported invalid JSON
    }
    List<String> names = new ArrayList<>();
    architectures.forEach(node -> names.add(node.asText()));
    for (String name : names) {
      if (name.equals("ElectraForMaskedLM") || name.contains("Generator")) {
        throw refusal(source + " declares \"architectures\": " + names);
      }
    }
  }

  /** Refuses weights with a generator head ({@code generator_predictions.*}, {@code generator_lm_head.*}). */
  static void refuseByWeights(Collection<String> weightNames, String source) {
    for (String name : weightNames) {
      String bare = name.startsWith(EncoderFamily.ELECTRA.weightPrefix())
          ? name.substring(EncoderFamily.ELECTRA.weightPrefix().length()) : name;
      if (HEAD_PREFIXES.stream().anyMatch(bare::startsWith)) {
        throw refusal(source + " has the generator head weight \"" + name + "\"");
      }
    }
  }

  private static ConversionException refusal(String evidence) {
    return new ConversionException(evidence + ": this is an ELECTRA generator (the masked-language model that "
        + "trains the discriminator), not a discriminator. kluespark converts ELECTRA discriminators only "
        + "(ElectraForPreTraining / ElectraModel); convert the discriminator of the same model instead, e.g. "
        + "hf:monologg/koelectra-base-v3-discriminator rather than hf:monologg/koelectra-base-v3-generator.");
  }
}
