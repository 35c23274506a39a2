package org.kluespark.stage;

import org.apache.spark.SparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.kluespark.model.ModelBundle;
import org.kluespark.model.ModelSignature;

/** A bundle validated on the driver, with the broadcast that ships it to executors (made once per context). */
final class LoadedModel {
  private final BroadcastOnce<ModelBundle> bundle;
  private final ModelSignature signature;

  LoadedModel(ModelBundle bundle, ModelSignature signature) {
    this.bundle = new BroadcastOnce<>(bundle);
    this.signature = signature;
  }

  ModelBundle bundle() {
    return bundle.value();
  }

  ModelSignature signature() {
    return signature;
  }

  /** One broadcast per SparkContext: repeated transforms of the same model do not re-ship it. */
  Broadcast<ModelBundle> broadcast(SparkContext sc) {
    return bundle.get(sc);
  }
}
