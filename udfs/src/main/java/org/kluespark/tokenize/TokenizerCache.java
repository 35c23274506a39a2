package org.kluespark.tokenize;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The executor-side tokenizer cache: one {@link TextTokenizer} per (tokenizer fingerprint,
 * maxSeqLength) per JVM, shared by all task threads, like the session cache.
 */
public final class TokenizerCache {
  private static final ConcurrentMap<String, TextTokenizer> TOKENIZERS = new ConcurrentHashMap<>();

  private TokenizerCache() {}

  public static TextTokenizer get(TokenizerSource source, int maxSeqLength) {
    return TOKENIZERS.computeIfAbsent(source.tokenizerKey() + "/" + maxSeqLength,
        k -> TextTokenizer.fromJson(source.tokenizerBytes(), maxSeqLength));
  }
}
