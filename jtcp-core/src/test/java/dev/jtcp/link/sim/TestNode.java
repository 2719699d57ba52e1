package dev.jtcp.link.sim;

import dev.jtcp.testutil.TestPackets;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** A node for tests: records every packet and timer call; its deadline is a field the test sets. */
final class TestNode implements SimNode {

    /** One packet as it arrived. */
    record Arrival(long atNs, SimPort port, byte[] bytes) {
        int seq() {
            return ByteBuffer.wrap(bytes).getInt(0);
        }
    }

    private final String name;
    final List<Arrival> arrivals = new ArrayList<>();
    final List<Long> timerCallsNs = new ArrayList<>();
    /** What {@link #nextDeadlineNs()} reports; cleared by {@link #onTimer}. */
    long deadlineNs = Long.MAX_VALUE;

    TestNode(String name) {
        this.name = name;
    }

    @Override
    public void onPacket(SimPort port, ByteBuffer packet, long nowNs) {
        arrivals.add(new Arrival(nowNs, port, TestPackets.bytes(packet)));
    }

    @Override
    public long nextDeadlineNs() {
        return deadlineNs;
    }

    @Override
    public void onTimer(long nowNs) {
        timerCallsNs.add(nowNs);
        deadlineNs = Long.MAX_VALUE;
    }

    List<Integer> seqs() {
        return arrivals.stream().map(Arrival::seq).toList();
    }

    @Override
    public String toString() {
        return name;
    }
}
