package org.kluespark.inference;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.kluespark.model.ModelInspector;
import org.kluespark.model.ModelSignature;
import org.kluespark.testing.TestModels;
import org.kluespark.tokenize.TokenizedText;

/**
 * Closing a session while task threads run batches on it (what the JVM shutdown hook does when an
 * executor is stopped mid-task) must wait for the running batches, not free native memory under them:
 * before the fix this crashed the JVM with a SIGSEGV inside libonnxruntime.
 */
class EncoderSessionCloseTest {
  @Test
  void closeWaitsForRunningBatchesAndLaterRunsFailCleanly() throws Exception {
    ModelSignature signature = ModelInspector.inspect(TestModels.minilm(), 128);
    EncoderSession session = new EncoderSession(
        OrtSessionFactory.create(TestModels.minilm().modelBytes(), ExecutionTarget.CPU, 1), signature,
        ExecutionTarget.CPU);
    List<TokenizedText> rows = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      long[] ids = new long[128];
      ids[0] = 101;
      for (int t = 1; t < 127; t++) {
        ids[t] = 1000 + (t * 7 + i) % 2000;
      }
      ids[127] = 102;
      rows.add(new TokenizedText(ids, new long[128], false));
    }
    TokenBatch batch = TokenBatch.pad(rows, signature.padTokenId());

    int threads = 2;
    CountDownLatch running = new CountDownLatch(threads);
    AtomicInteger batchesDone = new AtomicInteger();
    AtomicReference<Throwable> unexpected = new AtomicReference<>();
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread worker = new Thread(() -> {
        running.countDown();
        try {
          while (true) {
            session.run(batch);
            batchesDone.incrementAndGet();
          }
        } catch (SessionClosedException closed) {
          // expected: later runs fail cleanly with the reason
        } catch (Throwable e) {
          unexpected.set(e);
        }
      });
      worker.start();
      workers.add(worker);
    }
    running.await();
    Thread.sleep(300); // both threads are inside OrtSession.run most of the time now
    session.close();
    for (Thread worker : workers) {
      worker.join(60_000);
      assertThat(worker.isAlive()).isFalse();
    }
    assertThat(unexpected.get()).isNull();
    assertThat(batchesDone.get()).isPositive();
    session.close(); // twice is fine
  }
}
