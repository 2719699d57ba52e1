package dev.jtcp.tcp;

/**
 * Delivery rate estimation (draft-ietf-ccwg-bbr §4.5, from draft-cheng-iccrg-delivery-rate-estimation):
 * on each ACK, how fast data reached the receiver over the interval that the most recently sent of
 * the newly delivered segments spanned. BBR builds its bandwidth model from these samples; any
 * controller may read them.
 *
 * <p>The connection-wide counters ({@link #delivered()}, when it last grew, when the current flight
 * began) are stamped onto each segment as it is sent ({@link #onSend}, stored in {@link Flight});
 * each delivered segment offers its stamps ({@link #onDelivered}); after the ACK, {@link
 * #finishSample} turns the newest into a rate. The interval is the longer of the send interval and
 * the ACK interval, so neither ACK compression nor a burst of sending inflates the rate; samples
 * over less than the minimum RTT are discarded as unreliable.
 *
 * <p>Not thread-safe; one per connection.
 */
final class DeliveryRate {
    /** C.delivered: bytes delivered (cumulatively acknowledged or SACKed) since the connection began. */
    private long delivered;
    /** C.delivered_time: when {@link #delivered} last grew, ns. */
    private long deliveredNs;
    /** C.first_sent_time: when the first segment of the current flight was sent, ns. */
    private long firstSentNs;
    /** C.app_limited: the delivered count at which the current app-limited phase ends; 0 when not app-limited. */
    private long appLimitedUntil;

    /** The sample under construction for the current ACK; valid when {@link #havePrior}. */
    private long priorDelivered;
    private long priorNs;
    private long sendElapsedNs;
    private long ackElapsedNs;
    private boolean sampleAppLimited;
    private boolean havePrior;
    /** The sent time of the segment the current sample is taken from (ties go to the later-sent). */
    private long sampleSentNs;

    /** rs.delivered of the last finished sample, bytes; -1 when the last ACK gave no sample. */
    private long sampleDelivered = -1;
    /** rs.interval of the last finished sample, ns. */
    private long sampleIntervalNs;
    /** rs.is_app_limited of the last finished sample. */
    private boolean lastAppLimited;

    long delivered() {
        return delivered;
    }

    long deliveredNs() {
        return deliveredNs;
    }

    long firstSentNs() {
        return firstSentNs;
    }

    boolean isAppLimited() {
        return appLimitedUntil != 0;
    }

    /**
     * A segment is about to be sent at {@code nowNs} with {@code inFlight} bytes already
     * outstanding: when nothing is, a new flight begins and both clocks restart (so an idle period is
     * not counted as delivery time). The caller stores {@link #delivered()}, {@link #deliveredNs()},
     * {@link #firstSentNs()} and {@link #isAppLimited()} with the segment.
     */
    void onSend(long nowNs, int inFlight) {
        if (inFlight == 0) {
            firstSentNs = nowNs;
            deliveredNs = nowNs;
        }
    }

    /**
     * The sender has less to send than the window allows (the application is the bottleneck):
     * samples taken until what is now in flight is delivered understate the path's rate.
     */
    void onAppLimited(int inFlight) {
        appLimitedUntil = Math.max(delivered + inFlight, 1);
    }

    /**
     * One segment newly delivered by the current ACK, with the stamps it was sent with.
     *
     * @param bytes          its length
     * @param sentNs         when it was (last) sent
     * @param deliveredAtSend C.delivered when it was sent
     * @param deliveredNsAtSend C.delivered_time when it was sent
     * @param firstSentNsAtSend C.first_sent_time when it was sent
     */
    void onDelivered(int bytes, long nowNs, long sentNs, long deliveredAtSend, long deliveredNsAtSend,
                     long firstSentNsAtSend, boolean appLimitedAtSend) {
        delivered += bytes;
        deliveredNs = nowNs;
        // The sample comes from the most recently sent segment this ACK delivers.
        if (!havePrior || deliveredAtSend > priorDelivered
                || (deliveredAtSend == priorDelivered && sentNs - sampleSentNs > 0)) {
            havePrior = true;
            priorDelivered = deliveredAtSend;
            priorNs = deliveredNsAtSend;
            sampleAppLimited = appLimitedAtSend;
            sendElapsedNs = sentNs - firstSentNsAtSend;
            ackElapsedNs = deliveredNs - deliveredNsAtSend;
            sampleSentNs = sentNs;
            firstSentNs = sentNs;
        }
    }

    /**
     * Ends the current ACK: computes the sample from the segment chosen by {@link #onDelivered}.
     *
     * @param minRttNs the connection's minimum RTT, or -1 if unknown
     * @return whether there is a valid sample ({@link #sampleDelivered()}, {@link #sampleIntervalNs()})
     */
    boolean finishSample(long minRttNs) {
        if (appLimitedUntil != 0 && delivered > appLimitedUntil) {
            appLimitedUntil = 0;
        }
        if (!havePrior) {
            sampleDelivered = -1;
            return false;
        }
        havePrior = false;
        long interval = Math.max(sendElapsedNs, ackElapsedNs);
        long bytes = delivered - priorDelivered;
        lastAppLimited = sampleAppLimited;
        if (interval <= 0 || (minRttNs > 0 && interval < minRttNs)) {
            sampleDelivered = -1;
            return false;
        }
        sampleDelivered = bytes;
        sampleIntervalNs = interval;
        return true;
    }

    long sampleDelivered() {
        return sampleDelivered;
    }

    long sampleIntervalNs() {
        return sampleIntervalNs;
    }

    /** The last valid sample's rate in bytes per second, or 0 if there is none. */
    double sampleRateBytesPerSec() {
        return sampleDelivered < 0 ? 0 : sampleDelivered * 1e9 / sampleIntervalNs;
    }

    /** Whether the last sample was taken while application-limited (a lower bound of the path's rate). */
    boolean sampleAppLimited() {
        return lastAppLimited;
    }

    /** rs.prior_time of the last sample (for BBR's round counting by delivered data). */
    long priorDeliveredNs() {
        return priorNs;
    }

    /** rs.prior_delivered of the last sample. */
    long priorDelivered() {
        return priorDelivered;
    }
}
