package org.kluespark.hub;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A HuggingFace hub on loopback with the hub's URL layout and headers, for tests without internet:
 *
 * <ul>
 *   <li>{@code GET /api/models/{repo}/revision/{rev}}: {@code {"sha": commit, "siblings": [{"rfilename"}]}}</li>
 *   <li>{@code HEAD|GET /{repo}/resolve/{rev}/{file}}: LFS files (see {@link #isLfs}) answer 302 to
 *       {@code /cdn/{sha256}} with {@code X-Linked-Etag: "sha256"} and {@code X-Linked-Size}; other files answer
 *       200 with {@code ETag: "git-blob-sha1"}. Both send {@code X-Repo-Commit}.</li>
 *   <li>{@code GET /cdn/{sha256}}: the bytes, honouring {@code Range: bytes=N-} with 206.</li>
 * </ul>
 *
 * Faults to inject: truncated CDN transfers, a Range-ignoring CDN, a wrong reported sha256, a file that the
 * listing names but resolve does not serve, a required token. Every request is recorded.
 */
final class FakeHubServer implements AutoCloseable {

  /** One request as the server saw it; header values are null when absent. */
  record Request(String method, String path, String authorization, String range) {
    boolean isApi() {
      return path.startsWith("/api/");
    }

    boolean isResolve() {
      return path.contains("/resolve/");
    }

    boolean isCdn() {
      return path.startsWith("/cdn/");
    }
  }

  private record Repo(String commit, Map<String, byte[]> files, Set<String> revisions) {}

  private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");

  private final HttpServer server;
  private final Map<String, Repo> repos = new ConcurrentHashMap<>();
  private final Map<String, byte[]> blobsBySha256 = new ConcurrentHashMap<>();
  private final List<Request> requests = new ArrayList<>();
  private final AtomicInteger truncateNext = new AtomicInteger();
  private final AtomicInteger stallNext = new AtomicInteger();
  private volatile long stallMillis;
  private final Set<String> unservedFiles = ConcurrentHashMap.newKeySet();
  private final Map<String, String> wrongSha256 = new ConcurrentHashMap<>();
  private volatile boolean ignoreRange;
  private volatile String requiredToken;

  private final ExecutorService handlers = Executors.newCachedThreadPool();

  private FakeHubServer(HttpServer server) {
    this.server = server;
  }

  static FakeHubServer start() throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    FakeHubServer hub = new FakeHubServer(server);
    server.createContext("/", hub::handle);
    server.setExecutor(hub.handlers); // a stalled response must not hold up the client's retry
    server.start();
    return hub;
  }

  String endpoint() {
    return "http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort();
  }

  /** Publishes {@code files} as {@code repoId} at {@code commit}, reachable as revision "main" and the commit. */
  void addRepo(String repoId, String commit, Map<String, byte[]> files) {
    Set<String> revisions = new HashSet<>(Set.of("main", commit));
    repos.put(repoId, new Repo(commit, new LinkedHashMap<>(files), revisions));
    files.values().forEach(bytes -> blobsBySha256.put(sha256(bytes), bytes));
  }

  void addRevision(String repoId, String revision) {
    repos.get(repoId).revisions().add(revision);
  }

  /** The next {@code count} CDN transfers send half of what they promise, then drop the connection. */
  void truncateNextDownloads(int count) {
    truncateNext.set(count);
  }

  /** The next {@code count} CDN transfers send half, then go silent for {@code millis}. */
  void stallNextDownloads(int count, long millis) {
    stallMillis = millis;
    stallNext.set(count);
  }

  /** The CDN answers 200 with the whole file even when asked for a range. */
  void ignoreRange(boolean ignore) {
    ignoreRange = ignore;
  }

  /** The hub reports a wrong sha256 for {@code file} (the CDN still serves the real bytes). */
  void reportWrongSha256(String file, String wrong) {
    wrongSha256.put(file, wrong);
  }

  /** The listing names {@code file} but resolve answers 404 for it. */
  void failToServe(String file) {
    unservedFiles.add(file);
  }

  /** API and resolve requests without {@code Authorization: Bearer token} get 401. */
  void requireToken(String token) {
    requiredToken = token;
  }

  synchronized List<Request> requests() {
    return List.copyOf(requests);
  }

  long count(Predicate<Request> which) {
    return requests().stream().filter(which).count();
  }

  static boolean isLfs(String file) {
    return file.endsWith(".safetensors") || file.endsWith(".bin") || file.endsWith(".onnx");
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The id git gives a file's contents, which the hub sends as ETag for non-LFS files. */
  static String gitBlobSha1(byte[] bytes) {
    try {
      MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
      sha1.update(("blob " + bytes.length + "\0").getBytes(StandardCharsets.US_ASCII));
      return HexFormat.of().formatHex(sha1.digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    handlers.shutdownNow();
  }

  private void handle(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    synchronized (this) {
      requests.add(new Request(exchange.getRequestMethod(), path,
          exchange.getRequestHeaders().getFirst("Authorization"), exchange.getRequestHeaders().getFirst("Range")));
    }
    try (exchange) {
      if (path.startsWith("/cdn/")) {
        serveCdn(exchange, path.substring("/cdn/".length()));
      } else if (!authorized(exchange)) {
        error(exchange, 401, "", "Invalid credentials in Authorization header");
      } else if (path.startsWith("/api/models/") && path.contains("/revision/")) {
        serveApi(exchange, path);
      } else if (path.contains("/resolve/")) {
        serveResolve(exchange, path);
      } else {
        error(exchange, 404, "", "no route");
      }
    }
  }

  private boolean authorized(HttpExchange exchange) {
    String token = requiredToken;
    return token == null || ("Bearer " + token).equals(exchange.getRequestHeaders().getFirst("Authorization"));
  }

  private void serveApi(HttpExchange exchange, String path) throws IOException {
    String rest = path.substring("/api/models/".length());
    int cut = rest.indexOf("/revision/");
    Repo repo = repos.get(rest.substring(0, cut));
    if (repo == null) {
      error(exchange, 404, "RepoNotFound", "Repository not found");
      return;
    }
    if (!repo.revisions().contains(rest.substring(cut + "/revision/".length()))) {
      error(exchange, 404, "RevisionNotFound", "Invalid rev id");
      return;
    }
    ObjectMapper json = new ObjectMapper();
    ObjectNode body = json.createObjectNode().put("id", rest.substring(0, cut)).put("sha", repo.commit());
    ArrayNode siblings = body.putArray("siblings");
    repo.files().keySet().forEach(f -> siblings.addObject().put("rfilename", f));
    send(exchange, 200, json.writeValueAsBytes(body), "application/json");
  }

  private void serveResolve(HttpExchange exchange, String path) throws IOException {
    int cut = path.indexOf("/resolve/");
    Repo repo = repos.get(path.substring(1, cut));
    String rest = path.substring(cut + "/resolve/".length());
    int slash = rest.indexOf('/');
    if (repo == null || slash < 0 || !repo.revisions().contains(rest.substring(0, slash))) {
      error(exchange, 404, repo == null ? "RepoNotFound" : "RevisionNotFound", "not found");
      return;
    }
    String file = rest.substring(slash + 1);
    byte[] bytes = repo.files().get(file);
    if (bytes == null || unservedFiles.contains(file)) {
      error(exchange, 404, "EntryNotFound", file + " does not exist on \"" + rest.substring(0, slash) + "\"");
      return;
    }
    exchange.getResponseHeaders().set("X-Repo-Commit", repo.commit());
    if (isLfs(file)) {
      String sha = sha256(bytes);
      exchange.getResponseHeaders().set("X-Linked-Etag", "\"" + wrongSha256.getOrDefault(file, sha) + "\"");
      exchange.getResponseHeaders().set("X-Linked-Size", Long.toString(bytes.length));
      exchange.getResponseHeaders().set("ETag", "\"" + gitBlobSha1(("version https://git-lfs.github.com/spec/v1\noid sha256:" + sha).getBytes(StandardCharsets.UTF_8)) + "\"");
      exchange.getResponseHeaders().set("Location", endpoint() + "/cdn/" + sha);
      sendHeadersOnly(exchange, 302);
    } else {
      exchange.getResponseHeaders().set("ETag", "\"" + gitBlobSha1(bytes) + "\"");
      send(exchange, 200, bytes, "application/octet-stream");
    }
  }

  private void serveCdn(HttpExchange exchange, String sha) throws IOException {
    byte[] bytes = blobsBySha256.get(sha);
    if (bytes == null) {
      error(exchange, 404, "", "no such object");
      return;
    }
    int start = 0;
    String range = exchange.getRequestHeaders().getFirst("Range");
    Matcher m = range == null ? null : RANGE.matcher(range);
    if (m != null && m.matches() && !ignoreRange) {
      start = Integer.parseInt(m.group(1));
      if (start >= bytes.length) {
        exchange.getResponseHeaders().set("Content-Range", "bytes */" + bytes.length);
        sendHeadersOnly(exchange, 416);
        return;
      }
      exchange.getResponseHeaders().set("Content-Range", "bytes " + start + "-" + (bytes.length - 1) + "/" + bytes.length);
    }
    int length = bytes.length - start;
    exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
    exchange.sendResponseHeaders(start > 0 ? 206 : 200, length);
    OutputStream body = exchange.getResponseBody();
    if (truncateNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      body.write(bytes, start, length / 2);
      body.flush();
      // Closing the exchange with bytes still owed drops the connection: the client sees a short body.
      exchange.close();
      return;
    }
    if (stallNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      body.write(bytes, start, length / 2);
      body.flush();
      sleepQuietly(stallMillis); // the client's idle timeout should give up first
      return;
    }
    body.write(bytes, start, length);
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void error(HttpExchange exchange, int status, String code, String message) throws IOException {
    if (!code.isEmpty()) {
      exchange.getResponseHeaders().set("X-Error-Code", code);
    }
    exchange.getResponseHeaders().set("X-Error-Message", message);
    send(exchange, status, ("{\"error\":\"" + message + "\"}").getBytes(StandardCharsets.UTF_8), "application/json");
  }

  private static void send(HttpExchange exchange, int status, byte[] body, String type) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", type);
    if ("HEAD".equals(exchange.getRequestMethod())) {
      exchange.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
      exchange.sendResponseHeaders(status, -1);
      return;
    }
    exchange.sendResponseHeaders(status, body.length);
    exchange.getResponseBody().write(body);
  }

  private static void sendHeadersOnly(HttpExchange exchange, int status) throws IOException {
    exchange.sendResponseHeaders(status, -1);
  }

  static Map<String, byte[]> files(Object... nameThenContent) {
    Map<String, byte[]> files = new LinkedHashMap<>();
    for (int i = 0; i < nameThenContent.length; i += 2) {
      Object content = nameThenContent[i + 1];
      files.put((String) nameThenContent[i],
          content instanceof byte[] b ? b : content.toString().getBytes(StandardCharsets.UTF_8));
    }
    return files;
  }
}
