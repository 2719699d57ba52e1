package dev.jtcp.pcap;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** if_tsresol in both forms (draft-ietf-opsawg-pcapng, "if_tsresol"), and if_tsoffset. */
class PcapNgInterfaceTest {
    @ParameterizedTest(name = "tsresol {0}: {1} ticks = {2} ns")
    @CsvSource({
        "6,    1700000000123456,    1700000000123456000",
        "9,    1700000000123456789, 1700000000123456789",
        "3,    1500,                1500000000",
        "0,    2,                   2000000000",
        "12,   1234567890123,       1234567890",
        "18,   999999999999999999,  999999999",
        "25,   9223372036854775807, 922",
        "127,  9223372036854775807, 0",
        "128,  3,                   3000000000",
        "138,  1536,                1500000000",
        "148,  3670016,             3500000000",
        "158,  1610612736,          1500000000",
        "192,  -1,                  999999999",
        "255,  -1,                  0",
    })
    void convertsTicksToNanosecondsForPowersOfTenAndOfTwo(int tsResolution, long ticks, long expectedNs) {
        PcapNgInterface iface = new PcapNgInterface(LinkType.RAW, 0, tsResolution, 0);

        assertThat(iface.toNanos(ticks)).isEqualTo(expectedNs);
    }

    @ParameterizedTest(name = "offset {0} s")
    @CsvSource({"0, 5000000", "10, 10005000000", "-1, -995000000"})
    void addsTheTimestampOffsetInSeconds(long offsetSeconds, long expectedNs) {
        PcapNgInterface iface = new PcapNgInterface(LinkType.RAW, 0, PcapNgInterface.DEFAULT_TS_RESOLUTION,
                offsetSeconds);

        assertThat(iface.toNanos(5_000)).isEqualTo(expectedNs);
    }
}
