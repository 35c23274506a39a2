package org.kluespark.stage;

import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.kluespark.model.ModelBundle;
import org.kluespark.model.ModelSignature;

/** A bundle validated on the driver, with the broadcast that ships it to executors (made once per context). */
final class LoadedModel {
  private final ModelBundle bundle;
  private final ModelSignature signature;
  private Broadcast<ModelBundle> broadcast;
  private SparkContext broadcastContext;

  LoadedModel(ModelBundle bundle, ModelSignature signature) {
    this.bundle = bundle;
    this.signature = signature;
  }

  ModelBundle bundle() {
    return bundle;
  }

  ModelSignature signature() {
    return signature;
  }

  /** One broadcast per SparkContext: repeated transforms of the same model do not re-ship it. */
  synchronized Broadcast<ModelBundle> broadcast(SparkContext sc) {
    if (broadcast == null || broadcastContext != sc || sc.isStopped()) {
      broadcast = JavaSparkContext.fromSparkContext(sc).broadcast(bundle);
      broadcastContext = sc;
    }
    return broadcast;
  }
}
