package org.kluespark.hub;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Requests to the hub: URL building, the bearer token (sent only to the hub's own origin, never to the
 * CDN a file redirects to, since presigned CDN URLs reject a second credential), and turning HTTP
 * statuses into errors that say what to do. 5xx and 429 become {@link IOException}s so callers retry them.
 */
final class HubHttp {

  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);
  static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(60);
  private static final String USER_AGENT = "kluespark-hub/1 java/" + Runtime.version().feature();

  private final HttpClient client;
  private final HubSettings settings;

  HubHttp(HttpClient client, HubSettings settings) {
    this.client = client;
    this.settings = settings;
  }

  /** A client that leaves redirects to us, so the LFS headers on the hub's 302 can be read. */
  static HttpClient defaultClient() {
    return HttpClient.newBuilder()
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(CONNECT_TIMEOUT)
        .build();
  }

  URI repoInfoUri(HubModelId model) {
    return URI.create(settings.endpoint() + "/api/models/" + model.repoId() + "/revision/" + encode(model.revision()));
  }

  URI resolveUri(HubModelId model, String commit, String file) {
    String path = Stream.of(file.split("/")).map(HubHttp::encode).collect(Collectors.joining("/"));
    return URI.create(settings.endpoint() + "/" + model.repoId() + "/resolve/" + commit + "/" + path);
  }

  <T> HttpResponse<T> send(String method, URI uri, Optional<String> range, HttpResponse.BodyHandler<T> body)
      throws IOException {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri)
        .timeout(RESPONSE_TIMEOUT)
        .header("User-Agent", USER_AGENT)
        .method(method, HttpRequest.BodyPublishers.noBody());
    if (settings.token() != null && sameOrigin(uri, settings.endpoint())) {
      request.header("Authorization", "Bearer " + settings.token());
    }
    range.ifPresent(r -> request.header("Range", r));
    try {
      return client.send(request.build(), body);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HubException("Interrupted while requesting " + uri + ".", e);
    }
  }

  /**
   * The error for a non-success status. 4xx are final ({@link HubException}); 5xx and 429 are returned
   * as {@link IOException} for the caller to retry.
   */
  IOException failure(HttpResponse<?> response, String what) {
    int status = response.statusCode();
    String code = response.headers().firstValue("X-Error-Code").orElse("");
    String hubMessage = response.headers().firstValue("X-Error-Message").map(m -> " (hub says: " + m + ")").orElse("");
    if (status == 401 || status == 403) {
      String fix = settings.token() == null
          ? "The repository may be private or gated, or may not exist (the hub answers 401 for unknown "
              + "repositories without a token). Set HF_TOKEN to a read token from "
              + "https://huggingface.co/settings/tokens, and accept the model's terms on its page if it is gated."
          : "HF_TOKEN is set but was refused: check the token is valid and has read access to this repository, "
              + "and accept the model's terms on its page if it is gated.";
      throw new HubException(what + ": the hub answered " + status + hubMessage + ". " + fix);
    }
    if (status == 404) {
      String fix = switch (code) {
        case "RevisionNotFound" -> "The revision does not exist; check the branch, tag or commit after '@'.";
        case "EntryNotFound" -> "The file does not exist at this revision.";
        default -> "Check the repository id and revision (the spec is hf:ORG/NAME@REVISION) and HF_ENDPOINT.";
      };
      throw new HubException(what + ": not found (404" + (code.isEmpty() ? "" : " " + code) + ")" + hubMessage
          + " at " + settings.endpoint() + ". " + fix);
    }
    if (status == 429 || status >= 500) {
      return new IOException(what + ": the hub answered " + status + hubMessage);
    }
    throw new HubException(what + ": the hub answered unexpected status " + status + hubMessage + " for "
        + response.uri() + ". Check HF_ENDPOINT points at a HuggingFace hub.");
  }

  /** Whether the hub could not be reached at all (as opposed to failing mid-transfer). */
  static boolean isUnreachable(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof ConnectException || t instanceof UnknownHostException
          || t instanceof HttpConnectTimeoutException || t instanceof UnresolvedAddressException) {
        return true;
      }
    }
    return false;
  }

  static boolean sameOrigin(URI a, URI b) {
    return a.getScheme().equalsIgnoreCase(b.getScheme())
        && a.getHost().toLowerCase(Locale.ROOT).equals(b.getHost().toLowerCase(Locale.ROOT))
        && port(a) == port(b);
  }

  private static int port(URI uri) {
    return uri.getPort() >= 0 ? uri.getPort() : ("https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80);
  }

  static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }

  static String describeCause(Throwable error) {
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = Objects.requireNonNullElse(error.getMessage(), "");
    String rootText = root == error ? "" : "; " + root.getClass().getSimpleName()
        + (root.getMessage() == null ? "" : ": " + root.getMessage());
    return error.getClass().getSimpleName() + (message.isEmpty() ? "" : ": " + message) + rootText;
  }
}
