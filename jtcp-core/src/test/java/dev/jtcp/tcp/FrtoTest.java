package dev.jtcp.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** RFC 5682 §3.1 (SACK-enhanced F-RTO): the verdicts of the ACKs after a retransmission timeout. */
class FrtoTest {
    /** SND.MAX when the timeout struck: segments 1..10000 were out. */
    private static final int HIGH = 10_001;

    @Test
    void theFirstAckAdvancingSndUnaSendsNewDataThenAnOriginalSegmentAckedProvesTheTimeoutSpurious() {
        Frto frto = new Frto(true);
        frto.onTimeout(false, false);
        assertThat(frto.isActive()).isTrue();
        // Step 2b: the resent first segment is acknowledged, nothing more.
        assertThat(frto.onAck(true, false, false, 1001, HIGH, HIGH)).isEqualTo(Frto.Verdict.SEND_NEW);
        assertThat(frto.sendNewPending()).isTrue();
        frto.afterSendNew(true);
        assertThat(frto.sendNewPending()).isFalse();
        // Step 3b: segments sent once, before the timeout, are acknowledged.
        assertThat(frto.onAck(true, true, false, 6001, HIGH + 2000, HIGH + 2000)).isEqualTo(Frto.Verdict.SPURIOUS);
        assertThat(frto.isActive()).isFalse();
        assertThat(frto.spuriousTimeouts()).isEqualTo(1);
    }

    @Test
    void aDuplicateAckOrNewSackAfterTheNewDataMeansTheLossWasReal() {
        Frto frto = new Frto(true);
        frto.onTimeout(false, false);
        assertThat(frto.onAck(true, false, false, 1001, HIGH, HIGH)).isEqualTo(Frto.Verdict.SEND_NEW);
        frto.afterSendNew(true);
        // Step 2b moved the episode's end to SND.NXT; new data went out beyond it since.
        assertThat(frto.onAck(false, false, true, 1001, HIGH + 2000, HIGH)).isEqualTo(Frto.Verdict.NONE);
        assertThat(frto.isActive()).isFalse();
        // Later ACKs no longer speak to F-RTO, even ones that would have proven it spurious.
        assertThat(frto.onAck(true, true, false, 6001, HIGH + 2000, HIGH)).isEqualTo(Frto.Verdict.NONE);
        assertThat(frto.spuriousTimeouts()).isZero();
    }

    @Test
    void withNoNewDataToSendFrtoGivesWayToConventionalRecovery() {
        Frto frto = new Frto(true);
        frto.onTimeout(false, false);
        assertThat(frto.onAck(true, false, false, 1001, HIGH, HIGH)).isEqualTo(Frto.Verdict.SEND_NEW);
        frto.afterSendNew(false);
        assertThat(frto.isActive()).isFalse();
    }

    @Test
    void aTimeoutDuringFastRecoveryRunsNoFrtoUnlessItRecurs() {
        Frto frto = new Frto(true);
        frto.onTimeout(true, false);
        assertThat(frto.isActive()).isFalse();
        assertThat(frto.onAck(true, true, false, 6001, HIGH, HIGH)).isEqualTo(Frto.Verdict.NONE);
        frto.onTimeout(true, true);
        assertThat(frto.isActive()).isTrue();
    }

    @Test
    void switchedOffItNeverActs() {
        Frto frto = new Frto(false);
        frto.onTimeout(false, false);
        assertThat(frto.isActive()).isFalse();
        assertThat(frto.onAck(true, true, false, 6001, HIGH, HIGH)).isEqualTo(Frto.Verdict.NONE);
    }

    @Test
    void anAckCoveringEverythingSentBeforeTheTimeoutIsNotStepTwo() {
        Frto frto = new Frto(true);
        frto.onTimeout(false, false);
        // SND.UNA reached the episode's end: recovery is over, nothing for F-RTO to send.
        assertThat(frto.onAck(true, false, false, HIGH, HIGH, HIGH)).isEqualTo(Frto.Verdict.NONE);
        assertThat(frto.sendNewPending()).isFalse();
    }
}
