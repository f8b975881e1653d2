package io.flowrelay.pubsub;

import java.util.Objects;

/**
 * A parsed topic name or pattern (see {@link Broker} for the syntax): dot-separated non-empty
 * segments; {@code *} matches one segment, a final {@code >} one or more. Immutable.
 */
final class TopicPattern {

    private static final String ONE = "*";
    private static final String REST = ">";

    private final String text;
    /** The segments; a wildcard is the interned {@link #ONE} / {@link #REST} constant. */
    private final String[] segments;
    private final boolean exact;

    private TopicPattern(String text, String[] segments, boolean exact) {
        this.text = text;
        this.segments = segments;
        this.exact = exact;
    }

    /**
     * Parses a topic name or a pattern.
     *
     * @throws IllegalArgumentException if it is not one
     */
    static TopicPattern parse(String text) {
        Objects.requireNonNull(text, "topic");
        String[] parts = text.split("\\.", -1);
        boolean exact = true;
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            if (p.isEmpty()) {
                throw new IllegalArgumentException("empty segment in topic \"" + text + "\": segments are separated by single dots");
            }
            if (p.equals(ONE)) {
                parts[i] = ONE;
                exact = false;
            } else if (p.equals(REST)) {
                if (i != parts.length - 1) {
                    throw new IllegalArgumentException("'>' may only be the last segment: \"" + text + "\"");
                }
                parts[i] = REST;
                exact = false;
            } else if (p.indexOf('*') >= 0 || p.indexOf('>') >= 0) {
                throw new IllegalArgumentException("'*' and '>' are whole segments only: \"" + text + "\"");
            }
        }
        return new TopicPattern(text, parts, exact);
    }

    /**
     * Checks a name given to {@code publish} or {@code topic()}.
     *
     * @throws IllegalArgumentException if it is not a valid name, or is a pattern
     */
    static void checkName(String name) {
        if (!parse(name).exact) {
            throw new IllegalArgumentException("a wildcard pattern is not a topic name: \"" + name + "\"");
        }
    }

    String text() {
        return text;
    }

    boolean isExact() {
        return exact;
    }

    /** {@code true} if the valid topic name {@code topic} matches this pattern. Allocates nothing. */
    boolean matches(String topic) {
        int n = topic.length();
        int pos = 0; // start of the next segment of topic; n + 1 once all are used
        for (String s : segments) {
            if (s == REST) {
                return pos < n; // one or more segments left
            }
            if (pos > n) {
                return false; // topic has fewer segments
            }
            int end = topic.indexOf('.', pos);
            if (end < 0) {
                end = n;
            }
            if (s != ONE && (end - pos != s.length() || !topic.regionMatches(pos, s, 0, s.length()))) {
                return false;
            }
            pos = end + 1;
        }
        return pos == n + 1; // every segment of topic was matched
    }

    @Override
    public String toString() {
        return text;
    }
}
