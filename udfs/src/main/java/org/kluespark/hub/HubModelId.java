package org.kluespark.hub;

import java.util.regex.Pattern;

/**
 * A model on the HuggingFace hub, written {@code hf:ORG/NAME[@revision]} or {@code hf:NAME[@revision]}
 * (legacy single-segment repositories such as {@code bert-base-uncased}). The revision is a branch, tag
 * or commit hash and defaults to {@code main}.
 *
 * @param repoId   {@code ORG/NAME} or {@code NAME}, as the hub's URLs spell it
 * @param revision branch, tag or 40-hex commit
 */
public record HubModelId(String repoId, String revision) {

  public static final String PREFIX = "hf:";
  public static final String DEFAULT_REVISION = "main";

  // The hub's own rule for names: letters, digits, '-', '_', '.'; no '--' or '..', no leading/trailing '-' or '.'.
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,95}");
  // Branch and tag names are git refs ("refs/pr/1" included); forbid what could escape the cache folder.
  private static final Pattern REVISION = Pattern.compile("[A-Za-z0-9._][A-Za-z0-9._/-]{0,254}");
  private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");

  public HubModelId {
    checkRepoId(repoId, PREFIX + repoId);
    checkRevision(revision, PREFIX + repoId + "@" + revision);
  }

  /** Whether {@code spec} asks for a hub model (starts with {@code hf:}) rather than a local path. */
  public static boolean isHubSpec(String spec) {
    return spec != null && spec.startsWith(PREFIX);
  }

  /** Parses {@code hf:ORG/NAME[@revision]}; the error message quotes the spec and shows the accepted form. */
  public static HubModelId parse(String spec) {
    if (!isHubSpec(spec)) {
      throw malformed(spec, "it must start with \"hf:\"");
    }
    String rest = spec.substring(PREFIX.length());
    int at = rest.indexOf('@');
    String repoId = at < 0 ? rest : rest.substring(0, at);
    String revision = at < 0 ? DEFAULT_REVISION : rest.substring(at + 1);
    if (at >= 0 && revision.isEmpty()) {
      throw malformed(spec, "the revision after '@' is empty");
    }
    checkRepoId(repoId, spec);
    checkRevision(revision, spec);
    return new HubModelId(repoId, revision);
  }

  /** Whether the revision is already a full commit hash, which never moves. */
  public boolean isCommitHash() {
    return COMMIT.matcher(revision).matches();
  }

  /** The cache folder huggingface_hub uses for this repository: {@code models--ORG--NAME}. */
  public String cacheFolderName() {
    return "models--" + repoId.replace("/", "--");
  }

  @Override
  public String toString() {
    return PREFIX + repoId + "@" + revision;
  }

  static boolean isCommit(String value) {
    return value != null && COMMIT.matcher(value).matches();
  }

  private static void checkRepoId(String repoId, String spec) {
    if (repoId == null || repoId.isEmpty()) {
      throw malformed(spec, "the repository name is empty");
    }
    String[] parts = repoId.split("/", -1);
    if (parts.length > 2) {
      throw malformed(spec, "a repository id has at most one '/' (ORG/NAME)");
    }
    for (String part : parts) {
      if (!NAME.matcher(part).matches() || part.contains("--") || part.contains("..")
          || part.endsWith("-") || part.endsWith(".")) {
        throw malformed(spec, "\"" + part + "\" is not a valid organisation or model name (letters, digits, "
            + "'-', '_', '.'; no '--' or '..'; not starting or ending with '-' or '.')");
      }
    }
  }

  private static void checkRevision(String revision, String spec) {
    if (revision == null || !REVISION.matcher(revision).matches() || revision.contains("..")
        || revision.contains("//") || revision.endsWith("/")) {
      throw malformed(spec, "\"" + revision + "\" is not a valid revision (a branch, tag or commit hash)");
    }
  }

  private static HubException malformed(String spec, String why) {
    return new HubException("Model spec \"" + spec + "\" is malformed: " + why
        + ". Write hf:ORG/NAME or hf:ORG/NAME@REVISION, e.g. hf:sentence-transformers/all-MiniLM-L6-v2@main.");
  }
}
