package org.kluespark.inference;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.kluespark.tokenize.TokenizedText;

class TokenBatchTest {
  @Test
  void padsToTheLongestRowOfTheBatchOnly() {
    TokenBatch batch = TokenBatch.pad(List.of(
        new TokenizedText(new long[] {101, 7, 102}, new long[] {0, 0, 0}, false),
        new TokenizedText(new long[] {101, 8, 102, 9, 102}, new long[] {0, 0, 0, 1, 1}, false)), 0);
    assertThat(batch.rows()).isEqualTo(2);
    assertThat(batch.seqLen()).isEqualTo(5);
    assertThat(batch.inputIds()).containsExactly(101, 7, 102, 0, 0, 101, 8, 102, 9, 102);
    assertThat(batch.attentionMask()).containsExactly(1, 1, 1, 0, 0, 1, 1, 1, 1, 1);
    assertThat(batch.tokenTypeIds()).containsExactly(0, 0, 0, 0, 0, 0, 0, 0, 1, 1);
    assertThat(batch.length(0)).isEqualTo(3);
    assertThat(batch.paddedTokens()).isEqualTo(10);
  }

  @Test
  void padsWithTheModelsPadId() {
    TokenBatch batch = TokenBatch.pad(List.of(
        new TokenizedText(new long[] {0, 5, 2}, new long[3], false),
        new TokenizedText(new long[] {0, 2}, new long[2], false)), 1);
    assertThat(batch.inputIds()).containsExactly(0, 5, 2, 0, 2, 1);
  }

  @Test
  void tensorsAreDirectNativeOrderBuffersOnlyOrtWraps() {
    TokenBatch batch = TokenBatch.pad(List.of(new TokenizedText(new long[] {101, 102}, new long[2], false)), 0);
    for (java.nio.LongBuffer buffer : List.of(batch.inputIdsBuffer(), batch.attentionMaskBuffer(),
        batch.tokenTypeIdsBuffer())) {
      assertThat(buffer.isDirect()).isTrue();
      assertThat(buffer.order()).isEqualTo(java.nio.ByteOrder.nativeOrder());
      assertThat(buffer.position()).isZero();
      assertThat(buffer.remaining()).isEqualTo(2);
    }
  }
}
