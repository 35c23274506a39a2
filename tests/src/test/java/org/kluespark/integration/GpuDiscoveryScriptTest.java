package org.kluespark.integration;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kluespark.testing.TestModels;

/** deploy/gpu/get-gpus-resources.sh prints the ResourceInformation JSON Spark's GPU scheduling reads. */
class GpuDiscoveryScriptTest {
  private static final Path SCRIPT = TestModels.repoRoot().resolve("deploy/gpu/get-gpus-resources.sh");

  @TempDir
  Path tmp;

  private record Result(int exit, String out) {}

  private Result run(Map<String, String> env) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder("bash", SCRIPT.toString()).redirectErrorStream(true);
    builder.environment().remove("CUDA_VISIBLE_DEVICES");
    builder.environment().putAll(env);
    Process process = builder.start();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return new Result(process.exitValue(), new String(process.getInputStream().readAllBytes()).trim());
  }

  private static List<String> addresses(String json) throws IOException {
    JsonNode node = new ObjectMapper().readTree(json);
    assertThat(node.get("name").asText()).isEqualTo("gpu");
    List<String> out = new ArrayList<>();
    node.get("addresses").forEach(address -> out.add(address.asText()));
    return out;
  }

  @Test
  void listsTheGpusNvidiaSmiReports() throws Exception {
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    Path fake = Files.writeString(bin.resolve("nvidia-smi"), "#!/bin/sh\nprintf '0\\n1\\n'\n");
    Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
    Result result = run(Map.of("PATH", bin + ":" + System.getenv("PATH")));
    assertThat(result.exit()).as(result.out()).isZero();
    assertThat(addresses(result.out())).containsExactly("0", "1");
  }

  @Test
  void cudaVisibleDevicesNarrowsTheSet() throws Exception {
    Result result = run(Map.of("CUDA_VISIBLE_DEVICES", "2,3"));
    assertThat(result.exit()).isZero();
    assertThat(addresses(result.out())).containsExactly("2", "3");
  }

  @Test
  void withoutADriverItFailsSayingSo() throws Exception {
    Result result = run(Map.of("PATH", tmp.toString() + ":/usr/bin:/bin"));
    assertThat(result.exit()).isEqualTo(1);
    assertThat(result.out()).contains("nvidia-smi not found");
  }
}
