package org.kluespark.job;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** The version Maven recorded in the jar (pom.properties); a build run from target/classes has none. */
final class VersionProvider implements IVersionProvider {
  private static final String POM_PROPERTIES = "/META-INF/maven/org.kluespark/kluespark-job/pom.properties";

  @Override
  public String[] getVersion() {
    return new String[] {"kluespark " + version()};
  }

  static String version() {
    try (InputStream in = VersionProvider.class.getResourceAsStream(POM_PROPERTIES)) {
      if (in != null) {
        Properties properties = new Properties();
        properties.load(in);
        return properties.getProperty("version", "(unknown version)");
      }
    } catch (IOException e) {
      // fall through: the version is informational only
    }
    return "(development build)";
  }
}
