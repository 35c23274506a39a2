package org.kluespark.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code GET /api/models/{repo}/revision/{revision}} says: the commit the revision points at and
 * the repository's files.
 */
record RepoInfo(String commit, List<String> files) {

  static RepoInfo parse(String json, String source) {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(json);
    } catch (IOException e) {
      throw new HubException(source + " answered with invalid JSON (" + e.getMessage()
          + "); check HF_ENDPOINT points at a HuggingFace hub.", e);
    }
    if (root == null || !root.isObject()) {
      throw new HubException(source + " did not answer with a JSON object; check HF_ENDPOINT points at a HuggingFace hub.");
    }
    String sha = root.path("sha").asText(null);
    if (!HubModelId.isCommit(sha)) {
      throw new HubException(source + " answered without a 40-hex commit \"sha\" (got " + sha
          + "); check HF_ENDPOINT points at a HuggingFace hub.");
    }
    List<String> files = new ArrayList<>();
    for (JsonNode sibling : root.path("siblings")) {
      String name = sibling.path("rfilename").asText(null);
      if (name != null) {
        files.add(name);
      }
    }
    return new RepoInfo(sha, List.copyOf(files));
  }
}
