package org.kluespark.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** job/bin/kluespark: runs the CLI from the build outputs, or says to build first. */
class LauncherTest {
  private static final Path LAUNCHER = EmbedFormatsTest.repoRoot().resolve("job/bin/kluespark");

  @Test
  void runsTheCliFromTheBuildOutputs() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "needs bash");
    Result result = run(LAUNCHER, "--version");

    assertThat(result.exitCode).as(result.output).isZero();
    assertThat(result.output).startsWith("kluespark ");
  }

  @Test
  void asksToBuildFirstWhenTheBuildOutputsAreMissing(@TempDir Path checkout) throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "needs bash");
    Path copy = Files.createDirectories(checkout.resolve("job/bin")).resolve("kluespark");
    Files.copy(LAUNCHER, copy);
    Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rwxr-xr-x"));

    Result result = run(copy, "--version");

    assertThat(result.exitCode).isEqualTo(1);
    assertThat(result.output).isEqualTo("kluespark: build first: ./mvnw -B -q package -DskipTests\n");
  }

  private record Result(int exitCode, String output) {}

  private static Result run(Path launcher, String... args) throws IOException, InterruptedException {
    String[] command = new String[args.length + 1];
    command[0] = launcher.toString();
    System.arraycopy(args, 0, command, 1, args.length);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
    builder.environment().put("KLUESPARK_JAVA_OPTS", "-Xmx256m");
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(2, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError("launcher did not finish: " + output);
    }
    return new Result(process.exitValue(), output);
  }
}
