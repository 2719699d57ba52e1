package dev.jtcp.pcap;

/**
 * What a pcapng Interface Description Block says about the packets of one interface: their link
 * type, snap length and time-stamp unit.
 *
 * <p>if_tsresol (option 9) is one byte: if its top bit is clear, the low seven bits are n in a unit
 * of 10^-n seconds; if set, of 2^-n seconds. Absent, the unit is 10^-6 s. if_tsoffset (option 14)
 * is a signed number of seconds added to every time stamp.
 *
 * <p>Thread-safety: immutable, safe for use from any thread.
 *
 * @param linkType LINKTYPE_ value of every packet on this interface
 * @param snapLength largest number of bytes captured per packet; 0 means no limit
 * @param tsResolution the if_tsresol byte
 * @param tsOffsetSeconds the if_tsoffset value
 */
record PcapNgInterface(int linkType, long snapLength, int tsResolution, long tsOffsetSeconds) {
    /** if_tsresol when the option is absent: microseconds. */
    static final int DEFAULT_TS_RESOLUTION = 6;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    /** 10^0 .. 10^18, every power of ten a long holds. */
    private static final long[] POWERS_OF_TEN = powersOfTen();

    /**
     * Converts a time stamp in this interface's units to nanoseconds since the epoch. Sub-nanosecond
     * digits are truncated; values beyond the range of a long wrap, as garbage in, garbage out.
     */
    long toNanos(long ticks) {
        int exponent = tsResolution & 0x7F;
        long offsetNs = tsOffsetSeconds * NANOS_PER_SECOND;
        if ((tsResolution & 0x80) == 0) {
            if (exponent <= 9) {
                return ticks * POWERS_OF_TEN[9 - exponent] + offsetNs;
            }
            int divisor = exponent - 9;
            long ns = divisor < POWERS_OF_TEN.length ? Long.divideUnsigned(ticks, POWERS_OF_TEN[divisor]) : 0;
            return ns + offsetNs;
        }
        return binaryFractionToNanos(ticks, exponent) + offsetNs;
    }

    /** ticks × 10^9 / 2^exponent, computed in 128 bits so that no precision is lost on the way. */
    private static long binaryFractionToNanos(long ticks, int exponent) {
        long high = Math.unsignedMultiplyHigh(ticks, NANOS_PER_SECOND);
        long low = ticks * NANOS_PER_SECOND;
        if (exponent == 0) {
            return low;
        }
        if (exponent < Long.SIZE) {
            return (low >>> exponent) | (high << (Long.SIZE - exponent));
        }
        return high >>> (exponent - Long.SIZE);
    }

    private static long[] powersOfTen() {
        long[] powers = new long[19];
        powers[0] = 1;
        for (int i = 1; i < powers.length; i++) {
            powers[i] = powers[i - 1] * 10;
        }
        return powers;
    }
}
