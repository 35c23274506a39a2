package org.kluespark.hub;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A response body read as an {@link InputStream} that fails when no byte arrives for {@code idle}.
 * {@link HttpResponse.BodyHandlers#ofInputStream()} would block forever on a stalled connection (the
 * request timeout stops at the headers), leaving a download hanging instead of retrying.
 */
final class IdleTimeoutBody extends InputStream implements HttpResponse.BodySubscriber<InputStream> {

  private static final Object END = new Object();
  private static final int IN_FLIGHT = 4; // bounded read-ahead: the network never outruns the disk by much

  private final BlockingQueue<Object> arrivals = new LinkedBlockingQueue<>();
  private final Duration idle;
  private volatile Flow.Subscription subscription;
  private Iterator<ByteBuffer> pending = Collections.emptyIterator();
  private ByteBuffer current;
  private boolean ended;

  private IdleTimeoutBody(Duration idle) {
    this.idle = idle;
  }

  static HttpResponse.BodyHandler<InputStream> handler(Duration idle) {
    return info -> new IdleTimeoutBody(idle);
  }

  /** Available as soon as the headers are: the caller streams the body while it arrives. */
  @Override
  public CompletionStage<InputStream> getBody() {
    return CompletableFuture.completedFuture(this);
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    subscription = s;
    s.request(IN_FLIGHT);
  }

  @Override
  public void onNext(List<ByteBuffer> buffers) {
    arrivals.add(buffers);
  }

  @Override
  public void onError(Throwable error) {
    arrivals.add(error);
  }

  @Override
  public void onComplete() {
    arrivals.add(END);
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] into, int offset, int length) throws IOException {
    if (length == 0) {
      return 0;
    }
    while (current == null || !current.hasRemaining()) {
      if (pending.hasNext()) {
        current = pending.next();
        continue;
      }
      if (ended) {
        return -1;
      }
      Object next = take();
      if (next == END) {
        ended = true;
        return -1;
      }
      if (next instanceof Throwable error) {
        ended = true;
        throw error instanceof IOException io ? new IOException(io.getMessage(), io) : new IOException(error);
      }
      @SuppressWarnings("unchecked")
      List<ByteBuffer> buffers = (List<ByteBuffer>) next;
      pending = buffers.iterator();
      subscription.request(1);
    }
    int n = Math.min(length, current.remaining());
    current.get(into, offset, n);
    return n;
  }

  private Object take() throws IOException {
    Object next;
    try {
      next = arrivals.poll(idle.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("Interrupted while reading a download");
    }
    if (next == null) {
      close();
      throw new HttpTimeoutException("no data received for " + idle.toSeconds() + " s; the connection stalled");
    }
    return next;
  }

  @Override
  public void close() {
    Flow.Subscription s = subscription;
    if (s != null && !ended) {
      s.cancel();
    }
    ended = true;
  }
}
