package org.kluespark.integration;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.kluespark.inference.Device;
import org.kluespark.inference.EncoderSession;
import org.kluespark.inference.SessionCache;
import org.kluespark.inference.SessionSettings;
import org.kluespark.stage.TextEmbedder;
import org.kluespark.testing.SparkTestSession;
import org.kluespark.testing.TestModels;

/** One ONNX Runtime session per executor JVM, however many partitions and task threads use it. */
class SessionReuseTest {

  @Test
  void eightPartitionsOnTwoTaskThreadsCreateOneSession() {
    SparkSession spark = SparkTestSession.get();
    assertThat(spark.sparkContext().defaultParallelism()).as("local[2]: two task threads").isEqualTo(2);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 800; i++) {
      rows.add(RowFactory.create("문장 번호 " + i + "는 세션 재사용을 확인합니다."));
    }
    Dataset<Row> input = spark.createDataFrame(rows, new StructType().add("text", DataTypes.StringType))
        .repartition(8);
    assertThat(input.rdd().getNumPartitions()).isEqualTo(8);
    TextEmbedder stage = new TextEmbedder().setModelPath(TestModels.minilmDir().toString());

    SessionCache.resetForTesting();
    long count = stage.transform(input).count();
    long countAgain = stage.transform(input).filter("pooled_output is not null").count();

    assertThat(count).isEqualTo(800);
    assertThat(countAgain).isEqualTo(800);
    assertThat(SessionCache.sessionsCreated()).as("sessions created for 2 jobs x 8 partitions").isEqualTo(1);
    EncoderSession session = SessionCache.get(stage.modelBundle(), stage.modelSignature(),
        new SessionSettings(Device.CPU, 0));
    assertThat(SessionCache.sessionsCreated()).as("the cached session is returned").isEqualTo(1);
    assertThat(session.intraOpThreads()).as("spark.task.cpus = 1 thread: 2 task threads never exceed 2 cores")
        .isEqualTo(1);
  }
}
