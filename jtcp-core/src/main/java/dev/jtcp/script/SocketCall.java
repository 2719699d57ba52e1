package dev.jtcp.script;

import java.util.List;

/**
 * A system call handed to a target: its name and evaluated arguments, file descriptors already
 * mapped from script to live numbers, and whether the script expects it to block ({@code T...END}). Argument values are {@link Long}, {@link String}, {@code
 * List<Object>} (an array or a pointer to an int), {@code Map<String, Object>} (a struct), or {@link
 * #DEFAULT} for {@code ...} (the target supplies the address, length or buffer).
 *
 * @param line the script line, for messages
 */
record SocketCall(String name, List<Object> args, int line, boolean scriptBlocking) {
    /** The value of a {@code ...} argument. */
    static final Object DEFAULT = new Object() {
        @Override
        public String toString() {
            return "...";
        }
    };

    int argCount() {
        return args.size();
    }

    Object arg(int i) {
        return i < args.size() ? args.get(i) : DEFAULT;
    }

    /** Argument {@code i} as an integer: a number, or the single element of {@code [n]}. */
    long integer(int i) {
        Object a = arg(i);
        if (a instanceof Long n) {
            return n;
        }
        if (a instanceof List<?> l && l.size() == 1 && l.getFirst() instanceof Long n) {
            return n;
        }
        throw new ScriptUnsupportedException(line, name + ": argument " + (i + 1) + " (" + a + ") is not an integer");
    }

    boolean isDefault(int i) {
        return arg(i) == DEFAULT;
    }

    /** The result of a call. */
    record Result(long value, String errno, Object out) {
        static Result ok(long value) {
            return new Result(value, null, null);
        }

        static Result ok(long value, Object out) {
            return new Result(value, null, out);
        }

        static Result error(String errno) {
            return new Result(-1, errno, null);
        }

        @Override
        public String toString() {
            return value + (errno != null ? " " + errno : "") + (out != null ? " (" + out + ")" : "");
        }
    }
}
