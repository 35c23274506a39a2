package org.kluespark.job;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * The {@code --conf} properties file: {@code kluespark.<option>} keys give option values (the command line
 * wins) and {@code spark.*} keys go to the SparkSession builder. Any other key is rejected, so a typo such as
 * {@code kluespark.batchsize} fails loudly instead of being ignored. Blank values count as unset, so the
 * placeholders of conf/kluespark-defaults.properties can be uncommented as they are. Values are trimmed, but
 * for the prefixes' trailing spaces.
 */
final class ConfFile {
  static final String OPTION_PREFIX = "kluespark.";
  private static final String SPARK_PREFIX = "spark.";
  // Kept as written (Properties already drops the spaces after '='): "query: " ends in a space that matters.
  private static final Set<String> UNTRIMMED = Set.of("text-prefix", "pair-prefix");

  private final String source;
  private final Map<String, String> options;
  private final Map<String, String> sparkSettings;

  private ConfFile(String source, Map<String, String> options, Map<String, String> sparkSettings) {
    this.source = source;
    this.options = options;
    this.sparkSettings = sparkSettings;
  }

  /** No --conf given. */
  static ConfFile none() {
    return new ConfFile(null, Map.of(), Map.of());
  }

  static ConfFile load(Path file, Collection<String> knownOptions) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("--conf " + file + " does not exist or is not a file.");
    }
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      properties.load(reader);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read --conf " + file, e);
    }
    Map<String, String> options = new TreeMap<>();
    Map<String, String> spark = new TreeMap<>();
    for (String key : properties.stringPropertyNames()) {
      String raw = properties.getProperty(key);
      String value = raw.trim();
      if (key.startsWith(OPTION_PREFIX)) {
        String option = key.substring(OPTION_PREFIX.length());
        if (UNTRIMMED.contains(option) && !value.isEmpty()) {
          value = raw;
        }
        if (!knownOptions.contains(option)) {
          throw new IllegalArgumentException("--conf " + file + ": unknown key '" + key + "'. The " + OPTION_PREFIX
              + "<option> keys are the embed options: " + String.join(", ", knownOptions) + ".");
        }
        if (!value.isEmpty()) {
          options.put(option, value);
        }
      } else if (key.startsWith(SPARK_PREFIX)) {
        if (!value.isEmpty()) {
          spark.put(key, value);
        }
      } else {
        throw new IllegalArgumentException("--conf " + file + ": key '" + key + "' is neither " + OPTION_PREFIX
            + "<option> nor spark.<setting>.");
      }
    }
    return new ConfFile(file.toString(), Map.copyOf(options), Map.copyOf(spark));
  }

  /** The value of {@code kluespark.<option>}, or null when the file does not set it. */
  String option(String option) {
    return options.get(option);
  }

  /** Where an option's value came from, for error messages: "kluespark.batch-size in my.properties". */
  String describe(String option) {
    return OPTION_PREFIX + option + " in " + source;
  }

  /** The spark.* settings, for the SparkSession builder. */
  Map<String, String> sparkSettings() {
    return sparkSettings;
  }
}
