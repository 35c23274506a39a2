package org.kluespark.hub;

import java.net.URI;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where and how to reach the hub, read from the same environment variables huggingface_hub reads, so a
 * cache filled by Python tools is reused and vice versa.
 *
 * <ul>
 *   <li>{@code HF_ENDPOINT}: hub base URL (default {@code https://huggingface.co}), e.g. a mirror</li>
 *   <li>{@code HF_HUB_CACHE}: cache directory; else {@code $HF_HOME/hub}; {@code HF_HOME} defaults to
 *       {@code $XDG_CACHE_HOME/huggingface}, else {@code ~/.cache/huggingface}</li>
 *   <li>{@code HF_TOKEN}: sent as {@code Authorization: Bearer}; never printed ({@link #toString()} redacts it)</li>
 *   <li>{@code HF_HUB_OFFLINE}: {@code 1}/{@code true}/{@code yes}/{@code on} uses only the cache</li>
 * </ul>
 *
 * @param token {@code null} when unset
 */
public record HubSettings(URI endpoint, Path cacheDir, String token, boolean offline) {

  public static final String DEFAULT_ENDPOINT = "https://huggingface.co";
  private static final Set<String> TRUE = Set.of("1", "true", "yes", "on");

  public HubSettings {
    if (endpoint == null || endpoint.getScheme() == null || endpoint.getHost() == null) {
      throw new HubException("HF_ENDPOINT \"" + endpoint + "\" is not an absolute http(s) URL; set it like "
          + DEFAULT_ENDPOINT + " or unset it.");
    }
    String text = endpoint.toString();
    if (text.endsWith("/")) {
      endpoint = URI.create(text.substring(0, text.length() - 1));
    }
    if (token != null && token.isBlank()) {
      token = null;
    }
  }

  /** Settings from this process's environment. */
  public static HubSettings fromEnvironment() {
    return fromEnvironment(System.getenv());
  }

  /** Settings from {@code env}; the home directory is {@code user.home}. */
  public static HubSettings fromEnvironment(Map<String, String> env) {
    return fromEnvironment(env, Paths.get(System.getProperty("user.home")));
  }

  public static HubSettings fromEnvironment(Map<String, String> env, Path userHome) {
    URI endpoint;
    String endpointText = nonBlank(env.get("HF_ENDPOINT")).orElse(DEFAULT_ENDPOINT);
    try {
      endpoint = URI.create(endpointText.trim());
    } catch (IllegalArgumentException e) {
      throw new HubException("HF_ENDPOINT \"" + endpointText + "\" is not a URL (" + e.getMessage()
          + "); set it like " + DEFAULT_ENDPOINT + " or unset it.", e);
    }
    Path cache = nonBlank(env.get("HF_HUB_CACHE")).map(Paths::get).orElseGet(() -> {
      Path home = nonBlank(env.get("HF_HOME")).map(Paths::get).orElseGet(() ->
          nonBlank(env.get("XDG_CACHE_HOME")).map(Paths::get).orElse(userHome.resolve(".cache"))
              .resolve("huggingface"));
      return home.resolve("hub");
    });
    boolean offline = nonBlank(env.get("HF_HUB_OFFLINE"))
        .map(v -> TRUE.contains(v.trim().toLowerCase(Locale.ROOT))).orElse(false);
    return new HubSettings(endpoint, cache.toAbsolutePath(), nonBlank(env.get("HF_TOKEN")).orElse(null), offline);
  }

  /** The same settings with offline forced on or off (e.g. a CLI {@code --offline} flag). */
  public HubSettings withOffline(boolean offline) {
    return new HubSettings(endpoint, cacheDir, token, offline);
  }

  @Override
  public String toString() {
    return "HubSettings[endpoint=" + endpoint + ", cacheDir=" + cacheDir + ", token="
        + (token == null ? "unset" : "set (hidden)") + ", offline=" + offline + "]";
  }

  private static Optional<String> nonBlank(String value) {
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
  }
}
