package dev.jtcp.script;

/**
 * A system call in progress or done, the one record of it for every {@link Target} and the
 * {@link Interpreter}: the call, when the stack began it, and once it returned, its result and
 * when. A call that completes when made is {@link #done}; a blocking one is completed later by the
 * target ({@link #complete}).
 *
 * <p>Not thread-safe: the interpreter's thread creates, completes and reads it.
 */
final class PendingCall {
    /** The call as the script made it. */
    private final SocketCall call;
    /** When the stack began the call (a blocking call's relative times count from here), or -1 until known. */
    private long startedAtUs;
    /** The result, null until the call returned. */
    private SocketCall.Result result;
    /** When the call returned; meaningful once {@link #isDone()}. */
    private long doneAtUs;
    /** Whether the stack reported that the call blocks (against Linux, before it returns). */
    private boolean blocked;

    PendingCall(SocketCall call, long startedAtUs) {
        this.call = call;
        this.startedAtUs = startedAtUs;
    }

    /** A call that completed when it was made, at {@code atUs}. */
    static PendingCall done(SocketCall call, SocketCall.Result result, long atUs) {
        PendingCall p = new PendingCall(call, atUs);
        p.complete(result, atUs);
        return p;
    }

    SocketCall call() {
        return call;
    }

    boolean isDone() {
        return result != null;
    }

    SocketCall.Result result() {
        return result;
    }

    long doneAtUs() {
        return doneAtUs;
    }

    long startedAtUs() {
        return startedAtUs;
    }

    boolean isBlocked() {
        return blocked;
    }

    /** The call returned {@code r} at {@code atUs}. */
    void complete(SocketCall.Result r, long atUs) {
        result = r;
        doneAtUs = atUs;
    }

    /** The stack began the call at {@code atUs}. */
    void started(long atUs) {
        startedAtUs = atUs;
    }

    /** The stack reported that the call blocks. */
    void markBlocked() {
        blocked = true;
    }
}
