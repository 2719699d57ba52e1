package dev.jtcp.stack;

import dev.jtcp.event.ConnectionKey;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Connections by 4-tuple, looked up on every arriving segment without allocating: open addressing
 * with linear probing over parallel primitive arrays, and backward-shift deletion so probe chains
 * never hold tombstones. Addresses are the two {@code long}s of {@link dev.jtcp.wire.IpAddress}.
 *
 * <p>Not thread-safe.
 *
 * @param <V> the value kept per connection
 */
final class ConnectionTable<V> {
    private long[] addrs;
    private int[] ports;
    private Object[] values;
    private int mask;
    private int size;

    ConnectionTable(int initialCapacity) {
        int cap = Integer.highestOneBit(Math.max(16, initialCapacity) - 1) << 1;
        allocate(cap);
    }

    private void allocate(int cap) {
        addrs = new long[4 * cap];
        ports = new int[cap];
        values = new Object[cap];
        mask = cap - 1;
    }

    int size() {
        return size;
    }

    private static int hash(long lHi, long lLo, long rHi, long rLo, int portPair) {
        long h = lHi * 0x9E3779B97F4A7C15L;
        h = (h ^ lLo) * 0x9E3779B97F4A7C15L;
        h = (h ^ rHi) * 0x9E3779B97F4A7C15L;
        h = (h ^ rLo) * 0x9E3779B97F4A7C15L;
        h = (h ^ portPair) * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }

    private static int portPair(int localPort, int remotePort) {
        return localPort << 16 | remotePort;
    }

    private boolean matches(int i, long lHi, long lLo, long rHi, long rLo, int pp) {
        int a = 4 * i;
        return values[i] != null && ports[i] == pp && addrs[a] == lHi && addrs[a + 1] == lLo
                && addrs[a + 2] == rHi && addrs[a + 3] == rLo;
    }

    @SuppressWarnings("unchecked")
    V get(long lHi, long lLo, int localPort, long rHi, long rLo, int remotePort) {
        int pp = portPair(localPort, remotePort);
        for (int i = hash(lHi, lLo, rHi, rLo, pp) & mask; values[i] != null; i = (i + 1) & mask) {
            if (matches(i, lHi, lLo, rHi, rLo, pp)) {
                return (V) values[i];
            }
        }
        return null;
    }

    V get(ConnectionKey k) {
        return get(k.localAddress().hi(), k.localAddress().lo(), k.localPort(), k.remoteAddress().hi(),
                k.remoteAddress().lo(), k.remotePort());
    }

    /** Adds or replaces the value for {@code k}; returns the previous value. */
    @SuppressWarnings("unchecked")
    V put(ConnectionKey k, V value) {
        if (2 * (size + 1) > values.length) {
            grow();
        }
        long lHi = k.localAddress().hi();
        long lLo = k.localAddress().lo();
        long rHi = k.remoteAddress().hi();
        long rLo = k.remoteAddress().lo();
        int pp = portPair(k.localPort(), k.remotePort());
        int i = hash(lHi, lLo, rHi, rLo, pp) & mask;
        for (; values[i] != null; i = (i + 1) & mask) {
            if (matches(i, lHi, lLo, rHi, rLo, pp)) {
                V old = (V) values[i];
                values[i] = value;
                return old;
            }
        }
        int a = 4 * i;
        addrs[a] = lHi;
        addrs[a + 1] = lLo;
        addrs[a + 2] = rHi;
        addrs[a + 3] = rLo;
        ports[i] = pp;
        values[i] = value;
        size++;
        return null;
    }

    /** Removes {@code k}; returns the value it had, or null. */
    @SuppressWarnings("unchecked")
    V remove(ConnectionKey k) {
        long lHi = k.localAddress().hi();
        long lLo = k.localAddress().lo();
        long rHi = k.remoteAddress().hi();
        long rLo = k.remoteAddress().lo();
        int pp = portPair(k.localPort(), k.remotePort());
        int i = hash(lHi, lLo, rHi, rLo, pp) & mask;
        for (; values[i] != null; i = (i + 1) & mask) {
            if (matches(i, lHi, lLo, rHi, rLo, pp)) {
                V old = (V) values[i];
                deleteAt(i);
                size--;
                return old;
            }
        }
        return null;
    }

    /** Backward-shift deletion: pull later entries of the probe chain into the hole. */
    private void deleteAt(int hole) {
        int i = hole;
        while (true) {
            i = (i + 1) & mask;
            if (values[i] == null) {
                break;
            }
            int a = 4 * i;
            int home = hash(addrs[a], addrs[a + 1], addrs[a + 2], addrs[a + 3], ports[i]) & mask;
            // Move entry i into the hole if its home is not in (hole, i] cyclically.
            boolean stay = hole <= i ? (home > hole && home <= i) : (home > hole || home <= i);
            if (!stay) {
                System.arraycopy(addrs, a, addrs, 4 * hole, 4);
                ports[hole] = ports[i];
                values[hole] = values[i];
                hole = i;
            }
        }
        values[hole] = null;
    }

    @SuppressWarnings("unchecked")
    private void grow() {
        long[] oldAddrs = addrs;
        int[] oldPorts = ports;
        Object[] oldValues = values;
        allocate(2 * oldValues.length);
        for (int j = 0; j < oldValues.length; j++) {
            if (oldValues[j] != null) {
                int a = 4 * j;
                int i = hash(oldAddrs[a], oldAddrs[a + 1], oldAddrs[a + 2], oldAddrs[a + 3], oldPorts[j]) & mask;
                while (values[i] != null) {
                    i = (i + 1) & mask;
                }
                System.arraycopy(oldAddrs, a, addrs, 4 * i, 4);
                ports[i] = oldPorts[j];
                values[i] = oldValues[j];
            }
        }
    }

    /** A snapshot of every value (allocates; for listing and shutdown). */
    @SuppressWarnings("unchecked")
    List<V> values() {
        List<V> list = new ArrayList<>(size);
        for (Object v : values) {
            if (v != null) {
                list.add((V) v);
            }
        }
        return list;
    }

    void forEach(Consumer<V> action) {
        values().forEach(action);
    }
}
