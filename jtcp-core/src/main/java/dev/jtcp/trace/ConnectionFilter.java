package dev.jtcp.trace;

import dev.jtcp.wire.IpAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Which connections {@code jtcp trace --filter} shows, in a small part of the pcap-filter language:
 * {@code host ADDR}, {@code port N}, joined by {@code and} ({@code host 198.18.0.1 and port 80}). A
 * connection matches when, for each term, one of its two endpoints has that address or port.
 *
 * <p>Immutable.
 */
public final class ConnectionFilter {
    /** One term: an address to match, or a port (the other is null or -1). */
    private record Term(IpAddress host, int port) {}

    /** Shows every connection. */
    public static final ConnectionFilter ALL = new ConnectionFilter(List.of(), "");

    private final List<Term> terms;
    private final String text;

    private ConnectionFilter(List<Term> terms, String text) {
        this.terms = List.copyOf(terms);
        this.text = text;
    }

    /**
     * Parses {@code expression}.
     *
     * @throws IllegalArgumentException with a message for the user if it is not understood
     */
    public static ConnectionFilter parse(String expression) {
        String[] words = expression.strip().split("\\s+");
        List<Term> terms = new ArrayList<>();
        int i = 0;
        while (i < words.length) {
            if (i + 1 >= words.length) {
                throw new IllegalArgumentException("'" + words[i] + "' needs a value: use 'host ADDR' or 'port N',"
                        + " joined by 'and'");
            }
            String value = words[i + 1];
            switch (words[i]) {
                case "host" -> terms.add(new Term(IpAddress.parse(value), -1));
                case "port" -> {
                    int port;
                    try {
                        port = Integer.parseInt(value);
                    } catch (NumberFormatException e) {
                        port = -1;
                    }
                    if (port < 0 || port > 65535) {
                        throw new IllegalArgumentException("not a port number: '" + value + "'");
                    }
                    terms.add(new Term(null, port));
                }
                default -> throw new IllegalArgumentException("cannot filter on '" + words[i]
                        + "': use 'host ADDR' or 'port N', joined by 'and'");
            }
            i += 2;
            if (i < words.length) {
                if (!words[i].equals("and")) {
                    throw new IllegalArgumentException("expected 'and' before '" + words[i] + "'");
                }
                i++;
                if (i == words.length) {
                    throw new IllegalArgumentException("nothing after 'and'");
                }
            }
        }
        return new ConnectionFilter(terms, expression.strip());
    }

    /** Whether {@code r} passes every term. */
    public boolean matches(ConnectionReport r) {
        for (Term t : terms) {
            if (!matches(t, r.a()) && !matches(t, r.b())) {
                return false;
            }
        }
        return true;
    }

    /** Whether an endpoint written as {@code 198.18.0.1:80} or {@code [fd00::1]:80} matches the term. */
    private static boolean matches(Term t, String endpoint) {
        int colon = endpoint.lastIndexOf(':');
        if (t.host() != null) {
            return IpAddress.parse(endpoint.substring(0, colon)).equals(t.host());
        }
        return Integer.parseInt(endpoint.substring(colon + 1)) == t.port();
    }

    @Override
    public String toString() {
        return text;
    }
}
