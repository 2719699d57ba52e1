package dev.jtcp.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jtcp.event.TcpState;
import dev.jtcp.testutil.TwoHosts;
import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * What a TIME-WAIT record keeps, in each order an application may close in. Closed first (the usual
 * order), the record is the compact {@link TimeWaitEntry}; half-closed, read to the end and then
 * closed (what {@code jtcp serve http} does), it must end the same way once the application closes,
 * not hold the whole connection (about 1.9 KB instead of under 200 B) for 2×MSL.
 */
class TimeWaitRecordTest {
    private static final long MS = TwoHosts.MS;

    @Test
    void halfCloseReadToTheEndThenCloseLeavesACompactRecord() throws InterruptedException {
        TwoHosts t = new TwoHosts(1);
        TcpListener l = t.server.listen(t.now(), 80, 8);
        TcpConnection c = t.client.connect(t.now(), TwoHosts.SERVER, 80);
        t.runFor(100 * MS);
        TcpConnection s = l.accept();
        // The client half-closes, the server answers and closes; the client reaches TIME-WAIT
        // before it has read the answer's end.
        c.close(t.now());
        t.runFor(100 * MS);
        s.send(t.now(), ByteBuffer.wrap("answer".getBytes()));
        s.closeFully(t.now());
        t.runFor(100 * MS);
        assertThat(c.state()).isEqualTo(TcpState.TIME_WAIT);
        TimeWaitEntry record = t.client.timeWait(c.key());
        assertThat(record).isNotNull();
        assertThat(record.keepsConnection()).as("the application still reads").isTrue();
        ByteBuffer in = ByteBuffer.allocate(100);
        assertThat(c.receive(t.now(), in)).isEqualTo(6);
        assertThat(c.receive(t.now(), in)).isEqualTo(-1);
        c.closeFully(t.now());
        assertThat(record.keepsConnection()).as("closed: the record lets the connection go").isFalse();
        assertThat(t.client.timeWait(c.key())).isSameAs(record);

        // Nothing else holds it either: once the application drops it, it is collected.
        WeakReference<TcpConnection> ref = new WeakReference<>(c);
        c = null;
        s = null;
        for (int i = 0; i < 20 && ref.get() != null; i++) {
            System.gc();
            Thread.sleep(10);
        }
        assertThat(ref.get()).as("the TIME-WAIT connection object is garbage").isNull();
        assertThat(t.client.timeWaitCount()).isEqualTo(1);
    }

    @Test
    void closeFirstLeavesACompactRecord() {
        TwoHosts t = new TwoHosts(1);
        TcpListener l = t.server.listen(t.now(), 80, 8);
        TcpConnection c = t.client.connect(t.now(), TwoHosts.SERVER, 80);
        t.runFor(100 * MS);
        TcpConnection s = l.accept();
        c.closeFully(t.now());
        t.runFor(100 * MS);
        s.closeFully(t.now());
        t.runFor(100 * MS);
        TimeWaitEntry record = t.client.timeWait(c.key());
        assertThat(record).isNotNull();
        assertThat(record.keepsConnection()).isFalse();
    }
}
