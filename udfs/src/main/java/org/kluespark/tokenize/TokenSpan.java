package org.kluespark.tokenize;

import java.io.Serializable;

/**
 * Where one token came from: {@code [start, end)} in the text of {@code segment} (0 = the first text,
 * 1 = the second text of a pair), in the unit the caller asked for ({@link OffsetUnit}).
 */
public record TokenSpan(int start, int end, int segment) implements Serializable {}
