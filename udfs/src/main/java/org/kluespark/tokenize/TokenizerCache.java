package org.kluespark.tokenize;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.kluespark.model.ModelBundle;

/**
 * The executor-side tokenizer cache: one {@link TextTokenizer} per (tokenizer fingerprint,
 * maxSeqLength) per JVM, shared by all task threads, like the session cache.
 */
public final class TokenizerCache {
  private static final ConcurrentMap<String, TextTokenizer> TOKENIZERS = new ConcurrentHashMap<>();

  private TokenizerCache() {}

  public static TextTokenizer get(ModelBundle bundle, int maxSeqLength) {
    return TOKENIZERS.computeIfAbsent(bundle.fingerprint() + "/" + maxSeqLength,
        k -> TextTokenizer.fromJson(bundle.tokenizerBytes(), maxSeqLength));
  }
}
