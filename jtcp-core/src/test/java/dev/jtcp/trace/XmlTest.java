package dev.jtcp.trace;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class XmlTest {
    @Test
    void escapesMarkupAndQuotesAndDropsForbiddenControls() {
        assertThat(Xml.escape("<a href=\"x\">&</a>")).isEqualTo("&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;");
        assertThat(Xml.escape("tab\tline\nbell\u0007end")).isEqualTo("tab\tline\nbellend");
        assertThat(Xml.escape("SYN,ACK seq=0 ack=1 <mss 1460>")).isEqualTo("SYN,ACK seq=0 ack=1 &lt;mss 1460&gt;");
    }
}
