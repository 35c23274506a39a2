package org.kluespark.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HubDownloaderTest {

  private static final String REPO = "acme/tiny-bert";
  private static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
  private static final String CONFIG = "{\"model_type\":\"bert\",\"hidden_size\":8}";
  private static final String TOKENIZER = "{\"version\":\"1.0\",\"model\":{\"type\":\"WordPiece\"}}";
  private static final byte[] WEIGHTS = randomBytes(300_000, 1);

  @TempDir
  Path cache;
  private FakeHubServer hub;
  private final List<String> events = new ArrayList<>();
  private final DownloadListener recorder = new DownloadListener() {
    @Override
    public void cached(String file, long sizeBytes) {
      events.add("cached " + file + " " + sizeBytes);
    }

    @Override
    public void started(String file, long resumedFrom, long totalBytes) {
      events.add("started " + file + " from " + resumedFrom + " of " + totalBytes);
    }

    @Override
    public void progress(String file, long downloadedBytes, long totalBytes) {
      events.add("progress " + file + " " + downloadedBytes + "/" + totalBytes);
    }

    @Override
    public void retrying(String file, int attempt, int maxAttempts, String reason) {
      events.add("retrying " + file + " attempt " + attempt + "/" + maxAttempts);
    }

    @Override
    public void finished(String file, long sizeBytes) {
      events.add("finished " + file + " " + sizeBytes);
    }
  };

  @BeforeEach
  void startHub() throws IOException {
    hub = FakeHubServer.start();
    hub.addRepo(REPO, COMMIT, FakeHubServer.files(
        "README.md", "# tiny",
        "config.json", CONFIG,
        "tokenizer.json", TOKENIZER,
        "onnx/model.onnx", randomBytes(1000, 2),
        "model.safetensors", WEIGHTS));
  }

  @AfterEach
  void stopHub() {
    hub.close();
  }

  @Test
  void downloadsTheNeededFilesIntoTheHuggingfaceHubCacheLayout() throws IOException {
    Path snapshot = downloader(env()).download("hf:" + REPO);

    Path repoDir = cache.resolve("models--acme--tiny-bert");
    assertThat(snapshot).isEqualTo(repoDir.resolve("snapshots").resolve(COMMIT));
    assertThat(listFiles(snapshot)).containsExactlyInAnyOrder("config.json", "tokenizer.json", "model.safetensors");
    assertThat(Files.readString(repoDir.resolve("refs/main"))).isEqualTo(COMMIT);

    String weightsSha = FakeHubServer.sha256(WEIGHTS);
    String configSha1 = FakeHubServer.gitBlobSha1(CONFIG.getBytes(StandardCharsets.UTF_8));
    assertThat(Files.readSymbolicLink(snapshot.resolve("model.safetensors")))
        .isEqualTo(Paths.get("../../blobs/" + weightsSha));
    assertThat(Files.readSymbolicLink(snapshot.resolve("config.json"))).isEqualTo(Paths.get("../../blobs/" + configSha1));
    assertThat(Files.readAllBytes(snapshot.resolve("model.safetensors"))).isEqualTo(WEIGHTS);
    assertThat(BlobTransfer.sha256(snapshot.resolve("model.safetensors"))).isEqualTo(weightsSha);
    assertThat(Files.readString(snapshot.resolve("config.json"))).isEqualTo(CONFIG);
    assertThat(Files.readString(snapshot.resolve("tokenizer.json"))).isEqualTo(TOKENIZER);
    try (Stream<Path> blobs = Files.list(repoDir.resolve("blobs"))) {
      assertThat(blobs.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(weightsSha, configSha1,
          FakeHubServer.gitBlobSha1(TOKENIZER.getBytes(StandardCharsets.UTF_8)));
    }

    // One API call, a HEAD per file, the small files' bytes from resolve, the weights from the CDN redirect.
    assertThat(hub.count(FakeHubServer.Request::isApi)).isEqualTo(1);
    assertThat(hub.count(r -> r.isResolve() && r.method().equals("HEAD"))).isEqualTo(3);
    assertThat(hub.count(r -> r.isResolve() && r.method().equals("GET"))).isEqualTo(2);
    assertThat(hub.requests()).filteredOn(FakeHubServer.Request::isCdn).singleElement()
        .satisfies(r -> assertThat(r.path()).isEqualTo("/cdn/" + weightsSha))
        .satisfies(r -> assertThat(r.range()).isNull());
    assertThat(hub.requests()).allSatisfy(r -> assertThat(r.authorization()).isNull());

    assertThat(events).contains("started model.safetensors from 0 of 300000", "progress model.safetensors 300000/300000",
        "finished model.safetensors 300000", "finished config.json " + CONFIG.length());
    assertThat(events.stream().filter(e -> e.startsWith("progress model.safetensors"))).hasSizeGreaterThan(1);
  }

  @Test
  void aSecondCallIsServedFromTheCache() {
    downloader(env()).download("hf:" + REPO);
    int before = hub.requests().size();

    // A branch can move, so its commit is asked for once; every file is already in the snapshot.
    Path again = downloader(env()).download("hf:" + REPO + "@main");
    assertThat(again).isEqualTo(cache.resolve("models--acme--tiny-bert/snapshots/" + COMMIT));
    assertThat(hub.requests().subList(before, hub.requests().size()))
        .extracting(FakeHubServer.Request::path).containsExactly("/api/models/acme/tiny-bert/revision/main");
    assertThat(events).contains("cached model.safetensors 300000", "cached config.json " + CONFIG.length());

    // A commit hash never moves: no request at all.
    int beforePinned = hub.requests().size();
    assertThat(downloader(env()).download("hf:" + REPO + "@" + COMMIT)).isEqualTo(again);
    assertThat(hub.requests()).hasSize(beforePinned);
  }

  @Test
  void offlineUsesTheCachedSnapshotThroughRefs() {
    Path online = downloader(env()).download("hf:" + REPO);
    int before = hub.requests().size();

    Map<String, String> offline = env();
    offline.put("HF_HUB_OFFLINE", "1");
    assertThat(downloader(offline).download("hf:" + REPO)).isEqualTo(online);
    assertThat(downloader(offline).download("hf:" + REPO + "@" + COMMIT)).isEqualTo(online);
    assertThat(hub.requests()).hasSize(before);

    // An unreachable hub (connection refused) falls back to the cache the same way.
    assertThat(downloader(unreachableEnv()).download("hf:" + REPO)).isEqualTo(online);
  }

  @Test
  void offlineWithoutTheModelInTheCacheSaysSo() {
    Map<String, String> offline = env();
    offline.put("HF_HUB_OFFLINE", "1");
    assertThatThrownBy(() -> downloader(offline).download("hf:" + REPO))
        .isInstanceOf(HubException.class)
        .hasMessage("Cannot get hf:acme/tiny-bert@main: offline (HF_HUB_OFFLINE is set), and the cache "
            + cache.resolve("models--acme--tiny-bert") + " has no record of revision \"main\" (no "
            + cache.resolve("models--acme--tiny-bert/refs/main") + "). Download it once with network access "
            + "(unset HF_HUB_OFFLINE), or point HF_HUB_CACHE/HF_HOME at a cache that has it.");
    assertThat(hub.requests()).isEmpty();

    assertThatThrownBy(() -> downloader(unreachableEnv()).download("hf:" + REPO))
        .isInstanceOf(HubException.class)
        .hasMessageStartingWith("Cannot get hf:acme/tiny-bert@main: offline (http://127.0.0.1:")
        .hasMessageContaining(" unavailable: ConnectException")
        .hasMessageEndingWith("has no record of revision \"main\" (no "
            + cache.resolve("models--acme--tiny-bert/refs/main") + "). Download it once with network access "
            + "(or set HF_ENDPOINT to a reachable mirror), or point HF_HUB_CACHE/HF_HOME at a cache that has it.");
  }

  @Test
  void missingRepositoryRevisionOrFileIsNamed() {
    assertThatThrownBy(() -> downloader(env()).download("hf:acme/nope"))
        .isInstanceOf(HubException.class)
        .hasMessage("hf:acme/nope@main (repository info): not found (404 RepoNotFound) (hub says: Repository not "
            + "found) at " + hub.endpoint() + ". Check the repository id and revision (the spec is "
            + "hf:ORG/NAME@REVISION) and HF_ENDPOINT.");
    assertThatThrownBy(() -> downloader(env()).download("hf:" + REPO + "@v9"))
        .hasMessageStartingWith("hf:acme/tiny-bert@v9 (repository info): not found (404 RevisionNotFound)")
        .hasMessageEndingWith("The revision does not exist; check the branch, tag or commit after '@'.");

    hub.failToServe("tokenizer.json");
    assertThatThrownBy(() -> downloader(env()).download("hf:" + REPO))
        .isInstanceOf(HubException.class)
        .hasMessageStartingWith("file tokenizer.json of hf:acme/tiny-bert@main (commit " + COMMIT
            + "): not found (404 EntryNotFound)")
        .hasMessageEndingWith("The file does not exist at this revision.");
    // 404 is final: one HEAD, no retries.
    assertThat(hub.count(r -> r.path().endsWith("/tokenizer.json"))).isEqualTo(1);
  }

  @Test
  void aTruncatedTransferIsResumedWithRangeOnRetry() throws IOException {
    hub.truncateNextDownloads(1);
    Path snapshot = downloader(env()).download("hf:" + REPO);

    assertThat(BlobTransfer.sha256(snapshot.resolve("model.safetensors"))).isEqualTo(FakeHubServer.sha256(WEIGHTS));
    assertThat(hub.requests()).filteredOn(FakeHubServer.Request::isCdn)
        .extracting(FakeHubServer.Request::range).containsExactly(null, "bytes=150000-");
    assertThat(events).containsSubsequence("started model.safetensors from 0 of 300000",
        "retrying model.safetensors attempt 2/3", "started model.safetensors from 150000 of 300000",
        "progress model.safetensors 300000/300000", "finished model.safetensors 300000");
    assertNoPartialFiles();
  }

  @Test
  void aStalledTransferTimesOutAndResumes() throws IOException {
    hub.stallNextDownloads(1, 5_000);
    Path snapshot = downloader(env()).download("hf:" + REPO);

    assertThat(Files.readAllBytes(snapshot.resolve("model.safetensors"))).isEqualTo(WEIGHTS);
    assertThat(hub.requests()).filteredOn(FakeHubServer.Request::isCdn)
        .extracting(FakeHubServer.Request::range).containsExactly(null, "bytes=150000-");
    assertThat(events).contains("retrying model.safetensors attempt 2/3");
  }

  @Test
  void aServerIgnoringRangeRestartsTheFileCleanly() throws IOException {
    hub.truncateNextDownloads(1);
    hub.ignoreRange(true);
    Path snapshot = downloader(env()).download("hf:" + REPO);

    assertThat(Files.readAllBytes(snapshot.resolve("model.safetensors"))).isEqualTo(WEIGHTS);
    assertThat(hub.requests()).filteredOn(FakeHubServer.Request::isCdn)
        .extracting(FakeHubServer.Request::range).containsExactly(null, "bytes=150000-");
    assertThat(events).contains("started model.safetensors from 0 of 300000");
    assertThat(events).doesNotContain("started model.safetensors from 150000 of 300000");
  }

  @Test
  void aPartialFileOutlivesFailedAttemptsAndTheNextRunResumesIt() throws IOException {
    hub.truncateNextDownloads(3);
    String sha = FakeHubServer.sha256(WEIGHTS);
    Path partial = cache.resolve("models--acme--tiny-bert/blobs/" + sha + ".incomplete");
    assertThatThrownBy(() -> downloader(env()).download("hf:" + REPO))
        .isInstanceOf(HubException.class)
        .hasMessageStartingWith("file model.safetensors of hf:acme/tiny-bert@main (commit " + COMMIT
            + ") failed after 3 attempts: ")
        .hasMessageEndingWith(". Bytes received so far are kept under " + partial.getParent()
            + " (*.incomplete); run again to resume.");
    // Each attempt is sent half of what remains (150000, +75000, +37500); how much of a dropped
    // connection's last bytes reach the client is up to TCP, so the kept size is checked as a range, and
    // what is kept must be an exact prefix of the file.
    byte[] kept = Files.readAllBytes(partial);
    assertThat(kept.length).isBetween(150_000, 262_500);
    assertThat(kept).isEqualTo(java.util.Arrays.copyOf(WEIGHTS, kept.length));
    assertThat(cache.resolve("models--acme--tiny-bert/snapshots/" + COMMIT + "/model.safetensors")).doesNotExist();

    Path snapshot = downloader(env()).download("hf:" + REPO);
    assertThat(Files.readAllBytes(snapshot.resolve("model.safetensors"))).isEqualTo(WEIGHTS);
    List<String> ranges = hub.requests().stream().filter(FakeHubServer.Request::isCdn)
        .map(FakeHubServer.Request::range).toList();
    assertThat(ranges).hasSize(4);
    assertThat(ranges.get(0)).isNull();
    assertThat(ranges.get(1)).isEqualTo("bytes=150000-");
    assertThat(ranges.get(3)).as("the next run resumes from the kept bytes").isEqualTo("bytes=" + kept.length + "-");
    assertNoPartialFiles();
  }

  @Test
  void aHashMismatchFailsAndLeavesNothingInTheCache() throws IOException {
    String wrong = "ab".repeat(32);
    hub.reportWrongSha256("model.safetensors", wrong);
    assertThatThrownBy(() -> downloader(env()).download("hf:" + REPO))
        .isInstanceOf(HubException.class)
        .hasMessage("file model.safetensors of hf:acme/tiny-bert@main (commit " + COMMIT + "): sha256 mismatch. "
            + "The hub reported " + wrong + " but the downloaded bytes hash to " + FakeHubServer.sha256(WEIGHTS)
            + ". The partial download was deleted and nothing was added to the cache; run again to download it "
            + "afresh. If it fails again, a proxy or the mirror in HF_ENDPOINT is altering the file: download "
            + "without it.");
    Path repoDir = cache.resolve("models--acme--tiny-bert");
    assertThat(repoDir.resolve("snapshots/" + COMMIT + "/model.safetensors")).doesNotExist();
    assertThat(repoDir.resolve("blobs/" + wrong)).doesNotExist();
    assertNoPartialFiles();
    assertThat(hub.count(FakeHubServer.Request::isCdn)).as("a mismatch is not retried").isEqualTo(1);
  }

  @Test
  void theTokenIsSentAsBearerToTheHubAndNeverShown() {
    hub.requireToken("hf_secret");
    assertThatThrownBy(() -> downloader(env()).download("hf:" + REPO))
        .isInstanceOf(HubException.class)
        .hasMessageStartingWith("hf:acme/tiny-bert@main (repository info): the hub answered 401")
        .hasMessageContaining("Set HF_TOKEN to a read token from https://huggingface.co/settings/tokens");

    Map<String, String> wrongToken = env();
    wrongToken.put("HF_TOKEN", "hf_wrong");
    assertThatThrownBy(() -> downloader(wrongToken).download("hf:" + REPO))
        .hasMessageContaining("HF_TOKEN is set but was refused")
        .message().doesNotContain("hf_wrong");

    Map<String, String> withToken = env();
    withToken.put("HF_TOKEN", "hf_secret");
    int before = hub.requests().size();
    HubDownloader downloader = downloader(withToken);
    downloader.download("hf:" + REPO);
    assertThat(hub.requests().subList(before, hub.requests().size()))
        .filteredOn(r -> r.isApi() || r.isResolve())
        .hasSize(6)
        .allSatisfy(r -> assertThat(r.authorization()).isEqualTo("Bearer hf_secret"));
    assertThat(downloader.toString()).doesNotContain("hf_secret").contains("token=set (hidden)");
  }

  @Test
  void shardedSafetensorsDownloadEveryShardTheIndexNames() throws IOException {
    byte[] shard1 = randomBytes(70_000, 3);
    byte[] shard2 = randomBytes(50_000, 4);
    String index = "{\"metadata\":{\"total_size\":120000},\"weight_map\":{"
        + "\"embeddings.word_embeddings.weight\":\"model-00001-of-00002.safetensors\","
        + "\"encoder.layer.0.output.dense.weight\":\"model-00002-of-00002.safetensors\","
        + "\"pooler.dense.weight\":\"model-00001-of-00002.safetensors\"}}";
    String commit = "1111111111111111111111111111111111111111";
    hub.addRepo("acme/big-bert", commit, FakeHubServer.files(
        "config.json", CONFIG, "tokenizer.json", TOKENIZER,
        "model.safetensors.index.json", index,
        "model-00001-of-00002.safetensors", shard1,
        "model-00002-of-00002.safetensors", shard2,
        "pytorch_model.bin", randomBytes(10, 5)));

    Path snapshot = downloader(env()).download("hf:acme/big-bert");
    assertThat(listFiles(snapshot)).containsExactlyInAnyOrder("config.json", "tokenizer.json",
        "model.safetensors.index.json", "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors");
    assertThat(Files.readAllBytes(snapshot.resolve("model-00001-of-00002.safetensors"))).isEqualTo(shard1);
    assertThat(Files.readAllBytes(snapshot.resolve("model-00002-of-00002.safetensors"))).isEqualTo(shard2);
    assertThat(hub.count(r -> r.path().endsWith("pytorch_model.bin"))).isZero();

    // The cached sharded snapshot counts as complete offline.
    Map<String, String> offline = env();
    offline.put("HF_HUB_OFFLINE", "1");
    assertThat(downloader(offline).download("hf:acme/big-bert")).isEqualTo(snapshot);
  }

  @Test
  void anIndexNamingAShardTheRepoLacksIsRefused() {
    hub.addRepo("acme/broken", "2222222222222222222222222222222222222222", FakeHubServer.files(
        "config.json", CONFIG, "vocab.txt", "[PAD]\n",
        "model.safetensors.index.json", "{\"weight_map\":{\"a\":\"model-00001-of-00002.safetensors\"}}"));
    assertThatThrownBy(() -> downloader(env()).download("hf:acme/broken"))
        .isInstanceOf(HubException.class)
        .hasMessage("hf:acme/broken@main (commit 2222222222222222222222222222222222222222): "
            + "model.safetensors.index.json names shard model-00001-of-00002.safetensors, which the repository "
            + "does not have; the checkpoint is incomplete at this revision.");
  }

  @Test
  void withoutTokenizerJsonTheWordPieceFilesAreFetched() throws IOException {
    String commit = "3333333333333333333333333333333333333333";
    hub.addRepo("legacy-bert", commit, FakeHubServer.files(
        "config.json", CONFIG,
        "vocab.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\nhello\n",
        "tokenizer_config.json", "{\"do_lower_case\":true}",
        "special_tokens_map.json", "{\"unk_token\":\"[UNK]\"}",
        "pytorch_model.bin", WEIGHTS,
        "tf_model.h5", randomBytes(100, 6)));
    hub.addRevision("legacy-bert", "v1");

    Path snapshot = downloader(env()).download("hf:legacy-bert@v1");
    assertThat(snapshot).isEqualTo(cache.resolve("models--legacy-bert/snapshots/" + commit));
    assertThat(listFiles(snapshot)).containsExactlyInAnyOrder("config.json", "vocab.txt", "tokenizer_config.json",
        "special_tokens_map.json", "pytorch_model.bin");
    assertThat(Files.readString(snapshot.resolve("vocab.txt"))).isEqualTo("[PAD]\n[UNK]\n[CLS]\n[SEP]\nhello\n");
    assertThat(Files.readString(cache.resolve("models--legacy-bert/refs/v1"))).isEqualTo(commit);
  }

  private HubDownloader downloader(Map<String, String> env) {
    return new HubDownloader(HubSettings.fromEnvironment(env, cache), recorder, HubHttp.defaultClient(), 3,
        Duration.ZERO, Duration.ofSeconds(2));
  }

  private Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("HF_ENDPOINT", hub.endpoint());
    env.put("HF_HUB_CACHE", cache.toString());
    return env;
  }

  /** An endpoint on a loopback port nothing listens on: connection refused. */
  private Map<String, String> unreachableEnv() {
    Map<String, String> env = env();
    try (ServerSocket socket = new ServerSocket(0)) {
      env.put("HF_ENDPOINT", "http://127.0.0.1:" + socket.getLocalPort());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return env;
  }

  private void assertNoPartialFiles() throws IOException {
    try (Stream<Path> walk = Files.walk(cache)) {
      assertThat(walk.map(Path::toString)).noneMatch(p -> p.endsWith(".incomplete"));
    }
  }

  private static List<String> listFiles(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()).toList();
    }
  }

  private static byte[] randomBytes(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }
}
