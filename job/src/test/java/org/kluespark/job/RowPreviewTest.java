package org.kluespark.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.spark.ml.linalg.Vectors;
import org.junit.jupiter.api.Test;
import scala.collection.JavaConverters;

class RowPreviewTest {
  @Test
  void shortTextIsQuotedWhole() {
    assertThat(RowPreview.value("오늘 날씨가 좋네요.")).isEqualTo("\"오늘 날씨가 좋네요.\"");
  }

  @Test
  void longTextIsCutToFortyCharacters() {
    String korean = "숙소 위치는 찾기 쉽고 일반적인 한국의 반지하 숙소입니다. 숙박시설의 위치는 쉽게 찾을 수 있습니다.";
    String cut = RowPreview.truncate(korean);
    assertThat(cut).hasSize(40).endsWith("…").startsWith("숙소 위치는 찾기 쉽고");
    assertThat(RowPreview.truncate("line one\nline two")).isEqualTo("line one line two");
  }

  @Test
  void emojiAreNotSplit() {
    String text = "😀".repeat(50);
    assertThat(RowPreview.truncate(text).codePoints().count()).isEqualTo(40);
  }

  @Test
  void vectorsShowTheirHeadAndDimension() {
    List<Float> floats = List.of(0.5f, -0.25f, 0.125f, 1f, 2f, 3f);
    assertThat(RowPreview.value(JavaConverters.asScalaBuffer(floats).toList()))
        .isEqualTo("[0.5000, -0.2500, 0.1250, 1.0000, ...] (6)");
    assertThat(RowPreview.value(Vectors.dense(1, 2))).isEqualTo("[1.0000, 2.0000] (2)");
  }

  @Test
  void tokenVectorsShowTheirShape() {
    var token = JavaConverters.asScalaBuffer(List.of(1f, 2f, 3f)).toList();
    var tokens = JavaConverters.asScalaBuffer(List.of(token, token)).toList();
    assertThat(RowPreview.value(tokens)).isEqualTo("[2 x 3]");
  }

  @Test
  void otherArraysAndStructsAreListed() {
    var ints = JavaConverters.asScalaBuffer(List.of(4, 4, 5)).toList();
    assertThat(RowPreview.value(ints)).isEqualTo("[4, 4, 5]");
    var labels = new org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema(new Object[] {1L, 4.0},
        new org.apache.spark.sql.types.StructType().add("binary-label", "long").add("label", "double"));
    assertThat(RowPreview.value(labels)).isEqualTo("{binary-label=1, label=4.0}");
  }

  @Test
  void nullsAndNumbers() {
    assertThat(RowPreview.value(null)).isEqualTo("null");
    assertThat(RowPreview.value(42L)).isEqualTo("42");
  }
}
