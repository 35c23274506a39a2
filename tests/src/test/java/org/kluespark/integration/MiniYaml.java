package org.kluespark.integration;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the block-style YAML subset Kubernetes manifests are written in: nested maps, lists (of scalars or of
 * maps, "- key: value"), plain and quoted scalars, comments. Scalars stay strings. Anything else (flow
 * collections, block scalars, anchors, multi-document files) is refused, so a manifest that needs more fails
 * the test instead of being half-read. No YAML library is on the test classpath (Spark brings none), hence
 * this reader.
 */
final class MiniYaml {
  private static final Pattern KEY = Pattern.compile("^([A-Za-z0-9_./\\-]+):(?:\\s+(.*))?$");

  private record Line(int number, int indent, String text) {}

  private final List<Line> lines;
  private int pos;

  private MiniYaml(List<Line> lines) {
    this.lines = lines;
  }

  static Map<String, Object> parse(String yaml) {
    List<Line> lines = new ArrayList<>();
    String[] raw = yaml.split("\n", -1);
    for (int i = 0; i < raw.length; i++) {
      String text = stripComment(raw[i]).stripTrailing();
      if (text.isBlank()) {
        continue;
      }
      if (text.contains("\t")) {
        throw new IllegalArgumentException("line " + (i + 1) + ": tab in indentation or value");
      }
      int indent = text.length() - text.stripLeading().length();
      String content = text.strip();
      if (content.equals("---") || content.startsWith("{") || content.startsWith("[") || content.startsWith("&")
          || content.startsWith("*") || content.endsWith("|") || content.endsWith(">")) {
        throw new IllegalArgumentException("line " + (i + 1) + ": unsupported YAML: " + content);
      }
      lines.add(new Line(i + 1, indent, content));
    }
    MiniYaml reader = new MiniYaml(lines);
    Map<String, Object> root = reader.parseMap(0);
    if (reader.pos != lines.size()) {
      Line line = lines.get(reader.pos);
      throw new IllegalArgumentException("line " + line.number() + ": unexpected indentation: " + line.text());
    }
    return root;
  }

  @SuppressWarnings("unchecked")
  static Object at(Map<String, Object> root, String slashPath) {
    Object node = root;
    for (String key : slashPath.split("/")) {
      if (!(node instanceof Map)) {
        throw new IllegalArgumentException(slashPath + ": " + key + " is not under a map");
      }
      node = ((Map<String, Object>) node).get(key);
    }
    return node;
  }

  private Object parseBlock() {
    Line first = lines.get(pos);
    return isListItem(first) ? parseList(first.indent()) : parseMap(first.indent());
  }

  private Map<String, Object> parseMap(int indent) {
    Map<String, Object> map = new LinkedHashMap<>();
    while (pos < lines.size() && lines.get(pos).indent() == indent && !isListItem(lines.get(pos))) {
      Line line = lines.get(pos);
      Matcher m = KEY.matcher(line.text());
      if (!m.matches()) {
        throw new IllegalArgumentException("line " + line.number() + ": expected key: value, got " + line.text());
      }
      pos++;
      String value = m.group(2);
      Object parsed;
      if (value == null || value.isEmpty()) {
        boolean nested = pos < lines.size() && (lines.get(pos).indent() > indent
            || (lines.get(pos).indent() == indent && isListItem(lines.get(pos))));
        parsed = nested ? parseBlock() : null;
      } else {
        parsed = scalar(value, line);
      }
      if (map.put(m.group(1), parsed) != null) {
        throw new IllegalArgumentException("line " + line.number() + ": duplicate key " + m.group(1));
      }
    }
    return map;
  }

  private List<Object> parseList(int indent) {
    List<Object> list = new ArrayList<>();
    while (pos < lines.size() && lines.get(pos).indent() == indent && isListItem(lines.get(pos))) {
      Line line = lines.get(pos);
      String rest = line.text().substring(1).strip();
      if (rest.isEmpty()) {
        pos++;
        list.add(parseBlock());
      } else if (KEY.matcher(rest).matches()) {
        // "- key: value": a map whose other keys line up with "key".
        int column = indent + line.text().indexOf(rest);
        lines.set(pos, new Line(line.number(), column, rest));
        list.add(parseMap(column));
      } else {
        pos++;
        list.add(scalar(rest, line));
      }
    }
    return list;
  }

  private static boolean isListItem(Line line) {
    return line.text().equals("-") || line.text().startsWith("- ");
  }

  private static String scalar(String value, Line line) {
    if (value.startsWith("\"") || value.startsWith("'")) {
      char quote = value.charAt(0);
      if (value.length() < 2 || value.charAt(value.length() - 1) != quote) {
        throw new IllegalArgumentException("line " + line.number() + ": unterminated quote: " + value);
      }
      return value.substring(1, value.length() - 1);
    }
    if (value.startsWith("{") || value.startsWith("[") || value.equals("|") || value.equals(">")) {
      throw new IllegalArgumentException("line " + line.number() + ": unsupported YAML value: " + value);
    }
    return value;
  }

  /** Drops a comment: '#' at the start or after a space, outside quotes. */
  private static String stripComment(String line) {
    char quote = 0;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        }
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '#' && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
        return line.substring(0, i);
      }
    }
    return line;
  }
}
