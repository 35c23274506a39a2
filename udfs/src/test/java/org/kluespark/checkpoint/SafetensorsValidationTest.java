package org.kluespark.checkpoint;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.kluespark.checkpoint.CheckpointFixtures.littleEndianFloats;
import static org.kluespark.checkpoint.CheckpointFixtures.rawSafetensors;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every corrupt header fails before any data is read, with a message naming the file and tensor. */
class SafetensorsValidationTest {
  @TempDir
  Path tmp;

  private Path file() {
    return tmp.resolve("model.safetensors");
  }

  private static AbstractThrowableAssert<?, ? extends Throwable> reading(Path file) {
    return assertThatThrownBy(() -> SafetensorsReader.read(file)).isInstanceOf(CheckpointException.class);
  }

  /** One F32 tensor "w" described by {@code fields}, over {@code data}. */
  private Path oneTensor(String fields, byte[] data) throws IOException {
    return rawSafetensors(file(), "{\"w\":{" + fields + "}}", data);
  }

  @Test
  void fileShorterThanTheLengthPrefix() throws IOException {
    Files.write(file(), new byte[] {1, 2, 3});
    reading(file()).hasMessage(file() + " is 3 bytes, too short for a safetensors file (8-byte header length"
        + " first); download it again.");
  }

  @Test
  void headerLengthLargerThanTheFile() throws IOException {
    rawSafetensors(file(), 1000, "{}", new byte[0]);
    reading(file()).hasMessage(file() + ": header length 1000 is larger than the file (10 bytes); the file is"
        + " truncated or not a safetensors file — download it again.");
  }

  @Test
  void absurdHeaderLength() throws IOException {
    rawSafetensors(file(), 200L << 20, "{}", new byte[0]);
    reading(file()).hasMessage(file() + ": header length 209715200 is absurd (over 104857600 bytes); this is not"
        + " a safetensors file or it is corrupt.");
    rawSafetensors(file(), -1, "{}", new byte[0]);
    reading(file()).hasMessage(file() + ": header length 18446744073709551615 is absurd (over 104857600 bytes);"
        + " this is not a safetensors file or it is corrupt.");
  }

  @Test
  void invalidJson() throws IOException {
    rawSafetensors(file(), "{\"w\": {\"dtype\": \"F32\",", new byte[0]);
    reading(file()).hasMessageStartingWith(file() + ": the header is not valid JSON (")
        .hasMessageEndingWith("); the file is corrupt — download it again.");
  }

  @Test
  void duplicateTensorNamesAreInvalidJson() throws IOException {
    String entry = "{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}";
    rawSafetensors(file(), "{\"w\":" + entry + ",\"w\":" + entry + "}", littleEndianFloats(1f));
    reading(file()).hasMessageStartingWith(file() + ": the header is not valid JSON (Duplicate field 'w')");
  }

  @Test
  void headerThatIsNotAnObject() throws IOException {
    rawSafetensors(file(), "[1, 2]", new byte[0]);
    reading(file()).hasMessage(file() + ": the header is not a JSON object; the file is corrupt.");
  }

  @Test
  void offsetsOutsideTheDataRegion() throws IOException {
    oneTensor("\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]", littleEndianFloats(1f, 2f));
    reading(file()).hasMessage(file() + ": tensor \"w\": data_offsets [0, 12] lie outside the data region (8"
        + " bytes); the file is truncated or corrupt — download it again.");
  }

  @Test
  void endBeforeBegin() throws IOException {
    oneTensor("\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,4]", littleEndianFloats(1f, 2f, 3f));
    reading(file()).hasMessage(file() + ": tensor \"w\": data_offsets [8, 4] end before they begin; the file is"
        + " corrupt.");
  }

  @Test
  void spanThatDoesNotMatchTheShape() throws IOException {
    oneTensor("\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]", littleEndianFloats(1f, 2f, 3f));
    reading(file()).hasMessage(file() + ": tensor \"w\": data_offsets [0, 8] span 8 bytes but shape [3] of F32"
        + " needs 3 x 4 = 12 bytes; the file is corrupt.");
  }

  @Test
  void overlappingTensors() throws IOException {
    rawSafetensors(file(), "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", littleEndianFloats(1f, 2f, 3f));
    reading(file()).hasMessage(file() + ": tensors \"a\" [0, 8] and \"b\" [4, 12] overlap in the data region;"
        + " the file is corrupt.");
  }

  @Test
  void unknownDtype() throws IOException {
    oneTensor("\"dtype\":\"F7\",\"shape\":[1],\"data_offsets\":[0,4]", littleEndianFloats(1f));
    reading(file()).hasMessage(file() + ": tensor \"w\" has unknown dtype \"F7\"; kluespark reads F32, F16, BF16"
        + " and F64 weights (integer buffers are skipped).");
  }

  @Test
  void malformedShapeAndOffsets() throws IOException {
    oneTensor("\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]", littleEndianFloats(1f));
    reading(file()).hasMessage(file() + ": tensor \"w\": \"shape\" is [-1], not a list of non-negative integers;"
        + " the file is corrupt.");
    oneTensor("\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]", littleEndianFloats(1f));
    reading(file()).hasMessage(file() + ": tensor \"w\": \"data_offsets\" is [0], not 2 non-negative integers;"
        + " the file is corrupt.");
    oneTensor("\"shape\":[1],\"data_offsets\":[0,4]", littleEndianFloats(1f));
    reading(file()).hasMessage(file() + ": tensor \"w\" has no \"dtype\"; the file is corrupt.");
  }

  @Test
  void shapeWhoseElementCountOverflows() throws IOException {
    oneTensor("\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,4]", littleEndianFloats(1f));
    reading(file()).hasMessage(file() + ": tensor \"w\": shape [4294967296, 4294967296] overflows; the file is"
        + " corrupt.");
  }
}
