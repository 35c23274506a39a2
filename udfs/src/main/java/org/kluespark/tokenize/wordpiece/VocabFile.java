package org.kluespark.tokenize.wordpiece;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.kluespark.convert.ConversionException;

/**
 * A WordPiece {@code vocab.txt}: one token per line, the line number is the id.
 *
 * <p>Reading splits lines exactly as HF's {@code load_vocab} sees them through Python's universal newlines:
 * {@code \n}, {@code \r\n} and {@code \r} all end a line, nothing else is stripped (a space or a byte-order
 * mark stays part of its token), an empty line is the empty token, and a final line without a newline counts.
 */
public final class VocabFile {
  public static final String FILE_NAME = "vocab.txt";

  private VocabFile() {}

  /** The tokens of a {@code vocab.txt}, index = line number. */
  public static List<String> read(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new ConversionException("Cannot read " + file + ": " + e.getMessage(), e);
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new ConversionException(file + " is not valid UTF-8 (" + e.getMessage()
          + "); HF reads vocab.txt as UTF-8. Re-encode it.", e);
    }
    return splitLines(text);
  }

  static List<String> splitLines(String text) {
    List<String> lines = new ArrayList<>();
    int start = 0;
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '\n' || c == '\r') {
        lines.add(text.substring(start, i));
        i += c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n' ? 2 : 1;
        start = i;
      } else {
        i++;
      }
    }
    if (start < text.length()) {
      lines.add(text.substring(start));
    }
    return lines;
  }

  /**
   * Writes {@code vocab} as a {@code vocab.txt} (UTF-8, LF after every token) that reads back with the same ids.
   *
   * @throws IllegalArgumentException for an empty, duplicate or multi-line token, which would shift or lose ids
   */
  public static void write(List<String> vocab, Path file) {
    StringBuilder text = new StringBuilder();
    Set<String> seen = new HashSet<>();
    for (int id = 0; id < vocab.size(); id++) {
      String token = vocab.get(id);
      if (token == null || token.isEmpty() || token.indexOf('\n') >= 0 || token.indexOf('\r') >= 0) {
        throw new IllegalArgumentException("Token " + id + " cannot be written to " + file
            + ": it is empty or contains a line break");
      }
      if (!seen.add(token)) {
        throw new IllegalArgumentException("Token " + id + " '" + token + "' appears twice; " + file
            + " would give it only the later id");
      }
      text.append(token).append('\n');
    }
    try {
      Files.writeString(file, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + file, e);
    }
  }
}
