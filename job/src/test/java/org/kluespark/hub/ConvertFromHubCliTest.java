package org.kluespark.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kluespark.testing.TorchFixtures;

/**
 * {@code kluespark convert hf:ORG/NAME} as a user runs it, in its own JVM with HF_ENDPOINT/HF_HOME set:
 * the tiny PyTorch BERT checkpoint served by a loopback fake of the hub (same package as the udfs test
 * helper), downloaded into the HF cache layout and converted; a second run works offline from the cache.
 */
class ConvertFromHubCliTest {
  private static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";

  @TempDir Path tmp;

  @Test
  void convertsAModelDownloadedFromTheHubThenFromTheCacheOffline() throws Exception {
    Map<String, byte[]> files = new LinkedHashMap<>();
    for (String name : List.of("config.json", "model.safetensors", "vocab.txt", "tokenizer_config.json")) {
      files.put(name, Files.readAllBytes(TorchFixtures.dir(TorchFixtures.TINY_BERT).resolve(name)));
    }
    Path home = tmp.resolve("hf-home");
    try (FakeHubServer hub = FakeHubServer.start()) {
      hub.addRepo("klue/tiny-bert", COMMIT, files);
      Result online = cli(Map.of("HF_ENDPOINT", hub.endpoint(), "HF_HOME", home.toString()),
          "convert", "hf:klue/tiny-bert", "--output", tmp.resolve("bundle").toString());
      assertThat(online.exitCode).as(online.output).isZero();
      assertThat(online.output).contains("fetching hf:klue/tiny-bert").contains("model.safetensors: done")
          .contains("converted hf:klue/tiny-bert");
    }
    assertThat(home.resolve("hub/models--klue--tiny-bert/refs/main")).hasContent(COMMIT);
    assertThat(tmp.resolve("bundle/model.onnx")).exists();

    Result offline = cli(Map.of("HF_ENDPOINT", "http://127.0.0.1:9", "HF_HOME", home.toString(), "HF_HUB_OFFLINE", "1"),
        "convert", "hf:klue/tiny-bert", "--output", tmp.resolve("bundle2").toString());
    assertThat(offline.exitCode).as(offline.output).isZero();
    assertThat(Files.readAllBytes(tmp.resolve("bundle2/model.onnx"))).isEqualTo(Files.readAllBytes(tmp.resolve("bundle/model.onnx")));
  }

  private record Result(int exitCode, String output) {}

  private Result cli(Map<String, String> env, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "org.kluespark.job.KlueSparkCli"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(env);
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return new Result(process.exitValue(), output);
  }
}
