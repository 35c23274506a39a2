package org.kluespark.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HubSettingsTest {

  private static final Path HOME = Paths.get("/home/u");

  @Test
  void defaultsMatchHuggingfaceHub() {
    HubSettings s = HubSettings.fromEnvironment(Map.of(), HOME);
    assertThat(s.endpoint()).isEqualTo(URI.create("https://huggingface.co"));
    assertThat(s.cacheDir()).isEqualTo(Paths.get("/home/u/.cache/huggingface/hub"));
    assertThat(s.token()).isNull();
    assertThat(s.offline()).isFalse();
  }

  @Test
  void cacheDirectoryPrecedence() {
    assertThat(HubSettings.fromEnvironment(Map.of("XDG_CACHE_HOME", "/xdg"), HOME).cacheDir())
        .isEqualTo(Paths.get("/xdg/huggingface/hub"));
    assertThat(HubSettings.fromEnvironment(Map.of("XDG_CACHE_HOME", "/xdg", "HF_HOME", "/hf"), HOME).cacheDir())
        .isEqualTo(Paths.get("/hf/hub"));
    assertThat(HubSettings.fromEnvironment(Map.of("HF_HOME", "/hf", "HF_HUB_CACHE", "/cache"), HOME).cacheDir())
        .isEqualTo(Paths.get("/cache"));
  }

  @Test
  void endpointTokenAndOffline() {
    HubSettings s = HubSettings.fromEnvironment(Map.of("HF_ENDPOINT", "http://mirror:8080/", "HF_TOKEN", "hf_secret",
        "HF_HUB_OFFLINE", "1"), HOME);
    assertThat(s.endpoint()).isEqualTo(URI.create("http://mirror:8080"));
    assertThat(s.token()).isEqualTo("hf_secret");
    assertThat(s.offline()).isTrue();
    for (String on : new String[] {"1", "true", "YES", "on"}) {
      assertThat(HubSettings.fromEnvironment(Map.of("HF_HUB_OFFLINE", on), HOME).offline()).as(on).isTrue();
    }
    for (String off : new String[] {"0", "false", "", "no"}) {
      assertThat(HubSettings.fromEnvironment(Map.of("HF_HUB_OFFLINE", off), HOME).offline()).as(off).isFalse();
    }
    assertThat(HubSettings.fromEnvironment(Map.of("HF_TOKEN", "  "), HOME).token()).isNull();
  }

  @Test
  void toStringNeverShowsTheToken() {
    HubSettings s = HubSettings.fromEnvironment(Map.of("HF_TOKEN", "hf_secret"), HOME);
    assertThat(s.toString()).doesNotContain("hf_secret").contains("token=set (hidden)");
  }

  @Test
  void badEndpointIsNamed() {
    assertThatThrownBy(() -> HubSettings.fromEnvironment(Map.of("HF_ENDPOINT", "huggingface.co"), HOME))
        .isInstanceOf(HubException.class)
        .hasMessage("HF_ENDPOINT \"huggingface.co\" is not an absolute http(s) URL; set it like "
            + "https://huggingface.co or unset it.");
  }
}
