package org.kluespark.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/** The sentences of KLUE's STS and NLI dev sets ({@code ../shared/klue}), for the measurement tools. */
public final class KlueDevSentences {
  private KlueDevSentences() {}

  /** Every distinct sentence of the STS then the NLI dev set, in file order (5,038 of the 7,038). */
  public static List<String> distinct(Path klueDir) throws IOException {
    ObjectMapper json = new ObjectMapper();
    LinkedHashSet<String> distinct = new LinkedHashSet<>();
    for (String[] file : new String[][] {{"klue-sts-v1.1_dev.json", "sentence1", "sentence2"},
        {"klue-nli-v1.1_dev.json", "premise", "hypothesis"}}) {
      for (JsonNode record : json.readTree(klueDir.resolve(file[0]).toFile())) {
        distinct.add(record.get(file[1]).asText());
        distinct.add(record.get(file[2]).asText());
      }
    }
    return new ArrayList<>(distinct);
  }
}
