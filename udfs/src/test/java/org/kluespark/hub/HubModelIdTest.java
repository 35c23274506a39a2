package org.kluespark.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HubModelIdTest {

  @Test
  void parsesOrgNameWithDefaultRevision() {
    HubModelId id = HubModelId.parse("hf:sentence-transformers/all-MiniLM-L6-v2");
    assertThat(id.repoId()).isEqualTo("sentence-transformers/all-MiniLM-L6-v2");
    assertThat(id.revision()).isEqualTo("main");
    assertThat(id.isCommitHash()).isFalse();
    assertThat(id.cacheFolderName()).isEqualTo("models--sentence-transformers--all-MiniLM-L6-v2");
    assertThat(id).hasToString("hf:sentence-transformers/all-MiniLM-L6-v2@main");
  }

  @Test
  void parsesSingleSegmentRepoAndRevisions() {
    assertThat(HubModelId.parse("hf:bert-base-uncased")).isEqualTo(new HubModelId("bert-base-uncased", "main"));
    assertThat(HubModelId.parse("hf:klue/roberta-base@v1.0")).isEqualTo(new HubModelId("klue/roberta-base", "v1.0"));
    assertThat(HubModelId.parse("hf:org/name@refs/pr/3").revision()).isEqualTo("refs/pr/3");
    HubModelId pinned = HubModelId.parse("hf:org/name@0123456789abcdef0123456789abcdef01234567");
    assertThat(pinned.isCommitHash()).isTrue();
    assertThat(pinned.cacheFolderName()).isEqualTo("models--org--name");
  }

  @Test
  void recognisesHubSpecs() {
    assertThat(HubModelId.isHubSpec("hf:org/name")).isTrue();
    assertThat(HubModelId.isHubSpec("/models/bert")).isFalse();
    assertThat(HubModelId.isHubSpec(null)).isFalse();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "org/name|it must start with \"hf:\"",
      "hf:|the repository name is empty",
      "hf:@main|the repository name is empty",
      "hf:org/name@|the revision after '@' is empty",
      "hf:a/b/c|at most one '/'",
      "hf:org/|\"\" is not a valid organisation or model name",
      "hf:org/na me|\"na me\" is not a valid organisation or model name",
      "hf:org/../x|at most one '/'",
      "hf:../x|\"..\" is not a valid organisation or model name",
      "hf:org--x/name|\"org--x\" is not a valid",
      "hf:org/name@../../etc|\"../../etc\" is not a valid revision",
      "hf:org/name@/abs|\"/abs\" is not a valid revision",
  })
  void malformedSpecsSayWhatIsWrongAndShowTheForm(String spec, String why) {
    assertThatThrownBy(() -> HubModelId.parse(spec))
        .isInstanceOf(HubException.class)
        .hasMessageStartingWith("Model spec \"" + spec + "\" is malformed: ")
        .hasMessageContaining(why)
        .hasMessageContaining("Write hf:ORG/NAME or hf:ORG/NAME@REVISION");
  }
}
