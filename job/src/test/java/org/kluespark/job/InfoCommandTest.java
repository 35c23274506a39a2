package org.kluespark.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InfoCommandTest {
  @Test
  void describesTheBuiltinModel() {
    CliRun run = CliRun.of("info", "--model", "minilm");

    assertThat(run.exitCode()).as(run.printed()).isZero();
    assertThat(run.out())
        .containsPattern("hidden size: +384\n")
        .containsPattern("fingerprint \\(sha256\\): +[0-9a-f]{64}\n")
        .contains("input_ids yes, attention_mask yes, token_type_ids yes")
        .contains("last_hidden_state yes, pooler_output yes, hidden state outputs 0")
        .containsPattern("tokenizer vocabulary: +30522\n")
        .containsPattern("embedding vocab size: +30522\n")
        .containsPattern("max positions: +512\n")
        .containsPattern("pad id: +0\n")
        // all-MiniLM-L6-v2's modules.json: mean pooling, then Normalize (issue 13)
        .containsPattern("declared pooling: +mean, then L2 normalize \\(from sentence-transformers/all-MiniLM-L6-v2 "
            + "modules.json \\(built in\\)\\)\n")
        .containsPattern("pooling auto means: +mean, then L2 normalize \\(declared by ")
        .containsPattern("pooled size \\(auto\\): +384\n");
  }

  @Test
  void missingModelDirectoryIsAUsageError(@TempDir Path tmp) {
    CliRun run = CliRun.of("info", "--model", tmp.resolve("nothing-here").toString());

    assertThat(run.exitCode()).as(run.printed()).isEqualTo(2);
    assertThat(run.err()).startsWith("kluespark: error: Model directory ").contains("does not exist");
  }

  @Test
  void maxSeqLengthBeyondThePositionsIsAUsageError() {
    CliRun run = CliRun.of("info", "--model", "minilm", "--max-seq-length", "1000");

    assertThat(run.exitCode()).as(run.printed()).isEqualTo(2);
    assertThat(run.err()).contains("maxSeqLength 1000 exceeds the 512 positions");
  }
}
